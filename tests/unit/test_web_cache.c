/* test_web_cache.c - the analysis cache (web/cache.h) on a real database: reuse while the window
 * and the data are the same, a fresh analysis as soon as a row joins the window or another
 * connection commits, and a reused analysis equal (as JSON) to a fresh one for the same window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache.h"
#include "refresher.h"
#include "db.h"
#include "report_parse.h"
#include "router.h"
#include "store.h"
#include "testutil.h"
#include "web.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400
#define T0 1772323200 /* 2026-03-01 */

struct fixture {
    char dir[4096], path[4200];
    struct tlsrpt_db *rw, *ro;
    struct web_cache *cache;
    struct web_settings st;
    struct web_cache_seen seen;
};

/* Stores a one-day report for domain starting at start + offset seconds. */
static void add_report(struct fixture *f, const char *domain, int64_t start, int n)
{
    char a[32], b[32], *json = NULL;
    time_t t = (time_t)start, e = (time_t)(start + DAY);
    struct tm tm;
    strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&e, &tm));
    assert_true(
        asprintf(&json,
                 "{\"organization-name\":\"Org %d\",\"contact-info\":\"tls@o%d.test\","
                 "\"report-id\":\"r%d\",\"date-range\":{\"start-datetime\":\"%s\","
                 "\"end-datetime\":\"%s\"},\"policies\":[{\"policy\":{\"policy-type\":"
                 "\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: testing\"],"
                 "\"policy-domain\":\"%s\"},\"summary\":{\"total-successful-session-count\":"
                 "%d,\"total-failure-session-count\":1},\"failure-details\":[{"
                 "\"result-type\":\"certificate-expired\",\"failed-session-count\":1}]}]}",
                 n, n, n, a, b, domain, 10 * n) > 0);
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err = {0};
    enum tlsrpt_store_outcome out;
    int64_t id;
    struct tlsrpt_source_info src = {.kind = "file", .reference = "t"};
    assert_int_equal(tlsrpt_report_parse(json, strlen(json), NULL, NULL, &r, &err), 0);
    assert_int_equal(tlsrpt_db_begin(f->rw, &err), 0);
    assert_int_equal(
        tlsrpt_store_report(f->rw, (const uint8_t *)json, strlen(json), &src, r, &out, &id, &err),
        0);
    assert_int_equal(tlsrpt_db_commit(f->rw, &err), 0);
    tlsrpt_report_free(r);
    free(json);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct tlsrpt_error err = {0};
    assert_non_null(f);
    *state = f;
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    snprintf(f->path, sizeof f->path, "%s/tlsrpt.db", f->dir);
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READWRITE, &f->rw, &err), 0);
    add_report(f, "a.example", T0 + 1 * DAY, 1);
    add_report(f, "a.example", T0 + 2 * DAY, 2);
    add_report(f, "b.example", T0 + 2 * DAY, 3);
    /* A reject that arrived in the first hour of new_day's earlier 14-day window (it starts at
     * T0 - 11 days; the next day's starts at T0 - 10 days), so it lies outside the later one. */
    struct tlsrpt_source_info src = {
        .kind = "file", .reference = "bad", .received_at = T0 - 11 * DAY + 3600};
    struct tlsrpt_error why = {0};
    enum tlsrpt_store_outcome out;
    tlsrpt_error_set(&why, TLSRPT_E_JSON, "", "not JSON");
    assert_int_equal(tlsrpt_db_begin(f->rw, &err), 0);
    assert_int_equal(tlsrpt_store_reject(f->rw, (const uint8_t *)"{x", 2, &src, &why, &out, &err),
                     0);
    assert_int_equal(tlsrpt_db_commit(f->rw, &err), 0);
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &f->ro, &err), 0);
    f->cache = web_cache_new();
    assert_non_null(f->cache);
    tlsrpt_thresholds_default(&f->st.thresholds);
    f->st.max_page_bytes = WEB_DEF_MAX_PAGE_BYTES;
    f->st.max_raw_bytes = WEB_DEF_MAX_RAW_BYTES;
    f->st.overview_wait_ms = 20000; /* an overview waits for the fixture's analysis (but see
                                       custom_window_pending) */
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    web_cache_free(f->cache);
    tlsrpt_db_close(f->ro);
    tlsrpt_db_close(f->rw);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* A request's context on the read-only handle: window [since, until). */
static struct web_ctx ctx(struct fixture *f, int64_t since, int64_t until)
{
    struct web_ctx c = {.db = f->ro, .settings = &f->st, .cache = f->cache};
    c.generation = web_cache_observe(f->cache, f->ro, &f->seen);
    c.since = since;
    c.until = c.now = until;
    return c;
}

static char *json_of(const struct tlsrpt_analysis *a)
{
    json_t *doc = tlsrpt_analysis_to_json(a);
    char *s = json_dumps(doc, JSON_SORT_KEYS | TLSRPT_ANALYSIS_JSON_FLAGS);
    json_decref(doc);
    assert_non_null(s);
    return s;
}

/* The analysis a fresh tlsrpt_analyze gives for the same context, as JSON. */
static char *fresh_json(struct fixture *f, const struct web_ctx *c, const char *const *d, size_t n)
{
    struct web_ctx plain = *c;
    struct web_analysis w;
    struct tlsrpt_error err = {0};
    plain.cache = NULL;
    assert_int_equal(web_analyze(&plain, d, n, false, &w, &err), 0);
    assert_null(w.entry);
    char *s = json_of(&w.view);
    web_analysis_done(&plain, &w);
    return s;
}

static void reuse_and_invalidate(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct web_analysis w1, w2, w3;
    const int64_t since = T0, until = T0 + 5 * DAY + 3600;

    struct web_ctx c = ctx(f, since, until);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w1, &err), 0);
    assert_non_null(w1.entry);
    assert_int_equal(w1.view.n_domains, 2);
    c = ctx(f, since, until);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w2, &err), 0);
    assert_ptr_equal(w2.entry, w1.entry); /* same window, same data: reused */
    assert_ptr_equal(w2.view.domains, w1.view.domains);
    web_analysis_done(&c, &w2);

    /* the end moves later in the same day, nothing starts in between: reused, with the new end */
    c = ctx(f, since, until + 600);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w2, &err), 0);
    assert_ptr_equal(w2.entry, w1.entry);
    assert_int_equal(w2.view.until, until + 600);
    char *reused = json_of(&w2.view), *fresh = fresh_json(f, &c, NULL, 0);
    assert_string_equal(reused, fresh);
    free(reused);
    free(fresh);
    web_analysis_done(&c, &w2);

    /* other domains: another entry */
    const char *only_b = "b.example";
    c = ctx(f, since, until);
    assert_int_equal(web_analyze(&c, &only_b, 1, false, &w2, &err), 0);
    assert_ptr_not_equal(w2.entry, w1.entry);
    assert_int_equal(w2.view.n_domains, 1);
    web_analysis_done(&c, &w2);

    /* the collector commits a report inside the window: the next request computes again */
    add_report(f, "a.example", T0 + 3 * DAY, 4);
    c = ctx(f, since, until);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w3, &err), 0);
    assert_ptr_not_equal(w3.entry, w1.entry);
    assert_int_equal(w3.view.domains[0].reports, 3);
    assert_int_equal(w1.view.domains[0].reports, 2); /* the old one lives while in use */
    web_analysis_done(&c, &w1);
    web_analysis_done(&c, &w3);
}

/* A window end that crosses a report's start is another window. */
static void end_crossing_a_report(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct web_analysis w1, w2;
    /* report 2 starts at T0 + 2 days 00:00; ends on that same day before and after it */
    struct web_ctx c = ctx(f, T0, T0 + 2 * DAY);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w1, &err), 0);
    c = ctx(f, T0, T0 + 2 * DAY + 1);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w2, &err), 0);
    assert_ptr_not_equal(w2.entry, w1.entry);
    assert_int_equal(w1.view.domains[0].reports, 1);
    assert_int_equal(w2.view.domains[0].reports, 2);
    web_analysis_done(&c, &w1);
    web_analysis_done(&c, &w2);
    /* a day boundary without any report still changes the daily series: not reused */
    c = ctx(f, T0, T0 + 7 * DAY - 10);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w1, &err), 0);
    c = ctx(f, T0, T0 + 7 * DAY + 10);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w2, &err), 0);
    assert_ptr_not_equal(w2.entry, w1.entry);
    assert_int_equal(w2.view.domains[0].n_daily, w1.view.domains[0].n_daily + 1);
    web_analysis_done(&c, &w1);
    web_analysis_done(&c, &w2);
}

/* More keys than slots: the oldest go, entries in use stay valid until released. */
static void eviction(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct web_analysis held, w;
    struct web_ctx c = ctx(f, T0, T0 + 9 * DAY);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &held, &err), 0);
    for (int i = 1; i <= WEB_CACHE_ENTRIES + 4; i++) {
        c = ctx(f, T0 - i * DAY, T0 + 9 * DAY);
        assert_int_equal(web_analyze(&c, NULL, 0, false, &w, &err), 0);
        web_analysis_done(&c, &w);
    }
    assert_int_equal(held.view.domains[0].reports, 2); /* evicted, still readable */
    /* the least recently used went: the last WEB_CACHE_ENTRIES keys are all still there */
    uint64_t g = web_cache_observe(f->cache, f->ro, &f->seen);
    for (int i = 4 + 1; i <= WEB_CACHE_ENTRIES + 4; i++) {
        struct tlsrpt_analysis_query q = {.since = T0 - i * DAY, .until = T0 + 9 * DAY};
        assert_true(web_cache_valid(f->cache, f->ro, g, &q));
    }
    c = ctx(f, T0, T0 + 9 * DAY);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w, &err), 0);
    assert_ptr_not_equal(w.entry, held.entry);
    web_analysis_done(&c, &w);
    web_analysis_done(&c, &held);
}

/* After a commit the overview may show the previous analysis, marked, while the refresher thread
 * makes the new one; then the new one is served. The domain page and the API never go stale. */
static void stale_while_refreshing(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct web_refresher *r = NULL;
    struct web_analysis w0, w1;
    const int64_t since = T0, until = T0 + 5 * DAY;
    struct web_refresher_config rc = {
        .db_path = f->path, .cache = f->cache, .thresholds = f->st.thresholds, .fixed_now = until};
    assert_int_equal(web_refresher_start(&rc, &r, &err), 0);
    struct web_ctx c = ctx(f, since, until);
    c.refresher = r;
    assert_int_equal(web_analyze(&c, NULL, 0, true, &w0, &err), 0);
    assert_int_equal(w0.stale_as_of, 0);
    assert_int_equal(w0.view.domains[0].reports, 2);

    add_report(f, "a.example", T0 + 3 * DAY, 5);
    c = ctx(f, since, until);
    c.refresher = r;
    assert_int_equal(web_analyze(&c, NULL, 0, true, &w1, &err), 0);
    assert_ptr_equal(w1.entry, w0.entry); /* the previous analysis, marked */
    assert_true(w1.stale_as_of > 0);
    web_analysis_done(&c, &w1);
    assert_int_equal(web_analyze(&c, NULL, 0, false, &w1, &err), 0); /* no stale for the API */
    assert_int_equal(w1.stale_as_of, 0);
    assert_int_equal(w1.view.domains[0].reports, 3);
    web_analysis_done(&c, &w1);

    /* the refresher's result arrives; poll for it (at most 10 s) */
    bool fresh = false;
    for (int i = 0; i < 1000 && !fresh; i++) {
        c = ctx(f, since, until);
        c.refresher = r;
        assert_int_equal(web_analyze(&c, NULL, 0, true, &w1, &err), 0);
        fresh = w1.stale_as_of == 0;
        if (fresh)
            assert_int_equal(w1.view.domains[0].reports, 3);
        web_analysis_done(&c, &w1);
        if (!fresh)
            usleep(10000);
    }
    assert_true(fresh);
    web_analysis_done(&c, &w0);
    web_refresher_stop(r);
}

/* A new handle's first look does not make the cache out of date; a commit made before it does,
 * even on a handle that never saw the earlier state. */
static void new_handles(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct tlsrpt_db *ro2 = NULL, *ro3 = NULL;
    struct web_cache_seen seen2 = {0, 0}, seen3 = {0, 0};
    uint64_t g1 = web_cache_observe(f->cache, f->ro, &f->seen);
    assert_int_equal(web_cache_observe(f->cache, f->ro, &f->seen), g1);
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &ro2, &err), 0);
    assert_int_equal(web_cache_observe(f->cache, ro2, &seen2), g1);
    add_report(f, "c.example", T0 + 4 * DAY, 7);
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &ro3, &err), 0);
    uint64_t g2 = web_cache_observe(f->cache, ro3, &seen3);
    assert_true(g2 > g1);
    /* ro2's data_version moved with the same commit: counted once, not again */
    assert_int_equal(web_cache_observe(f->cache, ro2, &seen2), g2);
    assert_int_equal(web_cache_observe(f->cache, f->ro, &f->seen), g2);
    /* a data_version that moved under an unchanged fingerprint: a commit the fingerprint missed */
    struct web_cache_seen missed = seen2;
    missed.version--;
    assert_true(web_cache_observe(f->cache, ro2, &missed) > g2);
    tlsrpt_db_close(ro2);
    tlsrpt_db_close(ro3);
}

/* ---- the refresher and the preset windows ---- */

static _Atomic int64_t fake_now; /* the refresher's clock in these tests */

static int64_t fake_clock(void *arg)
{
    (void)arg;
    return atomic_load(&fake_now);
}

/* A refresher on the database at path (the fixture's, or one that cannot be opened). */
static struct web_refresher *start_refresher_on(struct fixture *f, const char *path, int64_t now,
                                                int margin)
{
    struct web_refresher *r = NULL;
    struct tlsrpt_error err = {0};
    struct web_refresher_config rc = {.db_path = path,
                                      .cache = f->cache,
                                      .thresholds = f->st.thresholds,
                                      .clock = fake_clock,
                                      .day_margin = margin};
    atomic_store(&fake_now, now);
    assert_int_equal(web_refresher_start(&rc, &r, &err), 0);
    return r;
}

static struct web_refresher *start_refresher(struct fixture *f, int64_t now, int margin)
{
    return start_refresher_on(f, f->path, now, margin);
}

/* The overview's query of a preset window at now, as a request for window=days makes it. */
static struct tlsrpt_analysis_query preset_query(struct fixture *f, int days, int64_t now)
{
    struct web_params p = {.window_days = days, .page = 1};
    struct tlsrpt_analysis_query q = {.now = now, .thresholds = f->st.thresholds};
    web_window_resolve(&p, now, &q.since, &q.until);
    return q;
}

/* Whether the cache holds a valid analysis of every domain for each preset window at now. */
static bool presets_cached(struct fixture *f, int64_t now)
{
    uint64_t g = web_cache_observe(f->cache, f->ro, &f->seen);
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        struct tlsrpt_analysis_query q = preset_query(f, web_presets[i], now);
        if (!web_cache_valid(f->cache, f->ro, g, &q))
            return false;
    }
    return true;
}

/* One request through the router at now. With the cache (and the refresher r, if any) as the
 * server serves it, or without either: the reference, what a fresh analysis renders. The reply's
 * status, Refresh and Cache-Control go to *meta; returns the body (free()). */
static char *route(struct fixture *f, struct web_refresher *r, bool cached, int64_t now,
                   const char *path, const struct web_param *pairs, size_t n,
                   struct web_reply *meta)
{
    struct web_request_in in = {.path = path, .pairs = pairs, .n_pairs = n, .now = now};
    if (cached) {
        in.cache = f->cache;
        in.refresher = r;
        in.generation = web_cache_observe(f->cache, f->ro, &f->seen);
    }
    struct web_reply rep = {0};
    html_init(&rep.body, f->st.max_page_bytes);
    web_route(f->ro, NULL, &f->st, &in, &rep);
    char *body = strdup(rep.body.buf.data != NULL ? (const char *)rep.body.buf.data : "");
    assert_non_null(body);
    html_free(&rep.body);
    *meta = rep;
    return body;
}

/* route() for a window and, when domain is not NULL, a domain; the answer must be 200. */
static char *get(struct fixture *f, struct web_refresher *r, bool cached, int64_t now,
                 const char *path, const char *window, const char *domain)
{
    const struct web_param pairs[2] = {{"window", window, strlen(window)},
                                       {"d", domain, domain != NULL ? strlen(domain) : 0}};
    struct web_reply meta;
    char *body = route(f, r, cached, now, path, pairs, domain != NULL ? 2 : 1, &meta);
    assert_int_equal(meta.status, 200);
    return body;
}

/* The page as the server serves it equals the one a fresh analysis renders. */
static void assert_fresh_page(struct fixture *f, struct web_refresher *r, int64_t now,
                              const char *path, const char *window, const char *domain)
{
    char *served = get(f, r, true, now, path, window, domain);
    char *fresh = get(f, NULL, false, now, path, window, domain);
    assert_null(strstr(served, "stale-notice"));
    assert_string_equal(served, fresh);
    free(served);
    free(fresh);
}

/* "Reports from A to B." of the overview for the window [since, until). */
static void window_text(char *out, size_t len, int64_t since, int64_t until)
{
    char a[16], b[16];
    time_t ts = (time_t)since, tu = (time_t)(until - 1);
    struct tm tm;
    strftime(a, sizeof a, "%Y-%m-%d", gmtime_r(&ts, &tm));
    strftime(b, sizeof b, "%Y-%m-%d", gmtime_r(&tu, &tm));
    snprintf(out, len, "Reports from %s to %s.", a, b);
}

/* At start the refresher computes the overview of every preset window, the pages then come from
 * the cache; asking again for what is cached and valid computes nothing. */
static void presets_ready_after_start(void **state)
{
    struct fixture *f = *state;
    const int64_t now = T0 + 3 * DAY + 10 * 3600;
    struct web_refresher *r = start_refresher(f, now, 0);
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_int_equal(web_refresher_analyses(r), WEB_N_PRESETS);
    assert_true(presets_cached(f, now));
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        char w[8];
        snprintf(w, sizeof w, "%d", web_presets[i]);
        assert_fresh_page(f, r, now + 600, "/", w, NULL);
        assert_fresh_page(f, r, now + 600, "/api/analysis", w, NULL);
    }
    /* a request for a window the cache holds makes no analysis */
    struct tlsrpt_analysis_query q = preset_query(f, WEB_DEFAULT_WINDOW, now + 60);
    web_refresher_want(r, &q, WEB_DEFAULT_WINDOW);
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_int_equal(web_refresher_analyses(r), WEB_N_PRESETS);

    /* other keys (domain pages, custom windows) never push a preset window out */
    struct tlsrpt_error err = {0};
    const char *only_a = "a.example";
    for (int i = 0; i < WEB_CACHE_ENTRIES + 4; i++) {
        struct web_analysis w;
        struct web_ctx c = ctx(f, T0 - i * DAY, T0 + 5 * DAY);
        assert_int_equal(web_analyze(&c, i % 2 ? &only_a : NULL, i % 2, false, &w, &err), 0);
        web_analysis_done(&c, &w);
    }
    assert_true(presets_cached(f, now));
    web_refresher_stop(r);
}

/* A new UTC day: the overview of a preset answers at once with the previous day's window of the
 * same preset, saying so, while the refresher makes today's; then today's. /api/analysis and the
 * domain page never show the previous window. */
static void new_day(void **state)
{
    struct fixture *f = *state;
    const int64_t day1 = T0 + 3 * DAY + 10 * 3600, day2 = T0 + 4 * DAY + 30;
    struct web_refresher *r = start_refresher(f, day1, 0);
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_int_equal(web_refresher_analyses(r), WEB_N_PRESETS);
    assert_fresh_page(f, r, day1, "/domain", "14", "a.example"); /* now cached */

    atomic_store(&fake_now, day2); /* the refresher sleeps until its own midnight, hours away */
    struct tlsrpt_analysis_query q1 = preset_query(f, 14, day1), q2 = preset_query(f, 14, day2);
    assert_int_equal(q2.since, q1.since + DAY);
    assert_int_equal(q1.since, T0 - 11 * DAY); /* setup's reject lies in q1's first hour */
    const struct tlsrpt_analysis *a = NULL;
    struct web_cache_stale why = {0, false};
    struct web_cache_entry *e = web_cache_get_stale(f->cache, &q2, 14, &a, &why);
    assert_non_null(e);
    assert_true(why.moved);
    assert_true(why.as_of > 0);
    assert_int_equal(a->since, q1.since);
    web_cache_release(f->cache, e);
    /* no previous window for another preset, for some domains, or for a custom window */
    assert_null(web_cache_get_stale(f->cache, &q2, 30, &a, &why));
    assert_null(web_cache_get_stale(f->cache, &q2, 0, &a, &why));

    /* the API and the domain page: today's window, fresh */
    assert_fresh_page(f, r, day2, "/api/analysis", "30", NULL);
    assert_fresh_page(f, r, day2, "/api/analysis", "14", "a.example");
    assert_fresh_page(f, r, day2, "/domain", "14", "a.example");
    assert_int_equal(web_refresher_analyses(r), WEB_N_PRESETS); /* nobody asked it yet */

    /* the overview: yesterday's window at once, marked, with its own dates */
    char *page = get(f, r, true, day2, "/", "14", NULL), expect[64];
    assert_non_null(strstr(page, "id=\"stale-notice\""));
    assert_non_null(strstr(page, "A new day began"));
    window_text(expect, sizeof expect, q1.since, day1);
    assert_non_null(strstr(page, expect));
    /* its rejects count is that window's too: the reject of its first hour */
    assert_non_null(strstr(page, "id=\"rejects-notice\""));
    free(page);

    /* then the refresher made today's windows: the one asked for and the other presets (the API
     * request above made the 30-day one) */
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_int_equal(web_refresher_analyses(r), 2 * WEB_N_PRESETS - 1);
    assert_true(presets_cached(f, day2));
    page = get(f, r, true, day2 + 60, "/", "14", NULL);
    window_text(expect, sizeof expect, q2.since, day2 + 60);
    assert_non_null(strstr(page, expect));
    assert_null(strstr(page, "id=\"rejects-notice\"")); /* today's window: no reject in it */
    free(page);
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        char w[8];
        snprintf(w, sizeof w, "%d", web_presets[i]);
        assert_fresh_page(f, r, day2 + 60, "/", w, NULL);
    }
    /* yesterday's windows gave way to today's */
    assert_null(web_cache_get_stale(f->cache, &q1, 14, &a, &why));
    web_refresher_stop(r);
}

/* One overview request for the custom window [since, until] (days, both included), as route(). */
static char *get_custom(struct fixture *f, struct web_refresher *r, bool cached, int64_t now,
                        const char *since, const char *until, struct web_reply *meta)
{
    const struct web_param pairs[3] = {
        {"window", "custom", 6}, {"since", since, strlen(since)}, {"until", until, strlen(until)}};
    return route(f, r, cached, now, "/", pairs, 3, meta);
}

/* The custom window's overview as served shows its figures (no "being made", no Refresh) and equals
 * the page a fresh analysis renders. */
static void assert_custom_shown(struct fixture *f, struct web_refresher *r, int64_t now,
                                const char *since, const char *until)
{
    struct web_reply meta;
    char *served = get_custom(f, r, true, now, since, until, &meta);
    assert_int_equal(meta.status, 200);
    assert_int_equal(meta.refresh_seconds, 0);
    assert_null(strstr(served, "pending-notice"));
    char *fresh = get_custom(f, NULL, false, now, since, until, &meta);
    assert_string_equal(served, fresh);
    free(served);
    free(fresh);
}

/* The overview of a custom window nothing was computed for: with no time to wait it answers at
 * once that the analysis is being made, reloading itself and never cached by the browser; the
 * refresher makes it, and the next request shows it, equal to a fresh analysis. With time to wait
 * the first request already shows it. */
static void custom_window_pending(void **state)
{
    struct fixture *f = *state;
    const int64_t now = T0 + 3 * DAY + 10 * 3600;
    struct web_refresher *r = start_refresher(f, now, 0);
    assert_true(web_refresher_wait_idle(r, 20000));
    const uint64_t presets = web_refresher_analyses(r);

    f->st.overview_wait_ms = 0;
    struct web_reply meta;
    char *page = get_custom(f, r, true, now, "2026-02-20", "2026-03-02", &meta);
    assert_int_equal(meta.status, 200);
    assert_int_equal(meta.refresh_seconds, WEB_PENDING_RELOAD_S);
    assert_string_equal(meta.cache_control, "no-store");
    assert_non_null(strstr(page, "id=\"pending-notice\""));
    assert_non_null(strstr(page, "Reports from 2026-02-20 to 2026-03-02."));
    assert_null(strstr(page, "card-sessions"));
    free(page);

    assert_true(web_refresher_wait_idle(r, 20000));
    assert_int_equal(web_refresher_analyses(r), presets + 1); /* made once, by the refresher */
    assert_custom_shown(f, r, now, "2026-02-20", "2026-03-02");

    f->st.overview_wait_ms = 20000; /* far more than the fixture's analysis takes */
    assert_custom_shown(f, r, now, "2026-02-25", "2026-03-03");
    assert_int_equal(web_refresher_analyses(r), presets + 2);
    web_refresher_stop(r);
}

/* A refresher that cannot make the analysis (its database cannot be opened): the overview does not
 * say "being made" for ever, the request computes the window itself (and would show its error). */
static void refresher_failure(void **state)
{
    struct fixture *f = *state;
    const int64_t now = T0 + 3 * DAY + 10 * 3600;
    char missing[4300];
    snprintf(missing, sizeof missing, "%s/no-such.db", f->dir);
    struct web_refresher *r = start_refresher_on(f, missing, now, 0);
    assert_true(web_refresher_wait_idle(r, 20000)); /* its pass failed */
    assert_custom_shown(f, r, now, "2026-02-20", "2026-03-02");
    assert_int_equal(web_refresher_analyses(r), 0);
    web_refresher_stop(r);
}

/* After a commit, the first overview request answers "as of" and the refresher recomputes every
 * preset window, not only the one asked for. The API and the domain page are fresh meanwhile. */
static void change_recomputes_presets(void **state)
{
    struct fixture *f = *state;
    const int64_t now = T0 + 3 * DAY + 10 * 3600;
    struct web_refresher *r = start_refresher(f, now, 0);
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_fresh_page(f, r, now, "/domain", "30", "b.example"); /* now cached */
    add_report(f, "b.example", T0 + 2 * DAY + 3600, 8);
    assert_false(presets_cached(f, now));
    assert_fresh_page(f, r, now, "/api/analysis", "90", NULL);
    assert_fresh_page(f, r, now, "/domain", "30", "b.example");
    char *page = get(f, r, true, now, "/", "30", NULL);
    assert_non_null(strstr(page, "New reports arrived"));
    free(page);
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_true(presets_cached(f, now));
    /* 30 asked for, then 14 (the default) and 7: the API request made the 90-day one */
    assert_int_equal(web_refresher_analyses(r), WEB_N_PRESETS + 3);
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        char w[8];
        snprintf(w, sizeof w, "%d", web_presets[i]);
        assert_fresh_page(f, r, now + 60, "/", w, NULL);
    }
    web_refresher_stop(r);
}

/* A few seconds after 00:00 UTC the refresher wakes by itself and computes the new day's preset
 * windows before anyone asks. */
static void wakes_after_midnight(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(web_refresher_next_day(T0 + 10 * 3600, 5), T0 + DAY + 5);
    assert_int_equal(web_refresher_next_day(T0, 5), T0 + DAY + 5);
    assert_int_equal(web_refresher_next_day(T0 + DAY - 1, 5), T0 + DAY + 5);
    const int64_t before = T0 + 4 * DAY - 1, after = T0 + 4 * DAY + 1;
    struct web_refresher *r = start_refresher(f, before, 1); /* wakes 2 s after start */
    assert_true(web_refresher_wait_idle(r, 20000));
    assert_true(presets_cached(f, before));
    atomic_store(&fake_now, after);
    bool ready = false;
    for (int i = 0; i < 1000 && !ready; i++) { /* at most 10 s */
        ready = web_refresher_analyses(r) == 2 * WEB_N_PRESETS && web_refresher_wait_idle(r, 0);
        if (!ready)
            usleep(10000);
    }
    assert_true(ready);
    assert_true(presets_cached(f, after));
    web_refresher_stop(r);
}

/* Keeps the analysis of [since, since + 3 days) for preset (0: custom) and returns its bytes. */
static size_t put_window(struct fixture *f, int64_t since, int preset)
{
    struct tlsrpt_analysis_query q = {.since = since,
                                      .until = since + 3 * DAY,
                                      .now = since + 3 * DAY,
                                      .thresholds = f->st.thresholds};
    struct tlsrpt_analysis *a = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_analyze(f->ro, &q, &a, &err), 0);
    size_t bytes = tlsrpt_analysis_bytes(a);
    assert_true(bytes > sizeof *a); /* the arena is counted */
    uint64_t g = web_cache_observe(f->cache, f->ro, &f->seen);
    struct web_cache_entry *e = web_cache_put(f->cache, g, &q, preset, a);
    assert_non_null(e);
    web_cache_release(f->cache, e);
    return bytes;
}

static bool window_kept(struct fixture *f, int64_t since)
{
    struct tlsrpt_analysis_query q = {.since = since,
                                      .until = since + 3 * DAY,
                                      .now = since + 3 * DAY,
                                      .thresholds = f->st.thresholds};
    uint64_t g = web_cache_observe(f->cache, f->ro, &f->seen);
    return web_cache_valid(f->cache, f->ro, g, &q);
}

/* The memory budget: over it, the least recently used analyses go first; the one just kept and
 * a preset window's stay even when they alone exceed it. */
static void budget_drops_least_recent(void **state)
{
    struct fixture *f = *state;
    const int64_t w1 = T0 - DAY, w2 = T0, w3 = T0 + DAY;
    web_cache_set_budget(f->cache, 0);
    size_t b1 = put_window(f, w1, 0), b2 = put_window(f, w2, 0);
    assert_int_equal(web_cache_bytes(f->cache), b1 + b2);
    /* room for two of these: a third pushes out the least recently used, w1 */
    web_cache_set_budget(f->cache, b1 + b2 + b2 / 2);
    size_t b3 = put_window(f, w3, 0);
    assert_false(window_kept(f, w1));
    assert_true(window_kept(f, w2));
    assert_true(window_kept(f, w3));
    assert_int_equal(web_cache_bytes(f->cache), b2 + b3);

    /* a budget smaller than any one analysis: the newest custom window and the preset stay */
    web_cache_set_budget(f->cache, 1);
    put_window(f, w1, 14);
    size_t b4 = put_window(f, T0 + 2 * DAY, 0);
    assert_true(window_kept(f, w1)); /* the preset's */
    assert_true(window_kept(f, T0 + 2 * DAY));
    assert_false(window_kept(f, w2));
    assert_false(window_kept(f, w3));
    assert_true(web_cache_bytes(f->cache) >= b4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reuse_and_invalidate, setup, teardown),
        cmocka_unit_test_setup_teardown(end_crossing_a_report, setup, teardown),
        cmocka_unit_test_setup_teardown(eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_while_refreshing, setup, teardown),
        cmocka_unit_test_setup_teardown(new_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(presets_ready_after_start, setup, teardown),
        cmocka_unit_test_setup_teardown(new_day, setup, teardown),
        cmocka_unit_test_setup_teardown(change_recomputes_presets, setup, teardown),
        cmocka_unit_test_setup_teardown(custom_window_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(refresher_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(wakes_after_midnight, setup, teardown),
        cmocka_unit_test_setup_teardown(budget_drops_least_recent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
