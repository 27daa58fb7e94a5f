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
#include "store.h"
#include "testutil.h"
#include "web.h"

#include <jansson.h>
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
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &f->ro, &err), 0);
    f->cache = web_cache_new();
    assert_non_null(f->cache);
    tlsrpt_thresholds_default(&f->st.thresholds);
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
    assert_int_equal(web_refresher_start(f->path, f->cache, &r, &err), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reuse_and_invalidate, setup, teardown),
        cmocka_unit_test_setup_teardown(end_crossing_a_report, setup, teardown),
        cmocka_unit_test_setup_teardown(eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_while_refreshing, setup, teardown),
        cmocka_unit_test_setup_teardown(new_handles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
