#include "report.h"

#include "domain.h"

#include <stdlib.h>
#include <string.h>

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_detail(struct tlsrpt_failure_detail *d)
{
    free(d->result_type);
    free(d->sending_mta_ip);
    free(d->receiving_mx_hostname);
    free(d->receiving_mx_helo);
    free(d->receiving_ip);
    free(d->additional_information);
    free(d->failure_reason_code);
}

static void free_policy(struct tlsrpt_policy *p)
{
    free(p->policy_type);
    free(p->policy_domain);
    free_strv(p->policy_strings, p->n_policy_strings);
    free_strv(p->mx_hosts, p->n_mx_hosts);
    free(p->sts_mode);
    free_strv(p->mx_patterns, p->n_mx_patterns);
    if (p->details != NULL) {
        for (size_t i = 0; i < p->n_details; i++)
            free_detail(&p->details[i]);
        free(p->details);
    }
}

void tlsrpt_report_free(struct tlsrpt_report *r)
{
    if (r == NULL)
        return;
    free(r->organization_name);
    free(r->contact_info);
    free(r->report_id);
    free(r->start_raw);
    free(r->end_raw);
    if (r->policies != NULL) {
        for (size_t i = 0; i < r->n_policies; i++)
            free_policy(&r->policies[i]);
        free(r->policies);
    }
    free(r);
}

/* The domain of an address such as "smtp-tls-reporting@google.com" or "<x@y.example>" into *out, or
 * NULL when contact-info holds none (the RFC says email-address; reporters are not bound by it).
 * Returns -1 only on allocation failure, so that never changes the identity. */
static int contact_domain(const char *contact, char **out)
{
    *out = NULL;
    const char *at = strrchr(contact, '@');
    if (at == NULL)
        return 0;
    size_t n = strcspn(at + 1, " \t\r\n>;,");
    if (n == 0)
        return 0;
    char *s = strndup(at + 1, n);
    if (s == NULL)
        return -1;
    tlsrpt_domain_normalize(s);
    if (s[0] == '\0')
        free(s);
    else
        *out = s;
    return 0;
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        return NULL;
    for (char *c = d; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return d;
}

char *tlsrpt_report_reporter(const struct tlsrpt_report *r)
{
    if (r->contact_info != NULL) {
        char *d;
        if (contact_domain(r->contact_info, &d) != 0)
            return NULL;
        if (d != NULL)
            return d;
    }
    if (r->organization_name != NULL && r->organization_name[0] != '\0')
        return lower_dup(r->organization_name);
    return strdup("unknown");
}

/* Indexed by bit number; the names are persisted and shown on the dashboard. */
static const char *const flag_names[TLSRPT_F_COUNT] = {
    "datetime-no-zone", "datetime-offset",       "datetime-fraction",
    "end-inclusive",    "range-not-one-day",     "contact-missing",
    "org-missing",      "mx-host-string",        "mx-host-prefix",
    "mx-host-missing",  "policy-string-missing", "tlsa-json-in-string",
    "details-missing",  "detail-field-empty",    "key-alias",
    "counts-mismatch",  "unknown-result-type",   "unknown-policy-type",
    "domain-from-hint", "domain-case",           "policy-string-scalar",
};

_Static_assert(TLSRPT_F_POLICY_STRING_SCALAR == 1u << (TLSRPT_F_COUNT - 1),
               "flag_names must list every enum tlsrpt_flag bit");

const char *tlsrpt_flag_name(unsigned bit_index)
{
    return bit_index < TLSRPT_F_COUNT ? flag_names[bit_index] : NULL;
}
