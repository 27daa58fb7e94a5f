/* params.h - query parameters of every page, validated and bounded before any page code sees them.
 * Pure: the server hands over the (key, value) pairs MHD decoded; nothing here touches a socket.
 *
 *   window=7|14|30|90|custom   days before today, plus today (default 14); custom uses since/until
 *   since=YYYY-MM-DD until=YYYY-MM-DD   a custom window, both days included (UTC); checked but
 *                     ignored with a preset window (a form sends both)
 *   d=DOMAIN          a policy domain (repeatable on /api/analysis only)
 *   reporter=NAME     report list filter
 *   failures=1        report list: only reports with failed sessions
 *   page=N            report and reject lists, from 1
 *   id=N              one report
 *   verdict=V         overview: only domains with verdict V (ready, not-ready, insufficient-data,
 *                     enforcing)
 *   sort=name         overview: by name instead of the default "attention" order
 *
 * Empty values count as absent (an empty form field). Unknown keys, repeated keys, bad values,
 * values with control characters or invalid UTF-8, and values over their cap are refused. */
#ifndef TLSRPT_WEB_PARAMS_H
#define TLSRPT_WEB_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_MAX_PARAMS 32        /* pairs in one query string */
#define WEB_MAX_PARAM_LEN 1024   /* bytes of one value: a domain name is at most 253 */
#define WEB_MAX_API_DOMAINS 64   /* d= values on /api/analysis */
#define WEB_MAX_PAGE 100000      /* page numbers of the lists */
#define WEB_MAX_CUSTOM_DAYS 3660 /* a custom window spans at most ten years */
#define WEB_DEFAULT_WINDOW 14    /* days: tlsrpt-report's default --since 14d */
#define WEB_N_PRESETS 4          /* preset windows: web_presets[] */
#define WEB_MIN_YEAR 1990        /* custom dates outside [MIN, MAX] years are typos */
#define WEB_MAX_YEAR 2200

struct web_param {
    const char *key, *value; /* borrowed; value holds len bytes (it may contain a NUL) */
    size_t len;
};

struct web_params {
    int window_days;   /* 7, 14, 30 or 90; 0 for a custom window */
    int64_t since_day; /* custom window: unix time of the first day's 00:00 UTC */
    int64_t until_day; /* custom window: unix time of the last day's 00:00 UTC (included) */
    const char *domains[WEB_MAX_API_DOMAINS]; /* borrowed from the pairs */
    size_t n_domains;
    const char *reporter; /* or NULL */
    bool failures_only;
    int64_t page;        /* 1 when absent */
    int64_t report_id;   /* 0 when absent */
    const char *verdict; /* one of the four verdict names, or NULL */
    bool sort_by_name;
};

/* Which keys a page accepts (bits), so that /report?window=... is fine but /?id=... is refused. */
enum {
    WP_WINDOW = 1 << 0, /* window, since, until */
    WP_DOMAIN = 1 << 1,
    WP_DOMAINS = 1 << 2, /* d repeatable */
    WP_REPORTER = 1 << 3,
    WP_FAILURES = 1 << 4,
    WP_PAGE = 1 << 5,
    WP_ID = 1 << 6,
    WP_VERDICT = 1 << 7, /* verdict, sort */
};

/* The preset windows in days, in the order the window selector shows them: 7, 14, 30, 90. */
extern const int web_presets[WEB_N_PRESETS];

/* Fills p from n pairs. Returns 0, or -1 with a one-line reason in why (safe to show escaped). */
int web_params_parse(const struct web_param *pairs, size_t n, unsigned allowed,
                     struct web_params *p, char *why, size_t whylen);

/* "YYYY-MM-DD" to the unix time of that day's 00:00 UTC. Returns 0 or -1. */
int web_parse_day(const char *s, int64_t *out);

/* The window [since, until) for the analysis and the lists, as tlsrpt-report computes it:
 * window=N is --since Nd --until now (the N whole UTC days before today, plus today up to now);
 * since=A&until=B is --since A --until B+1 day (both days included). */
void web_window_resolve(const struct web_params *p, int64_t now, int64_t *since, int64_t *until);

#endif
