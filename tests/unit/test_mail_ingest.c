/* test_mail_ingest.c - one message in, one outcome out, only after the commit: the contract import
 * and maildir rely on. Real ingest, real database, the project's fixtures. */
#include "store_env.h"
#include "testutil.h"

#include "db.h"
#include "ingest.h"
#include "mail_ingest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    int calls;
    struct tlsrpt_mail_result res;
};

static void on_done(void *ctx, const struct tlsrpt_mail_result *res)
{
    struct seen *s = ctx;
    s->calls++;
    s->res = *res;
}

static int setup(void **state)
{
    *state = tu_store_env_open(0);
    return 0;
}

static uint8_t *fixture(const char *name, size_t *len)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/tests/fixtures/mail/%s.eml", tu_source_dir(), name);
    uint8_t *d = tu_read_file(p, len);
    assert_non_null(d);
    return d;
}

static struct seen ingest_fixture(struct tu_store_env *e, const char *name)
{
    size_t len;
    uint8_t *msg = fixture(name, &len);
    struct seen s = {0};
    assert_int_equal(tlsrpt_mail_ingest(e->ing, msg, len, name, NULL, on_done, &s), 0);
    free(msg);
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);
    assert_int_equal(s.calls, 1);
    return s;
}

/* The outcome arrives only with the commit, never before. */
static void test_done_after_commit(void **state)
{
    struct tu_store_env *e = *state;
    size_t len;
    uint8_t *msg = fixture("two-reports", &len);
    struct seen s = {0};
    assert_int_equal(tlsrpt_mail_ingest(e->ing, msg, len, "two", NULL, on_done, &s), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_IMPORTED);
    assert_int_equal(s.res.imported, 2);
    free(msg);
}

static void test_duplicate(void **state)
{
    struct tu_store_env *e = *state;
    struct seen s = ingest_fixture(e, "google-lf");
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_IMPORTED);
    /* The same report forwarded by someone: a duplicate, whatever the envelope. */
    s = ingest_fixture(e, "google-lf");
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_DUPLICATE);
    assert_int_equal(s.res.duplicates, 1);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 1);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts"), 2);
}

static void test_skipped_at_once(void **state)
{
    struct tu_store_env *e = *state;
    size_t len;
    uint8_t *msg = fixture("cron", &len);
    struct seen s = {0};
    assert_int_equal(tlsrpt_mail_ingest(e->ing, msg, len, "cron", NULL, on_done, &s), 0);
    assert_int_equal(s.calls, 1); /* nothing to commit: told before the call returns */
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_SKIPPED);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts"), 0);
    free(msg);
}

/* One good part and one bad: the message is rejected, the good report is still stored. */
static void test_partly_rejected(void **state)
{
    struct tu_store_env *e = *state;
    const char *m = "Subject: two\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
                    "--q\nContent-Type: application/json\n\n"
                    "{\"organization-name\":\"o\",\"contact-info\":\"a@b.example\","
                    "\"report-id\":\"partly-1\",\"date-range\":{\"start-datetime\":"
                    "\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
                    "\"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\","
                    "\"policy-domain\":\"example.org\"},\"summary\":{"
                    "\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}\n"
                    "--q\nContent-Type: application/json; name=\"bad.json\"\n\n{\"report-id\": 5\n"
                    "--q--\n";
    struct seen s = {0};
    assert_int_equal(
        tlsrpt_mail_ingest(e->ing, (const uint8_t *)m, strlen(m), "partly", NULL, on_done, &s), 0);
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_REJECTED);
    assert_int_equal(s.res.imported, 1);
    assert_int_equal(s.res.rejected, 1);
    assert_non_null(strstr(s.res.reason.message, "part 2 (bad.json)"));
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 1);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM rejects"), 1);
}

/* A message over a cap is kept whole as a reject, with the cap named in the result and meta. */
static void test_whole_message_rejected(void **state)
{
    struct tu_store_env *e = *state;
    size_t len;
    uint8_t *msg = fixture("two-reports", &len);
    struct tlsrpt_mail_limits lim;
    tlsrpt_mail_limits_default(&lim);
    lim.max_reports = 1;
    struct seen s = {0};
    assert_int_equal(tlsrpt_mail_ingest(e->ing, msg, len, "capped", &lim, on_done, &s), 0);
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_REJECTED);
    assert_non_null(strstr(s.res.reason.message, "max_reports"));
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM raw_inputs WHERE size = %zu", len);
    assert_int_equal(tu_count(e->db, sql), 1);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts WHERE json_extract(meta, "
                                     "'$.mail_error.code') = 'too-large'"),
                     1);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 0);
    free(msg);
}

/* The database is locked by another writer: the message fails and says so; nothing is half-stored.
 */
static void test_failed_when_locked(void **state)
{
    struct tu_store_env *e = *state;
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(e->db_path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(e->db->h, 50);
    size_t len;
    uint8_t *msg = fixture("two-reports", &len);
    struct seen s = {0};
    int rc = tlsrpt_mail_ingest(e->ing, msg, len, "locked", NULL, on_done, &s);
    if (rc == 0)
        rc = tlsrpt_ingest_flush(e->ing);
    assert_int_equal(rc, TLSRPT_E_DB);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.res.outcome, TLSRPT_MAIL_FAILED);
    assert_int_equal(s.res.failed, 2); /* the first failed, the second was never submitted */
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts"), 0);
    free(msg);
}

/* The envelope and the header/JSON comparison land in the receipt's meta JSON. */
static void test_meta_recorded(void **state)
{
    struct tu_store_env *e = *state;
    ingest_fixture(e, "forwarded");
    assert_int_equal(tu_count(e->db,
                              "SELECT count(*) FROM receipts WHERE kind = 'mail' AND reference = "
                              "'forwarded' AND json_extract(meta, '$.message_id') = "
                              "'fx-forwarded-inner@fixtures.tlsrpt.test' AND json_extract(meta, "
                              "'$.forwarded_in') = 'fx-forwarded@fixtures.tlsrpt.test' AND "
                              "json_extract(meta, '$.dkim[0].d') = 'google.com' AND "
                              "json_extract(meta, '$.part.section') = '2.2' AND "
                              "json_type(meta, '$.header_mismatch') = 'array'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_done_after_commit, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_skipped_at_once, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_partly_rejected, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_whole_message_rejected, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_failed_when_locked, setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_meta_recorded, setup, tu_store_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
