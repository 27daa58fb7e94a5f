/* report_parse.h - JSON text in, normalised struct tlsrpt_report out (RFC 8460 §4 plus every quirk
 * in
 * ../shared/reference/quirks.md §3). Pure: no I/O, no globals. Uses jansson with duplicate keys
 * rejected and a depth limit checked before jansson sees the text. */
#ifndef TLSRPT_REPORT_PARSE_H
#define TLSRPT_REPORT_PARSE_H

#include "error.h"
#include "limits.h"
#include "report.h"

#include <stddef.h>

/* Context from the envelope the report came in, used only where the JSON is silent (RFC 8460 §5.6:
 * the JSON wins). All fields may be NULL. */
struct tlsrpt_parse_hints {
    const char *report_domain; /* TLS-Report-Domain header: fallback for a missing policy-domain */
};

/* Parses len bytes of JSON. On success returns 0 and sets *out (free with tlsrpt_report_free). On
 * failure returns the error code, sets err (code, JSON path such as
 * "policies[0].summary.total-failure-session-count" and message) and leaves *out NULL. limits and
 * hints may be NULL (defaults / none). */
int tlsrpt_report_parse(const char *json, size_t len, const struct tlsrpt_parse_limits *limits,
                        const struct tlsrpt_parse_hints *hints, struct tlsrpt_report **out,
                        struct tlsrpt_error *err);

#endif
