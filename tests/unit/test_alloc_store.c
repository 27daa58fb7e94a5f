/* test_alloc_store.c - allocation failure injection into SQLite (SQLITE_CONFIG_MALLOC) while
 * tlsrpt_store_report writes a real parsed report inside a transaction: the Nth SQLite allocation
 * fails, for N = 1, 2, ... until a store runs through without reaching N. Every failure must be
 * TLSRPT_E_DB, the connection must stay usable, and after the rollback no table holds any row of
 * the report. The same connection is kept across runs, as the collector keeps its own. */
#include "db.h"
#include "report_parse.h"
#include "store.h"
#include "testutil.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static sqlite3_mem_methods real_mem;
static int armed;
static unsigned long seen, fail_at, hit;

static int should_fail(void)
{
    if (!armed)
        return 0;
    if (++seen == fail_at) {
        hit++;
        return 1;
    }
    return 0;
}

static void *chaos_malloc(int n)
{
    return should_fail() ? NULL : real_mem.xMalloc(n);
}

static void *chaos_realloc(void *p, int n)
{
    return should_fail() ? NULL : real_mem.xRealloc(p, n);
}

static int64_t count(struct tlsrpt_db *db, const char *table)
{
    char sql[64];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *const tables[] = {"raw_inputs", "receipts",        "reports",
                                     "policies",   "failure_details", "rejects"};

static void assert_empty(struct tlsrpt_db *db)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (count(db, tables[i]) != 0)
            fail_msg("rows left in %s after rollback (fail_at %lu)", tables[i], fail_at);
}

/* Fails SQLite allocation 1, 2, ... of one tlsrpt_store_report until a store runs through. fresh:
 * a new connection for every run (statements prepared inside the store, cold caches); else the
 * connection *db is kept across runs (warm, as the collector runs). Returns the failures seen. */
static unsigned long chaos_runs(const char *dbpath, struct tlsrpt_db **db, int fresh,
                                const uint8_t *raw, size_t len, const struct tlsrpt_report *r,
                                const struct tlsrpt_source_info *src)
{
    struct tlsrpt_error err = {0};
    unsigned long failures = 0;
    for (fail_at = 1;; fail_at++) {
        enum tlsrpt_store_outcome got;
        int64_t id = 0;
        if (fresh || *db == NULL)
            assert_int_equal(tlsrpt_db_open(dbpath, TLSRPT_DB_READWRITE, db, &err), 0);
        assert_int_equal(tlsrpt_db_begin(*db, &err), 0);
        seen = hit = 0;
        armed = 1;
        int rc = tlsrpt_store_report(*db, raw, len, src, r, &got, &id, &err);
        armed = 0;
        if (rc == 0) {
            /* Whole, whether or not a failure was absorbed on the way (SQLite retries some). */
            assert_int_equal(got, TLSRPT_STORE_IMPORTED);
            assert_int_equal(count(*db, "reports"), 1);
            assert_int_equal(count(*db, "policies"), (int64_t)r->n_policies);
        } else {
            if (rc != TLSRPT_E_DB)
                fail_msg("fail_at %lu: code %d (%s), want TLSRPT_E_DB", fail_at, rc, err.message);
            failures++;
        }
        tlsrpt_db_rollback(*db);
        assert_empty(*db);
        if (fresh) {
            tlsrpt_db_close(*db);
            *db = NULL;
        }
        if (hit == 0)
            break;
    }
    print_message(
        "%s connection: %lu SQLite allocations in a complete store, %lu injected failures "
        "gave E_DB\n",
        fresh ? "fresh" : "kept", seen, failures);
    assert_true(seen > 10);
    return failures;
}

static void test_store_chaos(void **state)
{
    (void)state;
    char path[4096], dbpath[4200];
    size_t len;
    const char *dir = tu_tmpdir();
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/tests/reports/valid/google-validation-failures/input.json",
             tu_source_dir());
    snprintf(dbpath, sizeof dbpath, "%s/tlsrpt.db", dir);
    uint8_t *raw = tu_read_file(path, &len);
    assert_non_null(raw);
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_report_parse((const char *)raw, len, NULL, NULL, &r, &err), 0);
    assert_true(r->n_policies > 0);
    const struct tlsrpt_source_info src = {"file", path, NULL, 0};

    struct tlsrpt_db *db = NULL;
    assert_true(chaos_runs(dbpath, &db, 1, raw, len, r, &src) > 0);
    assert_true(chaos_runs(dbpath, &db, 0, raw, len, r, &src) > 0);

    /* After all that, the same connection still stores and commits the report. */
    enum tlsrpt_store_outcome got;
    assert_int_equal(tlsrpt_db_begin(db, &err), 0);
    assert_int_equal(tlsrpt_store_report(db, raw, len, &src, r, &got, NULL, &err), 0);
    assert_int_equal(tlsrpt_db_commit(db, &err), 0);
    assert_int_equal(got, TLSRPT_STORE_IMPORTED);
    assert_int_equal(count(db, "reports"), 1);
    tlsrpt_db_close(db);
    tlsrpt_report_free(r);
    free(raw);
    tu_rmtree(dir);
}

int main(void)
{
    sqlite3_mem_methods m;
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
        return 1;
    m = real_mem;
    m.xMalloc = chaos_malloc;
    m.xRealloc = chaos_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        return 1; /* must come before sqlite3_initialize, i.e. before any open */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_chaos),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
