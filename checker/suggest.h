/* suggest.h - --suggest: the records and policy file a domain starting with MTA-STS should publish,
 * built from its MX records (mode testing, max_age 86400, an id from the current UTC time). */
#ifndef TLSRPT_CHECK_SUGGEST_H
#define TLSRPT_CHECK_SUGGEST_H

#include "check.h"

#include <stdio.h>

#define TLSRPT_SUGGEST_RUA_LOCALPART "tlsrpt" /* placeholder mailbox: tlsrpt@<domain> */

/* Looks up the domain's MX records and builds the suggestion as JSON (*out, owned).
 * Returns 0; 1 when the domain has no usable MX records (*out then explains); or an error code. */
int tlsrpt_check_suggest(struct tlsrpt_checker *c, const char *domain, time_t now, json_t **out,
                         struct tlsrpt_error *err);

/* Pure parts, also used by the tests: the id for a time, the policy text for MX hosts. */
void tlsrpt_suggest_id(time_t now, char out[16]);
/* Returns a malloc'd policy text, or NULL on allocation failure. */
char *tlsrpt_suggest_policy(const char *const *mx, size_t n);

/* Prints a suggestion made by tlsrpt_check_suggest in zone-file and policy-file form. */
void tlsrpt_suggest_print_text(FILE *out, const json_t *s);

#endif
