/* window.c - see window.h. */
#include "window.h"

#include "datetime.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static int64_t start_of_day(int64_t t)
{
    int64_t r = t % SECONDS_PER_DAY;
    return t - (r < 0 ? r + SECONDS_PER_DAY : r);
}

static int parse_duration(const char *s, size_t len, int64_t now, int64_t *out, const char **why)
{
    char unit = s[len - 1];
    int64_t n = 0;
    if (len > 8 || !all_digits(s, len - 1)) {
        *why = "a duration is a number followed by h, d or w (36h, 14d, 2w)";
        return -1;
    }
    for (size_t i = 0; i + 1 < len; i++)
        n = n * 10 + (s[i] - '0');
    int64_t hours = unit == 'h' ? n : unit == 'd' ? n * 24 : n * 24 * 7;
    if (hours > TLSRPT_WINDOW_MAX_HOURS) {
        *why = "the duration is too long";
        return -1;
    }
    if (unit == 'h')
        *out = now - hours * SECONDS_PER_HOUR;
    else
        *out = start_of_day(now) - hours * SECONDS_PER_HOUR;
    return 0;
}

static int parse_date(const char *s, int64_t *out, const char **why)
{
    struct tm tm = {0};
    *why = "a date is YYYY-MM-DD";
    if (!all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
        !all_digits(s + 8, 2))
        return -1;
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
    tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
    tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
    int mon = tm.tm_mon, mday = tm.tm_mday;
    time_t t = timegm(&tm);
    /* timegm normalises 2026-02-30 to March: a changed month or day means the date does not exist.
     */
    if (t == (time_t)-1 || tm.tm_mon != mon || tm.tm_mday != mday) {
        *why = "no such date";
        return -1;
    }
    *out = (int64_t)t;
    return 0;
}

int tlsrpt_window_parse(const char *s, int64_t now, int64_t *out, const char **why)
{
    size_t len = s != NULL ? strlen(s) : 0;
    *why = "empty time";
    if (len == 0)
        return -1;
    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (strchr("hdw", s[len - 1]) != NULL && s[0] >= '0' && s[0] <= '9')
        return parse_duration(s, len, now, out, why);
    if (len == 10)
        return parse_date(s, out, why);
    struct tlsrpt_datetime dt;
    if (tlsrpt_datetime_parse(s, len, &dt, why) != 0) {
        *why = "expected a duration (14d), a date (2026-10-03) or a date-time "
               "(2026-10-03T12:00:00Z)";
        return -1;
    }
    *out = dt.t;
    return 0;
}
