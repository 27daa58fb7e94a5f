#include "datetime.h"

#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* Reads exactly n ASCII digits at s[*pos]; advances *pos. */
static bool digits(const char *s, size_t len, size_t *pos, int n, int *out)
{
    int v = 0;
    if (*pos + (size_t)n > len)
        return false;
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *pos, char a, char b)
{
    if (*pos >= len || (s[*pos] != a && s[*pos] != b))
        return false;
    (*pos)++;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm); avoids
 * timegm(), whose handling of the process time zone and of years before 1970 varies. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int tlsrpt_datetime_parse(const char *s, size_t len, struct tlsrpt_datetime *out, const char **why)
{
    size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0; /* set by digits(); gcc -O2 cannot tell */
    uint32_t flags = 0;

    *why = "not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS)";
    if (!digits(s, len, &pos, 4, &y) || !expect(s, len, &pos, '-', '-') ||
        !digits(s, len, &pos, 2, &mo) || !expect(s, len, &pos, '-', '-') ||
        !digits(s, len, &pos, 2, &d) || !expect(s, len, &pos, 'T', 't') ||
        !digits(s, len, &pos, 2, &h) || !expect(s, len, &pos, ':', ':') ||
        !digits(s, len, &pos, 2, &mi) || !expect(s, len, &pos, ':', ':') ||
        !digits(s, len, &pos, 2, &sec))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        *why = "date out of range";
        return -1;
    }
    if (h > 23 || mi > 59 || sec > 60) {
        *why = "time out of range";
        return -1;
    }
    if (pos < len && s[pos] == '.') {
        size_t start = ++pos;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9')
            pos++;
        if (pos == start) {
            *why = "empty fraction of a second";
            return -1;
        }
        flags |= TLSRPT_F_DATETIME_FRACTION;
    }

    int offset_min = 0;
    if (pos == len) {
        flags |= TLSRPT_F_DATETIME_NO_ZONE; /* Microsoft 2023: bare time, read as UTC */
    } else if (s[pos] == 'Z' || s[pos] == 'z') {
        pos++;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1, oh, om;
        pos++;
        if (!digits(s, len, &pos, 2, &oh) || !expect(s, len, &pos, ':', ':') ||
            !digits(s, len, &pos, 2, &om) || oh > 23 || om > 59) {
            *why = "bad time zone offset (want Z or +hh:mm)";
            return -1;
        }
        offset_min = sign * (oh * 60 + om);
        if (offset_min != 0)
            flags |= TLSRPT_F_DATETIME_OFFSET;
    } else {
        *why = "unexpected characters after the time";
        return -1;
    }
    if (pos != len) {
        *why = "trailing characters after the time zone";
        return -1;
    }

    /* Local time minus its offset is UTC: 10:00+02:00 is 08:00Z. */
    int64_t t =
        days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (int64_t)offset_min * 60;
    if (t < days_from_civil(0, 1, 1) * 86400 || t >= days_from_civil(10000, 1, 1) * 86400) {
        *why = "date out of range";
        return -1;
    }
    out->t = t;
    out->minute = mi;
    out->second = sec;
    out->flags = flags;
    *why = NULL;
    return 0;
}

int tlsrpt_datetime_format(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 ||
        tm.tm_year > 9999 - 1900)
        return -1;
    int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
