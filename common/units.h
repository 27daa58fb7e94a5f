/* units.h - parsing of sizes ("16M", "4MiB", "65536"), durations ("1d", "12h", "90") and counts
 * given on the command line or in a config file. Strict: the whole string must be consumed, no
 * negatives, no overflow. */
#ifndef TLSRPT_UNITS_H
#define TLSRPT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes with optional suffix k/K/KiB, m/M/MiB, g/G/GiB (powers of 1024). Returns 0 or -1. */
int tlsrpt_parse_size(const char *s, size_t *out);
/* A decimal integer in [min, max]. Returns 0 or -1. */
int tlsrpt_parse_int(const char *s, long long min, long long max, long long *out);
/* Seconds with optional suffix s, m (minutes; also "min"), h, d, w: "90", "30s", "15m", "12h",
 * "1d", "2w". Returns 0 or -1. */
int tlsrpt_parse_duration(const char *s, uint64_t *seconds);

#endif
