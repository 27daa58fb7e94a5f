/* store_internal.h - what the store's files share and nothing else includes: the cache of prepared
 * statements hung off struct tlsrpt_db, step/bind helpers and the row writers. */
#ifndef TLSRPT_STORE_INTERNAL_H
#define TLSRPT_STORE_INTERNAL_H

#include "db.h"
#include "error.h"
#include "report.h"
#include "store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One entry per SQL text in store_stmts.c; each is prepared once per handle, on first use. */
enum tlsrpt_stmt_id {
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_RAW_INSERT,
    ST_RAW_BY_SHA,
    ST_RAW_STATE,
    ST_RAW_PAGE,
    ST_RAW_FETCH,
    ST_RAW_RECEIPTS,
    ST_RECEIPT_INSERT,
    ST_REPORT_BY_KEY,
    ST_REPORT_GET,
    ST_REPORT_INSERT,
    ST_REPORT_UPDATE,
    ST_REPORT_BUMP,
    ST_REPORT_DELETE,
    ST_POLICY_INSERT,
    ST_POLICIES_DELETE,
    ST_DETAIL_INSERT,
    ST_REJECT_UPSERT,
    ST_REJECT_REASON,
    ST_REJECT_RESOLVE,
    ST_REJECT_MOVE,
    ST_COUNT
};

/* A JSON array text remembered for a list of strings (json_list.c). */
#define TLSRPT_JSON_CACHE_SLOTS 64
struct tlsrpt_json_cache_entry {
    uint64_t hash;
    size_t n;       /* strings in the list */
    size_t key_len; /* bytes of key: the strings, each with its NUL */
    char *key;
    char *text; /* the JSON array */
};

struct tlsrpt_store_stmts {
    sqlite3_stmt *st[ST_COUNT];
    uint8_t *zbuf; /* scratch for compress2, reused so an import does not malloc per input */
    size_t zcap;
    struct tlsrpt_json_cache_entry *json; /* TLSRPT_JSON_CACHE_SLOTS entries (json_list.c) */
};

/* The handle's cache, made on first use; NULL with err set when memory runs out. */
struct tlsrpt_store_stmts *tlsrpt_store_stmts_get(struct tlsrpt_db *db, struct tlsrpt_error *err);
void tlsrpt_store_stmts_free(struct tlsrpt_store_stmts *s);

/* json_list.c: the strings as a compact JSON array, malloc'd (free()); "[]" for none, never NULL on
 * success. NULL when memory runs out or a string is not UTF-8. */
char *tlsrpt_json_list(struct tlsrpt_store_stmts *s, char *const *v, size_t n); /* s may be NULL */
void tlsrpt_json_cache_free(struct tlsrpt_store_stmts *s);

/* The prepared statement `id`, reset and ready to bind; NULL with err set on failure. */
sqlite3_stmt *tlsrpt_stmt(struct tlsrpt_db *db, enum tlsrpt_stmt_id id, struct tlsrpt_error *err);
/* Steps a statement that returns no rows, then resets it. 0 or TLSRPT_E_DB. */
int tlsrpt_stmt_done(struct tlsrpt_db *db, sqlite3_stmt *st, const char *what,
                     struct tlsrpt_error *err);
/* Steps a one-column query: *v = first row's value (0 when no row or NULL), then resets. */
int tlsrpt_stmt_int64(struct tlsrpt_db *db, sqlite3_stmt *st, const char *what, int64_t *v,
                      struct tlsrpt_error *err);
/* Binds s as TEXT (SQLITE_STATIC: it must outlive the step) or NULL when s is NULL. */
int tlsrpt_bind_text(sqlite3_stmt *st, int i, const char *s);
/* TLSRPT_E_DB unless db is a read-write handle and args_ok. */
int tlsrpt_store_check(struct tlsrpt_db *db, int args_ok, const char *what,
                       struct tlsrpt_error *err);

/* raw.c: the input row (inserted or found by sha256) and an arrival row. */
int tlsrpt_store_put_raw(struct tlsrpt_db *db, const uint8_t *raw, size_t len, const char *sha256,
                         int64_t now, int64_t *raw_id, int *fresh, struct tlsrpt_error *err);
int tlsrpt_store_put_receipt(struct tlsrpt_db *db, int64_t raw_id,
                             const struct tlsrpt_source_info *src, int64_t received_at,
                             enum tlsrpt_store_outcome outcome, int64_t *receipt_id,
                             struct tlsrpt_error *err);

/* What a raw input has led to so far. */
struct tlsrpt_raw_state {
    int exists;
    int64_t report_id;       /* the report made from these bytes (reports.raw_id), or 0 */
    int64_t reject_id;       /* its rejects row, or 0 */
    int64_t resolved_report; /* rejects.resolved_report, or 0 */
    int64_t attempts;        /* rejects.attempts, or 0 */
};
int tlsrpt_store_raw_state(struct tlsrpt_db *db, int64_t raw_id, struct tlsrpt_raw_state *rs,
                           struct tlsrpt_error *err);

/* rows.c: the report half of a tlsrpt_store_prep (everything about a report that can fail without
 * the database: allocation, JSON encoding), computed before the first write so that a store call
 * never stops half-way for its input. With db, JSON texts come from the handle's cache; with db
 * NULL (another thread than the writer's) they are encoded every time. */
int tlsrpt_store_prepare(struct tlsrpt_db *db, const struct tlsrpt_report *r,
                         struct tlsrpt_store_prep *p, struct tlsrpt_error *err);
int tlsrpt_store_key(const struct tlsrpt_report *r, const char *reporter, char key[65]);
int tlsrpt_store_insert_report(struct tlsrpt_db *db, int64_t raw_id, int64_t receipt_id,
                               const struct tlsrpt_report *r, const struct tlsrpt_store_prep *p,
                               int64_t duplicates, int64_t now, int64_t *report_id,
                               struct tlsrpt_error *err);
int tlsrpt_store_update_report(struct tlsrpt_db *db, int64_t report_id,
                               const struct tlsrpt_report *r, const struct tlsrpt_store_prep *p,
                               struct tlsrpt_error *err);
int tlsrpt_store_bump(struct tlsrpt_db *db, int64_t report_id, int64_t by,
                      struct tlsrpt_error *err);
int tlsrpt_store_resolve(struct tlsrpt_db *db, int64_t raw_id, int64_t report_id, int64_t now,
                         struct tlsrpt_error *err);
/* store.c: inserts a reject, or on the same raw_id counts one more attempt and keeps the newest
 * reason. */
int tlsrpt_store_put_reject(struct tlsrpt_db *db, int64_t raw_id, int64_t receipt_id, int64_t when,
                            int64_t attempts, const struct tlsrpt_error *reason,
                            struct tlsrpt_error *err);
int tlsrpt_store_find_key(struct tlsrpt_db *db, const char *key, int64_t *report_id,
                          struct tlsrpt_error *err);

#endif
