/* test_ingest_batch.c - what a failure inside a batch takes with it. Inputs have no savepoint of
 * their own: a failure before an input's first row fails that input alone; a failure after one of
 * its rows was written abandons the whole batch (nothing of it acknowledged, nothing of it kept).
 * Real ingest, real database; the mid-input failure comes from a TEMP trigger on this connection.
 */
#include "store_env.h"
#include "testutil.h"

#include "db.h"
#include "ingest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    int calls;
    struct tlsrpt_ingest_result res;
};

static void on_done(void *ctx, const struct tlsrpt_ingest_result *res)
{
    struct seen *s = ctx;
    s->calls++;
    s->res = *res;
}

static int setup(void **state)
{
    *state = tu_store_env_open(100); /* every batch here ends by an explicit flush */
    return 0;
}

/* A minimal valid report for one policy domain; report_id makes it distinct. */
static int report_json(char *buf, size_t cap, const char *domain, int report_id)
{
    return snprintf(buf, cap,
                    "{\"organization-name\":\"Test Org\",\"date-range\":{\"start-datetime\":"
                    "\"2026-11-01T00:00:00Z\",\"end-datetime\":\"2026-11-01T23:59:59Z\"},"
                    "\"contact-info\":\"tlsrpt@test.example\",\"report-id\":\"batch-%d\","
                    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"%s\"},"
                    "\"summary\":{\"total-successful-session-count\":10,"
                    "\"total-failure-session-count\":0}}]}",
                    report_id, domain);
}

static int submit(struct tu_store_env *e, const char *kind, const char *domain, int report_id,
                  struct seen *s)
{
    char json[1024];
    int n = report_json(json, sizeof json, domain, report_id);
    assert_true(n > 0 && (size_t)n < sizeof json);
    struct tlsrpt_source_info src = {.kind = kind, .reference = "test"};
    return tlsrpt_ingest_submit(e->ing, (const uint8_t *)json, (size_t)n, &src, NULL, on_done, s);
}

/* A bad source kind is refused before any row is written: that input fails, its batch commits. */
static void test_failure_before_first_row_fails_one_input(void **state)
{
    struct tu_store_env *e = *state;
    struct seen a = {0}, bad = {0}, c = {0};
    assert_int_equal(submit(e, "file", "a.example", 1, &a), 0);
    assert_int_equal(submit(e, "carrier-pigeon", "b.example", 2, &bad), 0);
    assert_int_equal(submit(e, "file", "c.example", 3, &c), 0);
    assert_int_equal(a.calls + bad.calls + c.calls, 0); /* nothing told before the commit */
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);

    assert_int_equal(a.calls, 1);
    assert_int_equal(a.res.outcome, TLSRPT_INGEST_IMPORTED);
    assert_int_equal(c.res.outcome, TLSRPT_INGEST_IMPORTED);
    assert_int_equal(bad.calls, 1);
    assert_int_equal(bad.res.outcome, TLSRPT_INGEST_FAILED);
    assert_non_null(strstr(bad.res.reason.message, "carrier-pigeon"));
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 2);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM raw_inputs"), 2);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts"), 2);
}

/* The trigger fails the policies INSERT of b.example after its raw input, receipt and report rows
 * were written: the batch goes, a.example with it, and nothing is half-stored. */
static void test_failure_after_a_row_abandons_the_batch(void **state)
{
    struct tu_store_env *e = *state;
    char *msg = NULL;
    assert_int_equal(sqlite3_exec(e->db->h,
                                  "CREATE TEMP TRIGGER boom BEFORE INSERT ON policies "
                                  "WHEN NEW.policy_domain = 'b.example' "
                                  "BEGIN SELECT RAISE(ABORT, 'boom'); END",
                                  NULL, NULL, &msg),
                     SQLITE_OK);
    struct seen a = {0}, b = {0}, c = {0};
    assert_int_equal(submit(e, "file", "a.example", 1, &a), 0);
    assert_int_equal(submit(e, "file", "b.example", 2, &b), TLSRPT_E_DB);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.res.outcome, TLSRPT_INGEST_FAILED);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.res.outcome, TLSRPT_INGEST_FAILED);
    assert_false(e->db->in_tx);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM raw_inputs"), 0);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 0);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM receipts"), 0);

    /* The next batch starts clean: a retry of a.example and a new input both land once. */
    assert_int_equal(submit(e, "file", "a.example", 1, &a), 0);
    assert_int_equal(submit(e, "file", "c.example", 3, &c), 0);
    assert_int_equal(tlsrpt_ingest_flush(e->ing), 0);
    assert_int_equal(a.res.outcome, TLSRPT_INGEST_IMPORTED);
    assert_int_equal(c.res.outcome, TLSRPT_INGEST_IMPORTED);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM reports"), 2);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM policies"), 2);

    struct tlsrpt_ingest_counts n;
    tlsrpt_ingest_get_counts(e->ing, &n);
    assert_int_equal(n.failed, 2);
    assert_int_equal(n.imported, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failure_before_first_row_fails_one_input, setup,
                                        tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_failure_after_a_row_abandons_the_batch, setup,
                                        tu_store_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
