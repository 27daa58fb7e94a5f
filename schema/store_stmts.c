/* store_stmts.c - every SQL text the store runs, prepared once per handle and reused (bulk import
 * would otherwise spend its time in the SQL compiler), the step/bind helpers around them, and the
 * savepoint helpers of db.h, which use the same cache. */
#include "store_internal.h"

#include <stdlib.h>

static const char *const sql_text[ST_COUNT] = {
    [ST_SAVEPOINT] = "SAVEPOINT tlsrpt_item",
    [ST_RELEASE] = "RELEASE tlsrpt_item",
    [ST_ROLLBACK_TO] = "ROLLBACK TO tlsrpt_item",
    [ST_RAW_INSERT] = "INSERT INTO raw_inputs (sha256, size, encoding, data, format, first_seen) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (sha256) DO NOTHING",
    [ST_RAW_BY_SHA] = "SELECT id FROM raw_inputs WHERE sha256 = ?1",
    [ST_RAW_STATE] = "SELECT EXISTS (SELECT 1 FROM raw_inputs WHERE id = ?1),"
                     " (SELECT id FROM reports WHERE raw_id = ?1 ORDER BY id LIMIT 1),"
                     " j.id, j.resolved_report, j.attempts"
                     " FROM (SELECT 1) LEFT JOIN rejects j ON j.raw_id = ?1",
    [ST_RAW_PAGE] = "SELECT id FROM raw_inputs WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_RAW_FETCH] =
        "SELECT r.size, r.encoding, r.data,"
        " (SELECT meta FROM receipts WHERE raw_id = r.id ORDER BY id LIMIT 1),"
        " (SELECT id FROM reports WHERE raw_id = r.id ORDER BY id LIMIT 1),"
        " EXISTS (SELECT 1 FROM rejects WHERE raw_id = r.id AND resolved_report IS NULL)"
        " FROM raw_inputs r WHERE r.id = ?1",
    [ST_RAW_RECEIPTS] = "SELECT min(id), count(*) FROM receipts WHERE raw_id = ?1",
    [ST_RECEIPT_INSERT] =
        "INSERT INTO receipts (raw_id, kind, reference, meta, received_at, outcome)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_REPORT_BY_KEY] = "SELECT id FROM reports WHERE dedupe_key = ?1",
    [ST_REPORT_GET] = "SELECT raw_id, duplicates FROM reports WHERE id = ?1",
    [ST_REPORT_INSERT] =
        "INSERT INTO reports (raw_id, receipt_id, dedupe_key, reporter, organization_name,"
        " contact_info, report_id, start_time, end_time, start_raw, end_raw, flags, duplicates,"
        " imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_REPORT_UPDATE] =
        "UPDATE reports SET dedupe_key = ?2, reporter = ?3, organization_name = ?4,"
        " contact_info = ?5, report_id = ?6, start_time = ?7, end_time = ?8, start_raw = ?9,"
        " end_raw = ?10, flags = ?11 WHERE id = ?1",
    [ST_REPORT_BUMP] = "UPDATE reports SET duplicates = duplicates + ?2 WHERE id = ?1",
    [ST_REPORT_DELETE] = "DELETE FROM reports WHERE id = ?1",
    [ST_POLICY_INSERT] =
        "INSERT INTO policies (report, idx, policy_type, policy_domain, policy_strings, mx_hosts,"
        " sts_mode, sts_max_age, mx_patterns, successful, failed, start_time, reporter,"
        " organization_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_POLICIES_DELETE] = "DELETE FROM policies WHERE report = ?1",
    [ST_DETAIL_INSERT] =
        "INSERT INTO failure_details (policy, idx, result_type, sending_mta_ip,"
        " receiving_mx_hostname, receiving_mx_helo, receiving_ip, failed_session_count,"
        " additional_information, failure_reason_code)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_REJECT_UPSERT] =
        "INSERT INTO rejects (raw_id, receipt_id, rejected_at, attempts, code, path, reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (raw_id) DO UPDATE SET"
        " attempts = attempts + 1, code = excluded.code, path = excluded.path,"
        " reason = excluded.reason",
    [ST_REJECT_REASON] = "UPDATE rejects SET code = ?2, path = ?3, reason = ?4"
                         " WHERE raw_id = ?1 AND resolved_report IS NULL",
    [ST_REJECT_RESOLVE] = "UPDATE rejects SET resolved_report = ?2, resolved_at = ?3"
                          " WHERE raw_id = ?1 AND resolved_report IS NULL",
    [ST_REJECT_MOVE] = "UPDATE rejects SET resolved_report = ?2 WHERE resolved_report = ?1",
};

void tlsrpt_store_stmts_free(struct tlsrpt_store_stmts *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->json != NULL)
        tlsrpt_json_cache_free(s);
    free(s->json);
    free(s->zbuf);
    free(s);
}

struct tlsrpt_store_stmts *tlsrpt_store_stmts_get(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    if (db->stmts != NULL)
        return db->stmts;
    struct tlsrpt_store_stmts *s = calloc(1, sizeof *s);
    if (s != NULL)
        s->json = calloc(TLSRPT_JSON_CACHE_SLOTS, sizeof *s->json);
    if (s == NULL || s->json == NULL) {
        tlsrpt_store_stmts_free(s);
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory (database %s)", db->path);
        return NULL;
    }
    db->stmts = s;
    return s;
}

sqlite3_stmt *tlsrpt_stmt(struct tlsrpt_db *db, enum tlsrpt_stmt_id id, struct tlsrpt_error *err)
{
    if (tlsrpt_store_stmts_get(db, err) == NULL)
        return NULL;
    sqlite3_stmt **slot = &db->stmts->st[id];
    if (*slot == NULL) {
        if (sqlite3_prepare_v3(db->h, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
            SQLITE_OK) {
            tlsrpt_db_fail(db, err, sql_text[id]);
            *slot = NULL;
            return NULL;
        }
    }
    /* Every user resets after stepping; resetting again here is a cheap guard against a leak. */
    sqlite3_reset(*slot);
    return *slot;
}

int tlsrpt_stmt_done(struct tlsrpt_db *db, sqlite3_stmt *st, const char *what,
                     struct tlsrpt_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tlsrpt_db_fail(db, err, what);
    sqlite3_reset(st);
    return rc;
}

int tlsrpt_stmt_int64(struct tlsrpt_db *db, sqlite3_stmt *st, const char *what, int64_t *v,
                      struct tlsrpt_error *err)
{
    int rc = 0;
    *v = 0;
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        *v = sqlite3_column_int64(st, 0);
        break;
    case SQLITE_DONE:
        break;
    default:
        rc = tlsrpt_db_fail(db, err, what);
        break;
    }
    sqlite3_reset(st);
    return rc;
}

int tlsrpt_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

int tlsrpt_store_check(struct tlsrpt_db *db, int args_ok, const char *what,
                       struct tlsrpt_error *err)
{
    if (db == NULL || !args_ok)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "%s: invalid argument", what);
    if (db->mode != TLSRPT_DB_READWRITE)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "%s: database %s is open read-only", what,
                                db->path);
    return 0;
}

static int run(struct tlsrpt_db *db, enum tlsrpt_stmt_id id, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, id, err);
    return st ? tlsrpt_stmt_done(db, st, sql_text[id], err) : TLSRPT_E_DB;
}

int tlsrpt_db_savepoint(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    return run(db, ST_SAVEPOINT, err);
}

int tlsrpt_db_release(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    return run(db, ST_RELEASE, err);
}

void tlsrpt_db_rollback_to(struct tlsrpt_db *db)
{
    /* ROLLBACK TO keeps the savepoint open; RELEASE then closes it (and an implicit transaction).
     */
    if (run(db, ST_ROLLBACK_TO, NULL) == 0)
        run(db, ST_RELEASE, NULL);
}
