/* coding.h - undoes "Content-Encoding: gzip" (one layer, zlib) under the same caps as the decoder,
 * so a transfer-level gzip bomb is stopped as early as a report-level one. Pure: no I/O. */
#ifndef TLSRPT_HTTP_CODING_H
#define TLSRPT_HTTP_CODING_H

#include "buf.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>

/* Inflates one gzip member of `in` into out (re-initialised; freed on failure). The output may not
 * exceed max_out bytes nor len * max_ratio (0: no ratio check). Bytes after the member are ignored.
 * Returns 0, TLSRPT_E_TOO_LARGE, TLSRPT_E_CORRUPT (not gzip, truncated, bad CRC) or TLSRPT_E_NOMEM.
 */
int tlsrpt_http_gunzip(const uint8_t *in, size_t len, size_t max_out, size_t max_ratio,
                       struct tlsrpt_buf *out, struct tlsrpt_error *err);

#endif
