/* test_http_request.c - the endpoint's pure decisions: head checks, media types, content coding,
 * the streamed body cap, reason lines, outcome mapping, Content-Encoding gunzip, allow-list, meta
 * JSON. */
#include "coding.h"
#include "domains.h"
#include "meta.h"
#include "request.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct head_case {
    const char *method, *path, *ct, *ce, *cl;
    const char *policy_path;
    unsigned want_status;
    bool want_allow;
    enum tlsrpt_coding want_coding;
};

static void test_check_head_table(void **state)
{
    static const struct head_case cases[] = {
        {"POST", "/", "application/tlsrpt+gzip", NULL, "100", NULL, 0, false,
         TLSRPT_CODING_IDENTITY},
        {"POST", "/any/path", "application/tlsrpt+json", NULL, NULL, NULL, 0, false, 0},
        {"POST", "/", NULL, NULL, "10", NULL, 0, false, 0},
        {"POST", "/", "application/json; charset=utf-8", "gzip", "10", NULL, 0, false,
         TLSRPT_CODING_GZIP},
        {"GET", "/", NULL, NULL, NULL, NULL, 405, true, 0},
        {"PUT", "/", "application/tlsrpt+gzip", NULL, "1", NULL, 405, true, 0},
        {"HEAD", "/", NULL, NULL, NULL, NULL, 405, true, 0},
        {"post", "/", NULL, NULL, NULL, NULL, 405, true, 0}, /* methods are case-sensitive */
        {"POST", "/other", "application/tlsrpt+gzip", NULL, "1", "/tlsrpt", 404, false, 0},
        {"POST", "/tlsrpt", "application/tlsrpt+gzip", NULL, "1", "/tlsrpt", 0, false, 0},
        {"POST", "/", "text/html", NULL, "1", NULL, 415, false, 0},
        {"POST", "/", "multipart/form-data; boundary=x", NULL, "1", NULL, 415, false, 0},
        {"POST", "/", "application/tlsrpt+gzip", "br", "1", NULL, 415, false, 0},
        {"POST", "/", "application/tlsrpt+gzip", "gzip, gzip", "1", NULL, 415, false, 0},
        {"POST", "/", "application/tlsrpt+gzip", NULL, "4194304", NULL, 0, false, 0},
        {"POST", "/", "application/tlsrpt+gzip", NULL, "4194305", NULL, 413, false, 0},
        {"POST", "/", "application/tlsrpt+gzip", NULL, "99999999999999999999999", NULL, 413, false,
         0},
        /* the method is checked first, then path, coding, type, size */
        {"GET", "/other", "text/html", "br", "99999999", "/tlsrpt", 405, true, 0},
        {"POST", "/other", "text/html", "br", "99999999", "/tlsrpt", 404, false, 0},
        {"POST", "/", "text/html", "br", "99999999", NULL, 415, false, 0},
    };
    struct tlsrpt_http_policy p = {.path = NULL, .max_body = TLSRPT_HTTP_DEF_MAX_BODY};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct head_case *c = &cases[i];
        struct tlsrpt_http_head h = {c->method, c->path, c->ct, c->ce, c->cl};
        struct tlsrpt_http_answer a;
        enum tlsrpt_coding coding;
        p.path = c->policy_path;
        tlsrpt_http_check_head(&p, &h, &a, &coding);
        if (a.status != c->want_status)
            print_error("case %zu: %s %s: got %u want %u\n", i, c->method, c->path, a.status,
                        c->want_status);
        assert_int_equal(a.status, c->want_status);
        assert_int_equal(a.allow_header, c->want_allow);
        if (a.status == 0)
            assert_int_equal(coding, c->want_coding);
        else
            assert_true(strlen(a.reason) > 0 && strchr(a.reason, '\n') == NULL);
    }
}

static void test_media_classes(void **state)
{
    assert_int_equal(tlsrpt_http_media_class("application/tlsrpt+gzip"), TLSRPT_MEDIA_REPORT);
    assert_int_equal(tlsrpt_http_media_class("Application/TLSRPT+JSON ; x=y"), TLSRPT_MEDIA_REPORT);
    assert_int_equal(tlsrpt_http_media_class("application/json"), TLSRPT_MEDIA_TOLERATED);
    assert_int_equal(tlsrpt_http_media_class("application/gzip"), TLSRPT_MEDIA_TOLERATED);
    assert_int_equal(tlsrpt_http_media_class("application/octet-stream"), TLSRPT_MEDIA_TOLERATED);
    assert_int_equal(tlsrpt_http_media_class("application/x-www-form-urlencoded"),
                     TLSRPT_MEDIA_TOLERATED);
    assert_int_equal(tlsrpt_http_media_class(NULL), TLSRPT_MEDIA_NONE);
    assert_int_equal(tlsrpt_http_media_class("  "), TLSRPT_MEDIA_NONE);
    assert_int_equal(tlsrpt_http_media_class("text/html; charset=utf-8"), TLSRPT_MEDIA_REFUSED);
    assert_int_equal(tlsrpt_http_media_class("multipart/form-data"), TLSRPT_MEDIA_REFUSED);
    assert_int_equal(tlsrpt_http_media_class("application/tlsrpt+gzipX"), TLSRPT_MEDIA_REFUSED);
    assert_int_equal(tlsrpt_http_media_class(";"), TLSRPT_MEDIA_REFUSED);
    char longtype[300];
    memset(longtype, 'a', sizeof longtype - 1);
    longtype[sizeof longtype - 1] = '\0';
    assert_int_equal(tlsrpt_http_media_class(longtype), TLSRPT_MEDIA_REFUSED);
    assert_int_equal(tlsrpt_http_coding(NULL), TLSRPT_CODING_IDENTITY);
    assert_int_equal(tlsrpt_http_coding(" identity "), TLSRPT_CODING_IDENTITY);
    assert_int_equal(tlsrpt_http_coding("GZIP"), TLSRPT_CODING_GZIP);
    assert_int_equal(tlsrpt_http_coding("x-gzip"), TLSRPT_CODING_GZIP);
    assert_int_equal(tlsrpt_http_coding("deflate"), TLSRPT_CODING_UNSUPPORTED);
}

static void test_body_cap_and_drain(void **state)
{
    struct tlsrpt_http_body b;
    uint8_t chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    tlsrpt_http_body_init(&b, 2500, 3000);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_MORE);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_MORE);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 500), TLSRPT_BODY_MORE); /* exactly the cap */
    assert_int_equal(b.buf.len, 2500);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1), TLSRPT_BODY_OVER);
    assert_true(b.over);
    assert_null(b.buf.data); /* nothing kept once over */
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_OVER);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_OVER);
    /* 2500 + 3000 allowed in all; the next chunk passes that */
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_CLOSE);
    tlsrpt_http_body_free(&b);

    /* A declared length just over the cap is drained; far over it is refused outright. */
    tlsrpt_http_body_init(&b, 2500, 3000);
    assert_false(tlsrpt_http_drain_declared(&b, "5501"));
    assert_false(tlsrpt_http_drain_declared(&b, "12x"));
    assert_false(b.over);
    assert_true(tlsrpt_http_drain_declared(&b, "5500"));
    assert_true(b.over);
    assert_int_equal(tlsrpt_http_body_feed(&b, chunk, 1000), TLSRPT_BODY_OVER);
    tlsrpt_http_body_free(&b);
}

static void test_reason_line_and_answers(void **state)
{
    struct tlsrpt_error e;
    tlsrpt_error_set(&e, TLSRPT_E_SCHEMA, "policies[0]", "bad \x01value\n\xff");
    char line[TLSRPT_HTTP_REASON_MAX + 50];
    tlsrpt_http_reason_line(&e, line, sizeof line);
    assert_string_equal(line, "policies[0]: bad ?value??");
    char big[400];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tlsrpt_error_set(&e, TLSRPT_E_JSON, "", "%s", big);
    tlsrpt_http_reason_line(&e, line, sizeof line);
    assert_int_equal(strlen(line), TLSRPT_HTTP_REASON_MAX);

    struct tlsrpt_http_answer a;
    tlsrpt_http_answer_for(TLSRPT_INGEST_IMPORTED, NULL, 60, &a, line, sizeof line);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.reason, "");
    tlsrpt_http_answer_for(TLSRPT_INGEST_DUPLICATE, NULL, 60, &a, line, sizeof line);
    assert_int_equal(a.status, 200);
    tlsrpt_error_set(&e, TLSRPT_E_JSON, "", "unexpected end of input");
    tlsrpt_http_answer_for(TLSRPT_INGEST_REJECTED, &e, 60, &a, line, sizeof line);
    assert_int_equal(a.status, 400);
    assert_string_equal(a.reason, "unexpected end of input");
    tlsrpt_error_set(&e, TLSRPT_E_TOO_LARGE, "", "decompressed size over 20971520 bytes");
    tlsrpt_http_answer_for(TLSRPT_INGEST_REJECTED, &e, 60, &a, line, sizeof line);
    assert_int_equal(a.status, 413);
    tlsrpt_error_set(&e, TLSRPT_E_DB, "", "disk I/O error in /var/lib/secret/path");
    tlsrpt_http_answer_for(TLSRPT_INGEST_FAILED, &e, 30, &a, line, sizeof line);
    assert_int_equal(a.status, 503);
    assert_int_equal(a.retry_after, 30);
    assert_null(strstr(a.reason, "secret")); /* no internal detail leaves the server */
}

static void test_gunzip_caps(void **state)
{
    const char *json = "{\"report-id\":\"x\"}";
    size_t gzlen;
    uint8_t *gz = tu_gzip((const uint8_t *)json, strlen(json), &gzlen);
    struct tlsrpt_buf out;
    struct tlsrpt_error err;
    assert_int_equal(tlsrpt_http_gunzip(gz, gzlen, 1 << 20, 1000, &out, &err), 0);
    assert_int_equal(out.len, strlen(json));
    assert_memory_equal(out.data, json, out.len);
    tlsrpt_buf_free(&out);
    /* truncated and corrupt */
    assert_int_equal(tlsrpt_http_gunzip(gz, gzlen - 5, 1 << 20, 1000, &out, &err),
                     TLSRPT_E_CORRUPT);
    assert_int_equal(
        tlsrpt_http_gunzip((const uint8_t *)json, strlen(json), 1 << 20, 1000, &out, &err),
        TLSRPT_E_CORRUPT);
    free(gz);
    /* a bomb: 8 MiB of zeros, stopped at the output cap and by the ratio */
    size_t n = 8u << 20;
    uint8_t *zeros = calloc(1, n);
    assert_non_null(zeros);
    gz = tu_gzip(zeros, n, &gzlen);
    assert_int_equal(tlsrpt_http_gunzip(gz, gzlen, 1 << 20, 0, &out, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "more than 1048576 bytes"));
    assert_null(out.data);
    assert_int_equal(tlsrpt_http_gunzip(gz, gzlen, 20u << 20, 100, &out, &err), TLSRPT_E_TOO_LARGE);
    assert_int_equal(tlsrpt_http_gunzip(gz, gzlen, 20u << 20, 0, &out, &err), 0);
    assert_int_equal(out.len, n);
    tlsrpt_buf_free(&out);
    free(gz);
    free(zeros);
}

static void test_domain_list(void **state)
{
    struct tlsrpt_domain_list l;
    char why[128];
    assert_int_equal(
        tlsrpt_domain_list_parse("Example.COM., example.org  other.net", &l, why, sizeof why), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0], "example.com");
    assert_true(tlsrpt_domain_list_match(&l, "example.com"));
    assert_true(tlsrpt_domain_list_match(&l, "MAIL.example.com."));
    assert_false(tlsrpt_domain_list_match(&l, "badexample.com"));
    assert_false(tlsrpt_domain_list_match(&l, "example.com.evil.net"));
    assert_false(tlsrpt_domain_list_match(&l, "com"));

    struct tlsrpt_policy pols[2] = {{.policy_domain = "evil.net"},
                                    {.policy_domain = "mx.other.net"}};
    struct tlsrpt_report r = {.policies = pols, .n_policies = 1};
    assert_false(tlsrpt_domain_list_allows(&l, &r));
    r.n_policies = 2;
    assert_true(tlsrpt_domain_list_allows(&l, &r));
    tlsrpt_domain_list_free(&l);
    struct tlsrpt_domain_list empty = {0};
    assert_true(tlsrpt_domain_list_allows(&empty, &r)); /* no list: everything allowed */
    assert_int_equal(tlsrpt_domain_list_parse("ok.com, bad_domain!", &l, why, sizeof why), -1);
    assert_non_null(strstr(why, "bad_domain!"));
    assert_int_equal(tlsrpt_domain_list_parse("a..b", &l, why, sizeof why), -1);
}

static void test_meta_json(void **state)
{
    struct tlsrpt_http_meta m = {.client = "192.0.2.7",
                                 .peer = "127.0.0.1",
                                 .user_agent = "curl/8 \"quoted\" \x01\xc3\xa9",
                                 .tls = "TLS1.3",
                                 .path = "/tlsrpt",
                                 .content_type = "application/tlsrpt+gzip"};
    char *j = tlsrpt_http_meta_json(&m);
    assert_non_null(j);
    assert_string_equal(j, "{\"client\":\"192.0.2.7\",\"content_type\":\"application/tlsrpt+gzip\","
                           "\"path\":\"/tlsrpt\",\"peer\":\"127.0.0.1\",\"tls\":\"TLS1.3\","
                           "\"user_agent\":\"curl/8 \\\"quoted\\\" ???\"}");
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_head_table),   cmocka_unit_test(test_media_classes),
        cmocka_unit_test(test_body_cap_and_drain), cmocka_unit_test(test_reason_line_and_answers),
        cmocka_unit_test(test_gunzip_caps),        cmocka_unit_test(test_domain_list),
        cmocka_unit_test(test_meta_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
