/* sts_policy.h - MTA-STS policy text (RFC 8461 §3.2) and MX pattern matching (§4.1). Pure. */
#ifndef TLSRPT_STS_POLICY_H
#define TLSRPT_STS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tlsrpt_sts_policy {
    char *version;   /* first "version" value or NULL */
    char *mode;      /* first "mode" value or NULL */
    int64_t max_age; /* first "max_age" if 1-10 digits, else -1 */
    char **mx;       /* every "mx" value, lower-cased, trailing dot removed */
    size_t n_mx;
};

/* Parses key/value lines given one per element (TLS-RPT policy-string); lines may also contain
 * embedded LF/CRLF (a whole policy file in one element). Keys are matched case-sensitively as in
 * the ABNF, the first of a duplicated non-mx key wins, unknown keys are ignored, whitespace around
 * values is trimmed. Returns 0, or -1 on allocation failure (then p is left empty). */
int tlsrpt_sts_policy_parse_lines(const char *const *lines, size_t n, struct tlsrpt_sts_policy *p);
void tlsrpt_sts_policy_free(struct tlsrpt_sts_policy *p);

/* RFC 8461 §4.1: case-insensitive, trailing dots ignored; "*." matches exactly one whole leftmost
 * label.
 * "*.example.com" matches "mail.example.com", not "example.com" nor "a.b.example.com". */
bool tlsrpt_mx_pattern_match(const char *pattern, const char *host);

#endif
