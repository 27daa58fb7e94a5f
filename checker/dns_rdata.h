/* dns_rdata.h - decoding of the raw RDATA libunbound hands back. Pure: bytes in, text out. */
#ifndef TLSRPT_CHECK_DNS_RDATA_H
#define TLSRPT_CHECK_DNS_RDATA_H

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_DNS_NAME_MAX 254 /* presentation form, trailing dot removed, plus NUL */

/* TXT RDATA is one or more <length><bytes> character-strings. RFC 8461 §3.1 and RFC 8460 §3: a
 * record split into several strings is read as their concatenation, with nothing in between.
 * Returns a malloc'd NUL-terminated string, or NULL when the RDATA is malformed, holds a NUL byte,
 * or malloc fails (*malformed tells which). */
char *tlsrpt_txt_rdata_join(const uint8_t *rd, size_t len, int *malformed);

/* MX RDATA: 16-bit preference, then the exchange as an uncompressed wire name. The name is
 * written lower-cased without the trailing dot ("." for the null MX of RFC 7505).
 * Returns 0, or -1 when malformed or when a label holds bytes that cannot be a host name. */
int tlsrpt_mx_rdata(const uint8_t *rd, size_t len, uint16_t *pref, char host[TLSRPT_DNS_NAME_MAX]);

#endif
