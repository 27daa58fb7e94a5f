/* params.c - query parameter validation (params.h). */
#include "params.h"

#include "window.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400

const int web_presets[WEB_N_PRESETS] = {7, 14, 30, 90};

/* Valid UTF-8 without control characters: what a domain, a reporter or a date may contain. */
static bool clean_text(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (n == 0 || i + n > len || (n == 1 && (c < 0x20 || c == 0x7F)))
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        /* Overlong 3- and 4-byte forms, surrogates, above U+10FFFF, and C1 controls. */
        if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0) ||
            (c == 0xF0 && p[i + 1] < 0x90) || (c == 0xF4 && p[i + 1] >= 0x90) ||
            (c == 0xC2 && p[i + 1] < 0xA0))
            return false;
        i += n;
    }
    return true;
}

static int parse_uint(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    int64_t v = 0;
    if (len == 0 || len > 18)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
 */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int web_parse_day(const char *s, int64_t *out)
{
    int64_t y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        parse_uint(s, 4, WEB_MIN_YEAR, WEB_MAX_YEAR, &y) != 0 ||
        parse_uint(s + 5, 2, 1, 12, &m) != 0 || parse_uint(s + 8, 2, 1, 31, &d) != 0)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *out = days_from_civil(y, m, d) * SECONDS_PER_DAY;
    return 0;
}

struct seen {
    bool window, since, until, domain, reporter, failures, page, id, verdict, sort;
    const char *window_v, *since_v, *until_v;
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills why and returns -1. Keys are printed with %.40s: they come from the client. */
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Marks key as seen; a second occurrence is an error (only d may repeat, on the API). */
static int once(bool *flag, const char *key, char *why, size_t whylen)
{
    if (*flag)
        return fail(why, whylen, "parameter '%.40s' given twice", key);
    *flag = true;
    return 0;
}

static int take(const struct web_param *pp, unsigned allowed, struct web_params *p, struct seen *s,
                char *why, size_t whylen)
{
    const char *k = pp->key, *v = pp->value;
    size_t len = pp->len;
    if ((allowed & WP_WINDOW) && strcmp(k, "window") == 0)
        return once(&s->window, k, why, whylen) == 0 ? (s->window_v = v, 0) : -1;
    if ((allowed & WP_WINDOW) && strcmp(k, "since") == 0)
        return once(&s->since, k, why, whylen) == 0 ? (s->since_v = v, 0) : -1;
    if ((allowed & WP_WINDOW) && strcmp(k, "until") == 0)
        return once(&s->until, k, why, whylen) == 0 ? (s->until_v = v, 0) : -1;
    if ((allowed & (WP_DOMAIN | WP_DOMAINS)) && strcmp(k, "d") == 0) {
        if (!(allowed & WP_DOMAINS) && once(&s->domain, k, why, whylen) != 0)
            return -1;
        if (p->n_domains == WEB_MAX_API_DOMAINS)
            return fail(why, whylen, "too many '%.40s' parameters", k);
        p->domains[p->n_domains++] = v;
        return 0;
    }
    if ((allowed & WP_REPORTER) && strcmp(k, "reporter") == 0) {
        p->reporter = v;
        return once(&s->reporter, k, why, whylen);
    }
    if ((allowed & WP_FAILURES) && strcmp(k, "failures") == 0) {
        if (once(&s->failures, k, why, whylen) != 0)
            return -1;
        if (strcmp(v, "1") != 0 && strcmp(v, "on") != 0 && strcmp(v, "0") != 0)
            return fail(why, whylen, "'%.40s' must be 1 or 0", k);
        p->failures_only = strcmp(v, "0") != 0;
        return 0;
    }
    if ((allowed & WP_PAGE) && strcmp(k, "page") == 0) {
        if (once(&s->page, k, why, whylen) != 0)
            return -1;
        if (parse_uint(v, len, 1, WEB_MAX_PAGE, &p->page) != 0)
            return fail(why, whylen, "'%.40s' must be a number from 1 to 100000", k);
        return 0;
    }
    if ((allowed & WP_ID) && strcmp(k, "id") == 0) {
        if (once(&s->id, k, why, whylen) != 0)
            return -1;
        if (parse_uint(v, len, 1, INT64_MAX, &p->report_id) != 0)
            return fail(why, whylen, "'%.40s' must be a positive number", k);
        return 0;
    }
    if ((allowed & WP_VERDICT) && strcmp(k, "verdict") == 0) {
        static const char *const names[] = {"ready", "not-ready", "insufficient-data", "enforcing"};
        if (once(&s->verdict, k, why, whylen) != 0)
            return -1;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(v, names[i]) == 0)
                p->verdict = names[i];
        if (p->verdict == NULL)
            return fail(why, whylen,
                        "'verdict' must be ready, not-ready, insufficient-data or "
                        "enforcing");
        return 0;
    }
    if ((allowed & WP_VERDICT) && strcmp(k, "sort") == 0) {
        if (once(&s->sort, k, why, whylen) != 0)
            return -1;
        if (strcmp(v, "name") != 0 && strcmp(v, "attention") != 0)
            return fail(why, whylen, "'sort' must be name or attention");
        p->sort_by_name = strcmp(v, "name") == 0;
        return 0;
    }
    return fail(why, whylen, "unknown parameter '%.40s'", k);
}

static int resolve_window(const struct seen *s, struct web_params *p, char *why, size_t whylen)
{
    bool custom = s->window_v != NULL && strcmp(s->window_v, "custom") == 0;
    if (s->window_v != NULL && !custom) {
        p->window_days = 0;
        for (size_t i = 0; i < WEB_N_PRESETS; i++) {
            char name[8];
            snprintf(name, sizeof name, "%d", web_presets[i]);
            if (strcmp(s->window_v, name) == 0)
                p->window_days = web_presets[i];
        }
        if (p->window_days == 0)
            return fail(why, whylen, "'window' must be 7, 14, 30, 90 or custom");
        /* A form sends its date fields along with a preset: check them, then the preset wins. */
        int64_t ignored;
        if (s->since_v != NULL && web_parse_day(s->since_v, &ignored) != 0)
            return fail(why, whylen, "'since' must be a date YYYY-MM-DD");
        if (s->until_v != NULL && web_parse_day(s->until_v, &ignored) != 0)
            return fail(why, whylen, "'until' must be a date YYYY-MM-DD");
        return 0;
    }
    if (!custom && s->since_v == NULL && s->until_v == NULL) {
        p->window_days = WEB_DEFAULT_WINDOW;
        return 0;
    }
    if (s->since_v == NULL || s->until_v == NULL)
        return fail(why, whylen, "a custom window needs both since and until (YYYY-MM-DD)");
    if (web_parse_day(s->since_v, &p->since_day) != 0)
        return fail(why, whylen, "'since' must be a date YYYY-MM-DD");
    if (web_parse_day(s->until_v, &p->until_day) != 0)
        return fail(why, whylen, "'until' must be a date YYYY-MM-DD");
    if (p->until_day < p->since_day)
        return fail(why, whylen, "'until' is before 'since'");
    if ((p->until_day - p->since_day) / SECONDS_PER_DAY >= WEB_MAX_CUSTOM_DAYS)
        return fail(why, whylen, "a custom window spans at most 3660 days");
    p->window_days = 0;
    return 0;
}

int web_params_parse(const struct web_param *pairs, size_t n, unsigned allowed,
                     struct web_params *p, char *why, size_t whylen)
{
    struct seen s = {0};
    memset(p, 0, sizeof *p);
    p->page = 1;
    if (n > WEB_MAX_PARAMS)
        return fail(why, whylen, "too many parameters (at most 32)");
    for (size_t i = 0; i < n; i++) {
        if (pairs[i].key == NULL || pairs[i].value == NULL || pairs[i].len == 0)
            continue; /* "?" alone, or an empty form field */
        if (pairs[i].len > WEB_MAX_PARAM_LEN)
            return fail(why, whylen, "parameter '%.40s' is too long", pairs[i].key);
        if (memchr(pairs[i].value, '\0', pairs[i].len) != NULL ||
            !clean_text(pairs[i].value, pairs[i].len))
            return fail(why, whylen, "parameter '%.40s' has control characters or invalid UTF-8",
                        pairs[i].key);
        if (take(&pairs[i], allowed, p, &s, why, whylen) != 0)
            return -1;
    }
    if (allowed & WP_WINDOW)
        return resolve_window(&s, p, why, whylen);
    return 0;
}

void web_window_resolve(const struct web_params *p, int64_t now, int64_t *since, int64_t *until)
{
    if (p->window_days > 0) {
        /* tlsrpt-report's own parser, so "window=14" is exactly "--since 14d". */
        char dur[16];
        const char *why = NULL;
        snprintf(dur, sizeof dur, "%dd", p->window_days);
        *until = now;
        if (tlsrpt_window_parse(dur, now, since, &why) != 0)
            *since = now - (int64_t)p->window_days * SECONDS_PER_DAY; /* cannot happen */
    } else {
        *since = p->since_day;
        *until = p->until_day + SECONDS_PER_DAY;
    }
}
