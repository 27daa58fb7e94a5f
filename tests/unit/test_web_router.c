/* test_web_router.c - every route of the dashboard in-process (web/router.h) on a real database
 * made here with the parser and the store: statuses, content types, parameter refusals, the raw
 * report decoded on its page, the rejects, the page-size cap, a missing database, and the JSON API
 * byte for byte equal to tlsrpt_analysis_to_json() for the same window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db.h"
#include "report_parse.h"
#include "router.h"
#include "store.h"
#include "testutil.h"
#include "window.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400

struct fixture {
    char dir[4096], path[4200];
    struct tlsrpt_db *db; /* read-only */
    struct web_settings st;
    int64_t now, report_id;
};

static char *report_text(int64_t start, const char *rid, int failed)
{
    char a[32], b[32];
    time_t t = (time_t)start, e = (time_t)(start + DAY - 1);
    struct tm tm;
    strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&e, &tm));
    char *s = NULL;
    assert_true(
        asprintf(&s,
                 "{\"organization-name\":\"Router <Org>\",\"contact-info\":\"tls@router.test\","
                 "\"report-id\":\"%s\",\"date-range\":{\"start-datetime\":\"%s\","
                 "\"end-datetime\":\"%s\"},\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
                 "\"policy-string\":[\"version: STSv1\",\"mode: testing\",\"mx: mx.router."
                 "example\",\"max_age: 86400\"],\"policy-domain\":\"router.example\"},"
                 "\"summary\":{\"total-successful-session-count\":100,"
                 "\"total-failure-session-count\":%d},\"failure-details\":[{\"result-type\":"
                 "\"certificate-expired\",\"receiving-mx-hostname\":\"mx.router.example\","
                 "\"failed-session-count\":%d}]}]}",
                 rid, a, b, failed, failed) > 0);
    return s;
}

static void store_one(struct tlsrpt_db *db, const char *json, int64_t *id)
{
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err = {0};
    enum tlsrpt_store_outcome out;
    struct tlsrpt_source_info src = {.kind = "file", .reference = "/in/<b>.json"};
    assert_int_equal(tlsrpt_report_parse(json, strlen(json), NULL, NULL, &r, &err), 0);
    assert_int_equal(
        tlsrpt_store_report(db, (const uint8_t *)json, strlen(json), &src, r, &out, id, &err), 0);
    tlsrpt_report_free(r);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct tlsrpt_error err = {0};
    struct tlsrpt_db *rw = NULL;
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
    snprintf(f->path, sizeof f->path, "%s/tlsrpt.db", f->dir);
    f->now = (int64_t)time(NULL);
    int64_t today = f->now - f->now % DAY;
    *state = f; /* teardown frees it even when setup fails below */
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READWRITE, &rw, &err), 0);
    assert_int_equal(tlsrpt_db_begin(rw, &err), 0);
    char *a = report_text(today - 2 * DAY, "r-1", 5), *b = report_text(today - DAY, "r-2", 0);
    int64_t other;
    store_one(rw, a, &f->report_id);
    store_one(rw, b, &other);
    free(a);
    free(b);
    static const char junk[] = "{\"organization-name\": \"<script>x</script>\"";
    struct tlsrpt_error why = {.code = TLSRPT_E_JSON, .message = "truncated <JSON>"};
    struct tlsrpt_source_info src = {.kind = "http", .reference = "192.0.2.9"};
    enum tlsrpt_store_outcome out;
    assert_int_equal(
        tlsrpt_store_reject(rw, (const uint8_t *)junk, strlen(junk), &src, &why, &out, &err), 0);
    assert_int_equal(tlsrpt_db_commit(rw, &err), 0);
    tlsrpt_db_close(rw);
    f->now = (int64_t)time(NULL) + 1; /* the window ends before now: let the reject's second pass */
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &f->db, &err), 0);
    tlsrpt_thresholds_default(&f->st.thresholds);
    f->st.max_page_bytes = WEB_DEF_MAX_PAGE_BYTES;
    f->st.max_raw_bytes = WEB_DEF_MAX_RAW_BYTES;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tlsrpt_db_close(f->db);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

struct got {
    int status;
    const char *type;
    char *body; /* malloc'd */
};

/* Routes path with "k=v" pairs (n of them). */
static struct got get(struct fixture *f, struct tlsrpt_db *db, const char *path,
                      const struct web_param *pairs, size_t n)
{
    struct web_request_in in = {.path = path, .pairs = pairs, .n_pairs = n, .now = f->now};
    struct web_reply r = {0};
    html_init(&r.body, f->st.max_page_bytes);
    web_route(db, "cannot open it", &f->st, &in, &r);
    struct got g = {r.status, r.content_type, (char *)tlsrpt_buf_steal(&r.body.buf, NULL)};
    assert_non_null(g.body);
    return g;
}

#define P(k, v)                                                                                    \
    {                                                                                              \
        k, v, sizeof v - 1                                                                         \
    }

static void pages(void **state)
{
    struct fixture *f = *state;
    struct got g = get(f, f->db, "/", NULL, 0);
    assert_int_equal(g.status, 200);
    assert_string_equal(g.type, "text/html; charset=utf-8");
    assert_non_null(strstr(g.body, ">router.example</a>"));
    assert_non_null(strstr(g.body, "<strong>1 input was rejected</strong>"));
    assert_non_null(strstr(g.body, "<td class=\"num sessions\">205</td>"));
    free(g.body);

    struct web_param d[] = {P("d", "router.example"), P("window", "7")};
    g = get(f, f->db, "/domain", d, 2);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "<span class=\"domain\">router.example</span>"));
    assert_non_null(strstr(g.body, "Router &lt;Org&gt;"));
    free(g.body);

    g = get(f, f->db, "/reports", d, 2);
    assert_int_equal(g.status, 200);
    char link[64];
    snprintf(link, sizeof link, "href=\"/report?id=%lld&amp;window=7\">r-1</a>",
             (long long)f->report_id);
    assert_non_null(strstr(g.body, link));
    free(g.body);

    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)f->report_id);
    struct web_param rp[] = {{"id", id, strlen(id)}};
    g = get(f, f->db, "/report", rp, 1);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "<pre class=\"json\"><code>{\n  &quot;organization-name&quot;: "
                                   "&quot;Router &lt;Org&gt;&quot;,"));
    assert_non_null(strstr(g.body, "/in/&lt;b&gt;.json"));
    assert_non_null(strstr(g.body, "<code>end-inclusive</code>"));
    free(g.body);

    g = get(f, f->db, "/rejects", NULL, 0);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "truncated &lt;JSON&gt;"));
    assert_non_null(strstr(g.body, "192.0.2.9"));
    free(g.body);
}

static void errors(void **state)
{
    struct fixture *f = *state;
    struct got g = get(f, f->db, "/nope", NULL, 0);
    assert_int_equal(g.status, 404);
    free(g.body);
    struct web_param bad[] = {P("bogus", "<b>")};
    g = get(f, f->db, "/", bad, 1);
    assert_int_equal(g.status, 400);
    assert_non_null(strstr(g.body, "unknown parameter &#39;bogus&#39;"));
    free(g.body);
    struct web_param nodomain[] = {P("window", "7")};
    g = get(f, f->db, "/domain", nodomain, 1);
    assert_int_equal(g.status, 400);
    free(g.body);
    struct web_param missing[] = {P("id", "999999")};
    g = get(f, f->db, "/report", missing, 1);
    assert_int_equal(g.status, 404);
    free(g.body);
    struct web_param w5[] = {P("window", "5")};
    g = get(f, f->db, "/api/analysis", w5, 1);
    assert_int_equal(g.status, 400);
    assert_string_equal(g.type, "application/json; charset=utf-8");
    json_t *doc = json_loads(g.body, 0, NULL);
    assert_true(json_is_string(json_object_get(doc, "error")));
    json_decref(doc);
    free(g.body);
    /* no database: data pages 503, the stylesheet still served */
    g = get(f, NULL, "/", NULL, 0);
    assert_int_equal(g.status, 503);
    assert_non_null(strstr(g.body, "cannot open it"));
    free(g.body);
    g = get(f, NULL, "/static/style.css", NULL, 0);
    assert_int_equal(g.status, 200);
    assert_string_equal(g.type, "text/css; charset=utf-8");
    assert_int_equal(strlen(g.body), web_style_css_len);
    assert_non_null(strstr(g.body, "prefers-color-scheme: dark"));
    free(g.body);
    /* a page over max-page is a 500 that says so, never a truncated page */
    f->st.max_page_bytes = 4096;
    struct web_param d[] = {P("d", "router.example")};
    g = get(f, f->db, "/domain", d, 1);
    assert_int_equal(g.status, 500);
    assert_non_null(strstr(g.body, "max-page"));
    free(g.body);
    f->st.max_page_bytes = WEB_DEF_MAX_PAGE_BYTES;
}

/* The API document is tlsrpt_analysis_to_json() of the same window, nothing added or lost. */
static void api_equals_library(void **state)
{
    struct fixture *f = *state;
    struct web_param q[] = {P("d", "router.example"), P("window", "30")};
    struct got g = get(f, f->db, "/api/analysis", q, 2);
    assert_int_equal(g.status, 200);
    const char *dom = "router.example", *why;
    struct tlsrpt_analysis_query aq = {.now = f->now, .domains = &dom, .n_domains = 1};
    tlsrpt_thresholds_default(&aq.thresholds);
    assert_int_equal(tlsrpt_window_parse("30d", f->now, &aq.since, &why), 0);
    aq.until = f->now;
    struct tlsrpt_analysis *a = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_analyze(f->db, &aq, &a, &err), 0);
    json_t *want = tlsrpt_analysis_to_json(a), *got = json_loads(g.body, 0, NULL);
    assert_non_null(got);
    assert_true(json_equal(want, got));
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(got, "domains"), 0), "failed_sessions")),
                     5);
    json_decref(want);
    json_decref(got);
    tlsrpt_analysis_free(a);
    free(g.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pages, setup, teardown),
        cmocka_unit_test_setup_teardown(errors, setup, teardown),
        cmocka_unit_test_setup_teardown(api_equals_library, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
