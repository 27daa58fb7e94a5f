/* store_reprocess.c - `reprocess`: a stored raw input parsed again with the current parser
 * (store.h). Neither call adds a receipt: nothing arrived. Both are idempotent, so an interrupted
 * reprocess can simply run again. */
#include "store_internal.h"

#include <time.h>

/* The first receipt of a raw input and how many it has. */
static int raw_receipts(struct tlsrpt_db *db, int64_t raw_id, int64_t *first, int64_t *count,
                        struct tlsrpt_error *err)
{
    int rc = 0;
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_RAW_RECEIPTS, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_int64(st, 1, raw_id) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        rc = tlsrpt_db_fail(db, err, "read receipts");
    } else {
        *first = sqlite3_column_int64(st, 0);
        *count = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc;
}

static int raw_state_checked(struct tlsrpt_db *db, int64_t raw_id, struct tlsrpt_raw_state *rs,
                             struct tlsrpt_error *err)
{
    if (tlsrpt_store_raw_state(db, raw_id, rs, err) != 0)
        return TLSRPT_E_DB;
    if (!rs->exists)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "raw input %lld not found (database %s)",
                                (long long)raw_id, db->path);
    return 0;
}

/* The new parse of report `from` has the dedupe key of report `into`: they are one report. `from`
 * and every arrival it counted become duplicates of `into`; its rows go. */
static int merge(struct tlsrpt_db *db, int64_t from, int64_t into, struct tlsrpt_error *err)
{
    int64_t dups = 0;
    int rc = 0;
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REPORT_GET, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_int64(st, 1, from) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
        rc = tlsrpt_db_fail(db, err, "read report");
    else
        dups = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (rc != 0 || tlsrpt_store_bump(db, into, dups + 1, err) != 0)
        return TLSRPT_E_DB;

    const enum tlsrpt_stmt_id steps[] = {ST_REJECT_MOVE, ST_REPORT_DELETE};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        st = tlsrpt_stmt(db, steps[i], err);
        if (st == NULL)
            return TLSRPT_E_DB;
        /* ?2 exists only in ST_REJECT_MOVE; binding a missing index would fail, so bind it there.
         */
        if (sqlite3_bind_int64(st, 1, from) != SQLITE_OK ||
            (steps[i] == ST_REJECT_MOVE && sqlite3_bind_int64(st, 2, into) != SQLITE_OK))
            return tlsrpt_db_fail(db, err, "merge reports");
        if (tlsrpt_stmt_done(db, st, "merge reports", err) != 0)
            return TLSRPT_E_DB;
    }
    return 0;
}

static int write_reparse(struct tlsrpt_db *db, int64_t raw_id, int64_t report_id,
                         const struct tlsrpt_report *report, const struct tlsrpt_store_prep *prep,
                         enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err)
{
    int64_t now = (int64_t)time(NULL);
    int64_t owner = 0, final_id = 0;
    struct tlsrpt_raw_state rs;

    if (raw_state_checked(db, raw_id, &rs, err) != 0)
        return TLSRPT_E_DB;
    /* The database, not the caller's snapshot, says which report these bytes made. */
    if (report_id > 0 && rs.report_id != report_id)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                "report %lld was not made from raw input %lld (database %s)",
                                (long long)report_id, (long long)raw_id, db->path);
    if (tlsrpt_store_find_key(db, prep->key, &owner, err) != 0)
        return TLSRPT_E_DB;
    int64_t open_attempts = rs.reject_id > 0 && rs.resolved_report == 0 ? rs.attempts : 0;

    if (rs.report_id > 0 && (owner == 0 || owner == rs.report_id)) {
        *outcome = TLSRPT_STORE_DUPLICATE; /* already there, refreshed */
        final_id = rs.report_id;
        if (tlsrpt_store_update_report(db, final_id, report, prep, err) != 0)
            return TLSRPT_E_DB;
    } else if (rs.report_id > 0) {
        *outcome = TLSRPT_STORE_DUPLICATE;
        final_id = owner;
        if (merge(db, rs.report_id, owner, err) != 0)
            return TLSRPT_E_DB;
    } else if (owner > 0) {
        /* Another input's report. Only arrivals held by an open reject were not counted yet
         * (a raw that arrived as a duplicate was counted then). */
        *outcome = TLSRPT_STORE_DUPLICATE;
        final_id = owner;
        if (open_attempts > 0 && tlsrpt_store_bump(db, owner, open_attempts, err) != 0)
            return TLSRPT_E_DB;
    } else {
        /* A new report; the first arrival is its own, the others were resends. Known gap: a raw
         * that arrived as a duplicate of another report and now parses to a key of its own stays
         * counted in that report's duplicates too. */
        int64_t first = 0, count = 0;
        *outcome = TLSRPT_STORE_IMPORTED;
        if (raw_receipts(db, raw_id, &first, &count, err) != 0 ||
            tlsrpt_store_insert_report(db, raw_id, first, report, prep,
                                       open_attempts > 1 ? open_attempts - 1 : 0, now, &final_id,
                                       err) != 0)
            return TLSRPT_E_DB;
    }
    if (open_attempts > 0 && tlsrpt_store_resolve(db, raw_id, final_id, now, err) != 0)
        return TLSRPT_E_DB;
    return 0;
}

int tlsrpt_store_reparse(struct tlsrpt_db *db, int64_t raw_id, int64_t report_id,
                         const struct tlsrpt_report *report, enum tlsrpt_store_outcome *outcome,
                         struct tlsrpt_error *err)
{
    struct tlsrpt_store_prep prep = {0};
    int rc =
        tlsrpt_store_check(db, raw_id > 0 && report != NULL && outcome != NULL, "reparse", err);
    if (rc != 0)
        return rc;
    rc = tlsrpt_store_prepare(db, report, &prep, err);
    if (rc != 0)
        return rc;
    rc = write_reparse(db, raw_id, report_id, report, &prep, outcome, err);
    tlsrpt_store_prep_free(&prep);
    return rc;
}

static int write_rereject(struct tlsrpt_db *db, int64_t raw_id, const struct tlsrpt_error *reason,
                          struct tlsrpt_error *err)
{
    struct tlsrpt_raw_state rs;
    if (raw_state_checked(db, raw_id, &rs, err) != 0)
        return TLSRPT_E_DB;
    if (rs.reject_id > 0) {
        /* A resolved reject keeps its resolution: the report it led to stays. */
        sqlite3_stmt *st = tlsrpt_stmt(db, ST_REJECT_REASON, err);
        if (st == NULL)
            return TLSRPT_E_DB;
        if ((sqlite3_bind_int64(st, 1, raw_id) |
             tlsrpt_bind_text(st, 2, tlsrpt_errcode_name(reason->code)) |
             tlsrpt_bind_text(st, 3, reason->path[0] ? reason->path : NULL) |
             tlsrpt_bind_text(st, 4, reason->message)) != SQLITE_OK)
            return tlsrpt_db_fail(db, err, "update reject");
        return tlsrpt_stmt_done(db, st, "update reject", err);
    }
    /* A report made from these bytes is kept: a stricter parser must not lose data. */
    if (rs.report_id > 0)
        return 0;
    int64_t first = 0, count = 0;
    if (raw_receipts(db, raw_id, &first, &count, err) != 0)
        return TLSRPT_E_DB;
    return tlsrpt_store_put_reject(db, raw_id, first, (int64_t)time(NULL), count > 0 ? count : 1,
                                   reason, err);
}

int tlsrpt_store_rereject(struct tlsrpt_db *db, int64_t raw_id, const struct tlsrpt_error *reason,
                          struct tlsrpt_error *err)
{
    int rc = tlsrpt_store_check(db, raw_id > 0 && reason != NULL, "rereject", err);
    if (rc != 0)
        return rc;
    return write_rereject(db, raw_id, reason, err);
}
