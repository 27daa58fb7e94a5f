#include "store_env.h"

#include "db.h"
#include "ingest.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

struct tu_store_env *tu_store_env_open(size_t batch_max_items)
{
    struct tu_store_env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    snprintf(e->dir, sizeof e->dir, "%s", tu_tmpdir());
    snprintf(e->db_path, sizeof e->db_path, "%s/t.db", e->dir);
    struct tlsrpt_error err = {0};
    if (tlsrpt_db_open(e->db_path, TLSRPT_DB_READWRITE, &e->db, &err) != 0)
        fail_msg("db: %s", err.message);
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    if (batch_max_items > 0)
        cfg.batch_max_items = batch_max_items;
    assert_int_equal(tlsrpt_ingest_new(e->db, &cfg, &e->ing), 0);
    return e;
}

void tu_store_env_close(struct tu_store_env *e)
{
    tlsrpt_ingest_free(e->ing);
    tlsrpt_db_close(e->db);
    tu_rmtree(e->dir);
    free(e);
}

int tu_store_env_teardown(void **state)
{
    tu_store_env_close(*state);
    return 0;
}

long long tu_count(struct tlsrpt_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}
