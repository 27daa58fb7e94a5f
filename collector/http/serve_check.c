/* serve_check.c - the periodic live-check thread of `serve --check-domains`. */
#include "serve_check.h"

#include "check_store.h"
#include "db.h"
#include "log.h"
#include "units.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DOMAIN_BUF 256 /* one normalised domain (tlsrpt_check_domain_arg) */

struct tlsrpt_serve_check {
    struct tlsrpt_db *db;
    struct tlsrpt_domain_list domains;
    struct tlsrpt_check_opts opts; /* its strings point into strs */
    char *strs[5];                 /* owned copies of the option strings */
    uint64_t interval;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake; /* CLOCK_MONOTONIC */
    bool sync_made;
    /* Under mu: */
    bool stop;
    const char *current; /* the domain being checked, or NULL */
    /* The thread's own (read by stop after the join): */
    uint64_t rounds, stored, not_run, not_stored;
};

/* ---- option values ------------------------------------------------------------------------ */

int tlsrpt_serve_check_parse_domains(const char *text, struct tlsrpt_domain_list *out, char *why,
                                     size_t whylen)
{
    int rc = -1;
    struct tlsrpt_domain_list l = {0};
    const char *p = text ? text : "";
    char raw[DOMAIN_BUF], d[DOMAIN_BUF];
    memset(out, 0, sizeof *out);
    for (;;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        snprintf(raw, sizeof raw, "%.*s", (int)(n < sizeof raw ? n : sizeof raw - 1), p);
        if (n >= sizeof raw || tlsrpt_check_domain_arg(raw, d, sizeof d) != 0) {
            snprintf(why, whylen, "'%.64s' is not a domain name (IDNs: give the xn-- form)", raw);
            goto out;
        }
        p += n;
        bool dup = false;
        for (size_t i = 0; i < l.n && !dup; i++)
            dup = strcmp(l.v[i], d) == 0;
        if (dup)
            continue;
        if (l.n == TLSRPT_SERVE_CHECK_MAX_DOMAINS) {
            snprintf(why, whylen, "more than %d domains", TLSRPT_SERVE_CHECK_MAX_DOMAINS);
            goto out;
        }
        char **nv = realloc(l.v, (l.n + 1) * sizeof *nv);
        char *copy = nv ? strdup(d) : NULL;
        if (nv)
            l.v = nv;
        if (copy == NULL) {
            snprintf(why, whylen, "out of memory");
            goto out;
        }
        l.v[l.n++] = copy;
    }
    *out = l;
    l.v = NULL;
    l.n = 0;
    rc = 0;
out:
    tlsrpt_domain_list_free(&l);
    return rc;
}

int tlsrpt_serve_check_parse_connect_to(const char *s, char *addr, size_t cap,
                                        struct tlsrpt_check_opts *o)
{
    long long port;
    const char *colon = strrchr(s, ':');
    if (colon == NULL || tlsrpt_parse_int(colon + 1, 1, 65535, &port) != 0)
        return -1;
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n >= cap || memchr(s, '[', n) != NULL || memchr(s, ']', n) != NULL)
        return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    o->policy_port = (int)port;
    o->policy_addr = n > 0 ? addr : NULL;
    return 0;
}

/* ---- the thread ------------------------------------------------------------------------------ */

static bool stopping(struct tlsrpt_serve_check *c, const char *next_domain)
{
    pthread_mutex_lock(&c->mu);
    bool stop = c->stop;
    c->current = stop ? NULL : next_domain;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

/* Waits until the monotonic time `until` or a stop. Returns true to go on. */
static bool wait_until(struct tlsrpt_serve_check *c, const struct timespec *until)
{
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    while (!c->stop && rc == 0) /* 0: woken (perhaps spuriously); ETIMEDOUT: time to go */
        rc = pthread_cond_timedwait(&c->wake, &c->mu, until);
    bool go = !c->stop;
    pthread_mutex_unlock(&c->mu);
    return go;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct timespec mono_at(int64_t ms)
{
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    return t;
}

/* The codes of the error findings, each once, "a,b,c"; ending in ",..." when cap is too small. */
static void error_codes(const struct tlsrpt_findings *f, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->n; i++) {
        const char *code = f->v[i].code;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = f->v[j].severity == TLSRPT_FINDING_ERROR && strcmp(f->v[j].code, code) == 0;
        if (f->v[i].severity != TLSRPT_FINDING_ERROR || seen)
            continue;
        const char *sep = used ? "," : "";
        if (used + strlen(sep) + strlen(code) + sizeof ",..." > cap) {
            snprintf(buf + used, cap - used, "%s...", sep);
            return;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", sep, code);
    }
}

/* Checks one domain, stores and logs the result. Returns 0, or the error code when the check
 * could not run. */
static int check_one(struct tlsrpt_serve_check *c, struct tlsrpt_checker *ck, const char *domain)
{
    struct tlsrpt_check_result r;
    struct tlsrpt_error err = {0};
    int64_t id = 0;
    memset(&r, 0, sizeof r);
    if (tlsrpt_check_domain(ck, domain, &r, &err) != 0) {
        log_error("check: %s: the check could not run: %s", domain, err.message);
        c->not_run++;
        tlsrpt_check_result_free(&r);
        return err.code ? err.code : TLSRPT_E_IO;
    }
    const char *verdict = tlsrpt_check_verdict(&r.findings);
    size_t errors = tlsrpt_findings_count(&r.findings, TLSRPT_FINDING_ERROR);
    size_t warnings = tlsrpt_findings_count(&r.findings, TLSRPT_FINDING_WARNING);
    size_t notes = tlsrpt_findings_count(&r.findings, TLSRPT_FINDING_INFO);
    char codes[160];
    error_codes(&r.findings, codes, sizeof codes);
    char where[48] = "; not stored";
    bool stored = tlsrpt_check_store(c->db, &r, &id, &err) == 0;
    if (stored)
        snprintf(where, sizeof where, "; stored as check %lld", (long long)id);
    tlsrpt_log(errors > 0 ? TLSRPT_LOG_WARNING : TLSRPT_LOG_INFO,
               "check: %s: %s, %zu error(s), %zu warning(s), %zu note(s) in %d ms%s%s%s%s", domain,
               verdict, errors, warnings, notes, r.duration_ms, codes[0] ? " (" : "", codes,
               codes[0] ? ")" : "", where);
    if (stored) {
        c->stored++;
    } else {
        log_error("check: %s: result not stored: %s", domain, err.message);
        c->not_stored++;
    }
    tlsrpt_check_result_free(&r);
    return 0;
}

/* One round: every domain unless stopped. The checker is made once, on the first round, and made
 * again only after a check that could not run for another reason than memory (a broken resolver
 * context would fail every later check too). Returns false when stopped during the round. */
static bool one_round(struct tlsrpt_serve_check *c, struct tlsrpt_checker **ck)
{
    struct tlsrpt_error err = {0};
    bool renew = false;
    c->rounds++;
    if (*ck == NULL && tlsrpt_checker_new(&c->opts, ck, &err) != 0) {
        log_error("check: cannot set up the checker, no domain checked this round: %s",
                  err.message);
        *ck = NULL;
        return true;
    }
    for (size_t i = 0; i < c->domains.n; i++) {
        if (stopping(c, c->domains.v[i]))
            return false;
        int rc = check_one(c, *ck, c->domains.v[i]);
        renew = renew || (rc != 0 && rc != TLSRPT_E_NOMEM);
    }
    if (renew) {
        tlsrpt_checker_free(*ck);
        *ck = NULL; /* a fresh resolver and trust store next round */
    }
    return !stopping(c, NULL); /* no domain under way any more */
}

static void *run(void *arg)
{
    pthread_setname_np(pthread_self(), "live-check"); /* for top -H, perf --comm, gdb */
    struct tlsrpt_serve_check *c = arg;
    struct tlsrpt_checker *ck = NULL;
    const int64_t interval_ms = (int64_t)c->interval * 1000;
    uint64_t first =
        c->interval < TLSRPT_SERVE_CHECK_FIRST_DELAY ? c->interval : TLSRPT_SERVE_CHECK_FIRST_DELAY;
    int64_t next = mono_ms() + (int64_t)first * 1000;
    for (;;) {
        struct timespec until = mono_at(next);
        if (!wait_until(c, &until))
            break;
        int64_t start = mono_ms();
        if (!one_round(c, &ck))
            break;
        int64_t end = mono_ms();
        next = start + interval_ms;
        if (end >= next) {
            /* No pile-up and no catching up: the next round starts now, and then every interval. */
            log_warning("check: the round of %zu domain(s) took %lld s, not less than "
                        "check-interval (%llu s): the next round starts now",
                        c->domains.n, (long long)((end - start) / 1000),
                        (unsigned long long)c->interval);
            next = end;
        }
    }
    tlsrpt_checker_free(ck);
    return NULL;
}

/* ---- start and stop ------------------------------------------------------------------------ */

static void release(struct tlsrpt_serve_check *c)
{
    if (c->sync_made) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->mu);
    }
    tlsrpt_db_close(c->db);
    tlsrpt_domain_list_free(&c->domains);
    for (size_t i = 0; i < sizeof c->strs / sizeof c->strs[0]; i++)
        free(c->strs[i]);
    free(c);
}

/* *s = an owned copy of *s kept in slot; false when out of memory. */
static bool own(struct tlsrpt_serve_check *c, size_t slot, const char **s)
{
    if (*s == NULL)
        return true;
    c->strs[slot] = strdup(*s);
    *s = c->strs[slot];
    return *s != NULL;
}

static int make_sync(struct tlsrpt_serve_check *c)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0 && (rc = pthread_mutex_init(&c->mu, NULL)) == 0 &&
        (rc = pthread_cond_init(&c->wake, &attr)) != 0)
        pthread_mutex_destroy(&c->mu);
    pthread_condattr_destroy(&attr);
    c->sync_made = rc == 0;
    return rc == 0 ? 0 : -1;
}

int tlsrpt_serve_check_start(const struct tlsrpt_serve_check_config *cfg,
                             struct tlsrpt_serve_check **out, struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    *out = NULL;
    struct tlsrpt_serve_check *c = calloc(1, sizeof *c);
    if (c == NULL)
        return tlsrpt_error_set(err, rc, "", "out of memory");
    c->interval = cfg->interval > 0 ? cfg->interval : TLSRPT_SERVE_CHECK_DEF_INTERVAL;
    c->opts = cfg->check;
    bool copied = own(c, 0, &c->opts.dns_server) && own(c, 1, &c->opts.trust_anchor) &&
                  own(c, 2, &c->opts.ca_file) && own(c, 3, &c->opts.policy_addr) &&
                  own(c, 4, &c->opts.ehlo);
    c->domains.v = copied && cfg->domains->n > 0 ? calloc(cfg->domains->n, sizeof(char *)) : NULL;
    for (size_t i = 0; c->domains.v && i < cfg->domains->n; i++, c->domains.n++)
        if ((c->domains.v[i] = strdup(cfg->domains->v[i])) == NULL)
            copied = false;
    if (!copied || (cfg->domains->n > 0 && c->domains.v == NULL)) {
        tlsrpt_error_set(err, rc, "", "out of memory");
        goto out;
    }
    if (make_sync(c) != 0) {
        tlsrpt_error_set(err, rc, "", "cannot make the check thread's condition variable");
        goto out;
    }
    rc = tlsrpt_db_open(cfg->db_path, TLSRPT_DB_READWRITE, &c->db, err);
    if (rc != 0)
        goto out;
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "cannot start the check thread");
        goto out;
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    if (c)
        release(c);
    return rc;
}

void tlsrpt_serve_check_request_stop(struct tlsrpt_serve_check *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    if (!c->stop && c->current != NULL)
        log_info("check: stopping after the check of %s under way", c->current);
    c->stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
}

void tlsrpt_serve_check_stop(struct tlsrpt_serve_check *c)
{
    if (c == NULL)
        return;
    tlsrpt_serve_check_request_stop(c);
    pthread_join(c->thread, NULL);
    log_info("check: stopped: %llu round(s), %llu check(s) stored, %llu not run, %llu not stored",
             (unsigned long long)c->rounds, (unsigned long long)c->stored,
             (unsigned long long)c->not_run, (unsigned long long)c->not_stored);
    release(c);
}
