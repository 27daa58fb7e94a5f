/* report.c - one TLS-RPT report in the shape a given reporter really sends (quirks.md §1, §3):
 * field presence, id formats, date-range ends, policy-string order, failure-detail fields. */
#include "gen.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct gen_reporter_info reporters[GEN_NREPORTERS] = {
    [GEN_GOOGLE] = {"google", "Google Inc.", "smtp-tls-reporting@google.com",
                    "noreply-smtp-tls-reporting@google.com", "google.com"},
    [GEN_MICROSOFT] = {"microsoft", "Microsoft Corporation", "tlsrpt-noreply@microsoft.com",
                       "tlsrpt-noreply@microsoft.com", "microsoft.com"},
    [GEN_MAILRU] = {"mailru", "Mail.ru", "tls_support@corp.mail.ru",
                    "noreply-smtp-tls-reporting@corp.mail.ru", "mail.ru"},
    [GEN_STALWART] = {"stalwart", "smallmta.example", NULL, "noreply-tls@smallmta.example",
                      "mx.smallmta.example"},
    [GEN_SYS4] = {"sys4", "Example Hosting GmbH", "tlsrpt-admin@hosting.example",
                  "tlsrpt-noreply@hosting.example", "hosting.example"},
};

const struct gen_reporter_info *gen_reporter_info(enum gen_reporter r)
{
    return &reporters[r < GEN_NREPORTERS ? r : GEN_GOOGLE];
}

void gen_fmt_time(long long t, enum gen_timefmt f, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    size_t n = 0;
    if (gmtime_r(&tt, &tm) != NULL) {
        switch (f) {
        case GEN_T_RFC3339:
            n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
            break;
        case GEN_T_DOTS:
            n = strftime(buf, len, "%Y.%m.%dT%H.%M.%SZ", &tm);
            break;
        case GEN_T_DATE:
            n = strftime(buf, len, "%Y-%m-%d", &tm);
            break;
        case GEN_T_RFC5322: /* C locale: English day and month names */
            n = strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
            break;
        }
    }
    if (n == 0 && len > 0)
        buf[0] = '\0';
}

/* Builder state: any failed set/append marks the whole report failed (out of memory). */
struct jb {
    bool failed;
};

static void put(struct jb *b, json_t *obj, const char *key, json_t *v)
{
    if (json_object_set_new(obj, key, v) != 0)
        b->failed = true;
}

static void push(struct jb *b, json_t *arr, json_t *v)
{
    if (json_array_append_new(arr, v) != 0)
        b->failed = true;
}

static json_t *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *strf(const char *fmt, ...)
{
    char s[320];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof s)
        return NULL; /* never a silently cut string: the builder fails instead */
    return json_string(s);
}

static json_t *mx_patterns(struct jb *b, const struct gen_domain *d)
{
    json_t *a = json_array();
    if (d->wildcard) {
        push(b, a, strf("*.%s", d->name));
        return a;
    }
    for (unsigned i = 0; i < d->nmx; i++)
        push(b, a, json_string(d->mx[i]));
    return a;
}

/* STS policy lines; Microsoft always writes mx before max_age, others echo the publisher's order.
 */
static json_t *sts_lines(struct jb *b, const struct gen_domain *d, bool enforce, bool ms_order)
{
    json_t *a = json_array();
    bool age_first = d->max_age_first && !ms_order;
    push(b, a, json_string("version: STSv1"));
    push(b, a, json_string(enforce ? "mode: enforce" : "mode: testing"));
    if (age_first)
        push(b, a, strf("max_age: %lu", d->max_age));
    json_t *mx = mx_patterns(b, d);
    size_t i;
    json_t *v;
    json_array_foreach(mx, i, v)
    {
        push(b, a, strf("mx: %s", json_string_value(v)));
    }
    json_decref(mx);
    if (!age_first)
        push(b, a, strf("max_age: %lu", d->max_age));
    return a;
}

static void sender_ip(struct gen_rng *r, enum gen_reporter rep, char *buf, size_t len)
{
    unsigned a = gen_rng_range(r, 0, 255), c = gen_rng_range(r, 1, 254);
    switch (rep) {
    case GEN_GOOGLE:
        snprintf(buf, len, "209.85.%u.%u", 128 + a / 2, c);
        break;
    case GEN_MICROSOFT:
        snprintf(buf, len, "%s.%u.%u", a & 1 ? "40.107" : "52.101", a, c);
        break;
    case GEN_MAILRU:
        snprintf(buf, len, "94.100.%u.%u", 176 + a % 16, c);
        break;
    case GEN_STALWART:
        snprintf(buf, len, "198.51.100.%u", c);
        break;
    default:
        snprintf(buf, len, "203.0.113.%u", c);
        break;
    }
}

/* failure-reason-code as each reporter words it; NULL when it sends none. */
static const char *reason_text(enum gen_reporter rep, const struct gen_failure *f,
                               const struct gen_domain *d, char *buf, size_t len)
{
    const char *t = f->type;
    const char *host = f->mx >= 0 ? d->mx[f->mx] : d->name;
    if (rep == GEN_MAILRU) {
        if (strcmp(t, "sts-policy-fetch-error") == 0 && f->variant % 2 == 0)
            snprintf(buf, len,
                     "unable to do http request: Get \"https://mta-sts.%s/.well-known/"
                     "mta-sts.txt\": context deadline exceeded (Client.Timeout exceeded while "
                     "awaiting headers)",
                     d->name);
        else if (strcmp(t, "sts-policy-fetch-error") == 0)
            snprintf(buf, len, "bad https response code: 404");
        else if (strcmp(t, "certificate-host-mismatch") == 0)
            snprintf(buf, len,
                     "tls: failed to verify certificate: x509: certificate is valid for "
                     "mail.hosting.example, not %s",
                     host);
        else if (strcmp(t, "certificate-expired") == 0)
            snprintf(buf, len,
                     "tls: failed to verify certificate: x509: certificate has "
                     "expired or is not yet valid");
        else if (strcmp(t, "starttls-not-supported") == 0)
            snprintf(buf, len, "smtp: server doesn't support STARTTLS");
        else
            snprintf(buf, len,
                     "tls: failed to verify certificate: x509: certificate signed by "
                     "unknown authority");
        return buf;
    }
    if (rep == GEN_SYS4) {
        /* Postfix passes OpenSSL's verify text with underscores (sys4/tlsrpt-reporter#12) */
        snprintf(buf, len, "%s",
                 strcmp(t, "certificate-expired") == 0         ? "certificate_has_expired"
                 : strcmp(t, "certificate-host-mismatch") == 0 ? "hostname_mismatch"
                 : strcmp(t, "starttls-not-supported") == 0    ? "starttls_not_offered"
                 : strcmp(t, "sts-policy-fetch-error") == 0    ? "policy_fetch_failed"
                                                               : "self-signed_certificate");
        return buf;
    }
    return NULL;
}

static void receiving_ip(const struct gen_item *it, int mx, char *buf, size_t len)
{
    snprintf(buf, len, "192.0.2.%u", (it->dom_index * 4 + (unsigned)mx) % 254 + 1);
}

/* One failure-details entry (Google splits a failure over the sending IPs that saw it). */
static json_t *detail(struct jb *b, struct gen_rng *r, const struct gen_item *it,
                      const struct gen_failure *f, unsigned count)
{
    json_t *o = json_object();
    char why[320];
    bool fetch = f->mx < 0;
    const char *reason = reason_text(it->rep, f, it->dom, why, sizeof why);
    put(b, o, "result-type", json_string(f->type));
    if (!fetch) {
        char ip[48], rip[48];
        sender_ip(r, it->rep, ip, sizeof ip);
        receiving_ip(it, f->mx, rip, sizeof rip);
        put(b, o, "sending-mta-ip", json_string(ip));
        put(b, o, "receiving-ip", json_string(rip));
        put(b, o, "receiving-mx-hostname", json_string(it->dom->mx[f->mx]));
        if (it->rep == GEN_SYS4) /* the whole multi-line EHLO reply (quirks.md §3.12) */
            put(b, o, "receiving-mx-helo",
                strf("%s ESMTP Postfix\r\nPIPELINING\r\nSIZE %lu\r\nSTARTTLS", it->dom->mx[f->mx],
                     10240000UL));
    } else if (it->rep == GEN_SYS4 || it->rep == GEN_STALWART) {
        /* small MTAs keep the keys but have nothing to put in them (quirks.md §3.8) */
        put(b, o, "sending-mta-ip", json_string(""));
        put(b, o, "receiving-ip", json_string(""));
    }
    if (it->rep == GEN_STALWART) {
        put(b, o, "receiving-mx-helo", json_null());
        put(b, o, "additional-information", json_null());
        put(b, o, "failure-reason-code", json_null());
    }
    put(b, o, "failed-session-count", json_integer(count));
    if (reason)
        put(b, o, "failure-reason-code", json_string(reason));
    return o;
}

static json_t *details(struct jb *b, struct gen_rng *r, const struct gen_item *it,
                       const struct gen_traffic *t)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < t->nfail; i++) {
        const struct gen_failure *f = &t->fail[i];
        unsigned parts =
            it->rep == GEN_GOOGLE && f->mx >= 0 && f->count > 3 ? gen_rng_range(r, 1, 3) : 1;
        unsigned left = f->count;
        for (unsigned p = 0; p < parts; p++) {
            unsigned n = p + 1 == parts ? left : gen_rng_range(r, 1, left - (parts - p - 1));
            left -= n;
            push(b, a, detail(b, r, it, f, n));
        }
    }
    return a;
}

static unsigned failed_total(const struct gen_traffic *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->nfail; i++)
        n += t->fail[i].count;
    return n;
}

static bool has_fetch_error(const struct gen_traffic *t)
{
    for (unsigned i = 0; i < t->nfail; i++)
        if (t->fail[i].mx < 0)
            return true;
    return false;
}

static json_t *summary(const struct gen_traffic *t)
{
    return json_pack("{s:I, s:I}", "total-successful-session-count", (json_int_t)t->success,
                     "total-failure-session-count", (json_int_t)failed_total(t));
}

/* The sts policy entry in this reporter's shape. */
static json_t *sts_policy(struct jb *b, struct gen_rng *r, const struct gen_item *it,
                          const struct gen_traffic *t)
{
    const struct gen_domain *d = it->dom;
    bool no_policy = has_fetch_error(t) && t->success == 0;
    json_t *pol = json_object();
    put(b, pol, "policy-type", json_string("sts"));
    if (!no_policy)
        put(b, pol, "policy-string", sts_lines(b, d, t->enforce, it->rep == GEN_MICROSOFT));
    else if (it->rep == GEN_STALWART || it->rep == GEN_SYS4)
        put(b, pol, "policy-string", json_array());
    put(b, pol, "policy-domain", json_string(d->name));
    if (it->rep == GEN_GOOGLE || it->rep == GEN_SYS4)
        put(b, pol, "mx-host", mx_patterns(b, d));
    else if (it->rep == GEN_STALWART)
        put(b, pol, "mx-host", json_array());

    json_t *p = json_object();
    put(b, p, "policy", pol);
    put(b, p, "summary", summary(t));
    if (t->nfail > 0 || it->rep == GEN_STALWART || it->rep == GEN_SYS4)
        put(b, p, "failure-details", details(b, r, it, t));
    return p;
}

/* Microsoft's DANE twin: same counts, policy-string is one element holding a JSON array. */
static json_t *tlsa_twin(struct jb *b, const struct gen_config *cfg, const struct gen_item *it,
                         const json_t *sts)
{
    json_t *rrs = json_array();
    for (unsigned m = 0; m < it->dom->nmx; m++) {
        struct gen_rng r;
        gen_rng_seed(&r, cfg->seed, it->dom_index, 0x7154a, m); /* stable per MX, not per day */
        char rr[8 + 65] = "3 1 1 ";
        for (unsigned k = 0; k < 4; k++)
            snprintf(rr + 6 + 16 * k, sizeof rr - 6 - 16 * k, "%016" PRIX64, gen_rng_next(&r));
        push(b, rrs, json_string(rr));
    }
    char *inner = json_dumps(rrs, JSON_COMPACT);
    json_decref(rrs);
    json_t *pol = json_object();
    put(b, pol, "policy-type", json_string("tlsa"));
    json_t *ps = json_array();
    push(b, ps, inner ? json_string(inner) : NULL);
    free(inner);
    put(b, pol, "policy-string", ps);
    put(b, pol, "policy-domain", json_string(it->dom->name)); /* recipient domain, quirks §3.6 */
    json_t *p = json_object();
    put(b, p, "policy", pol);
    put(b, p, "summary", json_deep_copy(json_object_get(sts, "summary")));
    json_t *fd = json_object_get(sts, "failure-details");
    if (fd)
        put(b, p, "failure-details", json_deep_copy(fd));
    return p;
}

static void ids(const struct gen_config *cfg, const struct gen_item *it, struct gen_report *rp)
{
    struct gen_rng r;
    gen_rng_seed(&r, cfg->seed, it->dom_index, it->rep, (uint64_t)it->start ^ 0x1d5ULL);
    const char *dom = it->dom->name;
    const char *sub = reporters[it->rep].submitter;
    long long s = it->start, next = it->start + GEN_DAY;
    char day[40], dots[40];
    gen_fmt_time(s, GEN_T_RFC3339, day, sizeof day);
    gen_fmt_time(s, GEN_T_DOTS, dots, sizeof dots);
    uint64_t a = gen_rng_next(&r), b = gen_rng_next(&r);

    switch (it->rep) {
    case GEN_GOOGLE:
        rp->sent = next + gen_rng_range(&r, 2 * 3600, 12 * 3600);
        snprintf(rp->report_id, sizeof rp->report_id, "%s_%s", day, dom);
        snprintf(rp->subject_id, sizeof rp->subject_id, "<%s+%s@google.com>", dots, dom);
        snprintf(rp->message_id, sizeof rp->message_id,
                 "<%08" PRIx64 ".%08" PRIx64 ".%06x.%04xtls@google.com>", a >> 32, b >> 32,
                 (unsigned)(a & 0xffffff), (unsigned)(b & 0xffff));
        snprintf(rp->filename, sizeof rp->filename, "%s!%s!%lld!%lld!001.json.gz", sub, dom, s,
                 s + GEN_DAY - 1);
        break;
    case GEN_MICROSOFT: {
        rp->sent = next + gen_rng_range(&r, 12 * 3600, 22 * 3600);
        /* a Windows FILETIME of the generation time: 100 ns ticks since 1601 */
        unsigned long long ft =
            ((unsigned long long)rp->sent + 11644473600ULL) * 10000000ULL + a % 10000000ULL;
        snprintf(rp->report_id, sizeof rp->report_id, "%llu+%s", ft, dom);
        snprintf(rp->subject_id, sizeof rp->subject_id, "%s", rp->report_id);
        snprintf(rp->message_id, sizeof rp->message_id, "<%s@%s>", rp->report_id, dom);
        snprintf(rp->filename, sizeof rp->filename, "%s!%s!%lld!%lld!%llu.json.gz", sub, dom, s,
                 s + GEN_DAY - 1, ft);
        break;
    }
    case GEN_MAILRU: {
        rp->sent = next + gen_rng_range(&r, 300, 3600);
        char uuid[40];
        snprintf(uuid, sizeof uuid, "%08" PRIx64 "-%04x-%04x-%04x-%012" PRIx64, a >> 32,
                 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff, (unsigned)(b >> 48),
                 (uint64_t)(b & 0xffffffffffffULL));
        snprintf(rp->report_id, sizeof rp->report_id, "%s@mail.ru", uuid);
        snprintf(rp->subject_id, sizeof rp->subject_id, "<%s>", rp->report_id);
        snprintf(rp->message_id, sizeof rp->message_id, "<%s>", rp->report_id);
        snprintf(rp->filename, sizeof rp->filename, "%s!%s!%lld!%lld!001.json.gz", sub, dom, s,
                 next);
        break;
    }
    case GEN_STALWART:
        rp->sent = next + gen_rng_range(&r, 60, 7200);
        snprintf(rp->report_id, sizeof rp->report_id, "%lld_%" PRIu64, s, a);
        snprintf(rp->subject_id, sizeof rp->subject_id, "<%s>", rp->report_id);
        snprintf(rp->message_id, sizeof rp->message_id, "<%s@%s>", rp->report_id, sub);
        snprintf(rp->filename, sizeof rp->filename, "%s!%s!%lld!%lld.json.gz", sub, dom, s, next);
        break;
    default:
        rp->sent = next + gen_rng_range(&r, 600, 36000); /* spread_out_delivery: 10 h */
        snprintf(rp->report_id, sizeof rp->report_id, "%s_idx1_%s", day, dom);
        snprintf(rp->subject_id, sizeof rp->subject_id, "<%s@%s>", rp->report_id, sub);
        snprintf(rp->message_id, sizeof rp->message_id, "<%" PRIx64 ".%" PRIx64 "@mail.%s>", a, b,
                 sub);
        snprintf(rp->filename, sizeof rp->filename, "mail.%s!%s!%lld!%lld!1.json.gz", sub, dom, s,
                 s + GEN_DAY - 1);
        break;
    }
}

int gen_report_build(const struct gen_config *cfg, const struct gen_item *it, struct gen_report *rp)
{
    struct jb b = {false};
    struct gen_traffic t;
    struct gen_rng r;
    memset(rp, 0, sizeof *rp);
    gen_plan_traffic(cfg, it, &t);
    gen_rng_seed(&r, cfg->seed, it->dom_index, it->rep, (uint64_t)it->start ^ 0xde7ULL);
    ids(cfg, it, rp);

    const struct gen_reporter_info *who = &reporters[it->rep];
    bool next_midnight = it->rep == GEN_MAILRU || it->rep == GEN_STALWART;
    char start[40], end[40];
    gen_fmt_time(it->start, GEN_T_RFC3339, start, sizeof start);
    gen_fmt_time(it->start + GEN_DAY - (next_midnight ? 0 : 1), GEN_T_RFC3339, end, sizeof end);

    json_t *root = json_object();
    put(&b, root, "organization-name", json_string(who->org));
    put(&b, root, "date-range",
        json_pack("{s:s, s:s}", "start-datetime", start, "end-datetime", end));
    put(&b, root, "contact-info", who->contact ? json_string(who->contact) : json_null());
    put(&b, root, "report-id", json_string(rp->report_id));
    json_t *policies = json_array();
    json_t *sts = sts_policy(&b, &r, it, &t);
    push(&b, policies, sts);
    if (it->rep == GEN_MICROSOFT && !b.failed)
        push(&b, policies, tlsa_twin(&b, cfg, it, sts));
    put(&b, root, "policies", policies);
    if (b.failed) {
        json_decref(root);
        return -1;
    }
    rp->json = root;
    /* the big senders write compact JSON; Python's json.dumps (sys4) spaces after , and : */
    rp->json_flags = it->rep == GEN_SYS4       ? 0
                     : it->rep == GEN_STALWART ? JSON_INDENT(2)
                                               : JSON_COMPACT;
    return 0;
}

void gen_report_free(struct gen_report *r)
{
    json_decref(r->json);
    r->json = NULL;
}
