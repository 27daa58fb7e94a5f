/* domains.h - the optional allow-list of policy domains (allowed-domains): a report is accepted
 * when one of its policy domains is a listed domain or a subdomain of one (a TLSA policy-domain is
 * the MX host, e.g. mail.example.com for example.com: quirks.md §3.6). Pure. */
#ifndef TLSRPT_HTTP_DOMAINS_H
#define TLSRPT_HTTP_DOMAINS_H

#include "report.h"

#include <stdbool.h>
#include <stddef.h>

struct tlsrpt_domain_list {
    char **v; /* lower-case, no trailing dot */
    size_t n;
};

/* "example.com, example.org" (commas and/or blanks). Returns 0, or -1 with why (entry named). */
int tlsrpt_domain_list_parse(const char *text, struct tlsrpt_domain_list *out, char *why,
                             size_t whylen);
void tlsrpt_domain_list_free(struct tlsrpt_domain_list *l);
/* domain (case-insensitive, trailing dot ignored) equals an entry or ends with "." + entry. */
bool tlsrpt_domain_list_match(const struct tlsrpt_domain_list *l, const char *domain);
/* An empty list allows everything; else one policy of r must match. */
bool tlsrpt_domain_list_allows(const struct tlsrpt_domain_list *l, const struct tlsrpt_report *r);

#endif
