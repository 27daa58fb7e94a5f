/* messages.c - small phrase builders for the readiness reasons: lists of organizations, date
 * ranges, counts. English only; the words live in the library so the dashboard shows the same
 * sentences. */
#include "analyze_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORDS_MAX_NAMED 3 /* organizations named before "and N other organizations" */

const char *arena_printf(struct tlsrpt_arena *arena, const char *fmt, ...)
{
    char small[512]; /* most sentences fit: format once */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = tlsrpt_arena_alloc(arena, (size_t)n + 1);
    if (s == NULL)
        return NULL;
    if ((size_t)n < sizeof small) {
        memcpy(s, small, (size_t)n + 1);
        return s;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

const char *words_organizations(struct tlsrpt_arena *arena, const char *const *names, size_t n)
{
    if (n == 0)
        return "no organization";
    if (n == 1)
        return arena_printf(arena, "%s", names[0]);
    if (n == 2)
        return arena_printf(arena, "%s and %s", names[0], names[1]);
    if (n == WORDS_MAX_NAMED)
        return arena_printf(arena, "%s, %s and %s", names[0], names[1], names[2]);
    return arena_printf(arena, "%s, %s and %zu other organizations", names[0], names[1], n - 2);
}

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int split(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;
    return gmtime_r(&tt, tm) != NULL ? 0 : -1;
}

const char *words_date_range(struct tlsrpt_arena *arena, int64_t first, int64_t last)
{
    struct tm a, b;
    if (split(first, &a) != 0 || split(last, &b) != 0)
        return "at an unknown time";
    if (a.tm_year != b.tm_year)
        return arena_printf(arena, "between %d %s %d and %d %s %d", a.tm_mday, MONTHS[a.tm_mon],
                            a.tm_year + 1900, b.tm_mday, MONTHS[b.tm_mon], b.tm_year + 1900);
    if (a.tm_mon != b.tm_mon)
        return arena_printf(arena, "between %d %s and %d %s", a.tm_mday, MONTHS[a.tm_mon],
                            b.tm_mday, MONTHS[b.tm_mon]);
    if (a.tm_mday != b.tm_mday)
        return arena_printf(arena, "between %d and %d %s", a.tm_mday, b.tm_mday, MONTHS[b.tm_mon]);
    return arena_printf(arena, "on %d %s", a.tm_mday, MONTHS[a.tm_mon]);
}

const char *words_sessions(struct tlsrpt_arena *arena, int64_t n)
{
    return arena_printf(arena, "%lld session%s", (long long)n, n == 1 ? "" : "s");
}

const char *words_day(struct tlsrpt_arena *arena, int64_t t)
{
    struct tm tm;
    if (split(t, &tm) != 0)
        return "an unknown day";
    return arena_printf(arena, "%d %s", tm.tm_mday, MONTHS[tm.tm_mon]);
}

const char *words_percent(struct tlsrpt_arena *arena, double fraction)
{
    return arena_printf(arena, "%.3g%%", fraction * 100.0);
}
