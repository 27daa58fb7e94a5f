/* cert.c - judging certificate facts (cert.h). Pure: GnuTLS is used for its status bit names only.
 */
#include "cert.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#define DAY 86400

int tlsrpt_days_until(int64_t t, time_t now)
{
    int64_t d = t - (int64_t)now;
    int64_t days = d >= 0 ? d / DAY : -((-d + DAY - 1) / DAY);
    if (days > INT32_MAX)
        return INT32_MAX;
    return days < -INT32_MAX ? -INT32_MAX : (int)days;
}

static void add(struct tlsrpt_findings *f, enum tlsrpt_finding_severity sev, const char *prefix,
                const char *what, const char *object, const char *fix, const char *msg)
{
    char code[64];
    snprintf(code, sizeof code, "%s-%s", prefix, what);
    tlsrpt_findings_add(f, sev, code, object, fix, "%s", msg);
}

/* Chain problems other than dates: unknown CA, not a CA, weak algorithm, revoked... */
#define DATE_BITS (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED)

static void judge_chain(const struct tlsrpt_cert_facts *c, const char *prefix, const char *host,
                        const char *object, time_t now, struct tlsrpt_findings *f)
{
    char msg[512];
    unsigned st = c->chain_status;
    if (st & GNUTLS_CERT_EXPIRED) {
        snprintf(msg, sizeof msg, "certificate of %s expired %d day(s) ago", host,
                 -tlsrpt_days_until(c->not_after, now));
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-expired", object,
            "Renew the certificate and make sure the renewal is installed and reloaded.", msg);
    }
    if (st & GNUTLS_CERT_NOT_ACTIVATED) {
        snprintf(msg, sizeof msg, "certificate of %s is not valid for %d more day(s)", host,
                 tlsrpt_days_until(c->not_before, now));
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-not-yet-valid", object,
            "Check the server clock and the certificate's start date.", msg);
    }
    unsigned rest = st & ~(DATE_BITS | GNUTLS_CERT_INVALID);
    if (rest != 0 || (st & GNUTLS_CERT_INVALID && (st & DATE_BITS) == 0)) {
        snprintf(msg, sizeof msg, "certificate of %s is not trusted: %s (issuer %s)", host,
                 c->status_text[0] ? c->status_text : "chain does not verify",
                 c->issuer[0] ? c->issuer : "unknown");
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-untrusted", object,
            "Use a certificate from a public CA and send the full chain (leaf plus intermediates).",
            msg);
    }
}

static void judge_name(const struct tlsrpt_cert_facts *c, const char *prefix, const char *host,
                       const char *object, struct tlsrpt_findings *f)
{
    char msg[768];
    if (c->n_dns_san == 0) {
        snprintf(msg, sizeof msg,
                 "certificate of %s has no DNS name in subjectAltName (only %s); the CN is not "
                 "accepted",
                 host, c->names[0] ? c->names : "no names");
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-no-dns-san", object,
            "Reissue the certificate with the host name as a subjectAltName DNS entry.", msg);
    } else if (!c->name_ok && c->wildcard_san) {
        snprintf(msg, sizeof msg,
                 "certificate names %s, but a wildcard covers exactly one label: not %s", c->names,
                 host);
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-wildcard-mismatch", object,
            "Add the exact host name to the certificate (a *.domain wildcard does not cover "
            "deeper names nor the domain itself).",
            msg);
    } else if (!c->name_ok) {
        snprintf(msg, sizeof msg, "certificate names %s, not %s", c->names, host);
        add(f, TLSRPT_FINDING_ERROR, prefix, "cert-name-mismatch", object,
            "Install a certificate whose subjectAltName includes this host name.", msg);
    }
}

int tlsrpt_cert_judge(const struct tlsrpt_cert_facts *c, const char *prefix, const char *host,
                      const char *object, int warn_days, time_t now, struct tlsrpt_findings *f)
{
    if (!c->handshake_ok || !c->have_cert)
        return INT32_MIN;
    judge_chain(c, prefix, host, object, now, f);
    judge_name(c, prefix, host, object, f);
    int days = tlsrpt_days_until(c->not_after, now);
    if (days >= 0 && days <= warn_days && !(c->chain_status & GNUTLS_CERT_EXPIRED)) {
        char msg[320];
        snprintf(msg, sizeof msg, "certificate of %s expires in %d day(s)", host, days);
        add(f, TLSRPT_FINDING_WARNING, prefix, "cert-expires-soon", object,
            "Renew it now and check that automatic renewal works.", msg);
    }
    return days;
}
