/* check.c - one domain's check: the DNS records, then the policy and MX steps (check.h). */
#include "check_internal.h"

#include "net.h"
#include "txt_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tlsrpt_check_opts_default(struct tlsrpt_check_opts *o)
{
    memset(o, 0, sizeof *o);
    o->policy_port = 443;
    o->smtp_port = 25;
    o->dns_timeout_ms = TLSRPT_CHECK_DNS_TIMEOUT_MS;
    o->fetch_timeout_ms = TLSRPT_CHECK_FETCH_TIMEOUT_MS;
    o->smtp_timeout_ms = TLSRPT_CHECK_SMTP_TIMEOUT_MS;
    o->warn_days = TLSRPT_CERT_WARN_DAYS;
    o->ehlo = "localhost";
}

int tlsrpt_checker_new(const struct tlsrpt_check_opts *o, struct tlsrpt_checker **out,
                       struct tlsrpt_error *err)
{
    struct tlsrpt_dns_opts d = {o->dns_server, o->trust_anchor, o->dns_timeout_ms};
    struct tlsrpt_checker *c = calloc(1, sizeof *c);
    int rc = TLSRPT_E_NOMEM;
    *out = NULL;
    if (c == NULL)
        return tlsrpt_error_set(err, rc, NULL, "out of memory");
    c->o = *o;
    if ((rc = tlsrpt_dns_new(&d, &c->dns, err)) != 0 ||
        (rc = tlsrpt_probe_tls_new(o->ca_file, &c->tls, err)) != 0)
        goto out;
    *out = c;
    c = NULL;
out:
    tlsrpt_checker_free(c);
    return rc;
}

void tlsrpt_checker_free(struct tlsrpt_checker *c)
{
    if (c == NULL)
        return;
    tlsrpt_dns_free(c->dns);
    tlsrpt_probe_tls_free(c->tls);
    free(c);
}

int tlsrpt_check_domain_arg(const char *arg, char *out, size_t cap)
{
    size_t n = strlen(arg);
    if (n > 0 && arg[n - 1] == '.')
        n--;
    /* mta-sts.<domain> and _mta-sts.<domain> must still fit in a DNS name */
    if (n == 0 || n + sizeof "_mta-sts." > TLSRPT_DNS_NAME_MAX || n >= cap || arg[0] == '*' ||
        !tlsrpt_mx_pattern_valid(arg, n))
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(arg[i] >= 'A' && arg[i] <= 'Z' ? arg[i] - 'A' + 'a' : arg[i]);
    out[n] = '\0';
    return strchr(out, '.') ? 0 : -1;
}

void tlsrpt_check_iso_time(time_t t, char out[32])
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%lld", (long long)t);
}

const char *tlsrpt_check_verdict(const struct tlsrpt_findings *f)
{
    if (tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR) > 0)
        return "errors";
    return tlsrpt_findings_count(f, TLSRPT_FINDING_WARNING) > 0 ? "warnings" : "ok";
}

void tlsrpt_jset(struct step *s, json_t *obj, const char *key, json_t *value)
{
    if (value == NULL || json_object_set_new(obj, key, value) != 0)
        s->f->nomem = 1;
}

static const char *rr_name(enum tlsrpt_rrtype t)
{
    switch (t) {
    case TLSRPT_RR_A:
        return "A";
    case TLSRPT_RR_MX:
        return "MX";
    case TLSRPT_RR_TXT:
        return "TXT";
    case TLSRPT_RR_AAAA:
        break;
    }
    return "AAAA";
}

int tlsrpt_check_dns_problem(struct step *s, const struct tlsrpt_dns_query *q)
{
    switch (q->status) {
    case TLSRPT_DNS_TIMEOUT:
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "dns-timeout", q->name,
                            "Check that the domain's name servers answer (and the resolver "
                            "reaches them); senders give up the same way.",
                            "no DNS answer (%s) within %d ms", rr_name(q->type),
                            s->c->o.dns_timeout_ms);
        return 1;
    case TLSRPT_DNS_SERVFAIL:
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "dns-servfail", q->name,
                            "Fix the domain's name servers (or its DNSSEC signatures).",
                            "DNS server failure for %s (%s)", rr_name(q->type), q->why);
        return 1;
    case TLSRPT_DNS_BOGUS:
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "dnssec-bogus", q->name,
                            "Re-sign the zone or fix the DS record at the parent.",
                            "DNSSEC validation failed: %s", q->why);
        return 1;
    case TLSRPT_DNS_ERROR:
    case TLSRPT_DNS_PENDING:
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "dns-error", q->name,
                            "Check the resolver settings of this machine.", "look-up failed: %s",
                            q->why);
        return 1;
    case TLSRPT_DNS_OK:
    case TLSRPT_DNS_NXDOMAIN:
    case TLSRPT_DNS_NODATA:
        break;
    }
    return 0;
}

static json_t *strings_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* _mta-sts.<domain>: facts and findings. */
static int sts_record(struct step *s, const struct tlsrpt_dns_query *q)
{
    struct tlsrpt_sts_txt sts;
    json_t *o = json_object();
    tlsrpt_jset(s, s->doc, "mta_sts_record", o);
    if (o == NULL)
        return -1;
    tlsrpt_jset(s, o, "name", json_string(q->name));
    tlsrpt_jset(s, o, "dns", json_string(tlsrpt_dns_status_name(q->status)));
    tlsrpt_jset(s, o, "dnssec", json_boolean(q->secure));
    tlsrpt_jset(s, o, "records", strings_json(q->items, q->n_items));
    if (tlsrpt_check_dns_problem(s, q))
        return 0;
    if (tlsrpt_sts_txt_check((const char *const *)q->items, q->n_items, q->name, &sts, s->f) != 0)
        return -1;
    tlsrpt_jset(s, o, "id", sts.usable ? json_string(sts.id) : json_null());
    tlsrpt_jset(s, o, "usable", json_boolean(sts.usable));
    return 0;
}

/* _smtp._tls.<domain>: facts and findings. */
static int rpt_record(struct step *s, const struct tlsrpt_dns_query *q)
{
    struct tlsrpt_rpt_txt rpt;
    json_t *o = json_object();
    tlsrpt_jset(s, s->doc, "tlsrpt_record", o);
    if (o == NULL)
        return -1;
    tlsrpt_jset(s, o, "name", json_string(q->name));
    tlsrpt_jset(s, o, "dns", json_string(tlsrpt_dns_status_name(q->status)));
    tlsrpt_jset(s, o, "dnssec", json_boolean(q->secure));
    tlsrpt_jset(s, o, "records", strings_json(q->items, q->n_items));
    if (tlsrpt_check_dns_problem(s, q))
        return 0;
    int rc = tlsrpt_rpt_txt_check((const char *const *)q->items, q->n_items, q->name, &rpt, s->f);
    tlsrpt_jset(s, o, "rua", strings_json(rpt.rua, rpt.n_rua));
    tlsrpt_jset(s, o, "usable", json_boolean(rpt.usable));
    tlsrpt_rpt_txt_free(&rpt);
    return rc;
}

static json_t *findings_json(const struct tlsrpt_findings *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < f->n; i++) {
        const struct tlsrpt_finding *x = &f->v[i];
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "severity",
                                        tlsrpt_finding_severity_name(x->severity), "code", x->code,
                                        "object", x->object, "message", x->message, "fix", x->fix));
    }
    return a;
}

static void finish_doc(struct step *s, struct tlsrpt_check_result *out)
{
    char when[32];
    const struct tlsrpt_findings *f = s->f;
    tlsrpt_check_iso_time(out->checked_at, when);
    tlsrpt_jset(s, s->doc, "checked_at", json_string(when));
    tlsrpt_jset(s, s->doc, "duration_ms", json_integer(out->duration_ms));
    tlsrpt_jset(s, s->doc, "verdict", json_string(tlsrpt_check_verdict(f)));
    tlsrpt_jset(s, s->doc, "counts",
                json_pack("{s:I, s:I, s:I}", "error",
                          (json_int_t)tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR), "warning",
                          (json_int_t)tlsrpt_findings_count(f, TLSRPT_FINDING_WARNING), "info",
                          (json_int_t)tlsrpt_findings_count(f, TLSRPT_FINDING_INFO)));
    tlsrpt_jset(s, s->doc, "findings", findings_json(f));
    if (f->dropped > 0)
        tlsrpt_jset(s, s->doc, "findings_dropped", json_integer((json_int_t)f->dropped));
}

int tlsrpt_check_domain(struct tlsrpt_checker *c, const char *domain,
                        struct tlsrpt_check_result *out, struct tlsrpt_error *err)
{
    struct tlsrpt_dns_query q[5]; /* _mta-sts TXT, _smtp._tls TXT, MX, then A/AAAA of mta-sts */
    char name[TLSRPT_DNS_NAME_MAX + 16];
    int rc = -1;
    int64_t start = tlsrpt_now_ms();
    struct step s = {.c = c, .domain = domain};

    memset(out, 0, sizeof *out);
    memset(q, 0, sizeof q);
    snprintf(out->domain, sizeof out->domain, "%s", domain);
    out->checked_at = time(NULL);
    s.now = out->checked_at;
    s.f = &out->findings;
    s.doc = out->doc = json_pack("{s:s}", "domain", domain);
    if (s.doc == NULL) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    snprintf(name, sizeof name, "_mta-sts.%s", domain);
    tlsrpt_dns_query_init(&q[0], name, TLSRPT_RR_TXT);
    snprintf(name, sizeof name, "_smtp._tls.%s", domain);
    tlsrpt_dns_query_init(&q[1], name, TLSRPT_RR_TXT);
    tlsrpt_dns_query_init(&q[2], domain, TLSRPT_RR_MX);
    snprintf(name, sizeof name, "mta-sts.%s", domain);
    tlsrpt_dns_query_init(&q[3], name, TLSRPT_RR_A);
    tlsrpt_dns_query_init(&q[4], name, TLSRPT_RR_AAAA);
    if (tlsrpt_dns_run(c->dns, q, 5, err) != 0)
        goto out;
    s.mx = q[2];
    s.policy_a[0] = q[3];
    s.policy_a[1] = q[4];
    memset(&q[2], 0, 3 * sizeof q[0]); /* moved into s */
    if (sts_record(&s, &q[0]) != 0 || rpt_record(&s, &q[1]) != 0 ||
        tlsrpt_check_policy(&s, err) != 0 || tlsrpt_check_mx(&s, err) != 0)
        goto out;
    rc = 0;
out:
    out->duration_ms = (int)(tlsrpt_now_ms() - start);
    if (s.doc != NULL)
        finish_doc(&s, out);
    if (rc == 0 && (out->findings.nomem || (s.doc == NULL))) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; i < 5; i++)
        tlsrpt_dns_query_clear(&q[i]);
    tlsrpt_dns_query_clear(&s.mx);
    tlsrpt_dns_query_clear(&s.policy_a[0]);
    tlsrpt_dns_query_clear(&s.policy_a[1]);
    if (s.policy_parsed)
        tlsrpt_policy_doc_free(&s.policy);
    return rc;
}

void tlsrpt_check_result_free(struct tlsrpt_check_result *r)
{
    tlsrpt_findings_free(&r->findings);
    json_decref(r->doc);
    r->doc = NULL;
}
