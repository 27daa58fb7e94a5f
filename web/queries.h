/* queries.h - the dashboard's own SQL, all of it in queries.c: the tables the analyzer does not
 * summarise (the report list, one report with its raw input and receipts, the rejects). Read-only
 * handle, every value a bound parameter. Figures about domains come from the analyzer library.
 *
 * Cursors: *_open prepares and binds, *_next returns 1 with a row (strings borrowed from SQLite,
 * valid until the next call), 0 at the end, or TLSRPT_E_DB; *_close finalizes. */
#ifndef TLSRPT_WEB_QUERIES_H
#define TLSRPT_WEB_QUERIES_H

#include "buf.h"
#include "db.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WQ_PAGE_SIZE 50 /* rows per page of the report and reject lists */

struct wq_cursor {
    struct tlsrpt_db *db;
    sqlite3_stmt *st;
};
void wq_close(struct wq_cursor *c);

/* ---- the report list ---- */

struct wq_report_filter {
    int64_t since, until; /* reports.start_time in [since, until) */
    const char *domain;   /* or NULL: reports with a policy entry for this domain */
    const char *reporter; /* or NULL: reports.reporter equal to it */
    bool failures_only;   /* reports with an entry whose failed > 0 */
    int64_t page;         /* from 1; WQ_PAGE_SIZE + 1 rows are read to know if there is a next */
};

struct wq_report_row {
    int64_t id, start_time, end_time, flags, duplicates;
    const char *reporter, *organization, *report_id; /* organization may be NULL */
    int64_t policies, successful, failed;            /* sums over the report's policy entries */
    const char *domains_json;                        /* JSON array of its distinct policy domains */
};

int wq_reports_open(struct tlsrpt_db *db, const struct wq_report_filter *f, struct wq_cursor *c,
                    struct tlsrpt_error *err);
int wq_reports_next(struct wq_cursor *c, struct wq_report_row *row, struct tlsrpt_error *err);

/* ---- one report ---- */

struct wq_report {
    int64_t id, raw_id, start_time, end_time, flags, duplicates, imported_at;
    const char *reporter, *organization, *contact_info, *report_id, *start_raw, *end_raw;
};
/* 1 with *r set (strings valid until wq_close), 0 when there is no such report, or TLSRPT_E_DB. */
int wq_report_get(struct tlsrpt_db *db, int64_t id, struct wq_cursor *c, struct wq_report *r,
                  struct tlsrpt_error *err);

struct wq_policy_row {
    int64_t id, idx, max_age, successful, failed;             /* max_age -1 when absent */
    const char *type, *domain, *mode;                         /* mode may be NULL */
    const char *strings_json, *mx_hosts_json, *patterns_json; /* JSON arrays, may be NULL */
};
int wq_policies_open(struct tlsrpt_db *db, int64_t report_id, struct wq_cursor *c,
                     struct tlsrpt_error *err);
int wq_policies_next(struct wq_cursor *c, struct wq_policy_row *row, struct tlsrpt_error *err);

struct wq_detail_row {
    const char *result_type, *sending_mta_ip, *receiving_mx_hostname, *receiving_mx_helo,
        *receiving_ip, *additional_information,
        *failure_reason_code; /* all but result type: NULL */
    int64_t failed_session_count;
};
int wq_details_open(struct tlsrpt_db *db, int64_t policy_id, struct wq_cursor *c,
                    struct tlsrpt_error *err);
int wq_details_next(struct wq_cursor *c, struct wq_detail_row *row, struct tlsrpt_error *err);

struct wq_receipt_row {
    int64_t id, received_at;
    const char *kind, *reference, *meta_json, *outcome; /* reference, meta may be NULL */
};
int wq_receipts_open(struct tlsrpt_db *db, int64_t raw_id, struct wq_cursor *c,
                     struct tlsrpt_error *err);
int wq_receipts_next(struct wq_cursor *c, struct wq_receipt_row *row, struct tlsrpt_error *err);

/* The raw input's bytes as they arrived (inflated when stored deflated) into out, which is
 * re-initialised with max as its cap; *format gets the sniffed format name stored with it.
 * Returns 0, TLSRPT_E_TOO_LARGE, TLSRPT_E_CORRUPT (does not inflate to its recorded size) or
 * TLSRPT_E_DB. */
int wq_raw_bytes(struct tlsrpt_db *db, int64_t raw_id, size_t max, struct tlsrpt_buf *out,
                 char *format, size_t format_len, struct tlsrpt_error *err);

/* ---- rejects ---- */

struct wq_reject_row {
    int64_t id, raw_id, rejected_at, attempts, resolved_report, resolved_at, size; /* 0: none */
    const char *code, *path, *reason, *format; /* path may be NULL */
    const char *kind, *reference, *meta_json;  /* of its first receipt; may be NULL */
};
/* Rejects with rejected_at in [since, until), newest first, one page (WQ_PAGE_SIZE + 1 rows). */
int wq_rejects_open(struct tlsrpt_db *db, int64_t since, int64_t until, int64_t page,
                    struct wq_cursor *c, struct tlsrpt_error *err);
int wq_rejects_next(struct wq_cursor *c, struct wq_reject_row *row, struct tlsrpt_error *err);

/* Rejects in [since, until): all of them and those still unresolved. */
int wq_rejects_count(struct tlsrpt_db *db, int64_t since, int64_t until, int64_t *total,
                     int64_t *unresolved, struct tlsrpt_error *err);

/* ---- for the analysis cache (cache.h) ---- */

/* PRAGMA data_version of this handle: changes when another connection commits. 0 or TLSRPT_E_DB. */
int wq_data_version(struct tlsrpt_db *db, int64_t *version);
/* *found: a policy entry starts in [from, to). 0 or TLSRPT_E_DB. */
int wq_policy_starts_between(struct tlsrpt_db *db, int64_t from, int64_t to, bool *found,
                             struct tlsrpt_error *err);

#endif
