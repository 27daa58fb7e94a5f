/* check_internal.h - shared between the steps of a domain check (check.c, check_policy.c,
 * check_mx.c). Not for other folders. */
#ifndef TLSRPT_CHECK_INTERNAL_H
#define TLSRPT_CHECK_INTERNAL_H

#include "check.h"
#include "dns.h"
#include "policy_doc.h"
#include "tls_probe.h"

struct tlsrpt_checker {
    struct tlsrpt_check_opts o;
    struct tlsrpt_dns *dns;
    struct tlsrpt_probe_tls *tls;
};

/* One domain being checked. */
struct step {
    struct tlsrpt_checker *c;
    const char *domain;
    struct tlsrpt_findings *f;
    json_t *doc;
    time_t now;
    struct tlsrpt_dns_query mx;          /* MX answer */
    struct tlsrpt_dns_query policy_a[2]; /* A and AAAA of mta-sts.<domain> */
    struct tlsrpt_policy_doc policy;     /* parsed policy (policy_parsed says whether) */
    int policy_parsed;
};

/* Adds a finding for a DNS answer that cannot be used (timeout, SERVFAIL, bogus, local error);
 * returns 1 then, 0 when the answer (records, NXDOMAIN or NODATA) is usable. */
int tlsrpt_check_dns_problem(struct step *s, const struct tlsrpt_dns_query *q);

/* Fetches and judges the policy file; fills s->policy. Returns 0 or -1 (err set). */
int tlsrpt_check_policy(struct step *s, struct tlsrpt_error *err);
/* Matches MX hosts to the policy and runs the SMTP checks. Returns 0 or -1 (err set). */
int tlsrpt_check_mx(struct step *s, struct tlsrpt_error *err);

/* Certificate facts and their judgement as a JSON object. */
json_t *tlsrpt_cert_json(const struct tlsrpt_cert_facts *c, int days_left);

/* json_object_set_new that records an allocation failure in the findings list. */
void tlsrpt_jset(struct step *s, json_t *obj, const char *key, json_t *value);

#endif
