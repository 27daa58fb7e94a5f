#include "units.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tlsrpt_parse_int(const char *s, long long min, long long max, long long *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* An unsigned decimal number followed by one of the table's suffixes (sizes ignore case, durations
 * do not: "M" would be ambiguous), scaled by that suffix's factor. -1 for no digits, an unknown
 * suffix or an overflow. */
struct unit {
    const char *suffix;
    uint64_t factor;
};

static int parse_scaled(const char *s, const struct unit *units, size_t n, bool ignore_case,
                        uint64_t max, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((ignore_case ? strcasecmp(end, units[i].suffix) : strcmp(end, units[i].suffix)) != 0)
            continue;
        if (v > max / units[i].factor)
            return -1;
        *out = (uint64_t)v * units[i].factor;
        return 0;
    }
    return -1;
}

int tlsrpt_parse_size(const char *s, size_t *out)
{
    static const struct unit units[] = {{"", 1},           {"k", 1u << 10}, {"kb", 1u << 10},
                                        {"kib", 1u << 10}, {"m", 1u << 20}, {"mb", 1u << 20},
                                        {"mib", 1u << 20}, {"g", 1u << 30}, {"gb", 1u << 30},
                                        {"gib", 1u << 30}};
    uint64_t v;
    if (parse_scaled(s, units, sizeof units / sizeof units[0], true, SIZE_MAX, &v) != 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

int tlsrpt_parse_duration(const char *s, uint64_t *seconds)
{
    static const struct unit units[] = {{"", 1},     {"s", 1},     {"m", 60},       {"min", 60},
                                        {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
    return parse_scaled(s, units, sizeof units / sizeof units[0], false, UINT64_MAX, seconds);
}
