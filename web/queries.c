/* queries.c - every SQL statement of the dashboard (queries.h). Bound parameters only. */
#include "queries.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* Newest first; the domain filter reads the policies index, the failures filter the (report, idx)
 * unique index, so no filter scans the whole table. NULL parameters switch a filter off. */
static const char SQL_REPORTS[] =
    "SELECT r.id, r.start_time, r.end_time, r.flags, r.duplicates, r.reporter,"
    " r.organization_name, r.report_id,"
    " (SELECT count(*) FROM policies p WHERE p.report = r.id),"
    " (SELECT total(p.successful) FROM policies p WHERE p.report = r.id),"
    " (SELECT total(p.failed) FROM policies p WHERE p.report = r.id),"
    " (SELECT json_group_array(DISTINCT p.policy_domain) FROM policies p WHERE p.report = r.id)"
    " FROM reports AS r"
    " WHERE r.start_time >= ?1 AND r.start_time < ?2"
    " AND (?3 IS NULL OR r.id IN (SELECT report FROM policies WHERE policy_domain = ?3"
    "      AND start_time >= ?1 AND start_time < ?2))"
    " AND (?4 IS NULL OR r.reporter = ?4)"
    " AND (?5 = 0 OR EXISTS (SELECT 1 FROM policies p WHERE p.report = r.id AND p.failed > 0))"
    " ORDER BY r.start_time DESC, r.id DESC LIMIT ?6 OFFSET ?7";

static const char SQL_REPORT[] =
    "SELECT id, raw_id, start_time, end_time, flags, duplicates, imported_at, reporter,"
    " organization_name, contact_info, report_id, start_raw, end_raw FROM reports WHERE id = ?1";

static const char SQL_POLICIES[] =
    "SELECT id, idx, coalesce(sts_max_age, -1), successful, failed, policy_type, policy_domain,"
    " sts_mode, policy_strings, mx_hosts, mx_patterns FROM policies WHERE report = ?1 ORDER BY idx";

static const char SQL_DETAILS[] =
    "SELECT result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
    " additional_information, failure_reason_code, failed_session_count"
    " FROM failure_details WHERE policy = ?1 ORDER BY idx";

static const char SQL_RECEIPTS[] = "SELECT id, received_at, kind, reference, meta, outcome"
                                   " FROM receipts WHERE raw_id = ?1 ORDER BY id";

static const char SQL_RAW[] = "SELECT encoding, size, format, data FROM raw_inputs WHERE id = ?1";

static const char SQL_REJECTS[] =
    "SELECT j.id, j.raw_id, j.rejected_at, j.attempts, coalesce(j.resolved_report, 0),"
    " coalesce(j.resolved_at, 0), ri.size, j.code, j.path, j.reason, ri.format,"
    " rc.kind, rc.reference, rc.meta"
    " FROM rejects AS j JOIN raw_inputs AS ri ON ri.id = j.raw_id"
    " LEFT JOIN receipts AS rc ON rc.id = j.receipt_id"
    " WHERE j.rejected_at >= ?1 AND j.rejected_at < ?2"
    " ORDER BY j.rejected_at DESC, j.id DESC LIMIT ?3 OFFSET ?4";

static const char SQL_REJECTS_COUNT[] =
    "SELECT count(*), coalesce(sum(resolved_report IS NULL), 0) FROM rejects"
    " WHERE rejected_at >= ?1 AND rejected_at < ?2";

static const char SQL_STARTS_BETWEEN[] =
    "SELECT 1 FROM policies WHERE start_time >= ?1 AND start_time < ?2 LIMIT 1";

void wq_close(struct wq_cursor *c)
{
    sqlite3_finalize(c->st);
    c->st = NULL;
}

static int prepare(struct tlsrpt_db *db, const char *sql, struct wq_cursor *c,
                   struct tlsrpt_error *err)
{
    c->db = db;
    c->st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &c->st, NULL) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "preparing a dashboard query");
    return 0;
}

static int bind_fail(struct wq_cursor *c, struct tlsrpt_error *err)
{
    int rc = tlsrpt_db_fail(c->db, err, "binding a dashboard query");
    wq_close(c);
    return rc;
}

/* 1 with a row, 0 at the end, TLSRPT_E_DB. */
static int step(struct wq_cursor *c, struct tlsrpt_error *err)
{
    int rc = sqlite3_step(c->st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return tlsrpt_db_fail(c->db, err, "reading the database");
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_int64(st, i);
}

static int64_t offset_of(int64_t page)
{
    return (page < 1 ? 0 : page - 1) * WQ_PAGE_SIZE;
}

int wq_reports_open(struct tlsrpt_db *db, const struct wq_report_filter *f, struct wq_cursor *c,
                    struct tlsrpt_error *err)
{
    int rc = prepare(db, SQL_REPORTS, c, err);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = c->st;
    if (sqlite3_bind_int64(st, 1, f->since) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, f->until) != SQLITE_OK ||
        (f->domain != NULL &&
         sqlite3_bind_text(st, 3, f->domain, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
        (f->reporter != NULL &&
         sqlite3_bind_text(st, 4, f->reporter, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
        sqlite3_bind_int(st, 5, f->failures_only ? 1 : 0) != SQLITE_OK ||
        sqlite3_bind_int64(st, 6, WQ_PAGE_SIZE + 1) != SQLITE_OK ||
        sqlite3_bind_int64(st, 7, offset_of(f->page)) != SQLITE_OK)
        return bind_fail(c, err);
    return 0;
}

int wq_reports_next(struct wq_cursor *c, struct wq_report_row *r, struct tlsrpt_error *err)
{
    int rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->id = col_int(st, 0);
    r->start_time = col_int(st, 1);
    r->end_time = col_int(st, 2);
    r->flags = col_int(st, 3);
    r->duplicates = col_int(st, 4);
    r->reporter = col_text(st, 5);
    r->organization = col_text(st, 6);
    r->report_id = col_text(st, 7);
    r->policies = col_int(st, 8);
    r->successful = col_int(st, 9);
    r->failed = col_int(st, 10);
    r->domains_json = col_text(st, 11);
    return 1;
}

int wq_report_get(struct tlsrpt_db *db, int64_t id, struct wq_cursor *c, struct wq_report *r,
                  struct tlsrpt_error *err)
{
    int rc = prepare(db, SQL_REPORT, c, err);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_int64(c->st, 1, id) != SQLITE_OK)
        return bind_fail(c, err);
    rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->id = col_int(st, 0);
    r->raw_id = col_int(st, 1);
    r->start_time = col_int(st, 2);
    r->end_time = col_int(st, 3);
    r->flags = col_int(st, 4);
    r->duplicates = col_int(st, 5);
    r->imported_at = col_int(st, 6);
    r->reporter = col_text(st, 7);
    r->organization = col_text(st, 8);
    r->contact_info = col_text(st, 9);
    r->report_id = col_text(st, 10);
    r->start_raw = col_text(st, 11);
    r->end_raw = col_text(st, 12);
    return 1;
}

static int open_by_id(struct tlsrpt_db *db, const char *sql, int64_t id, struct wq_cursor *c,
                      struct tlsrpt_error *err)
{
    int rc = prepare(db, sql, c, err);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_int64(c->st, 1, id) != SQLITE_OK)
        return bind_fail(c, err);
    return 0;
}

int wq_policies_open(struct tlsrpt_db *db, int64_t report_id, struct wq_cursor *c,
                     struct tlsrpt_error *err)
{
    return open_by_id(db, SQL_POLICIES, report_id, c, err);
}

int wq_policies_next(struct wq_cursor *c, struct wq_policy_row *r, struct tlsrpt_error *err)
{
    int rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->id = col_int(st, 0);
    r->idx = col_int(st, 1);
    r->max_age = col_int(st, 2);
    r->successful = col_int(st, 3);
    r->failed = col_int(st, 4);
    r->type = col_text(st, 5);
    r->domain = col_text(st, 6);
    r->mode = col_text(st, 7);
    r->strings_json = col_text(st, 8);
    r->mx_hosts_json = col_text(st, 9);
    r->patterns_json = col_text(st, 10);
    return 1;
}

int wq_details_open(struct tlsrpt_db *db, int64_t policy_id, struct wq_cursor *c,
                    struct tlsrpt_error *err)
{
    return open_by_id(db, SQL_DETAILS, policy_id, c, err);
}

int wq_details_next(struct wq_cursor *c, struct wq_detail_row *r, struct tlsrpt_error *err)
{
    int rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->result_type = col_text(st, 0);
    r->sending_mta_ip = col_text(st, 1);
    r->receiving_mx_hostname = col_text(st, 2);
    r->receiving_mx_helo = col_text(st, 3);
    r->receiving_ip = col_text(st, 4);
    r->additional_information = col_text(st, 5);
    r->failure_reason_code = col_text(st, 6);
    r->failed_session_count = col_int(st, 7);
    return 1;
}

int wq_receipts_open(struct tlsrpt_db *db, int64_t raw_id, struct wq_cursor *c,
                     struct tlsrpt_error *err)
{
    return open_by_id(db, SQL_RECEIPTS, raw_id, c, err);
}

int wq_receipts_next(struct wq_cursor *c, struct wq_receipt_row *r, struct tlsrpt_error *err)
{
    int rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->id = col_int(st, 0);
    r->received_at = col_int(st, 1);
    r->kind = col_text(st, 2);
    r->reference = col_text(st, 3);
    r->meta_json = col_text(st, 4);
    r->outcome = col_text(st, 5);
    return 1;
}

/* Copies or inflates the blob of the current row into out. */
static int raw_from_row(sqlite3_stmt *st, size_t max, struct tlsrpt_buf *out,
                        struct tlsrpt_error *err)
{
    const char *encoding = col_text(st, 0);
    int64_t size = col_int(st, 1);
    const void *blob = sqlite3_column_blob(st, 3);
    size_t blob_len = (size_t)sqlite3_column_bytes(st, 3);
    bool deflated = encoding != NULL && strcmp(encoding, "deflate") == 0;
    size_t want = deflated ? (size_t)(size < 0 ? 0 : size) : blob_len;
    if (size < 0 || want > max)
        return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, NULL,
                                "raw input of %lld bytes is over the %zu byte display cap",
                                (long long)size, max);
    if (want == 0)
        return 0;
    size_t avail = 0;
    uint8_t *dst = tlsrpt_buf_reserve(out, want, &avail);
    if (dst == NULL || avail < want)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory for a raw input");
    if (!deflated) {
        memcpy(dst, blob, want);
        tlsrpt_buf_commit(out, want);
        return 0;
    }
    uLongf got = (uLongf)want;
    if (blob == NULL || uncompress(dst, &got, blob, (uLong)blob_len) != Z_OK || got != (uLongf)want)
        return tlsrpt_error_set(err, TLSRPT_E_CORRUPT, NULL,
                                "stored raw input does not inflate to its recorded %lld bytes",
                                (long long)size);
    tlsrpt_buf_commit(out, want);
    return 0;
}

int wq_raw_bytes(struct tlsrpt_db *db, int64_t raw_id, size_t max, struct tlsrpt_buf *out,
                 char *format, size_t format_len, struct tlsrpt_error *err)
{
    struct wq_cursor c;
    tlsrpt_buf_free(out);
    tlsrpt_buf_init(out, max);
    int rc = open_by_id(db, SQL_RAW, raw_id, &c, err);
    if (rc != 0)
        return rc;
    rc = step(&c, err);
    if (rc == 0)
        rc = tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "raw input %lld is missing",
                              (long long)raw_id);
    if (rc == 1) {
        const char *fmt = col_text(c.st, 2);
        snprintf(format, format_len, "%s", fmt != NULL ? fmt : "unknown");
        rc = raw_from_row(c.st, max, out, err);
    }
    wq_close(&c);
    if (rc != 0)
        tlsrpt_buf_reset(out);
    return rc;
}

int wq_rejects_open(struct tlsrpt_db *db, int64_t since, int64_t until, int64_t page,
                    struct wq_cursor *c, struct tlsrpt_error *err)
{
    int rc = prepare(db, SQL_REJECTS, c, err);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_int64(c->st, 1, since) != SQLITE_OK ||
        sqlite3_bind_int64(c->st, 2, until) != SQLITE_OK ||
        sqlite3_bind_int64(c->st, 3, WQ_PAGE_SIZE + 1) != SQLITE_OK ||
        sqlite3_bind_int64(c->st, 4, offset_of(page)) != SQLITE_OK)
        return bind_fail(c, err);
    return 0;
}

int wq_rejects_next(struct wq_cursor *c, struct wq_reject_row *r, struct tlsrpt_error *err)
{
    int rc = step(c, err);
    if (rc != 1)
        return rc;
    sqlite3_stmt *st = c->st;
    r->id = col_int(st, 0);
    r->raw_id = col_int(st, 1);
    r->rejected_at = col_int(st, 2);
    r->attempts = col_int(st, 3);
    r->resolved_report = col_int(st, 4);
    r->resolved_at = col_int(st, 5);
    r->size = col_int(st, 6);
    r->code = col_text(st, 7);
    r->path = col_text(st, 8);
    r->reason = col_text(st, 9);
    r->format = col_text(st, 10);
    r->kind = col_text(st, 11);
    r->reference = col_text(st, 12);
    r->meta_json = col_text(st, 13);
    return 1;
}

int wq_rejects_count(struct tlsrpt_db *db, int64_t since, int64_t until, int64_t *total,
                     int64_t *unresolved, struct tlsrpt_error *err)
{
    struct wq_cursor c;
    int rc = prepare(db, SQL_REJECTS_COUNT, &c, err);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_int64(c.st, 1, since) != SQLITE_OK ||
        sqlite3_bind_int64(c.st, 2, until) != SQLITE_OK)
        return bind_fail(&c, err);
    rc = step(&c, err);
    if (rc == 1) {
        *total = col_int(c.st, 0);
        *unresolved = col_int(c.st, 1);
        rc = 0;
    } else if (rc == 0) {
        *total = *unresolved = 0;
    }
    wq_close(&c);
    return rc;
}

int wq_data_version(struct tlsrpt_db *db, int64_t *version)
{
    sqlite3_stmt *st = NULL;
    int rc = TLSRPT_E_DB;
    if (sqlite3_prepare_v2(db->h, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int wq_policy_starts_between(struct tlsrpt_db *db, int64_t from, int64_t to, bool *found,
                             struct tlsrpt_error *err)
{
    struct wq_cursor c;
    int rc = prepare(db, SQL_STARTS_BETWEEN, &c, err);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_int64(c.st, 1, from) != SQLITE_OK ||
        sqlite3_bind_int64(c.st, 2, to) != SQLITE_OK)
        return bind_fail(&c, err);
    rc = step(&c, err);
    *found = rc == 1;
    wq_close(&c);
    return rc == 1 ? 0 : rc;
}
