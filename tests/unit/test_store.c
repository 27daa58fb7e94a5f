/* test_store.c - the store: every column of a stored report read back with SQL, deduplication,
 * rejects, the raw-input walk, reprocess (reparse/rereject) and savepoint/transaction behaviour.
 * Reports are built by hand, so these tests do not depend on the parser. */
#include "db.h"
#include "hash.h"
#include "store.h"
#include "store_internal.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include <cmocka.h>

#define T0 1714521600 /* 2024-05-01T00:00:00Z */
#define DAY 86400

struct fixture {
    char dir[4096];
    char path[4200];
    struct tlsrpt_db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct tlsrpt_error err = {0};
    const char *d = tu_tmpdir();
    if (f == NULL || d == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s", d);
    snprintf(f->path, sizeof f->path, "%s/tlsrpt.db", f->dir);
    if (tlsrpt_db_open(f->path, TLSRPT_DB_READWRITE, &f->db, &err) != 0) {
        print_error("open: %s\n", err.message);
        tu_rmtree(f->dir);
        free(f);
        return -1;
    }
    *state = f;
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

/* ---- building reports by hand ---- */

static char *xdup(const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static char **strv(const char *const *v, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++)
        out[i] = xdup(v[i]);
    return out;
}

struct spec {
    const char *org, *contact, *report_id;
    int64_t start, end;
    const char
        *domains[4]; /* NULL-terminated; policy 0 is a full sts policy, the others heartbeats */
    int64_t failed;  /* policy 0's total failures (its details sum to it) */
};

static const struct spec base = {"Example Org",
                                 "mailto:tlsrpt@Example.NET",
                                 "2024-05-01T00:00:00Z_a",
                                 T0,
                                 T0 + DAY,
                                 {"example.com", "example.org", NULL},
                                 3};

static struct tlsrpt_report *build(const struct spec *s)
{
    static const char *const sts_lines[] = {"version: STSv1", "mode: testing",
                                            "mx: mx1.example.com", "mx: *.mx.example.com",
                                            "max_age: 604800"};
    static const char *const hosts[] = {"mx1.example.com", "*.mx.example.com"};
    struct tlsrpt_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->organization_name = xdup(s->org);
    r->contact_info = xdup(s->contact);
    r->report_id = xdup(s->report_id);
    r->start_raw = xdup("2024-05-01T00:00:00Z");
    r->end_raw = xdup("2024-05-01T23:59:59Z");
    r->start_time = s->start;
    r->end_time = s->end;
    r->flags = TLSRPT_F_END_INCLUSIVE | TLSRPT_F_MX_HOST_PREFIX;
    while (s->domains[r->n_policies] != NULL)
        r->n_policies++;
    r->policies = calloc(r->n_policies, sizeof *r->policies);
    assert_non_null(r->policies);
    for (size_t i = 0; i < r->n_policies; i++) {
        struct tlsrpt_policy *p = &r->policies[i];
        p->policy_domain = xdup(s->domains[i]);
        if (i > 0) {
            p->policy_type = xdup("no-policy-found");
            p->sts_max_age = -1;
            p->total_successful = 5;
            continue;
        }
        p->policy_type = xdup("sts");
        p->policy_strings = strv(sts_lines, 5);
        p->n_policy_strings = 5;
        p->mx_hosts = strv(hosts, 2);
        p->n_mx_hosts = 2;
        p->sts_mode = xdup("testing");
        p->sts_max_age = 604800;
        p->mx_patterns = strv(hosts, 2);
        p->n_mx_patterns = 2;
        p->total_successful = 100;
        p->total_failure = s->failed;
        p->n_details = s->failed > 0 ? 2 : 0;
        p->details = calloc(2, sizeof *p->details);
        assert_non_null(p->details);
        p->details[0] = (struct tlsrpt_failure_detail){xdup("certificate-expired"),
                                                       xdup("192.0.2.1"),
                                                       xdup("mx1.example.com"),
                                                       xdup("mx1.example.com ESMTP"),
                                                       xdup("198.51.100.7"),
                                                       s->failed - 1,
                                                       xdup("https://example.net/tls"),
                                                       xdup("X509_V_ERR_CERT_HAS_EXPIRED")};
        p->details[1] = (struct tlsrpt_failure_detail){
            xdup("starttls-not-supported"), NULL, NULL, NULL, NULL, 1, NULL, NULL};
    }
    return r;
}

static const struct tlsrpt_source_info src_file = {"file", "/in/report-1.json",
                                                   "{\"name\":\"report-1.json\"}", T0 + 3600};

/* ---- reading back ---- */

static int64_t q_int(struct tlsrpt_db *db, const char *sql, int64_t param)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0)
        assert_int_equal(sqlite3_bind_int64(st, 1, param), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t count(struct tlsrpt_db *db, const char *table)
{
    static const char *const known[] = {"raw_inputs", "receipts", "reports",
                                        "policies",   "rejects",  "failure_details"};
    char sql[64];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(table, known[i]) == 0) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", known[i]);
            return q_int(db, sql, 0);
        }
    fail_msg("unknown table %s", table);
    return -1;
}

/* Runs sql (one parameter, one row); compares every column as text; want[i] NULL is SQL NULL. */
static void assert_row(struct tlsrpt_db *db, const char *sql, int64_t param,
                       const char *const *want, int ncol)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_column_count(st), ncol);
    assert_int_equal(sqlite3_bind_int64(st, 1, param), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    for (int i = 0; i < ncol; i++) {
        const char *got = (const char *)sqlite3_column_text(st, i);
        if (want[i] == NULL) {
            if (got != NULL)
                print_error("%s: column %s is '%s', want NULL\n", sql, sqlite3_column_name(st, i),
                            got);
            assert_null(got);
        } else {
            if (got == NULL || strcmp(got, want[i]) != 0)
                print_error("%s: column %s is '%s', want '%s'\n", sql, sqlite3_column_name(st, i),
                            got ? got : "NULL", want[i]);
            assert_non_null(got);
            assert_string_equal(got, want[i]);
        }
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static const char *num(char buf[32], int64_t v)
{
    snprintf(buf, 32, "%lld", (long long)v);
    return buf;
}

static int64_t store_ok(struct fixture *f, const char *raw, const struct tlsrpt_report *r,
                        enum tlsrpt_store_outcome want)
{
    enum tlsrpt_store_outcome got = (enum tlsrpt_store_outcome) - 1;
    int64_t id = 0;
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_store_report(f->db, (const uint8_t *)raw, strlen(raw), &src_file, r, &got, &id,
                                 &err);
    if (rc != 0)
        print_error("store: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(got, want);
    assert_true(id > 0);
    return id;
}

static void reject_ok(struct fixture *f, const uint8_t *raw, size_t len,
                      enum tlsrpt_store_outcome want)
{
    struct tlsrpt_error reason = {0}, err = {0};
    enum tlsrpt_store_outcome got = (enum tlsrpt_store_outcome) - 1;
    tlsrpt_error_set(&reason, TLSRPT_E_SCHEMA, "policies[0].summary",
                     "missing total-failure-session-count");
    int rc = tlsrpt_store_reject(f->db, raw, len, &src_file, &reason, &got, &err);
    if (rc != 0)
        print_error("reject: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(got, want);
}

static const char raw_a[] = "{\"report-id\":\"2024-05-01T00:00:00Z_a\",\"n\":1}";
static const char raw_b[] = "{\"report-id\": \"2024-05-01T00:00:00Z_a\", \"n\": 1}";

/* ---- tests ---- */

static void test_outcome_names(void **state)
{
    (void)state;
    assert_string_equal(tlsrpt_store_outcome_name(TLSRPT_STORE_IMPORTED), "imported");
    assert_string_equal(tlsrpt_store_outcome_name(TLSRPT_STORE_DUPLICATE), "duplicate");
    assert_string_equal(tlsrpt_store_outcome_name(TLSRPT_STORE_REJECTED), "rejected");
}

/* The documented byte layout, rebuilt independently: domains sorted and de-duplicated. */
static void test_dedupe_key_layout(void **state)
{
    (void)state;
    struct spec s = base;
    s.domains[0] = "b.example";
    s.domains[1] = "a.example";
    s.domains[2] = "b.example";
    struct tlsrpt_report *r = build(&s);
    static const char text[] = "example.net\0"
                               "2024-05-01T00:00:00Z_a\0"
                               "1714521600\0"
                               "1714608000\0"
                               "a.example\0"
                               "b.example";
    char want[65], got[65];
    assert_int_equal(tlsrpt_sha256_hex(text, sizeof text, want), 0); /* sizeof: the final NUL */
    assert_int_equal(tlsrpt_store_dedupe_key(r, got), 0);
    assert_string_equal(got, want);
    tlsrpt_report_free(r);
}

/* JSON arrays of policy strings, twice each: the second answer comes from the handle's cache and
 * must be the same; lists that differ only in how the bytes split must not meet in the cache. */
static void test_json_list_cache(void **state)
{
    struct fixture *f = *state;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    static const struct {
        const char *v[3];
        size_t n;
        const char *want;
    } cases[] = {
        {{NULL}, 0, "[]"},
        {{"ab"}, 1, "[\"ab\"]"},
        {{"a", "b"}, 2, "[\"a\",\"b\"]"},
        {{"b", "a"}, 2, "[\"b\",\"a\"]"},
        {{"", ""}, 2, "[\"\",\"\"]"},
        {{""}, 1, "[\"\"]"},
        {{"mode: \"x\"\\", "\xc3\xa9t\xc3\xa9"},
         2,
         "[\"mode: \\\"x\\\"\\\\\",\"\xc3\xa9t\xc3\xa9\"]"},
    };
    struct tlsrpt_store_stmts *cache = tlsrpt_store_stmts_get(f->db, NULL);
    assert_non_null(cache);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *got = tlsrpt_json_list(cache, (char *const *)cases[i].v, cases[i].n);
            assert_non_null(got);
            assert_string_equal(got, cases[i].want);
            free(got);
        }
    /* Too long to remember: still encoded right, twice. */
    char *v[] = {big};
    for (int round = 0; round < 2; round++) {
        char *got = tlsrpt_json_list(cache, v, 1);
        assert_non_null(got);
        assert_int_equal(strlen(got), sizeof big - 1 + 4);
        free(got);
    }
    char *bad[] = {"mx\xff.example"};
    assert_null(tlsrpt_json_list(cache, bad, 1));
}

static void test_store_and_read_back(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    char b[12][32], key[65], sha[65];
    int64_t before = (int64_t)time(NULL);
    int64_t id = store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    int64_t after = (int64_t)time(NULL);

    int64_t raw_id = q_int(f->db, "SELECT id FROM raw_inputs", 0);
    int64_t receipt_id = q_int(f->db, "SELECT id FROM receipts", 0);
    assert_int_equal(tlsrpt_sha256_hex(raw_a, strlen(raw_a), sha), 0);
    const char *raw_row[] = {sha, num(b[0], (int64_t)strlen(raw_a)), "deflate", "json",
                             num(b[1], src_file.received_at)};
    assert_row(f->db,
               "SELECT sha256, size, encoding, format, first_seen FROM raw_inputs WHERE id = ?",
               raw_id, raw_row, 5);

    /* The blob is zlib's deflate of the bytes: check with zlib itself. */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "SELECT data FROM raw_inputs", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char out[256];
    uLongf out_len = sizeof out;
    assert_int_equal(uncompress((Bytef *)out, &out_len, sqlite3_column_blob(st, 0),
                                (uLong)sqlite3_column_bytes(st, 0)),
                     Z_OK);
    sqlite3_finalize(st);
    assert_int_equal(out_len, strlen(raw_a));
    assert_memory_equal(out, raw_a, out_len);

    const char *receipt_row[] = {num(b[2], raw_id),
                                 "file",
                                 "/in/report-1.json",
                                 "{\"name\":\"report-1.json\"}",
                                 num(b[3], src_file.received_at),
                                 "imported"};
    assert_row(f->db,
               "SELECT raw_id, kind, reference, meta, received_at, outcome FROM receipts"
               " WHERE id = ?",
               receipt_id, receipt_row, 6);

    assert_int_equal(tlsrpt_store_dedupe_key(r, key), 0);
    const char *report_row[] = {num(b[4], raw_id),
                                num(b[5], receipt_id),
                                key,
                                "example.net",
                                "Example Org",
                                "mailto:tlsrpt@Example.NET",
                                "2024-05-01T00:00:00Z_a",
                                num(b[6], T0),
                                num(b[7], T0 + DAY),
                                "2024-05-01T00:00:00Z",
                                "2024-05-01T23:59:59Z",
                                num(b[8], TLSRPT_F_END_INCLUSIVE | TLSRPT_F_MX_HOST_PREFIX),
                                "0"};
    assert_row(f->db,
               "SELECT raw_id, receipt_id, dedupe_key, reporter, organization_name, contact_info,"
               " report_id, start_time, end_time, start_raw, end_raw, flags, duplicates"
               " FROM reports WHERE id = ?",
               id, report_row, 13);
    int64_t imported_at = q_int(f->db, "SELECT imported_at FROM reports WHERE id = ?", id);
    assert_true(imported_at >= before && imported_at <= after);

    const char *policy0[] = {num(b[9], id),
                             "0",
                             "sts",
                             "example.com",
                             "[\"version: STSv1\",\"mode: testing\",\"mx: mx1.example.com\","
                             "\"mx: *.mx.example.com\",\"max_age: 604800\"]",
                             "[\"mx1.example.com\",\"*.mx.example.com\"]",
                             "testing",
                             "604800",
                             "[\"mx1.example.com\",\"*.mx.example.com\"]",
                             "100",
                             "3",
                             num(b[10], T0),
                             "example.net",
                             "Example Org"};
    const char *policy1[] = {num(b[11], id),
                             "1",
                             "no-policy-found",
                             "example.org",
                             "[]",
                             "[]",
                             NULL,
                             NULL,
                             "[]",
                             "5",
                             "0",
                             b[10],
                             "example.net",
                             "Example Org"};
    const char *policy_sql = "SELECT report, idx, policy_type, policy_domain, policy_strings,"
                             " mx_hosts, sts_mode, sts_max_age, mx_patterns, successful, failed,"
                             " start_time, reporter, organization_name FROM policies WHERE idx = ?";
    assert_int_equal(count(f->db, "policies"), 2);
    assert_row(f->db, policy_sql, 0, policy0, 14);
    assert_row(f->db, policy_sql, 1, policy1, 14);

    int64_t p0 = q_int(f->db, "SELECT id FROM policies WHERE idx = ?", 0);
    const char *detail0[] = {"0",
                             "certificate-expired",
                             "192.0.2.1",
                             "mx1.example.com",
                             "mx1.example.com ESMTP",
                             "198.51.100.7",
                             "2",
                             "https://example.net/tls",
                             "X509_V_ERR_CERT_HAS_EXPIRED"};
    const char *detail1[] = {"1", "starttls-not-supported", NULL, NULL, NULL, NULL, "1", NULL,
                             NULL};
    const char *detail_sql = "SELECT idx, result_type, sending_mta_ip, receiving_mx_hostname,"
                             " receiving_mx_helo, receiving_ip, failed_session_count,"
                             " additional_information, failure_reason_code FROM failure_details"
                             " WHERE policy = ?1 ORDER BY idx LIMIT 1 OFFSET ";
    char sql[512];
    snprintf(sql, sizeof sql, "%s0", detail_sql);
    assert_row(f->db, sql, p0, detail0, 9);
    snprintf(sql, sizeof sql, "%s1", detail_sql);
    assert_row(f->db, sql, p0, detail1, 9);
    assert_int_equal(count(f->db, "failure_details"), 2);
    assert_int_equal(count(f->db, "rejects"), 0);
    tlsrpt_report_free(r);
}

/* Stores base from raw_a, then a variant; checks the outcome and that duplicates change nothing but
 * the counter (and a receipt, and a raw input when the bytes differ). */
static void test_dedupe_table(void **state)
{
    struct fixture *f = *state;
    struct variant {
        const char *name;
        struct spec s;
        const char *raw;
        enum tlsrpt_store_outcome want;
    } cases[] = {
        {"same report, same bytes", base, raw_a, TLSRPT_STORE_DUPLICATE},
        {"same report, other bytes", base, raw_b, TLSRPT_STORE_DUPLICATE},
        {"domains reordered", base, raw_b, TLSRPT_STORE_DUPLICATE},
        {"contact case differs", base, raw_b, TLSRPT_STORE_DUPLICATE},
        {"other report-id", base, raw_b, TLSRPT_STORE_IMPORTED},
        {"other date range", base, raw_b, TLSRPT_STORE_IMPORTED},
        {"other reporter", base, raw_b, TLSRPT_STORE_IMPORTED},
        {"one more domain", base, raw_b, TLSRPT_STORE_IMPORTED},
        {"other counts (a resend is the first word)", base, raw_b, TLSRPT_STORE_DUPLICATE},
    };
    cases[2].s.domains[0] = "example.org";
    cases[2].s.domains[1] = "example.com";
    cases[3].s.contact = "mailto:TLSRPT@EXAMPLE.net";
    cases[4].s.report_id = "2024-05-01T00:00:00Z_b";
    cases[5].s.start = T0 + DAY;
    cases[5].s.end = T0 + 2 * DAY;
    cases[6].s.contact = "mailto:tlsrpt@other.example";
    cases[7].s.domains[2] = "example.net";
    cases[8].s.failed = 7;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct variant *c = &cases[i];
        print_message("case: %s\n", c->name);
        assert_int_equal(tlsrpt_db_exec(f->db,
                                        "DELETE FROM reports; DELETE FROM receipts;"
                                        " DELETE FROM raw_inputs",
                                        NULL),
                         0);
        struct tlsrpt_report *r0 = build(&base), *r1 = build(&c->s);
        int64_t id0 = store_ok(f, raw_a, r0, TLSRPT_STORE_IMPORTED);
        int64_t policies = count(f->db, "policies"), details = count(f->db, "failure_details");
        int64_t id1 = store_ok(f, c->raw, r1, c->want);
        int same_bytes = c->raw == raw_a;
        assert_int_equal(count(f->db, "receipts"), 2);
        assert_int_equal(count(f->db, "raw_inputs"), same_bytes ? 1 : 2);
        if (c->want == TLSRPT_STORE_DUPLICATE) {
            assert_int_equal(id1, id0);
            assert_int_equal(count(f->db, "reports"), 1);
            assert_int_equal(count(f->db, "policies"), policies);
            assert_int_equal(count(f->db, "failure_details"), details);
            assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports WHERE id = ?", id0), 1);
            assert_int_equal(
                q_int(f->db, "SELECT count(*) FROM receipts WHERE outcome = 'duplicate'", 0), 1);
        } else {
            assert_true(id1 != id0);
            assert_int_equal(count(f->db, "reports"), 2);
            assert_int_equal(q_int(f->db, "SELECT sum(duplicates) FROM reports", 0), 0);
            assert_int_equal(
                q_int(f->db, "SELECT count(*) FROM receipts WHERE outcome = 'imported'", 0), 2);
        }
        tlsrpt_report_free(r0);
        tlsrpt_report_free(r1);
    }
}

struct walk {
    size_t n;
    int64_t ids[8];
    uint8_t *data[8];
    size_t len[8];
    char *meta[8];
    int64_t report_id[8];
    int open_reject[8];
};

static int collect(void *ctx, int64_t raw_id, const uint8_t *raw, size_t len, const char *meta,
                   int64_t report_id, int open_reject)
{
    struct walk *w = ctx;
    if (w->n == 8)
        return 42;
    w->ids[w->n] = raw_id;
    w->data[w->n] = malloc(len + 1);
    assert_non_null(w->data[w->n]);
    if (len > 0)
        memcpy(w->data[w->n], raw, len);
    w->len[w->n] = len;
    w->meta[w->n] = xdup(meta);
    w->report_id[w->n] = report_id;
    w->open_reject[w->n] = open_reject;
    w->n++;
    return 0;
}

static void walk_free(struct walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->data[i]);
        free(w->meta[i]);
    }
}

static void test_reject_stored_and_recoverable(void **state)
{
    struct fixture *f = *state;
    size_t gz_len = 0;
    uint8_t *gz = tu_gzip((const uint8_t *)raw_a, strlen(raw_a), &gz_len);
    assert_non_null(gz);

    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    reject_ok(f, gz, gz_len, TLSRPT_STORE_REJECTED);
    assert_int_equal(count(f->db, "rejects"), 2);
    assert_int_equal(count(f->db, "reports"), 0);

    int64_t raw1 = q_int(f->db, "SELECT id FROM raw_inputs WHERE format = 'json'", 0);
    int64_t raw2 = q_int(f->db, "SELECT id FROM raw_inputs WHERE format = 'gzip'", 0);
    assert_int_equal(q_int(f->db, "SELECT encoding = 'deflate' FROM raw_inputs WHERE id = ?", raw1),
                     1);
    assert_int_equal(
        q_int(f->db, "SELECT encoding = 'identity' FROM raw_inputs WHERE id = ?", raw2), 1);
    char b[4][32];
    const char *reject_row[] = {
        num(b[0], q_int(f->db, "SELECT id FROM receipts WHERE raw_id = ?", raw1)),
        num(b[1], src_file.received_at),
        "1",
        "schema",
        "policies[0].summary",
        "missing total-failure-session-count",
        NULL,
        NULL};
    assert_row(f->db,
               "SELECT receipt_id, rejected_at, attempts, code, path, reason, resolved_report,"
               " resolved_at FROM rejects WHERE raw_id = ?",
               raw1, reject_row, 8);
    assert_int_equal(q_int(f->db, "SELECT count(*) FROM receipts WHERE outcome = 'rejected'", 0),
                     2);

    struct walk w = {0};
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_store_each_raw(f->db, collect, &w, &err), 0);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.ids[0], raw1);
    assert_int_equal(w.len[0], strlen(raw_a));
    assert_memory_equal(w.data[0], raw_a, w.len[0]);
    assert_int_equal(w.ids[1], raw2);
    assert_int_equal(w.len[1], gz_len);
    assert_memory_equal(w.data[1], gz, gz_len);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(w.meta[i], src_file.meta_json);
        assert_int_equal(w.report_id[i], 0);
        assert_int_equal(w.open_reject[i], 1);
    }
    walk_free(&w);
    free(gz);
}

static void test_reject_twice_counts_attempts(void **state)
{
    struct fixture *f = *state;
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    assert_int_equal(count(f->db, "rejects"), 1);
    assert_int_equal(count(f->db, "raw_inputs"), 1);
    assert_int_equal(count(f->db, "receipts"), 2);
    assert_int_equal(q_int(f->db, "SELECT attempts FROM rejects", 0), 2);
}

static void test_reject_empty_input(void **state)
{
    struct fixture *f = *state;
    reject_ok(f, NULL, 0, TLSRPT_STORE_REJECTED);
    struct walk w = {0};
    assert_int_equal(tlsrpt_store_each_raw(f->db, collect, &w, NULL), 0);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.len[0], 0);
    walk_free(&w);
}

static void test_reject_after_report_is_duplicate(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    int64_t id = store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(count(f->db, "rejects"), 0);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports WHERE id = ?", id), 1);
    assert_int_equal(count(f->db, "receipts"), 2);
    tlsrpt_report_free(r);
}

/* The same bytes, rejected by an older parser, now parse on arrival: the reject is resolved and its
 * arrivals count. */
static void test_report_resolves_open_reject(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    int64_t id = store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    assert_int_equal(q_int(f->db, "SELECT resolved_report FROM rejects", 0), id);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports WHERE id = ?", id), 1);

    /* Other bytes, rejected once, now parse to that same report: both arrivals are duplicates. */
    reject_ok(f, (const uint8_t *)raw_b, strlen(raw_b), TLSRPT_STORE_REJECTED);
    assert_int_equal(store_ok(f, raw_b, r, TLSRPT_STORE_DUPLICATE), id);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports WHERE id = ?", id), 3);
    assert_int_equal(q_int(f->db, "SELECT count(*) FROM rejects WHERE resolved_report = ?", id), 2);
    assert_int_equal(count(f->db, "reports"), 1);
    tlsrpt_report_free(r);
}

static int stop_at_second(void *ctx, int64_t raw_id, const uint8_t *raw, size_t len,
                          const char *meta, int64_t report_id, int open_reject)
{
    int *seen = ctx;
    return ++*seen == 2 ? 17 : 0;
}

/* More inputs than one page; the callback writes (its own transaction) while the walk goes on. */
static int rereject_each(void *ctx, int64_t raw_id, const uint8_t *raw, size_t len,
                         const char *meta, int64_t report_id, int open_reject)
{
    struct fixture *f = ctx;
    struct tlsrpt_error reason = {0}, err = {0};
    tlsrpt_error_set(&reason, TLSRPT_E_JSON, "", "still bad: %.*s", (int)len, (const char *)raw);
    if (tlsrpt_db_begin(f->db, &err) != 0 || tlsrpt_store_rereject(f->db, raw_id, &reason, &err) ||
        tlsrpt_db_commit(f->db, &err) != 0) {
        print_error("callback: %s\n", err.message);
        return 1;
    }
    return 0;
}

static void test_each_raw_pages_and_callback_writes(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    const int n = 600;
    assert_int_equal(tlsrpt_db_begin(f->db, &err), 0);
    for (int i = 0; i < n; i++) {
        char raw[64];
        snprintf(raw, sizeof raw, "not json %d", i);
        reject_ok(f, (const uint8_t *)raw, strlen(raw), TLSRPT_STORE_REJECTED);
    }
    assert_int_equal(tlsrpt_db_commit(f->db, &err), 0);

    int rc = tlsrpt_store_each_raw(f->db, rereject_each, f, &err);
    if (rc != 0)
        print_error("each_raw: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_int_equal(q_int(f->db, "SELECT count(*) FROM rejects WHERE code = 'json'", 0), n);
    assert_int_equal(
        q_int(f->db, "SELECT count(*) FROM rejects WHERE reason = 'still bad: not json 599'", 0),
        1);
    assert_int_equal(q_int(f->db, "SELECT sum(attempts) FROM rejects", 0), n);

    int seen = 0;
    assert_int_equal(tlsrpt_store_each_raw(f->db, stop_at_second, &seen, &err), 17);
    assert_int_equal(seen, 2);
}

static void test_each_raw_corrupt_blob(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    static const struct {
        const char *sql;
    } damage[] = {
        {"UPDATE raw_inputs SET data = x'0001020304'"}, /* not a zlib stream */
        {"UPDATE raw_inputs SET size = size + 1"},      /* inflates short */
        {"UPDATE raw_inputs SET size = size - 1"},      /* inflates long */
        {"UPDATE raw_inputs SET size = 1099511627776"}, /* absurd: must not be allocated */
        {"UPDATE raw_inputs SET encoding = 'identity', size = 3"},
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        assert_int_equal(tlsrpt_db_exec(f->db,
                                        "DELETE FROM rejects; DELETE FROM receipts;"
                                        " DELETE FROM raw_inputs",
                                        &err),
                         0);
        reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
        assert_int_equal(tlsrpt_db_exec(f->db, damage[i].sql, &err), 0);
        struct walk w = {0};
        memset(&err, 0, sizeof err);
        assert_int_equal(tlsrpt_store_each_raw(f->db, collect, &w, &err), TLSRPT_E_DB);
        assert_int_equal(w.n, 0);
        assert_non_null(strstr(err.message, "corrupt"));
        assert_non_null(strstr(err.message, f->path));
    }
}

static enum tlsrpt_store_outcome reparse_ok(struct fixture *f, int64_t raw_id, int64_t report_id,
                                            const struct tlsrpt_report *r)
{
    enum tlsrpt_store_outcome got = (enum tlsrpt_store_outcome) - 1;
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_store_reparse(f->db, raw_id, report_id, r, &got, &err);
    if (rc != 0)
        print_error("reparse: %s\n", err.message);
    assert_int_equal(rc, 0);
    return got;
}

static void test_reparse_resolves_reject(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    reject_ok(f, (const uint8_t *)raw_a, strlen(raw_a), TLSRPT_STORE_REJECTED);
    int64_t raw_id = q_int(f->db, "SELECT id FROM raw_inputs", 0);

    assert_int_equal(reparse_ok(f, raw_id, 0, r), TLSRPT_STORE_IMPORTED);
    int64_t id = q_int(f->db, "SELECT id FROM reports", 0);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(q_int(f->db, "SELECT resolved_report FROM rejects", 0), id);
    assert_true(q_int(f->db, "SELECT resolved_at FROM rejects", 0) > 0);
    /* Two arrivals: the first is the report's, the second a resend. */
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 1);
    assert_int_equal(
        q_int(f->db, "SELECT receipt_id = (SELECT min(id) FROM receipts) FROM reports", 0), 1);
    assert_int_equal(count(f->db, "receipts"), 2); /* reprocess adds no arrival */

    struct walk w = {0};
    assert_int_equal(tlsrpt_store_each_raw(f->db, collect, &w, NULL), 0);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.report_id[0], id);
    assert_int_equal(w.open_reject[0], 0);
    walk_free(&w);

    /* Twice: idempotent, rows and counters stable. */
    int64_t pol = count(f->db, "policies"), det = count(f->db, "failure_details");
    assert_int_equal(reparse_ok(f, raw_id, id, r), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(reparse_ok(f, raw_id, id, r), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(count(f->db, "policies"), pol);
    assert_int_equal(count(f->db, "failure_details"), det);
    assert_int_equal(count(f->db, "rejects"), 1);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 1);
    tlsrpt_report_free(r);
}

/* A new parse of a stored report replaces its policies and details and updates its columns. */
static void test_reparse_replaces_rows(void **state)
{
    struct fixture *f = *state;
    struct spec s = base;
    s.domains[1] = NULL;
    struct tlsrpt_report *old = build(&base), *neu = build(&s);
    neu->flags = TLSRPT_F_KEY_ALIAS;
    int64_t id = store_ok(f, raw_a, old, TLSRPT_STORE_IMPORTED);
    int64_t raw_id = q_int(f->db, "SELECT raw_id FROM reports", 0);
    assert_int_equal(count(f->db, "policies"), 2);

    assert_int_equal(reparse_ok(f, raw_id, id, neu), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(count(f->db, "policies"), 1);
    assert_int_equal(count(f->db, "failure_details"), 2);
    assert_int_equal(q_int(f->db, "SELECT flags FROM reports WHERE id = ?", id),
                     TLSRPT_F_KEY_ALIAS);
    char key[65];
    assert_int_equal(tlsrpt_store_dedupe_key(neu, key), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db->h, "SELECT dedupe_key FROM reports", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), key);
    sqlite3_finalize(st);

    /* A wrong report id is refused and changes nothing. */
    enum tlsrpt_store_outcome got;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_store_reparse(f->db, raw_id, id + 1, old, &got, &err), TLSRPT_E_DB);
    assert_int_equal(count(f->db, "policies"), 1);
    assert_int_equal(tlsrpt_store_reparse(f->db, raw_id + 10, 0, old, &got, &err), TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "not found"));
    tlsrpt_report_free(old);
    tlsrpt_report_free(neu);
}

/* A reject whose bytes now parse to a report another input already made: a duplicate of it. */
static void test_reparse_reject_into_existing(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    int64_t id = store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    reject_ok(f, (const uint8_t *)raw_b, strlen(raw_b), TLSRPT_STORE_REJECTED);
    int64_t raw2 = q_int(f->db, "SELECT raw_id FROM rejects", 0);

    assert_int_equal(reparse_ok(f, raw2, 0, r), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(q_int(f->db, "SELECT resolved_report FROM rejects", 0), id);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 1);
    /* Again: nothing counted twice. */
    assert_int_equal(reparse_ok(f, raw2, 0, r), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 1);
    /* And the same bytes arriving again are a duplicate of that report, not a reject. */
    reject_ok(f, (const uint8_t *)raw_b, strlen(raw_b), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 2);
    tlsrpt_report_free(r);
}

/* Two reports whose new parse gives one dedupe key become one. */
static void test_reparse_merges(void **state)
{
    struct fixture *f = *state;
    struct spec s = base;
    s.report_id = "other-id";
    struct tlsrpt_report *ra = build(&base), *rb = build(&s);
    int64_t ida = store_ok(f, raw_a, ra, TLSRPT_STORE_IMPORTED);
    int64_t idb = store_ok(f, raw_b, rb, TLSRPT_STORE_IMPORTED);
    store_ok(f, raw_b, rb, TLSRPT_STORE_DUPLICATE); /* b has one duplicate */
    int64_t raw2 = q_int(f->db, "SELECT raw_id FROM reports WHERE id = ?", idb);

    assert_int_equal(reparse_ok(f, raw2, idb, ra), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(q_int(f->db, "SELECT id FROM reports", 0), ida);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 2);
    assert_int_equal(count(f->db, "policies"), 2);
    assert_int_equal(count(f->db, "failure_details"), 2);
    /* Idempotent: b's bytes no longer own a report. */
    assert_int_equal(reparse_ok(f, raw2, 0, ra), TLSRPT_STORE_DUPLICATE);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 2);
    tlsrpt_report_free(ra);
    tlsrpt_report_free(rb);
}

static void test_rereject(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error reason = {0}, err = {0};
    struct tlsrpt_report *r = build(&base);
    tlsrpt_error_set(&reason, TLSRPT_E_TOO_LARGE, "", "policies: more than 1000");

    /* An open reject: new reason, attempts kept, path cleared. */
    reject_ok(f, (const uint8_t *)"garbage", 7, TLSRPT_STORE_REJECTED);
    int64_t raw1 = q_int(f->db, "SELECT raw_id FROM rejects", 0);
    assert_int_equal(tlsrpt_store_rereject(f->db, raw1, &reason, &err), 0);
    const char *row[] = {"1", "too-large", NULL, "policies: more than 1000"};
    assert_row(f->db, "SELECT attempts, code, path, reason FROM rejects WHERE raw_id = ?", raw1,
               row, 4);

    /* A raw that made a report keeps it and gets no reject. */
    store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    int64_t raw2 = q_int(f->db, "SELECT raw_id FROM reports", 0);
    assert_int_equal(tlsrpt_store_rereject(f->db, raw2, &reason, &err), 0);
    assert_int_equal(count(f->db, "rejects"), 1);
    assert_int_equal(count(f->db, "reports"), 1);

    /* A raw that arrived twice as a duplicate and made nothing: a reject with both arrivals. */
    store_ok(f, raw_b, r, TLSRPT_STORE_DUPLICATE);
    store_ok(f, raw_b, r, TLSRPT_STORE_DUPLICATE);
    int64_t raw3 = q_int(f->db, "SELECT max(id) FROM raw_inputs", 0);
    assert_int_equal(tlsrpt_store_rereject(f->db, raw3, &reason, &err), 0);
    assert_int_equal(q_int(f->db, "SELECT attempts FROM rejects WHERE raw_id = ?", raw3), 2);
    assert_int_equal(tlsrpt_store_rereject(f->db, raw3, &reason, &err), 0);
    assert_int_equal(count(f->db, "rejects"), 2);

    assert_int_equal(tlsrpt_store_rereject(f->db, 9999, &reason, &err), TLSRPT_E_DB);
    tlsrpt_report_free(r);
}

static void test_rollback_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct tlsrpt_report *r = build(&base);
    static const char *const tables[] = {"raw_inputs", "receipts", "reports",
                                         "policies",   "rejects",  "failure_details"};
    assert_int_equal(tlsrpt_db_begin(f->db, &err), 0);
    store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    reject_ok(f, (const uint8_t *)"garbage", 7, TLSRPT_STORE_REJECTED);
    assert_int_equal(count(f->db, "reports"), 1);
    tlsrpt_db_rollback(f->db);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_int_equal(count(f->db, tables[i]), 0);
    tlsrpt_report_free(r);
}

/* Input-caused failures are found before the first write: the batch around them is untouched. */
static void test_bad_input_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct tlsrpt_report *r = build(&base), *bad_utf8 = build(&base);
    struct tlsrpt_source_info bad_kind = src_file;
    bad_kind.kind = "carrier-pigeon";
    free(bad_utf8->policies[0].mx_hosts[1]);
    bad_utf8->policies[0].mx_hosts[1] = xdup("mx\xff.example.com");
    enum tlsrpt_store_outcome got;

    assert_int_equal(tlsrpt_db_begin(f->db, &err), 0);
    store_ok(f, raw_a, r, TLSRPT_STORE_IMPORTED);
    assert_int_equal(tlsrpt_store_report(f->db, (const uint8_t *)raw_b, strlen(raw_b), &bad_kind, r,
                                         &got, NULL, &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "carrier-pigeon"));
    struct tlsrpt_error reason = {0};
    tlsrpt_error_set(&reason, TLSRPT_E_JSON, "", "not JSON");
    assert_int_equal(tlsrpt_store_reject(f->db, (const uint8_t *)raw_b, strlen(raw_b), &bad_kind,
                                         &reason, &got, &err),
                     TLSRPT_E_DB);
    assert_int_equal(tlsrpt_store_report(f->db, (const uint8_t *)raw_b, strlen(raw_b), &src_file,
                                         bad_utf8, &got, NULL, &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "policies[0]"));
    assert_int_equal(tlsrpt_db_commit(f->db, &err), 0);
    assert_int_equal(count(f->db, "raw_inputs"), 1);
    assert_int_equal(count(f->db, "receipts"), 1);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(count(f->db, "rejects"), 0);
    assert_int_equal(q_int(f->db, "SELECT duplicates FROM reports", 0), 0);
    tlsrpt_report_free(r);
    tlsrpt_report_free(bad_utf8);
}

/* A database failure half-way (injected with a trigger on policies) leaves rows behind; the
 * caller's savepoint takes them away and the rest of the batch commits. */
static void test_db_failure_caller_savepoint(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct spec s = base;
    s.report_id = "second";
    struct tlsrpt_report *r1 = build(&base), *r2 = build(&s);
    enum tlsrpt_store_outcome got;

    assert_int_equal(tlsrpt_db_begin(f->db, &err), 0);
    store_ok(f, raw_a, r1, TLSRPT_STORE_IMPORTED);
    assert_int_equal(tlsrpt_db_exec(f->db,
                                    "CREATE TEMP TRIGGER fail_policy BEFORE INSERT ON policies"
                                    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                                    &err),
                     0);
    assert_int_equal(tlsrpt_db_savepoint(f->db, &err), 0);
    assert_int_equal(tlsrpt_store_report(f->db, (const uint8_t *)raw_b, strlen(raw_b), &src_file,
                                         r2, &got, NULL, &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "injected failure"));
    assert_non_null(strstr(err.message, f->path));
    assert_int_equal(count(f->db, "reports"),
                     2); /* half-written: the report row without policies */
    tlsrpt_db_rollback_to(f->db);
    assert_int_equal(tlsrpt_db_exec(f->db, "DROP TRIGGER fail_policy", &err), 0);
    assert_int_equal(tlsrpt_db_commit(f->db, &err), 0);
    assert_int_equal(count(f->db, "raw_inputs"), 1);
    assert_int_equal(count(f->db, "receipts"), 1);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(count(f->db, "policies"), 2);

    /* The savepoint helpers also work as an outer transaction of their own. */
    assert_int_equal(tlsrpt_db_savepoint(f->db, &err), 0);
    store_ok(f, raw_b, r2, TLSRPT_STORE_IMPORTED);
    assert_int_equal(tlsrpt_db_release(f->db, &err), 0);
    assert_int_equal(count(f->db, "reports"), 2);
    tlsrpt_report_free(r1);
    tlsrpt_report_free(r2);
}

static void test_readonly_handle_refused(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_db *ro = NULL;
    struct tlsrpt_error err = {0};
    struct tlsrpt_report *r = build(&base);
    enum tlsrpt_store_outcome got;
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &ro, &err), 0);
    assert_int_equal(tlsrpt_store_report(ro, (const uint8_t *)raw_a, strlen(raw_a), &src_file, r,
                                         &got, NULL, &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "read-only"));
    tlsrpt_db_close(ro);
    assert_int_equal(count(f->db, "raw_inputs"), 0);
    tlsrpt_report_free(r);
}

/* The prep made off the writer's thread (tlsrpt_store_prep_make) writes exactly what the store
 * would derive itself: same raw sha256, same dedupe key, same JSON texts. Mixing the two paths on
 * the same bytes and report must therefore dedupe. */
static void test_prepped_equals_direct(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_report *r = build(&base);
    struct tlsrpt_store_prep prep;
    struct tlsrpt_error err = {0};
    char key[65], sha[65];
    assert_int_equal(tlsrpt_store_prep_make((const uint8_t *)raw_a, strlen(raw_a), r, &prep, &err),
                     0);
    assert_int_equal(tlsrpt_store_dedupe_key(r, key), 0);
    assert_string_equal(prep.key, key);
    assert_int_equal(tlsrpt_sha256_hex(raw_a, strlen(raw_a), sha), 0);
    assert_string_equal(prep.sha256, sha);
    assert_int_equal(prep.n_json, 3 * r->n_policies);

    enum tlsrpt_store_outcome got;
    int64_t id = 0;
    assert_int_equal(tlsrpt_store_report_prepped(f->db, (const uint8_t *)raw_a, strlen(raw_a),
                                                 &src_file, r, &prep, &got, &id, &err),
                     0);
    assert_int_equal(got, TLSRPT_STORE_IMPORTED);
    assert_int_equal(q_int(f->db,
                           "SELECT count(*) FROM raw_inputs WHERE sha256 = "
                           "(SELECT sha256 FROM raw_inputs WHERE id = ?)",
                           q_int(f->db, "SELECT raw_id FROM reports WHERE id = ?", id)),
                     1);
    /* The same bytes through the direct path: one raw input, one report, one duplicate. */
    assert_int_equal(store_ok(f, raw_a, r, TLSRPT_STORE_DUPLICATE), id);
    /* Other bytes, same report, direct then prepped: deduped on the key. */
    assert_int_equal(store_ok(f, raw_b, r, TLSRPT_STORE_DUPLICATE), id);
    assert_int_equal(count(f->db, "raw_inputs"), 2);
    assert_int_equal(count(f->db, "reports"), 1);
    assert_int_equal(count(f->db, "policies"), (int64_t)r->n_policies);
    tlsrpt_store_prep_free(&prep);

    /* A reject's prep (no report): its bytes are stored under the same sha256 as directly. */
    static const uint8_t bad[] = "{not json";
    struct tlsrpt_error reason = {0};
    tlsrpt_error_set(&reason, TLSRPT_E_JSON, "", "not JSON");
    assert_int_equal(tlsrpt_store_prep_make(bad, sizeof bad - 1, NULL, &prep, &err), 0);
    assert_null(prep.reporter);
    assert_int_equal(tlsrpt_store_reject_prepped(f->db, bad, sizeof bad - 1, &src_file, &reason,
                                                 &prep, &got, &err),
                     0);
    assert_int_equal(got, TLSRPT_STORE_REJECTED);
    reject_ok(f, bad, sizeof bad - 1, TLSRPT_STORE_REJECTED);
    assert_int_equal(count(f->db, "rejects"), 1);
    assert_int_equal(q_int(f->db, "SELECT attempts FROM rejects WHERE id = ?", 1), 2);
    tlsrpt_store_prep_free(&prep);
    tlsrpt_report_free(r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcome_names),
        cmocka_unit_test(test_dedupe_key_layout),
        T(test_json_list_cache),
        T(test_store_and_read_back),
        T(test_dedupe_table),
        T(test_reject_stored_and_recoverable),
        T(test_reject_twice_counts_attempts),
        T(test_reject_empty_input),
        T(test_reject_after_report_is_duplicate),
        T(test_report_resolves_open_reject),
        T(test_each_raw_pages_and_callback_writes),
        T(test_each_raw_corrupt_blob),
        T(test_reparse_resolves_reject),
        T(test_reparse_replaces_rows),
        T(test_reparse_reject_into_existing),
        T(test_reparse_merges),
        T(test_rereject),
        T(test_rollback_leaves_nothing),
        T(test_bad_input_writes_nothing),
        T(test_db_failure_caller_savepoint),
        T(test_readonly_handle_refused),
        T(test_prepped_equals_direct),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
