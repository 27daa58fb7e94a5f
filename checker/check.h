/* check.h - the live check of one domain: DNS records, policy file, MX hosts. Each step adds facts
 * to a JSON document and findings to a list; the printers and the store read only those two. */
#ifndef TLSRPT_CHECK_CHECK_H
#define TLSRPT_CHECK_CHECK_H

#include "error.h"
#include "finding.h"

#include <jansson.h>
#include <time.h>

#define TLSRPT_CHECK_MX_HOSTS_MAX 16 /* MX hosts looked at per domain */
#define TLSRPT_CHECK_ADDRS_MAX 4     /* addresses tried per MX host (A and AAAA each) */
#define TLSRPT_CHECK_DNS_TIMEOUT_MS 5000
#define TLSRPT_CHECK_FETCH_TIMEOUT_MS 20000
#define TLSRPT_CHECK_SMTP_TIMEOUT_MS 15000

struct tlsrpt_check_opts {
    const char *dns_server;   /* forwarder "ADDR[@PORT]", NULL: system resolver */
    const char *trust_anchor; /* DNSSEC trust anchor file, NULL: no validation */
    const char *ca_file;      /* NULL: system CA store */
    const char *policy_addr;  /* connect-to override for mta-sts.<domain>, NULL: resolved */
    int policy_port;          /* 443 unless overridden */
    int smtp_port;            /* 25 unless overridden */
    int dns_timeout_ms, fetch_timeout_ms, smtp_timeout_ms;
    int warn_days;    /* certificate expiry warning threshold */
    const char *ehlo; /* name we give in EHLO */
};

void tlsrpt_check_opts_default(struct tlsrpt_check_opts *o);

struct tlsrpt_checker;

/* Sets up the resolver and the trust store once for a run. Returns 0 or an error (err set). */
int tlsrpt_checker_new(const struct tlsrpt_check_opts *o, struct tlsrpt_checker **out,
                       struct tlsrpt_error *err);
void tlsrpt_checker_free(struct tlsrpt_checker *c);

struct tlsrpt_check_result {
    char domain[256];
    time_t checked_at;
    int duration_ms;
    struct tlsrpt_findings findings;
    json_t *doc; /* owned: facts and findings, as printed by --format json and stored */
};

/* Checks one domain (lower-case A-label, no trailing dot). Problems of the domain are findings;
 * returns non-zero only when the check itself could not run (memory, resolver broken). */
int tlsrpt_check_domain(struct tlsrpt_checker *c, const char *domain,
                        struct tlsrpt_check_result *out, struct tlsrpt_error *err);
void tlsrpt_check_result_free(struct tlsrpt_check_result *r);

/* "errors", "warnings" or "ok" from the findings. */
const char *tlsrpt_check_verdict(const struct tlsrpt_findings *f);

/* Normalises a domain given on the command line into out (lower case, no trailing dot).
 * Returns 0, or -1 when it is not an LDH host name (IDNs must be given as A-labels). */
int tlsrpt_check_domain_arg(const char *arg, char *out, size_t cap);

/* "2026-11-28T19:05:07Z" */
void tlsrpt_check_iso_time(time_t t, char out[32]);

#endif
