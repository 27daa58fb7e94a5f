/* test_analyze_output.c - the three printers on a small database: the JSON keys and types promised
 * by docs/report-json.md, RFC 4180 quoting in CSV, and the text layout (verdict lines first, width,
 * colour only when asked). */
#include "analyze_fixture.h"
#include "print.h"
#include "table.h"

#include <jansson.h>
#include <math.h>

/* example.com: not ready (a certificate failure); example.net: insufficient data. */
static int setup(void **state)
{
    (void)state;
    F = fx_new();
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *r = fx_report("Acme, \"Mail\" Inc.", FX_DAY0 + FX_DAY);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 50, 3);
    struct tlsrpt_failure_detail *fd =
        fx_detail(p, "certificate-host-mismatch", "mx2.example.com", "192.0.2.2", 3);
    fd->sending_mta_ip = fx_strdup("198.51.100.9");
    fd->failure_reason_code =
        fx_strdup("a very long failure reason code that goes on and on and on "
                  "well past any reasonable column width for a table");
    fx_store(F, r);
    r = fx_report("Google", FX_DAY0);
    r->report_id[0] = 'N';
    fx_sts_report(r, "example.net", 5, 0);
    fx_store(F, r);
    fx_analyze_t(F, NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_free(F);
    F = NULL;
    return 0;
}

static char *render(int (*fn)(FILE *, const struct tlsrpt_analysis *, bool), bool color)
{
    /* static: gcc 12 -O3 takes pointers into the result for pointers to this variable, whose
     * address open_memstream keeps, and warns (-Wdangling-pointer) where it is not one. */
    static char *buf;
    static size_t len;
    buf = NULL;
    len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(fn(m, F->analysis, color), 0);
    assert_int_equal(fclose(m), 0);
    return buf;
}

static int csv(FILE *f, const struct tlsrpt_analysis *a, bool color)
{
    (void)color;
    return tlsrpt_print_csv(f, a);
}

static int json(FILE *f, const struct tlsrpt_analysis *a, bool color)
{
    (void)color;
    return tlsrpt_print_json(f, a);
}

static void expect(json_t *obj, const char *key, int type)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        fail_msg("key '%s' missing", key);
    if ((int)json_typeof(v) != type && !(type == JSON_REAL && json_is_null(v)))
        fail_msg("key '%s' has type %d, want %d", key, json_typeof(v), type);
}

static void json_document(void **state)
{
    (void)state;
    char *text = render(json, false);
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (doc == NULL)
        fail_msg("output is not JSON: %s", e.text);
    assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
    json_t *w = json_object_get(doc, "window");
    assert_string_equal(json_string_value(json_object_get(w, "since")), "2026-10-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(w, "until")), "2026-10-31T00:00:00Z");
    json_t *domains = json_object_get(doc, "domains");
    assert_int_equal(json_array_size(domains), 2);
    json_t *d = json_array_get(domains, 0);
    assert_string_equal(json_string_value(json_object_get(d, "domain")), "example.com");
    expect(d, "reports", JSON_INTEGER);
    expect(d, "successful_sessions", JSON_INTEGER);
    expect(d, "failed_sessions", JSON_INTEGER);
    expect(d, "failure_rate", JSON_REAL);
    expect(d, "by_result_type", JSON_OBJECT);
    expect(d, "daily", JSON_ARRAY);
    expect(d, "policies", JSON_ARRAY);
    expect(d, "readiness", JSON_OBJECT);
    assert_int_equal(json_integer_value(json_object_get(d, "failed_sessions")), 3);
    assert_true(fabs(json_real_value(json_object_get(d, "failure_rate")) - 3.0 / 1453.0) < 1e-6);

    json_t *org = json_array_get(json_object_get(d, "by_organization"), 0);
    expect(org, "organization", JSON_STRING);
    expect(org, "successful_sessions", JSON_INTEGER);
    expect(org, "failed_sessions", JSON_INTEGER);
    json_t *mx = json_array_get(json_object_get(d, "by_mx"), 0);
    assert_string_equal(json_string_value(json_object_get(mx, "mx")), "mx2.example.com");
    assert_int_equal(json_integer_value(json_object_get(mx, "failed_sessions")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(mx, "result_types"),
                                                        "certificate-host-mismatch")),
                     3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "by_result_type"),
                                                        "certificate-host-mismatch")),
                     3);
    json_t *day = json_array_get(json_object_get(d, "daily"), 1);
    assert_string_equal(json_string_value(json_object_get(day, "date")), "2026-10-02");
    assert_int_equal(json_integer_value(json_object_get(day, "failed_sessions")), 3);
    json_t *pol = json_array_get(json_object_get(d, "policies"), 0);
    assert_string_equal(json_string_value(json_object_get(pol, "mode")), "testing");
    assert_int_equal(json_integer_value(json_object_get(pol, "max_age")), 604800);
    expect(pol, "mx_patterns", JSON_ARRAY);
    expect(pol, "organizations", JSON_ARRAY);

    json_t *rd = json_object_get(d, "readiness");
    assert_string_equal(json_string_value(json_object_get(rd, "verdict")), "not-ready");
    json_t *reason = json_array_get(json_object_get(rd, "reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(reason, "code")), "mx-tls-failure");
    assert_string_equal(json_string_value(json_object_get(reason, "severity")), "blocking");
    assert_string_equal(json_string_value(json_object_get(reason, "mx")), "mx2.example.com");
    assert_int_equal(json_integer_value(json_object_get(reason, "sessions")), 3);
    expect(reason, "message", JSON_STRING);
    expect(reason, "action", JSON_STRING);
    expect(reason, "organizations", JSON_ARRAY);
    expect(reason, "first_seen", JSON_STRING);

    json_t *second = json_array_get(domains, 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(second, "readiness"), "verdict")),
        "insufficient-data");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "summary"), "exit_status")),
        TLSRPT_REPORT_EXIT_NOT_READY);
    /* The printer streams, yet writes exactly the library's document (the dashboard's /api/). */
    json_t *lib = tlsrpt_analysis_to_json(F->analysis);
    assert_true(json_equal(lib, doc));
    char *ref = json_dumps(lib, JSON_INDENT(2) | TLSRPT_ANALYSIS_JSON_FLAGS);
    assert_non_null(ref);
    assert_int_equal(strlen(text), strlen(ref) + 1);
    assert_memory_equal(text, ref, strlen(ref));
    assert_int_equal(text[strlen(ref)], '\n');
    free(ref);
    json_decref(lib);
    json_decref(doc);
    free(text);
}

static void csv_quoting(void **state)
{
    (void)state;
    char *text = render(csv, false);
    assert_non_null(strstr(text, "domain,verdict,organization,reports,successful_sessions,"
                                 "failed_sessions,failure_rate,first_seen,last_seen\r\n"));
    assert_non_null(strstr(text, "example.com,not-ready,\"Acme, \"\"Mail\"\" Inc.\",1,50,3,"
                                 "0.056604,2026-10-02,2026-10-02\r\n"));
    assert_non_null(strstr(text, "example.net,insufficient-data,Google,1,5,0,0.000000,"));
    /* Every line ends in CRLF: no bare LF. */
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        assert_true(p > text && p[-1] == '\r');
    free(text);
}

static void text_layout(void **state)
{
    (void)state;
    char *text = render(tlsrpt_print_text, false);
    assert_null(strchr(text, '\033'));
    /* The verdict lines come before the first domain section. */
    const char *com = strstr(text, "example.com  not-ready");
    const char *net = strstr(text, "example.net  insufficient-data");
    const char *section = strstr(text, "\nexample.com: NOT ready for mode: enforce");
    assert_non_null(com);
    assert_non_null(net);
    assert_non_null(section);
    assert_true(com < section && net < section);
    assert_non_null(strstr(text, "mx2.example.com presents a certificate that does not name it"));
    assert_non_null(strstr(text, "Fix: install a certificate"));
    /* Nothing wider than 100 columns, even with a very long reason code. */
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (utf8_width(line) > TLSRPT_TEXT_WIDTH)
            fail_msg("line wider than %d: '%s'", TLSRPT_TEXT_WIDTH, line);
    free(text);

    text = render(tlsrpt_print_text, true);
    assert_non_null(strstr(text, "\033[1;31mnot-ready\033[0m"));
    free(text);
}

/* No domain at all: still a complete document, and exit status "insufficient". */
static void json_empty(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    const struct tlsrpt_analysis *a = fx_analyze_t(f, NULL, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(tlsrpt_print_json(m, a), 0);
    assert_int_equal(fclose(m), 0);
    json_t *lib = tlsrpt_analysis_to_json(a);
    char *ref = json_dumps(lib, JSON_INDENT(2) | TLSRPT_ANALYSIS_JSON_FLAGS);
    assert_non_null(ref);
    assert_int_equal(len, strlen(ref) + 1);
    assert_memory_equal(buf, ref, strlen(ref));
    assert_int_equal(json_array_size(json_object_get(lib, "domains")), 0);
    assert_int_equal(tlsrpt_analysis_exit_status(a), TLSRPT_REPORT_EXIT_INSUFFICIENT);
    free(ref);
    free(buf);
    json_decref(lib);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_document),
        cmocka_unit_test(json_empty),
        cmocka_unit_test(csv_quoting),
        cmocka_unit_test(text_layout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
