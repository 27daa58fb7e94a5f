/* domain.h - the one normalisation applied to domain names and MX names (RFC 8461 §4.1 compares
 * them case-insensitively with any trailing dot removed). Pure. */
#ifndef TLSRPT_DOMAIN_H
#define TLSRPT_DOMAIN_H

#include <stdbool.h>

/* Lower-cases ASCII letters in place (UTF-8 bytes untouched: U-labels are kept as sent) and removes
 * one trailing dot. Returns true when s changed. */
bool tlsrpt_domain_normalize(char *s);

#endif
