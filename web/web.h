/* web.h - what the pages share: the request context (validated parameters, the window, the database
 * handle), the reply, the page frame (layout.c) and the entry point of each page. The server
 * (server.c) routes a path to one of the web_page_* functions; each one reads through the analyzer
 * library or queries.c and writes its reply. */
#ifndef TLSRPT_WEB_WEB_H
#define TLSRPT_WEB_WEB_H

#include "analyze.h"
#include "db.h"
#include "html.h"
#include "params.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_DEF_MAX_PAGE_BYTES (32u << 20) /* one rendered page or JSON document */
#define WEB_DEF_MAX_RAW_BYTES (4u << 20)   /* raw report shown on the report page */
#define WEB_MAX_TABLE_ROWS 200             /* rows of one table; the JSON API has them all */

#define WEB_DEF_OVERVIEW_WAIT_MS 50 /* then the overview answers "being made" and reloads */
#define WEB_PENDING_RELOAD_S 2      /* the "being made" page reloads itself this often */

struct web_settings {
    struct tlsrpt_thresholds thresholds; /* the same readiness rules as tlsrpt-report */
    size_t max_page_bytes;
    size_t max_raw_bytes;
    int64_t overview_wait_ms; /* how long the overview waits for an analysis being made */
};

struct web_cache;
struct web_cache_entry;
struct web_refresher;

struct web_ctx {
    struct tlsrpt_db *db; /* read-only */
    const struct web_settings *settings;
    struct web_cache *cache;         /* or NULL: every analysis computed afresh */
    uint64_t generation;             /* web_cache_observe() of this request's handle */
    struct web_refresher *refresher; /* or NULL: no analysis is ever shown out of date */
    struct web_params p;
    int64_t now, since, until; /* the window [since, until) */
    const char *path;          /* the route, e.g. "/domain" (ours, safe in markup) */
};

struct web_reply {
    int status;                /* HTTP status */
    const char *content_type;  /* a literal */
    const char *cache_control; /* a literal; NULL: "no-cache" */
    int refresh_seconds;       /* > 0: a Refresh header (the "being made" page) */
    bool db_failed;            /* the handle misbehaved: the server opens a fresh one next time */
    struct html body;
};

/* ---- layout.c: the frame of every HTML page ---- */

/* <!doctype> .. <main>: title is escaped; nav is the path of the current menu entry. */
void page_begin(struct html *h, const struct web_ctx *c, const char *title, const char *nav);
void page_end(struct html *h, const struct web_ctx *c);
/* Closes a paged table and its section with the Newer / Page N / Older links; link writes an <a> to
 * the given page of the listing (each listing keeps its own filters in the URL). */
typedef void (*page_link_fn)(struct html *h, const struct web_ctx *c, int64_t page,
                             const char *label);
void page_pager(struct html *h, const struct web_ctx *c, bool has_older, page_link_fn link);
/* "window=30" or "window=custom&amp;since=...&amp;until=..." (already attribute-safe). */
void h_window_query(struct html *h, const struct web_params *p);
/* href="/domain?d=<domain>&amp;window=..." for a policy domain. */
void h_domain_href(struct html *h, const struct web_params *p, const char *domain);
/* <a href=...>domain</a> */
void h_domain_link(struct html *h, const struct web_params *p, const char *domain);
/* <span class="badge VERDICT">verdict</span> */
void h_verdict_badge(struct html *h, enum tlsrpt_verdict v);
/* A whole error page (status 4xx/5xx) with the message escaped; clears what was written before. */
void page_error(struct web_reply *r, const struct web_ctx *c, int status, const char *message);

/* ---- the pages; each returns 0: the reply says what happened (html_finish, the overflow) ---- */
int web_page_overview(const struct web_ctx *c, struct web_reply *r); /* / */
int web_page_domain(const struct web_ctx *c, struct web_reply *r);   /* /domain?d= */
int web_page_reports(const struct web_ctx *c, struct web_reply *r);  /* /reports */
int web_page_report(const struct web_ctx *c, struct web_reply *r);   /* /report?id= */
int web_page_rejects(const struct web_ctx *c, struct web_reply *r);  /* /rejects */
int web_api_analysis(const struct web_ctx *c, struct web_reply *r);  /* /api/analysis */
/* A JSON error reply {"error": message} (for the API paths), replacing what was written. */
void web_api_error(struct web_reply *r, int status, const char *message);

/* Renderers behind the overview and domain pages: analysis in, HTML out (unit-tested with
 * hand-made analyses). rejects/unresolved: counts of rejected inputs in the window. */
/* stale_as_of: 0, or when the out-of-date analysis shown was computed; window_moved: it is the
 * previous UTC day's window of the preset (its own since and until are shown). */
void render_overview(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                     int64_t rejects, int64_t unresolved, int64_t stale_as_of, bool window_moved);
/* The overview while its analysis is being made: says so; the reply reloads it. */
void render_overview_pending(struct html *h, const struct web_ctx *c);
void render_domain(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                   const struct tlsrpt_domain_analysis *d);

/* The daily series of a domain padded to the whole window (days without reports as zeros), for the
 * charts. Returns a malloc'd array of *n days (free()), or NULL when out of memory (*n = 0 and
 * NULL also when the window is empty). */
struct svg_day;
struct svg_day *web_daily_series(const struct tlsrpt_domain_analysis *d, int64_t since,
                                 int64_t until, size_t *n);

/* An analysis for one request: view is the analysis with the request's until and now (the rest
 * may be shared with other requests through the cache). */
struct web_analysis {
    struct tlsrpt_analysis view;
    struct tlsrpt_analysis *owned; /* computed for this request and not cached, or NULL */
    struct web_cache_entry *entry; /* the cache entry it came from, or NULL */
    int64_t stale_as_of;           /* 0, or when the out-of-date analysis shown was computed */
    bool window_moved; /* stale: the previous day's window of the same preset; view.since and
                          view.until are then that window's, not the request's */
    bool pending;      /* the overview's analysis is being made: nothing else is set */
};

/* The analysis of the request's window for the given domains (NULL/0: all), from the cache when
 * it is still valid. With allow_stale and a refresher, an out-of-date cached one is handed out
 * (stale_as_of set) while the refresher computes the new one: the same window computed before the
 * database changed, or for a preset window of every domain, the previous UTC day's window. When
 * nothing is cached, such a request asks the refresher for it and waits settings.overview_wait_ms
 * at most; if it is not ready by then, pending is set and the page says so. Without allow_stale,
 * when the refresher is computing this very window, the request waits for it instead of computing
 * it a second time. 0, or the TLSRPT_E_* code with err set. Always call
 * web_analysis_done. */
int web_analyze(const struct web_ctx *c, const char *const *domains, size_t n_domains,
                bool allow_stale, struct web_analysis *out, struct tlsrpt_error *err);
void web_analysis_done(const struct web_ctx *c, struct web_analysis *w);

#endif
