/* datetime.h - RFC 3339 date-times as reporters really send them (quirks.md §3.1): "Z", "±hh:mm"
 * offsets (converted to UTC), fractional seconds (dropped) and no zone at all (read as UTC). Pure.
 */
#ifndef TLSRPT_DATETIME_H
#define TLSRPT_DATETIME_H

#include <stddef.h>
#include <stdint.h>

struct tlsrpt_datetime {
    int64_t t;  /* unix seconds UTC, fraction dropped */
    int minute; /* minute and second as written (before any offset), for the inclusive-end rule */
    int second;
    uint32_t flags; /* TLSRPT_F_DATETIME_NO_ZONE / _OFFSET / _FRACTION */
};

/* Parses exactly len bytes: "YYYY-MM-DDTHH:MM:SS[.frac][Z|±hh:mm]" ('T' and 'Z' in either case,
 * second 60 allowed for leap seconds). Returns 0, or -1 with *why (static text) set when s is not
 * such a date-time. */
int tlsrpt_datetime_parse(const char *s, size_t len, struct tlsrpt_datetime *out, const char **why);

/* "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). Returns 0, or -1 if t is out of range or buf
 * short. */
int tlsrpt_datetime_format(int64_t t, char *buf, size_t len);

#endif
