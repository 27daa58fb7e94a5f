/* check_policy.c - the policy host: fetch (libcurl), certificate (GnuTLS probe), policy text. */
#include "check_internal.h"

#include "fetch.h"
#include "net.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "a, b, c" (cert.h's names) as a JSON array. */
static json_t *names_json(const char *names)
{
    json_t *a = json_array();
    const char *p = names;
    while (a != NULL && *p != '\0') {
        const char *e = strstr(p, ", ");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (e ? 2 : 0);
    }
    return a;
}

json_t *tlsrpt_cert_json(const struct tlsrpt_cert_facts *c, int days_left)
{
    char nb[32], na[32];
    if (!c->handshake_ok)
        return json_pack("{s:b, s:s}", "handshake", 0, "error", c->error);
    tlsrpt_check_iso_time((time_t)c->not_before, nb);
    tlsrpt_check_iso_time((time_t)c->not_after, na);
    json_t *o =
        json_pack("{s:b, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:s}", "handshake", 1,
                  "tls_version", c->tls_version, "cipher", c->cipher, "session", c->desc, "names",
                  names_json(c->names), "issuer", c->issuer, "not_before", nb, "not_after", na,
                  "name_ok", c->name_ok, "chain", c->chain_status == 0 ? "ok" : c->status_text);
    if (o != NULL && days_left != INT32_MIN)
        json_object_set_new(o, "days_left", json_integer(days_left));
    return o;
}

/* Collects the addresses of mta-sts.<domain>; returns their count. */
static size_t policy_addrs(struct step *s, const char *addrs[], size_t cap, int *dns_failed)
{
    size_t n = 0;
    *dns_failed = 0;
    for (size_t k = 0; k < 2; k++) {
        const struct tlsrpt_dns_query *q = &s->policy_a[k];
        *dns_failed |= tlsrpt_check_dns_problem(s, q);
        for (size_t i = 0; i < q->n_items && n < cap; i++)
            addrs[n++] = q->items[i];
    }
    return n;
}

/* Handshakes with the policy host ourselves to judge its certificate the way cert.h does for MX
 * hosts (libcurl only says "verification failed"). Returns the number of findings it added. */
static size_t judge_cert(struct step *s, json_t *o, const char *host, const char *addr)
{
    struct tlsrpt_cert_facts facts;
    char why[160];
    size_t before = s->f->n;
    int64_t deadline = tlsrpt_now_ms() + s->c->o.fetch_timeout_ms;
    int port = s->c->o.policy_port;
    int fd = tlsrpt_tcp_connect(addr, port, deadline, why, sizeof why);
    if (fd < 0)
        return 0; /* curl's own error says why it could not connect */
    tlsrpt_tls_probe(s->c->tls, fd, host, deadline, &facts);
    close(fd);
    int days = tlsrpt_cert_judge(&facts, "policy", host, host, s->c->o.warn_days, s->now, s->f);
    tlsrpt_jset(s, o, "certificate", tlsrpt_cert_json(&facts, days));
    return s->f->n - before;
}

static void fetch_findings(struct step *s, const struct tlsrpt_fetch_result *r, size_t cert_found)
{
    struct tlsrpt_findings *f = s->f;
    const char *u = r->url;
    if (r->too_large) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-too-large", u,
                            "Serve only the policy lines; senders stop reading at 64 KiB.",
                            "the policy file is larger than %d bytes", TLSRPT_POLICY_MAX_BYTES);
    } else if (r->timed_out) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-timeout", u,
                            "Make the policy host answer quickly on port 443.",
                            "no complete answer within %d ms", s->c->o.fetch_timeout_ms);
    } else if (r->curl_code == CURLE_PEER_FAILED_VERIFICATION ||
               r->curl_code == CURLE_SSL_CONNECT_ERROR) {
        if (cert_found == 0) /* else the certificate findings already say why */
            tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-tls-failed", u,
                                "Serve HTTPS with a valid certificate for mta-sts.<domain> "
                                "(TLS 1.2 or later).",
                                "TLS with the policy host failed: %s", r->curl_error);
    } else if (r->curl_code != CURLE_OK) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-unreachable", u,
                            "Make the policy host reachable over HTTPS on port 443.",
                            "the policy could not be fetched: %s", r->curl_error);
    } else if (r->http_status >= 300 && r->http_status < 400) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-redirect", u,
                            "Serve the file directly with status 200: senders do not follow "
                            "redirects.",
                            "HTTP %ld redirect to %s", r->http_status,
                            r->redirect[0] ? r->redirect : "(no Location)");
    } else if (r->http_status != 200) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-http-status", u,
                            "Serve the file at exactly /.well-known/mta-sts.txt with status 200.",
                            "HTTP status %ld instead of 200", r->http_status);
    } else if (!tlsrpt_is_text_plain(r->content_type)) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-content-type", u,
                            "Serve the file as text/plain (e.g. a types rule for mta-sts.txt).",
                            "policy file served as %s",
                            r->content_type[0] ? r->content_type : "(no Content-Type)");
    }
}

static void policy_json(struct step *s, json_t *o)
{
    const struct tlsrpt_policy_doc *p = &s->policy;
    json_t *mx = json_array();
    for (size_t i = 0; mx != NULL && i < p->n_mx; i++)
        json_array_append_new(mx, json_string(p->mx[i]));
    tlsrpt_jset(s, o, "version_ok", json_boolean(p->version_ok));
    tlsrpt_jset(s, o, "mode",
                p->mode == TLSRPT_MODE_UNSET ? json_null()
                                             : json_string(tlsrpt_sts_mode_name(p->mode)));
    tlsrpt_jset(s, o, "max_age", p->max_age < 0 ? json_null() : json_integer(p->max_age));
    tlsrpt_jset(s, o, "mx", mx);
    tlsrpt_jset(s, o, "usable", json_boolean(p->usable));
}

int tlsrpt_check_policy(struct step *s, struct tlsrpt_error *err)
{
    const char *addrs[2 * TLSRPT_DNS_ITEMS_MAX];
    char host[TLSRPT_DNS_NAME_MAX + 16];
    struct tlsrpt_fetch_result r;
    int dns_failed, rc = -1;
    json_t *o = json_object();

    tlsrpt_jset(s, s->doc, "policy", o);
    if (o == NULL) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        return -1;
    }
    snprintf(host, sizeof host, "mta-sts.%s", s->domain);
    size_t n = policy_addrs(s, addrs, sizeof addrs / sizeof addrs[0], &dns_failed);
    tlsrpt_jset(s, o, "host", json_string(host));
    if (n == 0 && s->c->o.policy_addr == NULL) {
        if (!dns_failed)
            tlsrpt_findings_add(s->f, TLSRPT_FINDING_ERROR, "policy-host-missing", host,
                                "Publish an A or AAAA record for mta-sts.<domain> pointing at "
                                "an HTTPS server.",
                                "%s has no address, so the policy cannot be fetched", host);
        return 0;
    }
    struct tlsrpt_fetch_opts fo = {s->c->o.ca_file, s->c->o.policy_addr, s->c->o.policy_port,
                                   s->c->o.fetch_timeout_ms};
    if (tlsrpt_fetch_policy(s->domain, addrs, n, &fo, &r, err) != 0)
        return -1;
    const char *used = r.primary_ip[0] ? r.primary_ip : fo.address ? fo.address : addrs[0];
    tlsrpt_jset(s, o, "url", json_string(r.url));
    tlsrpt_jset(s, o, "address", json_string(used));
    tlsrpt_jset(s, o, "port", json_integer(fo.port));
    tlsrpt_jset(s, o, "elapsed_ms", json_integer(r.elapsed_ms));
    tlsrpt_jset(s, o, "http_status", r.http_status ? json_integer(r.http_status) : json_null());
    tlsrpt_jset(s, o, "content_type", json_string(r.content_type));
    if (r.redirect[0])
        tlsrpt_jset(s, o, "redirect", json_string(r.redirect));
    if (r.curl_code != 0)
        tlsrpt_jset(s, o, "error", json_string(r.curl_error));
    size_t cert_found = judge_cert(s, o, host, used);
    fetch_findings(s, &r, cert_found);
    if (r.curl_code == CURLE_OK && r.http_status == 200 && tlsrpt_is_text_plain(r.content_type)) {
        tlsrpt_jset(s, o, "bytes", json_integer((json_int_t)r.body_len));
        json_t *text = json_stringn(r.body ? r.body : "", r.body_len); /* NULL: not UTF-8 */
        tlsrpt_jset(s, o, "text", text ? text : json_null());
        s->policy_parsed = 1;
        if (tlsrpt_policy_doc_check(r.body ? r.body : "", r.body_len, r.url, &s->policy, s->f) !=
            0) {
            tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
            goto out;
        }
        policy_json(s, o);
    }
    rc = 0;
out:
    tlsrpt_fetch_result_free(&r);
    return rc;
}
