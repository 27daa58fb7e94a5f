/* hash.h - SHA-256 as lower-case hex (GnuTLS), for raw-input identity and dedupe keys. */
#ifndef TLSRPT_HASH_H
#define TLSRPT_HASH_H

#include <stddef.h>

/* Writes 64 hex digits and a NUL into out. Returns 0, or -1 if GnuTLS fails. */
int tlsrpt_sha256_hex(const void *data, size_t len, char out[65]);

#endif
