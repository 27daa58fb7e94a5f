/* error.h - one error type for every layer: a code, a JSON-path-like location and a message.
 * Bad input is reported through this struct; it never aborts the process. */
#ifndef TLSRPT_ERROR_H
#define TLSRPT_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum tlsrpt_errcode {
    TLSRPT_OK = 0,
    TLSRPT_E_NOMEM,       /* allocation failed */
    TLSRPT_E_TOO_LARGE,   /* a named cap was exceeded (the message names it) */
    TLSRPT_E_FORMAT,      /* input is not gzip, zip or JSON */
    TLSRPT_E_CORRUPT,     /* compressed stream is truncated or corrupt */
    TLSRPT_E_JSON,        /* not well-formed JSON, duplicate key, too deep */
    TLSRPT_E_SCHEMA,      /* JSON is well formed but not a TLS-RPT report */
    TLSRPT_E_DB,          /* database failure (environment, not input) */
    TLSRPT_E_IO,          /* file or socket failure (environment, not input) */
    TLSRPT_E_UNSUPPORTED, /* e.g. a zip with several members */
};

struct tlsrpt_error {
    enum tlsrpt_errcode code;
    char path[128];    /* JSON path such as "policies[0].summary", or "" */
    char message[256]; /* one human line, no trailing newline */
};

/* Sets err (when not NULL) and returns code, so callers can `return tlsrpt_error_set(...)`. */
int tlsrpt_error_set(struct tlsrpt_error *err, enum tlsrpt_errcode code, const char *path,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Short stable name of a code ("too-large", "json", ...), used in the database and in JSON output.
 */
const char *tlsrpt_errcode_name(enum tlsrpt_errcode code);

/* "path: message" (or just message) into buf; always NUL-terminated. */
void tlsrpt_error_format(const struct tlsrpt_error *err, char *buf, size_t len);

#endif
