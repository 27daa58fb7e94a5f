/* store.c - the arrival of an input: a parsed report or a reject (store.h). Every call writes a
 * receipts row whatever the outcome. What can fail for the input's sake (source kind, reporter,
 * dedupe key, JSON encoding) is checked before the first write. */
#include "hash.h"
#include "store_internal.h"

#include <string.h>
#include <time.h>

const char *tlsrpt_store_outcome_name(enum tlsrpt_store_outcome o)
{
    switch (o) {
    case TLSRPT_STORE_IMPORTED:
        return "imported";
    case TLSRPT_STORE_DUPLICATE:
        return "duplicate";
    case TLSRPT_STORE_REJECTED:
        return "rejected";
    }
    return "unknown";
}

/* The receipts.kind CHECK, tested before any write rather than failing half-way. */
static int kind_ok(const char *kind)
{
    return kind != NULL &&
           (strcmp(kind, "file") == 0 || strcmp(kind, "mail") == 0 || strcmp(kind, "http") == 0);
}

static int check_args(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                      const struct tlsrpt_source_info *src, const void *what_in,
                      const void *outcome, const char *what, struct tlsrpt_error *err)
{
    int rc = tlsrpt_store_check(
        db, (raw != NULL || raw_len == 0) && src != NULL && what_in != NULL && outcome != NULL,
        what, err);
    if (rc == 0 && !kind_ok(src->kind))
        rc = tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                              "%s: source kind \"%s\" is not file, mail "
                              "or http",
                              what, src->kind ? src->kind : "(null)");
    return rc;
}

/* The report these raw bytes already led to: their own, or the one their reject resolved into. */
static int64_t produced(const struct tlsrpt_raw_state *rs)
{
    return rs->report_id > 0 ? rs->report_id : rs->resolved_report;
}

/* Counting rule for duplicates: every arrival after a report's first is one duplicate. An open
 * reject of the same bytes holds `attempts` earlier arrivals; once the bytes parse they count as
 * well. */
static int write_report(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_report *report,
                        const struct tlsrpt_store_prep *prep, enum tlsrpt_store_outcome *outcome,
                        int64_t *report_id, struct tlsrpt_error *err)
{
    int64_t now = (int64_t)time(NULL);
    int64_t received = src->received_at > 0 ? src->received_at : now;
    int64_t raw_id, receipt_id, existing = 0;
    int fresh;
    struct tlsrpt_raw_state rs = {0};

    const char *sha = prep->sha256[0] ? prep->sha256 : NULL; /* NULL: put_raw computes it */
    if (tlsrpt_store_put_raw(db, raw, raw_len, sha, received, &raw_id, &fresh, err) != 0)
        return TLSRPT_E_DB;
    /* New bytes cannot have led anywhere yet: skip the lookup on the common path. */
    if (!fresh && tlsrpt_store_raw_state(db, raw_id, &rs, err) != 0)
        return TLSRPT_E_DB;
    int64_t open_attempts = rs.reject_id > 0 && rs.resolved_report == 0 ? rs.attempts : 0;
    existing = produced(&rs);
    if (existing == 0 && tlsrpt_store_find_key(db, prep->key, &existing, err) != 0)
        return TLSRPT_E_DB;
    if (existing > 0) {
        *outcome = TLSRPT_STORE_DUPLICATE;
        if (tlsrpt_store_put_receipt(db, raw_id, src, received, *outcome, NULL, err) != 0 ||
            tlsrpt_store_bump(db, existing, 1 + open_attempts, err) != 0)
            return TLSRPT_E_DB;
    } else {
        *outcome = TLSRPT_STORE_IMPORTED;
        if (tlsrpt_store_put_receipt(db, raw_id, src, received, *outcome, &receipt_id, err) != 0 ||
            tlsrpt_store_insert_report(db, raw_id, receipt_id, report, prep, open_attempts, now,
                                       &existing, err) != 0)
            return TLSRPT_E_DB;
    }
    if (open_attempts > 0 && tlsrpt_store_resolve(db, raw_id, existing, now, err) != 0)
        return TLSRPT_E_DB;
    if (report_id != NULL)
        *report_id = existing;
    return 0;
}

int tlsrpt_store_prep_make(const uint8_t *raw, size_t raw_len, const struct tlsrpt_report *report,
                           struct tlsrpt_store_prep *p, struct tlsrpt_error *err)
{
    static const uint8_t empty[1];
    memset(p, 0, sizeof *p);
    if (tlsrpt_sha256_hex(raw ? raw : empty, raw_len, p->sha256) != 0)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "sha256 of a %zu-byte input failed",
                                raw_len);
    return report != NULL ? tlsrpt_store_prepare(NULL, report, p, err) : 0;
}

int tlsrpt_store_report_prepped(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                                const struct tlsrpt_source_info *src,
                                const struct tlsrpt_report *report,
                                const struct tlsrpt_store_prep *prep,
                                enum tlsrpt_store_outcome *outcome, int64_t *report_id,
                                struct tlsrpt_error *err)
{
    int rc = check_args(db, raw, raw_len, src, report, outcome, "store report", err);
    if (rc == 0)
        rc = tlsrpt_store_check(db, prep != NULL && prep->reporter != NULL, "store report", err);
    if (rc != 0)
        return rc;
    return write_report(db, raw, raw_len, src, report, prep, outcome, report_id, err);
}

int tlsrpt_store_report(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_report *report,
                        enum tlsrpt_store_outcome *outcome, int64_t *report_id,
                        struct tlsrpt_error *err)
{
    struct tlsrpt_store_prep prep = {0};
    int rc = check_args(db, raw, raw_len, src, report, outcome, "store report", err);
    if (rc != 0)
        return rc;
    rc = tlsrpt_store_prepare(db, report, &prep, err); /* with the handle's JSON cache */
    if (rc != 0)
        return rc;
    rc = write_report(db, raw, raw_len, src, report, &prep, outcome, report_id, err);
    tlsrpt_store_prep_free(&prep);
    return rc;
}

int tlsrpt_store_put_reject(struct tlsrpt_db *db, int64_t raw_id, int64_t receipt_id, int64_t when,
                            int64_t attempts, const struct tlsrpt_error *reason,
                            struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REJECT_UPSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, raw_id) |
         (receipt_id > 0 ? sqlite3_bind_int64(st, 2, receipt_id) : sqlite3_bind_null(st, 2)) |
         sqlite3_bind_int64(st, 3, when) | sqlite3_bind_int64(st, 4, attempts) |
         tlsrpt_bind_text(st, 5, tlsrpt_errcode_name(reason->code)) |
         tlsrpt_bind_text(st, 6, reason->path[0] ? reason->path : NULL) |
         tlsrpt_bind_text(st, 7, reason->message)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert reject");
    return tlsrpt_stmt_done(db, st, "insert reject", err);
}

static int write_reject(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len, const char *sha,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_error *reason,
                        enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err)
{
    int64_t now = (int64_t)time(NULL);
    int64_t received = src->received_at > 0 ? src->received_at : now;
    int64_t raw_id, receipt_id;
    int fresh;
    struct tlsrpt_raw_state rs = {0};

    if (tlsrpt_store_put_raw(db, raw, raw_len, sha, received, &raw_id, &fresh, err) != 0)
        return TLSRPT_E_DB;
    if (!fresh && tlsrpt_store_raw_state(db, raw_id, &rs, err) != 0)
        return TLSRPT_E_DB;
    int64_t existing = produced(&rs);
    if (existing > 0) {
        /* These bytes parsed before (an older parser, other hints): a resend of that report. */
        *outcome = TLSRPT_STORE_DUPLICATE;
        if (tlsrpt_store_put_receipt(db, raw_id, src, received, *outcome, NULL, err) != 0)
            return TLSRPT_E_DB;
        return tlsrpt_store_bump(db, existing, 1, err);
    }
    *outcome = TLSRPT_STORE_REJECTED;
    if (tlsrpt_store_put_receipt(db, raw_id, src, received, *outcome, &receipt_id, err) != 0)
        return TLSRPT_E_DB;
    return tlsrpt_store_put_reject(db, raw_id, receipt_id, received, 1, reason, err);
}

int tlsrpt_store_reject(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_error *reason,
                        enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err)
{
    int rc = check_args(db, raw, raw_len, src, reason, outcome, "store reject", err);
    if (rc != 0)
        return rc;
    return write_reject(db, raw, raw_len, NULL, src, reason, outcome, err);
}

int tlsrpt_store_reject_prepped(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                                const struct tlsrpt_source_info *src,
                                const struct tlsrpt_error *reason,
                                const struct tlsrpt_store_prep *prep,
                                enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err)
{
    int rc = check_args(db, raw, raw_len, src, reason, outcome, "store reject", err);
    if (rc != 0)
        return rc;
    const char *sha = prep && prep->sha256[0] ? prep->sha256 : NULL;
    return write_reject(db, raw, raw_len, sha, src, reason, outcome, err);
}
