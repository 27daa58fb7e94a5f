/* cert.h - what a TLS handshake showed about a server certificate (filled by tls_probe.c), and the
 * judgement of those facts into findings (pure). One judgement serves the policy host and the MX
 * hosts, so both get the same rules: chain and dates, a DNS name in subjectAltName that matches the
 * host (no CN fallback, RFC 8461 §4.1 / RFC 6125), and the days left. */
#ifndef TLSRPT_CHECK_CERT_H
#define TLSRPT_CHECK_CERT_H

#include "finding.h"

#include <stdint.h>
#include <time.h>

#define TLSRPT_CERT_NAMES_MAX 512
#define TLSRPT_CERT_WARN_DAYS 14 /* default: warn when a certificate expires this soon */

struct tlsrpt_cert_facts {
    int handshake_ok;
    char error[192];      /* why the handshake failed */
    char tls_version[16]; /* "TLS1.3" */
    char cipher[48];      /* "AES-256-GCM" */
    char desc[160];       /* gnutls_session_get_desc(), for humans */
    int have_cert;
    unsigned chain_status; /* gnutls_certificate_status_t bits: chain and dates, no host name */
    char status_text[192]; /* GnuTLS' own words for chain_status, "" when 0 */
    int n_dns_san;         /* dNSName entries in subjectAltName */
    int wildcard_san;      /* one of them starts with "*." */
    int name_ok;           /* the host matches a dNSName (only judged when n_dns_san > 0) */
    char names[TLSRPT_CERT_NAMES_MAX]; /* dNSNames, comma-separated; or "CN=..." without SAN */
    int64_t not_before, not_after;     /* unix seconds */
    char issuer[160];
};

/* Turns the facts into findings. prefix is "policy" or "mx" (codes "policy-cert-expired", ...),
 * host the name the certificate must carry, object what the findings concern, warn_days the
 * expiry warning threshold. Returns the days left (negative when expired), or INT32_MIN when there
 * was no certificate to judge. */
int tlsrpt_cert_judge(const struct tlsrpt_cert_facts *c, const char *prefix, const char *host,
                      const char *object, int warn_days, time_t now, struct tlsrpt_findings *f);

/* Whole days from now until t (floor; negative when t has passed). */
int tlsrpt_days_until(int64_t t, time_t now);

#endif
