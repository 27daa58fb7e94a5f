/* window.h - the time arguments of tlsrpt-report (and of the dashboard's query string):
 *   durations "36h", "14d", "2w" count back from now; d and w count whole UTC days back from the
 *   start of today, so "14d" is the 14 days before today plus today;
 *   ISO 8601 dates "2026-10-03" (00:00 UTC) and RFC 3339 date-times "2026-10-03T12:00:00Z" or with
 *   an offset; "now". Pure. */
#ifndef TLSRPT_WINDOW_H
#define TLSRPT_WINDOW_H

#include <stdint.h>

#define TLSRPT_DEF_WINDOW "14d"         /* default --since */
#define TLSRPT_WINDOW_MAX_HOURS 1000000 /* about 114 years: larger durations are refused */

/* Parses s relative to now into unix seconds. Returns 0, or -1 with *why (static text) set. */
int tlsrpt_window_parse(const char *s, int64_t now, int64_t *out, const char **why);

#endif
