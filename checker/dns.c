/* dns.c - libunbound look-ups with a deadline (dns.h). */
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#define RCODE_NXDOMAIN 3
#define CLASS_IN 1

struct tlsrpt_dns {
    struct ub_ctx *ctx;
    int timeout_ms;
};

const char *tlsrpt_dns_status_name(enum tlsrpt_dns_status s)
{
    static const char *const names[] = {"pending",  "ok",    "nxdomain", "nodata",
                                        "servfail", "bogus", "timeout",  "error"};
    return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "error";
}

static int ub_fail(struct tlsrpt_error *err, const char *what, int rc)
{
    return tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "libunbound %s: %s", what, ub_strerror(rc));
}

int tlsrpt_dns_new(const struct tlsrpt_dns_opts *o, struct tlsrpt_dns **out,
                   struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_IO, u;
    struct tlsrpt_dns *d = calloc(1, sizeof *d);
    *out = NULL;
    if (d == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    d->timeout_ms = o->timeout_ms;
    d->ctx = ub_ctx_create();
    if (d->ctx == NULL) {
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "libunbound: cannot create a resolver context");
        goto out;
    }
    /* Threads, not the default fork(): a fork per query is wrong inside a daemon. */
    if ((u = ub_ctx_async(d->ctx, 1)) != 0) {
        ub_fail(err, "async", u);
        goto out;
    }
    /* A forwarder or a resolv.conf entry on 127.0.0.x must be allowed. */
    if ((u = ub_ctx_set_option(d->ctx, "do-not-query-localhost:", "no")) != 0) {
        ub_fail(err, "do-not-query-localhost", u);
        goto out;
    }
    if (o->forwarder != NULL)
        u = ub_ctx_set_fwd(d->ctx, o->forwarder);
    else
        u = ub_ctx_resolvconf(d->ctx, NULL);
    if (u != 0) {
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "libunbound: cannot use %s: %s",
                         o->forwarder ? o->forwarder : "/etc/resolv.conf", ub_strerror(u));
        goto out;
    }
    if (o->trust_anchor != NULL && (u = ub_ctx_add_ta_file(d->ctx, o->trust_anchor)) != 0) {
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "libunbound: trust anchor %s: %s", o->trust_anchor,
                         ub_strerror(u));
        goto out;
    }
    /* ".test" is one of libunbound's built-in local zones (always NXDOMAIN). With an explicit
     * forwarder the user asks that server about everything, test names included. This call
     * finalizes the context, so it comes last. */
    if (o->forwarder != NULL && (u = ub_ctx_zone_remove(d->ctx, "test.")) != 0) {
        ub_fail(err, "zone_remove test.", u);
        goto out;
    }
    *out = d;
    d = NULL;
    rc = 0;
out:
    tlsrpt_dns_free(d);
    return rc;
}

void tlsrpt_dns_free(struct tlsrpt_dns *d)
{
    if (d == NULL)
        return;
    if (d->ctx != NULL)
        ub_ctx_delete(d->ctx);
    free(d);
}

int tlsrpt_dns_query_init(struct tlsrpt_dns_query *q, const char *name, enum tlsrpt_rrtype type)
{
    memset(q, 0, sizeof *q);
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof q->name)
        return -1;
    memcpy(q->name, name, n + 1);
    q->type = type;
    return 0;
}

void tlsrpt_dns_query_clear(struct tlsrpt_dns_query *q)
{
    for (size_t i = 0; i < q->n_items; i++)
        free(q->items[i]);
    q->n_items = 0;
}

static int add_item(struct tlsrpt_dns_query *q, const char *rdata, int len)
{
    char buf[TLSRPT_DNS_NAME_MAX];
    char *item = NULL;
    uint16_t pref = 0;
    int malformed = 0;

    if (q->n_items == TLSRPT_DNS_ITEMS_MAX)
        return 0;
    switch (q->type) {
    case TLSRPT_RR_TXT:
        item = tlsrpt_txt_rdata_join((const uint8_t *)rdata, (size_t)len, &malformed);
        break;
    case TLSRPT_RR_MX:
        malformed = tlsrpt_mx_rdata((const uint8_t *)rdata, (size_t)len, &pref, buf) != 0;
        if (!malformed)
            item = strdup(buf);
        break;
    case TLSRPT_RR_A:
    case TLSRPT_RR_AAAA: {
        char a[INET6_ADDRSTRLEN];
        int af = q->type == TLSRPT_RR_A ? AF_INET : AF_INET6;
        size_t want = q->type == TLSRPT_RR_A ? 4 : 16;
        malformed = (size_t)len != want || inet_ntop(af, rdata, a, sizeof a) == NULL;
        if (!malformed)
            item = strdup(a);
        break;
    }
    }
    if (malformed) {
        q->malformed++;
        return 0;
    }
    if (item == NULL)
        return -1;
    q->prefs[q->n_items] = pref;
    q->items[q->n_items++] = item;
    return 0;
}

/* libunbound calls this from ub_process() in our thread. */
static void on_result(void *arg, int e, struct ub_result *r)
{
    struct tlsrpt_dns_query *q = arg;
    if (e != 0) {
        q->status = TLSRPT_DNS_ERROR;
        snprintf(q->why, sizeof q->why, "%s", ub_strerror(e));
        return;
    }
    q->secure = r->secure;
    if (r->bogus) { /* a bogus answer still carries data: never use it */
        q->status = TLSRPT_DNS_BOGUS;
        snprintf(q->why, sizeof q->why, "%s", r->why_bogus ? r->why_bogus : "DNSSEC bogus");
    } else if (r->rcode == RCODE_NXDOMAIN) {
        q->status = TLSRPT_DNS_NXDOMAIN;
    } else if (r->rcode != 0) {
        q->status = TLSRPT_DNS_SERVFAIL;
        snprintf(q->why, sizeof q->why, "rcode %d", r->rcode);
    } else if (!r->havedata || r->data == NULL) {
        q->status = TLSRPT_DNS_NODATA;
    } else {
        q->status = TLSRPT_DNS_OK;
        for (size_t i = 0; r->data[i] != NULL; i++) {
            if (add_item(q, r->data[i], r->len[i]) != 0) {
                q->status = TLSRPT_DNS_ERROR;
                snprintf(q->why, sizeof q->why, "out of memory");
                break;
            }
        }
    }
    ub_resolve_free(r);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t pending(const struct tlsrpt_dns_query *q, size_t n)
{
    size_t p = 0;
    for (size_t i = 0; i < n; i++)
        if (q[i].status == TLSRPT_DNS_PENDING)
            p++;
    return p;
}

int tlsrpt_dns_run(struct tlsrpt_dns *d, struct tlsrpt_dns_query *q, size_t n,
                   struct tlsrpt_error *err)
{
    int64_t deadline = now_ms() + d->timeout_ms;
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        q[i].status = TLSRPT_DNS_PENDING;
        int u = ub_resolve_async(d->ctx, q[i].name, (int)q[i].type, CLASS_IN, &q[i], on_result,
                                 &q[i].async_id);
        if (u != 0) {
            q[i].status = TLSRPT_DNS_ERROR;
            snprintf(q[i].why, sizeof q[i].why, "%s", ub_strerror(u));
        }
    }
    while (pending(q, n) > 0) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = ub_fd(d->ctx), .events = POLLIN};
        int p = poll(&pfd, 1, (int)left);
        if (p < 0 && errno != EINTR) {
            rc = tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "poll on the resolver: %s",
                                  strerror(errno));
            break;
        }
        if (p > 0) {
            int u = ub_process(d->ctx);
            if (u != 0) {
                rc = ub_fail(err, "process", u);
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (q[i].status == TLSRPT_DNS_PENDING) {
            ub_cancel(d->ctx, q[i].async_id); /* its callback will not run */
            q[i].status = TLSRPT_DNS_TIMEOUT;
        }
    }
    return rc;
}
