/* decode.h - turns the bytes of a report file/part/body into JSON text. Pure: no I/O.
 * The format is decided by magic bytes only, never by a label (quirks.md §2.1):
 *   gzip  1f 8b        one or more concatenated members; trailing non-gzip bytes after a member
 * ignored zip   50 4b 03 04  exactly one member, which must itself be JSON (via libzip) JSON
 * optional UTF-8 BOM and leading whitespace, then '{' The output is never a partial report: a
 * truncated or corrupt stream is an error. */
#ifndef TLSRPT_DECODE_H
#define TLSRPT_DECODE_H

#include "buf.h"
#include "error.h"
#include "limits.h"

#include <stddef.h>
#include <stdint.h>

enum tlsrpt_format {
    TLSRPT_FMT_UNKNOWN = 0,
    TLSRPT_FMT_JSON,
    TLSRPT_FMT_GZIP,
    TLSRPT_FMT_ZIP,
};

/* Sniffs the format from the first bytes (safe on any length, including 0). */
enum tlsrpt_format tlsrpt_sniff(const uint8_t *data, size_t len);
const char *tlsrpt_format_name(enum tlsrpt_format f); /* "json", "gzip", "zip", "unknown" */

/* Decodes `data` into `out` (initialised by the caller; its max is replaced by
 * limits->max_decompressed). On success out holds JSON text starting at '{' (BOM and leading
 * whitespace removed), NUL-terminated, and *format (if not NULL) says what the input was. On
 * failure returns the error code, fills err and leaves out empty. limits NULL means the defaults.
 */
int tlsrpt_decode(const uint8_t *data, size_t len, const struct tlsrpt_decode_limits *limits,
                  struct tlsrpt_buf *out, enum tlsrpt_format *format, struct tlsrpt_error *err);

#endif
