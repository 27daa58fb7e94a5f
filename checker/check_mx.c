/* check_mx.c - MX hosts: addresses, match against the policy's mx patterns, STARTTLS and
 * certificate of every address. */
#include "check_internal.h"

#include "smtp.h"
#include "sts_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mx_host {
    const char *name;
    unsigned pref;
    struct tlsrpt_dns_query q[2]; /* A, AAAA */
};

/* Hosts ordered by preference, as a sender tries them (stable for equal preferences). */
static size_t sorted_hosts(const struct tlsrpt_dns_query *mx, struct mx_host *h, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < mx->n_items && n < cap; i++) {
        size_t k = n++;
        while (k > 0 && h[k - 1].pref > mx->prefs[i]) {
            h[k] = h[k - 1];
            k--;
        }
        memset(&h[k], 0, sizeof h[k]);
        h[k].name = mx->items[i];
        h[k].pref = mx->prefs[i];
    }
    return n;
}

/* Does any mx pattern of the policy cover host? (RFC 8461 §4.1, shared matcher) */
static int in_policy(const struct tlsrpt_policy_doc *p, const char *host)
{
    for (size_t i = 0; i < p->n_mx; i++)
        if (tlsrpt_mx_pattern_match(p->mx[i], host))
            return 1;
    return 0;
}

static void unused_patterns(struct step *s, const struct mx_host *h, size_t n)
{
    for (size_t i = 0; i < s->policy.n_mx; i++) {
        int used = 0;
        for (size_t k = 0; k < n && !used; k++)
            used = tlsrpt_mx_pattern_match(s->policy.mx[i], h[k].name);
        if (!used)
            tlsrpt_findings_add(s->f, TLSRPT_FINDING_INFO, "policy-mx-unused", s->policy.mx[i],
                                "Remove mx lines for hosts you no longer use.",
                                "mx pattern %s matches none of the domain's MX hosts",
                                s->policy.mx[i]);
    }
}

static int ipv6_untestable(const char *addr, const struct tlsrpt_smtp_result *r)
{
    return strchr(addr, ':') != NULL && r->outcome == TLSRPT_SMTP_UNREACHABLE &&
           (strcmp(r->detail, strerror(ENETUNREACH)) == 0 ||
            strcmp(r->detail, strerror(EADDRNOTAVAIL)) == 0);
}

static void smtp_findings(struct step *s, const char *host, const char *addr, const char *obj,
                          const struct tlsrpt_smtp_result *r, json_t *o)
{
    struct tlsrpt_findings *f = s->f;
    int port = s->c->o.smtp_port;
    const char *d = r->detail;
    switch (r->outcome) {
    case TLSRPT_SMTP_UNREACHABLE:
        if (ipv6_untestable(addr, r))
            tlsrpt_findings_add(f, TLSRPT_FINDING_INFO, "mx-ipv6-untested", obj,
                                "Run the check from a machine with IPv6 to cover this address.",
                                "this machine has no IPv6 route: %s", d);
        else
            tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-unreachable", obj,
                                "Make port 25 of every MX address reachable from the Internet.",
                                "cannot connect to port %d: %s", port, d);
        break;
    case TLSRPT_SMTP_TIMEOUT:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-timeout", obj,
                            "Check the SMTP server and firewalls on this address.",
                            "no answer within %d ms: %s", s->c->o.smtp_timeout_ms, d);
        break;
    case TLSRPT_SMTP_PROTOCOL:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-smtp-error", obj,
                            "Check the SMTP server on this address.", "SMTP failed: %s", d);
        break;
    case TLSRPT_SMTP_NO_STARTTLS:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-no-starttls", obj,
                            "Enable STARTTLS with a valid certificate (Postfix: "
                            "smtpd_tls_security_level = may plus smtpd_tls_chain_files).",
                            "%s does not offer STARTTLS: senders cannot deliver under enforce",
                            host);
        break;
    case TLSRPT_SMTP_STARTTLS_REFUSED:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-starttls-refused", obj,
                            "Fix the server's TLS set-up (certificate and key readable, TLS "
                            "enabled).",
                            "%s", d);
        break;
    case TLSRPT_SMTP_STARTTLS_INJECTED:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-starttls-injection", obj,
                            "Upgrade the SMTP server: it must discard buffered plaintext at "
                            "STARTTLS.",
                            "%s", d);
        break;
    case TLSRPT_SMTP_TLS_FAILED:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "mx-tls-failed", obj,
                            "Fix the server's TLS set-up (protocol versions, ciphers, "
                            "certificate).",
                            "%s", d);
        break;
    case TLSRPT_SMTP_TLS_OK: {
        int days = tlsrpt_cert_judge(&r->cert, "mx", host, obj, s->c->o.warn_days, s->now, f);
        tlsrpt_jset(s, o, "certificate", tlsrpt_cert_json(&r->cert, days));
        if (strcmp(r->cert.tls_version, "TLS1.0") == 0 ||
            strcmp(r->cert.tls_version, "TLS1.1") == 0)
            tlsrpt_findings_add(f, TLSRPT_FINDING_WARNING, "mx-tls-old", obj,
                                "Enable TLS 1.2 and 1.3 on this server.", "%s negotiated only %s",
                                host, r->cert.tls_version);
        break;
    }
    }
}

static void check_address(struct step *s, const char *host, const char *addr, json_t *list)
{
    struct tlsrpt_smtp_result r;
    char obj[TLSRPT_DNS_NAME_MAX + 64];
    snprintf(obj, sizeof obj, "%s (%s)", host, addr);
    tlsrpt_smtp_check(s->c->tls, addr, s->c->o.smtp_port, host, s->c->o.ehlo,
                      s->c->o.smtp_timeout_ms, &r);
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:i}", "host", host, "address", addr,
                          "port", s->c->o.smtp_port, "outcome", tlsrpt_smtp_outcome_name(r.outcome),
                          "detail", r.detail, "banner", r.banner, "elapsed_ms", r.elapsed_ms);
    if (o == NULL || json_array_append_new(list, o) != 0) {
        s->f->nomem = 1;
        return;
    }
    smtp_findings(s, host, addr, obj, &r, o);
}

static int host_addresses(struct step *s, struct mx_host *h, size_t n, struct tlsrpt_error *err)
{
    struct tlsrpt_dns_query q[2 * TLSRPT_CHECK_MX_HOSTS_MAX];
    for (size_t i = 0; i < n; i++) {
        tlsrpt_dns_query_init(&q[2 * i], h[i].name, TLSRPT_RR_A);
        tlsrpt_dns_query_init(&q[2 * i + 1], h[i].name, TLSRPT_RR_AAAA);
    }
    if (tlsrpt_dns_run(s->c->dns, q, 2 * n, err) != 0) {
        for (size_t i = 0; i < 2 * n; i++)
            tlsrpt_dns_query_clear(&q[i]);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        h[i].q[0] = q[2 * i];
        h[i].q[1] = q[2 * i + 1];
    }
    return 0;
}

/* One MX host: its addresses, the policy match, then SMTP on each address. */
static void check_host(struct step *s, struct mx_host *h, json_t *hosts, json_t *smtp)
{
    json_t *addrs = json_array();
    json_t *o = json_pack("{s:s, s:i}", "host", h->name, "preference", (int)h->pref);
    if (o == NULL || addrs == NULL || json_array_append_new(hosts, o) != 0) {
        json_decref(addrs);
        s->f->nomem = 1;
        return;
    }
    tlsrpt_jset(s, o, "addresses", addrs);
    int failed = tlsrpt_check_dns_problem(s, &h->q[0]) | tlsrpt_check_dns_problem(s, &h->q[1]);
    size_t total = h->q[0].n_items + h->q[1].n_items;
    if (total == 0 && !failed)
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "mx-no-address", h->name,
                            "Publish A (and AAAA) records for every MX host, or remove the MX.",
                            "MX host %s has no address", h->name);
    if (s->policy_parsed && s->policy.n_mx > 0) {
        int ok = in_policy(&s->policy, h->name);
        tlsrpt_jset(s, o, "in_policy", json_boolean(ok));
        if (!ok && s->policy.mode != TLSRPT_MODE_NONE)
            tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "mx-not-in-policy", h->name,
                                "Add \"mx: <host>\" (or a matching *.domain pattern) to the "
                                "policy file, then change the id in the _mta-sts record.",
                                "%s is not covered by any mx line: senders would refuse it "
                                "under enforce",
                                h->name);
    }
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < h->q[k].n_items && i < TLSRPT_CHECK_ADDRS_MAX; i++) {
            json_array_append_new(addrs, json_string(h->q[k].items[i]));
            check_address(s, h->name, h->q[k].items[i], smtp);
        }
    }
}

int tlsrpt_check_mx(struct step *s, struct tlsrpt_error *err)
{
    struct mx_host h[TLSRPT_CHECK_MX_HOSTS_MAX];
    json_t *hosts = json_array(), *smtp = json_array();
    size_t n = 0;
    int rc = -1;

    tlsrpt_jset(s, s->doc, "mx", hosts);
    tlsrpt_jset(s, s->doc, "smtp", smtp);
    if (hosts == NULL || smtp == NULL) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        return -1;
    }
    if (tlsrpt_check_dns_problem(s, &s->mx))
        return 0;
    if (s->mx.n_items == 0) {
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "mx-missing", s->domain,
                            "Publish MX records: MTA-STS applies to the hosts named by MX.",
                            "%s has no MX records", s->domain);
        return 0;
    }
    if (s->mx.n_items == 1 && strcmp(s->mx.items[0], ".") == 0) {
        tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "mx-null", s->domain,
                            "A domain that receives no mail (null MX, RFC 7505) needs no "
                            "MTA-STS; remove the records or publish real MX hosts.",
                            "%s has a null MX: it receives no mail", s->domain);
        return 0;
    }
    n = sorted_hosts(&s->mx, h, TLSRPT_CHECK_MX_HOSTS_MAX);
    if (host_addresses(s, h, n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        check_host(s, &h[i], hosts, smtp);
    if (s->policy_parsed)
        unused_patterns(s, h, n);
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        tlsrpt_dns_query_clear(&h[i].q[0]);
        tlsrpt_dns_query_clear(&h[i].q[1]);
    }
    return rc;
}
