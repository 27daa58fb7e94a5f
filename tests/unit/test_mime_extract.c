/* test_mime_extract.c - the MIME extractor against the project's fixtures (tests/fixtures/mail, one
 * per quirk of quirks.md §2; made by make-fixtures.py), hostile messages built here, and the public
 * corpus. Every extracted part is decoded with the real decoder and must hold the report-id the
 * fixture put in. */
#include "testutil.h"

#include "decode.h"
#include "mime_envelope.h"
#include "mime_extract.h"
#include "report_parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct want_part {
    const char *report_id;
    enum tlsrpt_mail_pick pick;
    const char *section;
    const char *content_type;
    const char *filename; /* NULL: none expected */
    size_t envelope;
};

struct fixture_case {
    const char *file;
    size_t n_parts;
    struct want_part parts[2];
    unsigned warnings; /* bits that must be set */
};

#define GZ_NAME "google.com!example.org!1726358400!1726444799!001.json.gz"
#define MS_NAME "microsoft.com!example.org!1726358400!1726444799!133708152202987951.json.gz"

static const struct fixture_case cases[] = {
    {"google-lf",
     1,
     {{"fx-google-lf", TLSRPT_PICK_TYPE, "2", "application/tlsrpt+gzip", GZ_NAME, 0}},
     0},
    {"google-crlf",
     1,
     {{"fx-google-crlf", TLSRPT_PICK_TYPE, "2", "application/tlsrpt+gzip", GZ_NAME, 0}},
     0},
    {"microsoft-html",
     1,
     {{"fx-microsoft-html", TLSRPT_PICK_TYPE, "2", "application/tlsrpt+gzip", MS_NAME, 0}},
     0},
    {"description-name",
     1,
     {{"fx-description-name", TLSRPT_PICK_NAME, "2", "text/plain",
       "example.org!1726358400!1726444799.json", 0}},
     0},
    {"rfc2231-continuation",
     1,
     {{"fx-rfc2231-continuation", TLSRPT_PICK_NAME, "2", "application/octet-stream", GZ_NAME, 0}},
     0},
    {"rfc2231-charset",
     1,
     {{"fx-rfc2231-charset", TLSRPT_PICK_NAME, "1", "application/x-fixture",
       "\xc3\xbc"
       "ber!example.org.json.gz",
       0}},
     0},
    {"rfc2047-name",
     1,
     {{"fx-rfc2047-name", TLSRPT_PICK_NAME, "1", "application/octet-stream",
       "rapport-\xc3\xa9t\xc3\xa9.json", 0}},
     0},
    {"sniff-gzip",
     1,
     {{"fx-sniff-gzip", TLSRPT_PICK_SNIFF, "2", "application/x-fixture-data", NULL, 0}},
     0},
    {"json-7bit",
     1,
     {{"fx-json-7bit", TLSRPT_PICK_TYPE, "2", "application/tlsrpt",
       "mx.sender.example!example.org!1730332800!1730419200.json", 0}},
     0},
    {"json-qp", 1, {{"fx-json-qp", TLSRPT_PICK_TYPE, "1", "application/tlsrpt+json", NULL, 0}}, 0},
    {"json-8bit", 1, {{"fx-json-8bit", TLSRPT_PICK_TYPE, "1", "application/json", NULL, 0}}, 0},
    {"uuencode",
     1,
     {{"fx-uuencode", TLSRPT_PICK_TYPE, "1", "application/gzip", "report.json.gz", 0}},
     0},
    {"zip",
     1,
     {{"fx-zip", TLSRPT_PICK_TYPE, "1", "application/zip", "example.org.json.zip", 0}},
     0},
    {"body-gzip",
     1,
     {{"fx-body-gzip", TLSRPT_PICK_TYPE, "1", "application/tlsrpt+gzip", NULL, 0}},
     0},
    {"body-json-text", 1, {{"fx-body-json-text", TLSRPT_PICK_BODY, "1", "text/plain", NULL, 0}}, 0},
    {"forwarded",
     1,
     {{"fx-forwarded", TLSRPT_PICK_TYPE, "2.2", "application/tlsrpt+gzip", GZ_NAME, 1}},
     0},
    {"no-final-boundary",
     1,
     {{"fx-no-final-boundary", TLSRPT_PICK_TYPE, "2", "application/tlsrpt+gzip",
       "sender.example!example.org!1674604800!1674691200!001.json.gz", 0}},
     TLSRPT_MAIL_W_TRUNCATED},
    {"preamble-epilogue",
     1,
     {{"fx-preamble-epilogue", TLSRPT_PICK_TYPE, "1", "application/tlsrpt+gzip", "r.json.gz", 0}},
     0},
    {"nested",
     1,
     {{"fx-nested", TLSRPT_PICK_TYPE, "2", "application/x-gzip", "example.org.json.gz", 0}},
     0},
    {"two-reports",
     2,
     {{"fx-two-reports-1", TLSRPT_PICK_TYPE, "1", "application/gzip", NULL, 0},
      {"fx-two-reports-2", TLSRPT_PICK_TYPE, "2", "application/tlsrpt+json", NULL, 0}},
     0},
    {"cron", 0, {{0}}, 0},
    {"bounce", 0, {{0}}, 0},
    {"person", 0, {{0}}, 0},
};

static uint8_t *read_fixture(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/mail/%s.eml", tu_source_dir(), name);
    uint8_t *data = tu_read_file(path, len);
    if (data == NULL)
        fail_msg("cannot read fixture %s", path);
    return data;
}

/* Decodes a part with the real decoder and returns its parsed JSON (caller decrefs). */
static json_t *part_json(const struct tlsrpt_mail_part *p)
{
    struct tlsrpt_buf out;
    struct tlsrpt_error err = {0};
    tlsrpt_buf_init(&out, 1u << 20);
    int rc = tlsrpt_decode(p->data, p->len, NULL, &out, NULL, &err);
    if (rc != 0)
        fail_msg("part %s does not decode: %s", p->section, err.message);
    json_error_t jerr;
    json_t *j = json_loadb((const char *)out.data, out.len, 0, &jerr);
    tlsrpt_buf_free(&out);
    if (j == NULL)
        fail_msg("part %s is not JSON: %s", p->section, jerr.text);
    return j;
}

static void check_part(const struct tlsrpt_mail_part *got, const struct want_part *want)
{
    json_t *j = part_json(got);
    assert_string_equal(json_string_value(json_object_get(j, "report-id")), want->report_id);
    json_decref(j);
    assert_int_equal(got->pick, want->pick);
    assert_string_equal(got->section, want->section);
    assert_string_equal(got->content_type, want->content_type);
    if (want->filename)
        assert_string_equal(got->filename, want->filename);
    else
        assert_null(got->filename);
    assert_int_equal(got->envelope, want->envelope);
    assert_non_null(got->transfer_encoding);
}

static void test_fixture(void **state)
{
    const struct fixture_case *c = *state;
    size_t len;
    uint8_t *msg = read_fixture(c->file, &len);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, &err), 0);
    assert_int_equal(x.n_parts, c->n_parts);
    for (size_t i = 0; i < c->n_parts; i++)
        check_part(&x.parts[i], &c->parts[i]);
    assert_int_equal(x.warnings & c->warnings, c->warnings);
    assert_true(x.n_envelopes >= 1);
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

static void test_envelope_google(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = read_fixture("google-lf", &len);
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, NULL), 0);
    const struct tlsrpt_mail_envelope *e = &x.envelopes[0];
    assert_string_equal(e->message_id, "fx-google-lf@fixtures.tlsrpt.test");
    assert_string_equal(e->date, "Mon, 16 Sep 2024 04:17:13 -0700");
    assert_int_equal(e->date_unix, 1726485433); /* 11:17:13Z */
    assert_string_equal(e->from, "noreply-smtp-tls-reporting@google.com");
    assert_string_equal(e->report_domain, "example.org");
    assert_string_equal(e->report_submitter, "google.com");
    assert_non_null(strstr(e->subject, "Report-ID: <2024.09.15T00.00.00Z+example.org@google.com>"));
    assert_int_equal(e->n_dkim, 1);
    assert_string_equal(e->dkim[0].d, "google.com");
    assert_string_equal(e->dkim[0].s, "20230601");
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

/* Microsoft folds the Subject inside the Report-ID and the DKIM tags over lines. */
static void test_envelope_microsoft_folded(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = read_fixture("microsoft-html", &len);
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, NULL), 0);
    const struct tlsrpt_mail_envelope *e = &x.envelopes[0];
    assert_null(strchr(e->subject, '\n'));
    assert_non_null(strstr(e->subject, "133708152202987951+example.org"));
    assert_string_equal(e->from, "tlsrpt-noreply@microsoft.com");
    assert_string_equal(e->dkim[0].d, "microsoft.com");
    assert_string_equal(e->dkim[0].s, "selector2");
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

static void test_envelope_forwarded(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = read_fixture("forwarded", &len);
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, NULL), 0);
    assert_int_equal(x.n_envelopes, 2);
    assert_string_equal(x.envelopes[0].message_id, "fx-forwarded@fixtures.tlsrpt.test");
    assert_null(x.envelopes[0].report_domain);
    assert_int_equal(x.envelopes[0].n_dkim, 0);
    assert_string_equal(x.envelopes[1].message_id, "fx-forwarded-inner@fixtures.tlsrpt.test");
    assert_string_equal(x.envelopes[1].report_domain, "example.org");
    assert_string_equal(x.envelopes[1].dkim[0].d, "google.com");
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

static void test_dkim_tag(void **state)
{
    (void)state;
    static const struct {
        const char *value, *tag, *want;
    } rows[] = {
        {"v=1; d=example.com; s=sel", "d", "example.com"},
        {"v=1;\r\n\td = exa\r\n mple.com ;s=sel", "d", "example.com"},
        {"v=1; dd=wrong; d=right", "d", "right"},
        {"v=1; bh=abc=; s=x", "s", "x"},
        {"v=1; s=", "s", NULL},
        {"v=1; a=rsa-sha256", "d", NULL},
        {"", "d", NULL},
        {";;;==;", "d", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char *got = tlsrpt_dkim_tag(rows[i].value, rows[i].tag);
        if (rows[i].want)
            assert_string_equal(got, rows[i].want);
        else
            assert_null(got);
        free(got);
    }
}

/* Builds a message whose report sits under `depth` nested multiparts. */
static char *nested_message(size_t depth)
{
    size_t cap = 512 + depth * 160;
    char *s = malloc(cap);
    size_t n = (size_t)snprintf(s, cap, "From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)snprintf(s + n, cap - n,
                              "Content-Type: multipart/mixed; boundary=\"b%zu\"\n\n--b%zu\n", i, i);
    n += (size_t)snprintf(s + n, cap - n, "Content-Type: application/tlsrpt+json\n\n{}\n");
    for (size_t i = depth; i-- > 0;)
        n += (size_t)snprintf(s + n, cap - n, "--b%zu--\n", i);
    return s;
}

static void test_cap_depth(void **state)
{
    (void)state;
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    char *ok = nested_message(lim.max_depth - 1);
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)ok, strlen(ok), &lim, &x, &err), 0);
    assert_int_equal(x.n_parts, 1);
    tlsrpt_mail_extract_free(&x);
    char *deep = nested_message(40);
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)deep, strlen(deep), &lim, &x, &err),
                     TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_depth"));
    tlsrpt_mail_extract_free(&x);
    free(ok);
    free(deep);
}

static void test_cap_parts_and_reports(void **state)
{
    (void)state;
    size_t n_parts = 40;
    size_t cap = 256 + n_parts * 80;
    char *s = malloc(cap);
    size_t n =
        (size_t)snprintf(s, cap, "Subject: many\nContent-Type: multipart/mixed; boundary=x\n\n");
    for (size_t i = 0; i < n_parts; i++)
        n += (size_t)snprintf(s + n, cap - n, "--x\nContent-Type: application/json\n\n{}\n");
    n += (size_t)snprintf(s + n, cap - n, "--x--\n");
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)s, n, &lim, &x, &err), 0);
    assert_int_equal(x.n_parts, n_parts);
    tlsrpt_mail_extract_free(&x);

    lim.max_parts = 10;
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)s, n, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_parts"));
    tlsrpt_mail_extract_free(&x);

    tlsrpt_mail_limits_default(&lim);
    lim.max_reports = 5;
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)s, n, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_reports"));
    tlsrpt_mail_extract_free(&x);
    free(s);
}

/* The delimiter pre-scan refuses a message of a million empty parts before GMime builds anything
 * (it would take over a gigabyte), while a message whose text has many "--" lines (signature
 * separators) but few parts still goes through. */
static void test_cap_parts_prescan(void **state)
{
    (void)state;
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    const char *head = "Subject: many\nContent-Type: multipart/mixed; boundary=B\n\n";
    size_t n_parts = 1000000, cap = strlen(head) + n_parts * 5 + 16;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, cap, "%s", head);
    for (size_t i = 0; i < n_parts; i++) {
        memcpy(s + n, "--B\n\n", 5);
        n += 5;
    }
    n += (size_t)snprintf(s + n, cap - n, "--B--\n");
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)s, n, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "before MIME parsing"));
    assert_non_null(strstr(err.message, "(max_parts)"));
    tlsrpt_mail_extract_free(&x);
    free(s);

    /* Two parts, one of them a text with 1,000 "-- " lines: not refused by the pre-scan. */
    cap = 4096 + 1000 * 8;
    s = malloc(cap);
    assert_non_null(s);
    n = (size_t)snprintf(s, cap, "%s--B\nContent-Type: text/plain\n\n", head);
    for (size_t i = 0; i < 1000; i++)
        n += (size_t)snprintf(s + n, cap - n, "-- \nsig\n");
    n += (size_t)snprintf(s + n, cap - n, "--B\nContent-Type: application/json\n\n{}\n--B--\n");
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)s, n, &lim, &x, &err), 0);
    assert_int_equal(x.n_parts, 1);
    tlsrpt_mail_extract_free(&x);
    free(s);
}

static void test_cap_headers(void **state)
{
    (void)state;
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    lim.max_header = 1000;
    lim.max_headers = 50;
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};

    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof big, "Subject: ");
    memset(big + n, 'a', 2000);
    n += 2000;
    n += (size_t)snprintf(big + n, sizeof big - n, "\nContent-Type: application/json\n\n{}\n");
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)big, n, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_header"));
    tlsrpt_mail_extract_free(&x);

    char many[8192];
    n = 0;
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "X-H%d: v\n", i);
    n += (size_t)snprintf(many + n, sizeof many - n, "Content-Type: application/json\n\n{}\n");
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)many, n, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_headers"));
    tlsrpt_mail_extract_free(&x);

    /* The same message passes with the default caps. */
    assert_int_equal(tlsrpt_mail_extract((uint8_t *)many, n, NULL, &x, &err), 0);
    assert_int_equal(x.n_parts, 1);
    tlsrpt_mail_extract_free(&x);
}

static void test_cap_message_size(void **state)
{
    (void)state;
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    size_t len;
    uint8_t *msg = read_fixture("google-lf", &len);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    lim.max_message = len - 1;
    assert_int_equal(tlsrpt_mail_extract(msg, len, &lim, &x, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "max_message"));
    tlsrpt_mail_extract_free(&x);
    lim.max_message = len;
    assert_int_equal(tlsrpt_mail_extract(msg, len, &lim, &x, &err), 0);
    assert_int_equal(x.n_parts, 1);
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

/* Garbage and empty input are "no report", never a crash or an error. */
static void test_garbage(void **state)
{
    (void)state;
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_mail_extract((const uint8_t *)"", 0, NULL, &x, &err), 0);
    assert_int_equal(x.n_parts, 0);
    tlsrpt_mail_extract_free(&x);
    uint8_t noise[4096];
    uint32_t v = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        v = v * 1103515245u + 12345u;
        noise[i] = (uint8_t)(v >> 16);
    }
    noise[0] = 'A'; /* not a gzip/zip/JSON magic at the start of a body */
    assert_int_equal(tlsrpt_mail_extract(noise, sizeof noise, NULL, &x, &err), 0);
    assert_int_equal(x.n_parts, 0);
    tlsrpt_mail_extract_free(&x);
}

/* A report part that is broken is still handed out: the ingest rejects it and keeps the bytes. */
static void test_broken_report_part_kept(void **state)
{
    (void)state;
    const char *m =
        "Subject: r\nTLS-Report-Domain: example.org\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=tlsrpt; boundary=z\n\n"
        "--z\nContent-Type: text/plain\n\nhi\n"
        "--z\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n"
        "H4sIAAAAAAAAA+not+really+gzip\n--z--\n";
    struct tlsrpt_mail_extract x;
    assert_int_equal(tlsrpt_mail_extract((const uint8_t *)m, strlen(m), NULL, &x, NULL), 0);
    assert_int_equal(x.n_parts, 1);
    assert_int_equal(tlsrpt_sniff(x.parts[0].data, x.parts[0].len), TLSRPT_FMT_GZIP);
    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 1 << 20);
    assert_int_not_equal(tlsrpt_decode(x.parts[0].data, x.parts[0].len, NULL, &out, NULL, NULL), 0);
    tlsrpt_buf_free(&out);
    tlsrpt_mail_extract_free(&x);
}

/* SOURCES.md: these .json files are the payloads of these .eml files. */
static const struct {
    const char *eml, *json;
} corpus_payloads[] = {
    {"mail-auth/rpt01.eml", "mail-auth/rpt01.json"},
    {"mail-auth/rpt02.eml", "mail-auth/rpt02.json"},
    {"tlsrpt-rs/mail.ru.eml", "tlsrpt-rs/mail.ru.json"},
    {"mail-tls-rpt/email.eml", "mail-tls-rpt/report.json"},
};

static const char *payload_of(const char *rel)
{
    for (size_t i = 0; i < sizeof corpus_payloads / sizeof *corpus_payloads; i++)
        if (strcmp(corpus_payloads[i].eml, rel) == 0)
            return corpus_payloads[i].json;
    return NULL;
}

static void check_corpus_file(const char *corpus, const char *rel, size_t *n_reports)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    size_t len;
    uint8_t *msg = tu_read_file(path, &len);
    assert_non_null(msg);
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_mail_extract(msg, len, NULL, &x, &err), 0);
    if (strcmp(rel, "tlsrpt-rs/empty.eml") == 0) { /* SOURCES.md: a cron mail, must be skipped */
        assert_int_equal(x.n_parts, 0);
    } else {
        if (x.n_parts != 1)
            fail_msg("%s: %zu report parts, want 1", rel, x.n_parts);
        json_t *j = part_json(&x.parts[0]);
        assert_true(json_is_string(json_object_get(j, "report-id")));
        assert_true(json_array_size(json_object_get(j, "policies")) > 0);
        /* ... and the real parser takes it, as the ingest will. */
        char *text = json_dumps(j, JSON_COMPACT);
        struct tlsrpt_report *r = NULL;
        struct tlsrpt_parse_hints hints = {.report_domain = x.envelopes[0].report_domain};
        if (tlsrpt_report_parse(text, strlen(text), NULL, &hints, &r, &err) != 0)
            fail_msg("%s: the report does not parse: %s", rel, err.message);
        assert_true(r->n_policies > 0);
        tlsrpt_report_free(r);
        free(text);
        assert_non_null(x.envelopes[0].report_domain); /* every real mail in the corpus has it */
        const char *pj = payload_of(rel);
        if (pj) {
            char jp[4096];
            snprintf(jp, sizeof jp, "%s/%s", corpus, pj);
            json_t *want = json_load_file(jp, 0, NULL);
            assert_non_null(want);
            if (!json_equal(j, want))
                fail_msg("%s: payload differs from %s", rel, pj);
            json_decref(want);
        }
        json_decref(j);
        (*n_reports)++;
    }
    tlsrpt_mail_extract_free(&x);
    free(msg);
}

static void test_corpus(void **state)
{
    (void)state;
    const char *corpus = tu_corpus_dir();
    if (corpus == NULL) {
        print_message("SKIP: public corpus not found ($TLSRPT_SHARED_DIR/corpus/public)\n");
        skip();
    }
    size_t n_eml = 0, n_reports = 0;
    DIR *top = opendir(corpus);
    assert_non_null(top);
    struct dirent *d;
    while ((d = readdir(top)) != NULL) {
        if (d->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", corpus, d->d_name);
        DIR *dir = opendir(sub);
        if (dir == NULL)
            continue;
        struct dirent *f;
        while ((f = readdir(dir)) != NULL) {
            size_t l = strlen(f->d_name);
            if (l < 5 || strcmp(f->d_name + l - 4, ".eml") != 0)
                continue;
            char rel[1024];
            snprintf(rel, sizeof rel, "%s/%s", d->d_name, f->d_name);
            check_corpus_file(corpus, rel, &n_reports);
            n_eml++;
        }
        closedir(dir);
    }
    closedir(top);
    print_message("corpus: %zu .eml files, %zu reports\n", n_eml, n_reports);
    assert_true(n_eml > 0);
    assert_int_equal(n_reports, n_eml - 1); /* all but the cron mail */
}

int main(void)
{
    enum { N_FIXTURES = sizeof cases / sizeof *cases };
    static const struct CMUnitTest more[] = {
        cmocka_unit_test(test_envelope_google),
        cmocka_unit_test(test_envelope_microsoft_folded),
        cmocka_unit_test(test_envelope_forwarded),
        cmocka_unit_test(test_dkim_tag),
        cmocka_unit_test(test_cap_depth),
        cmocka_unit_test(test_cap_parts_and_reports),
        cmocka_unit_test(test_cap_parts_prescan),
        cmocka_unit_test(test_cap_headers),
        cmocka_unit_test(test_cap_message_size),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_broken_report_part_kept),
        cmocka_unit_test(test_corpus),
    };
    struct CMUnitTest tests[N_FIXTURES + sizeof more / sizeof *more];
    size_t n = 0;
    for (size_t i = 0; i < N_FIXTURES; i++) {
        tests[n] = (struct CMUnitTest){
            .name = cases[i].file, .test_func = test_fixture, .initial_state = (void *)&cases[i]};
        n++;
    }
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        tests[n++] = more[i];
    return _cmocka_run_group_tests("mime_extract", tests, n, NULL, NULL);
}
