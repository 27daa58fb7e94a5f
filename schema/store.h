/* store.h - writes reports, rejects and raw inputs; the only code that writes the database besides
 * db.c. Every function works inside the caller's transaction (tlsrpt_db_begin/commit): batching is
 * the caller's choice (collector/ingest.c). All SQL parameters are bound, never formatted into the
 * text. The handle must be read-write.
 * Failure: whatever can fail because of the input (bad arguments, source kind, JSON encoding,
 * memory for the dedupe key) is checked before the first write, so such a failure writes nothing.
 * A failure after the first write comes from the database itself (I/O, disk full, out of memory)
 * and may leave part of the call's rows: the caller must then roll back, to a savepoint of its own
 * (tlsrpt_db_savepoint) or the whole transaction, before it commits anything.
 * Every function returns 0 or an error code: TLSRPT_E_DB, or TLSRPT_E_NOMEM when memory runs out.
 * Counting: each arrival adds one receipts row; each arrival of a report after its first adds one
 * to reports.duplicates, including arrivals that were rejects of the same bytes once those bytes
 * parse. */
#ifndef TLSRPT_STORE_H
#define TLSRPT_STORE_H

#include "db.h"
#include "error.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

/* Where an input came from; kept as a row in receipts for every arrival. */
struct tlsrpt_source_info {
    const char *kind;      /* "file", "mail" or "http" */
    const char *reference; /* path, Message-ID or client address; may be NULL */
    const char *meta_json; /* a JSON object (headers, User-Agent, ...) as text; may be NULL */
    int64_t received_at;   /* unix seconds; 0 means now */
};

/* What one arrival led to; named by tlsrpt_store_outcome_name(). */
enum tlsrpt_store_outcome {
    /* a new report */
    TLSRPT_STORE_IMPORTED = 0,
    /* same raw bytes or same dedupe key: duplicates counter raised only */
    TLSRPT_STORE_DUPLICATE,
    /* kept as a reject (new, or the same bad bytes again: attempts raised) */
    TLSRPT_STORE_REJECTED,
};
const char *tlsrpt_store_outcome_name(enum tlsrpt_store_outcome o); /* "imported", ... */

/* The deduplication key of a report: hex sha256 over reporter, report-id, start, end and the
 * sorted, de-duplicated policy domains (exact byte layout in rows.c; it is persisted, never change
 * it). buf must hold 65 bytes. Returns 0, or -1 on allocation failure. */
int tlsrpt_store_dedupe_key(const struct tlsrpt_report *r, char buf[65]);

/* Stores a parsed report with its raw input. *outcome tells whether it was new or a duplicate;
 * *report_id (may be NULL) receives the reports.id row (the existing one for a duplicate). Returns
 * 0 or TLSRPT_E_DB. */
int tlsrpt_store_report(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_report *report,
                        enum tlsrpt_store_outcome *outcome, int64_t *report_id,
                        struct tlsrpt_error *err);

/* Stores an input that failed to decode or parse, with the reason. If the same raw bytes already
 * produced a report, *outcome is TLSRPT_STORE_DUPLICATE and no reject is written. Returns 0 or
 * TLSRPT_E_DB. */
int tlsrpt_store_reject(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                        const struct tlsrpt_source_info *src, const struct tlsrpt_error *reason,
                        enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err);

/* What the store derives from an input before writing: the raw bytes' sha256 and, for a report,
 * its reporter, dedupe key and the JSON texts of its lists. Computing it touches nothing but its
 * arguments, so a source does it on the thread that parsed the input (tlsrpt_store_prep_make) and
 * the thread that owns the database only writes (the _prepped calls). */
struct tlsrpt_store_prep {
    char sha256[65]; /* of the raw bytes, lower-case hex */
    char *reporter;  /* report only: tlsrpt_report_reporter() */
    char key[65];    /* report only: the dedupe key */
    char **json;     /* report only: per policy, policy_strings, mx_hosts, mx_patterns as JSON */
    size_t n_json;
};
/* Fills *p for raw (and report, NULL for an input to be rejected). Returns 0, TLSRPT_E_NOMEM, or
 * TLSRPT_E_DB when a list cannot be encoded as JSON (not UTF-8); *p is then empty. Always free it
 * with tlsrpt_store_prep_free. */
int tlsrpt_store_prep_make(const uint8_t *raw, size_t raw_len, const struct tlsrpt_report *report,
                           struct tlsrpt_store_prep *p, struct tlsrpt_error *err);
void tlsrpt_store_prep_free(struct tlsrpt_store_prep *p);
/* tlsrpt_store_report and tlsrpt_store_reject with prep made by tlsrpt_store_prep_make for the same
 * raw bytes (and report). */
int tlsrpt_store_report_prepped(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                                const struct tlsrpt_source_info *src,
                                const struct tlsrpt_report *report,
                                const struct tlsrpt_store_prep *prep,
                                enum tlsrpt_store_outcome *outcome, int64_t *report_id,
                                struct tlsrpt_error *err);
int tlsrpt_store_reject_prepped(struct tlsrpt_db *db, const uint8_t *raw, size_t raw_len,
                                const struct tlsrpt_source_info *src,
                                const struct tlsrpt_error *reason,
                                const struct tlsrpt_store_prep *prep,
                                enum tlsrpt_store_outcome *outcome, struct tlsrpt_error *err);

/* For reprocess: visits every raw input in id order. A stored blob that does not inflate to its
 * recorded size stops the walk with TLSRPT_E_DB naming the raw id. The callback gets the raw bytes
 * (decompressed as received), the meta JSON of its first receipt (may be NULL), the reports.id it
 * produced (0 if none) and whether it has an unresolved reject. A non-zero return from the callback
 * stops the walk and is returned. The walk reads in pages, so the callback may write (inside its
 * own transaction). */
typedef int (*tlsrpt_raw_visit_fn)(void *ctx, int64_t raw_id, const uint8_t *raw, size_t len,
                                   const char *meta_json, int64_t report_id, int open_reject);
int tlsrpt_store_each_raw(struct tlsrpt_db *db, tlsrpt_raw_visit_fn fn, void *ctx,
                          struct tlsrpt_error *err);

/* For reprocess: a stored raw input now parses. Replaces the policies/details of the report it
 * produced (report_id > 0) with the new parse, or inserts the report (deduplicated) and marks its
 * reject resolved. *outcome says imported (new report), duplicate (already there, refreshed).
 * report_id must be what tlsrpt_store_each_raw passed (the database is checked). If the new parse
 * of a report has the dedupe key of another report, the two are merged: the other keeps its rows
 * and gains this one's arrivals as duplicates. Idempotent. Returns 0 or TLSRPT_E_DB. */
int tlsrpt_store_reparse(struct tlsrpt_db *db, int64_t raw_id, int64_t report_id,
                         const struct tlsrpt_report *report, enum tlsrpt_store_outcome *outcome,
                         struct tlsrpt_error *err);

/* For reprocess: a stored raw input still fails; updates the reject reason (creating the reject row
 * if the input had none and produced no report). A report made from the input earlier is kept, and
 * a resolved reject stays resolved. Returns 0 or TLSRPT_E_DB. */
int tlsrpt_store_rereject(struct tlsrpt_db *db, int64_t raw_id, const struct tlsrpt_error *reason,
                          struct tlsrpt_error *err);

#endif
