#include "error.h"

#include <stdio.h>
#include <string.h>

int tlsrpt_error_set(struct tlsrpt_error *err, enum tlsrpt_errcode code, const char *path,
                     const char *fmt, ...)
{
    if (err == NULL)
        return (int)code;
    err->code = code;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return (int)code;
}

const char *tlsrpt_errcode_name(enum tlsrpt_errcode code)
{
    switch (code) {
    case TLSRPT_OK:
        return "ok";
    case TLSRPT_E_NOMEM:
        return "no-memory";
    case TLSRPT_E_TOO_LARGE:
        return "too-large";
    case TLSRPT_E_FORMAT:
        return "format";
    case TLSRPT_E_CORRUPT:
        return "corrupt";
    case TLSRPT_E_JSON:
        return "json";
    case TLSRPT_E_SCHEMA:
        return "schema";
    case TLSRPT_E_DB:
        return "database";
    case TLSRPT_E_IO:
        return "io";
    case TLSRPT_E_UNSUPPORTED:
        return "unsupported";
    }
    return "unknown";
}

void tlsrpt_error_format(const struct tlsrpt_error *err, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (err->path[0] != '\0')
        snprintf(buf, len, "%s: %s", err->path, err->message);
    else
        snprintf(buf, len, "%s", err->message);
}
