/* test_mail_meta.c - where mail headers disagree with the report JSON (RFC 8460 §5.6), on the
 * public corpus (SOURCES.md says which email is edited) and on synthetic rows; and the meta JSON
 * itself. */
#include "testutil.h"

#include "decode.h"
#include "mail_meta.h"
#include "mime_extract.h"
#include "report_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tlsrpt_report *parse_part(const struct tlsrpt_mail_part *p, const char *hint)
{
    struct tlsrpt_buf json;
    tlsrpt_buf_init(&json, 1u << 20);
    struct tlsrpt_error err = {0};
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_parse_hints hints = {.report_domain = hint};
    if (tlsrpt_decode(p->data, p->len, NULL, &json, NULL, &err) != 0 ||
        tlsrpt_report_parse((const char *)json.data, json.len, NULL, &hints, &r, &err) != 0)
        fail_msg("part does not parse: %s", err.message);
    tlsrpt_buf_free(&json);
    return r;
}

static unsigned bits(const char *const *names)
{
    unsigned b = 0;
    for (; *names; names++) {
        unsigned i;
        for (i = 0; tlsrpt_mail_mismatch_name(i); i++)
            if (strcmp(tlsrpt_mail_mismatch_name(i), *names) == 0)
                break;
        assert_non_null(tlsrpt_mail_mismatch_name(i));
        b |= 1u << i;
    }
    return b;
}

/* Mismatches of one .eml of the corpus. */
static unsigned corpus_mismatch(const char *corpus, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", corpus, rel);
    size_t len;
    uint8_t *msg = tu_read_file(p, &len);
    assert_non_null(msg);
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, NULL), 0);
    assert_int_equal(x.n_parts, 1);
    const struct tlsrpt_mail_envelope *env = &x.envelopes[0];
    struct tlsrpt_report *r = parse_part(&x.parts[0], env->report_domain);
    unsigned mm = tlsrpt_mail_mismatch(env, x.parts[0].filename, r);
    tlsrpt_report_free(r);
    tlsrpt_mail_extract_free(&x);
    free(msg);
    return mm;
}

static void test_corpus_mismatch(void **state)
{
    (void)state;
    const char *corpus = tu_corpus_dir();
    if (corpus == NULL) {
        print_message("SKIP: public corpus not found ($TLSRPT_SHARED_DIR/corpus/public)\n");
        skip();
    }
    static const char *const none[] = {NULL};
    static const char *const subject_id[] = {"subject-report-id", NULL};
    static const char *const edited[] = {"subject-report-id", "filename-range", NULL};
    static const char *const rfc[] = {"report-domain",   "submitter",      "subject-report-id",
                                      "filename-domain", "filename-range", NULL};
    static const struct {
        const char *file;
        const char *const *want;
    } rows[] = {
        /* Google: the Subject Report-ID never equals the JSON one (quirks.md §2.5). */
        {"tlsrpt-rs/google1.eml", subject_id},
        /* Microsoft: same ids; Mail.ru: submitter mail.ru vs contact corp.mail.ru is related. */
        {"tlsrpt-rs/microsoft1.eml", none},
        {"tlsrpt-rs/mail.ru.eml", none},
        /* SOURCES.md: the attachment was replaced, JSON of 2026-02-08 in a file named for 05-12. */
        {"tlsrpt-digest/tlsrpt_failure.eml", edited},
        /* The RFC 8460 example mail wraps the Appendix B report of another domain and sender. */
        {"tlsrpt-be/test.eml", rfc},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        unsigned got = corpus_mismatch(corpus, rows[i].file);
        if (got != bits(rows[i].want))
            fail_msg("%s: mismatch bits %#x, want %#x", rows[i].file, got, bits(rows[i].want));
    }
}

static struct tlsrpt_report *report_of(const char *json)
{
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err = {0};
    if (tlsrpt_report_parse(json, strlen(json), NULL, NULL, &r, &err) != 0)
        fail_msg("%s", err.message);
    return r;
}

static void test_synthetic_rows(void **state)
{
    (void)state;
    struct tlsrpt_report *r = report_of(
        "{\"organization-name\":\"S\",\"contact-info\":\"tls@mx.sender.example\","
        "\"report-id\":\"id-1\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
        "\"end-datetime\":\"2024-01-02T00:00:00Z\"},\"policies\":[{\"policy\":{"
        "\"policy-type\":\"no-policy-found\",\"policy-domain\":\"Example.ORG\"},\"summary\":{"
        "\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}");
    struct tlsrpt_mail_envelope env;
    memset(&env, 0, sizeof env);
    static const struct {
        const char *domain, *submitter, *subject, *filename;
        unsigned want;
    } rows[] = {
        {NULL, NULL, NULL, NULL, 0}, /* nothing stated: nothing to disagree with */
        {"example.org.", "sender.example", "Report-ID: <id-1>",
         "sender.example!example.org!1704067200!1704153600!1.json.gz", 0},
        {"EXAMPLE.org", "mx.sender.example", "Report-ID: id-1", NULL, 0},
        {"example.net", NULL, NULL, NULL, TLSRPT_MM_REPORT_DOMAIN},
        {NULL, "other.example", NULL, NULL, TLSRPT_MM_SUBMITTER},
        {NULL, "ender.example", NULL, NULL, TLSRPT_MM_SUBMITTER}, /* a suffix, not at a label */
        {NULL, "example", NULL, NULL, TLSRPT_MM_SUBMITTER}, /* a bare TLD relates to nothing */
        {NULL, NULL, "Report Domain: example.org Report-ID: <id-2@x>", NULL,
         TLSRPT_MM_SUBJECT_REPORT_ID},
        {NULL, NULL, NULL, "s!example.net!1704067200!1704153599.json", TLSRPT_MM_FILENAME_DOMAIN},
        {NULL, NULL, NULL, "s!example.org!1704067200!1704153599!7.json.gz", 0}, /* inclusive end */
        {NULL, NULL, NULL, "s!example.org!1704067201!1704153600.json", TLSRPT_MM_FILENAME_RANGE},
        {NULL, NULL, NULL, "report.json.gz", 0}, /* not an RFC 8460 name: nothing to compare */
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        env.report_domain = (char *)rows[i].domain;
        env.report_submitter = (char *)rows[i].submitter;
        env.subject = (char *)rows[i].subject;
        unsigned got = tlsrpt_mail_mismatch(&env, rows[i].filename, r);
        if (got != rows[i].want)
            fail_msg("row %zu: got %#x, want %#x", i, got, rows[i].want);
    }
    tlsrpt_report_free(r);
}

/* The meta JSON: valid JSON even from raw 8-bit headers, and a message-level error recorded. */
static void test_meta_json(void **state)
{
    (void)state;
    const char *m = "From: \xff\xfe broken <a@b.example>\nSubject: caf\xe9\nMessage-ID: <m1@x>\n"
                    "TLS-Report-Domain: example.org\n"
                    "Content-Type: application/tlsrpt+json\n\n{}\n";
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract((const uint8_t *)m, strlen(m), NULL, &x, NULL), 0);
    assert_int_equal(x.n_parts, 1);
    char *text = tlsrpt_mail_meta_json(&x, &x.parts[0], NULL, NULL);
    assert_non_null(text);
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "message_id")), "m1@x");
    assert_string_equal(json_string_value(json_object_get(j, "tls_report_domain")), "example.org");
    assert_true(json_is_string(json_object_get(j, "subject")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "part"), "picked_by")),
                        "type");
    assert_null(json_object_get(j, "header_mismatch")); /* no parsed report given */
    json_decref(j);
    free(text);

    struct tlsrpt_error why;
    tlsrpt_error_set(&why, TLSRPT_E_TOO_LARGE, "", "more than 3 MIME parts (max_parts)");
    text = tlsrpt_mail_meta_json(&x, NULL, NULL, &why);
    j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_null(json_object_get(j, "part"));
    json_t *e = json_object_get(j, "mail_error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "too-large");
    json_decref(j);
    free(text);
    tlsrpt_mail_extract_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_mismatch),
        cmocka_unit_test(test_synthetic_rows),
        cmocka_unit_test(test_meta_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
