/* db.h - the one place that opens the SQLite database. Read-write opens apply the numbered
 * migrations in schema/NNN_*.sql (embedded at build time) under PRAGMA user_version; every open
 * sets WAL, foreign keys, a busy timeout and SQLITE_DBCONFIG_DEFENSIVE. Read-only opens (analyzer,
 * web) also set query_only. */
#ifndef TLSRPT_DB_H
#define TLSRPT_DB_H

#include "error.h"

#include <sqlite3.h>

/* Default database path when neither --db nor TLSRPT_DB is given. */
#define TLSRPT_DEFAULT_DB "/var/lib/tlsrpt/tlsrpt.db"
#define TLSRPT_DB_BUSY_TIMEOUT_MS 5000
/* WAL pages (4 KiB) between automatic checkpoints of a read-write handle (SQLite's default is
 * 1000); a handle with a checkpointer (checkpointer.h) checkpoints inline only from here on. */
#define TLSRPT_DB_AUTOCHECKPOINT_PAGES 8192

enum tlsrpt_db_mode { TLSRPT_DB_READWRITE, TLSRPT_DB_READONLY };

struct tlsrpt_store_stmts; /* store.c's prepared statements, made on first use (store_internal.h) */

struct tlsrpt_db {
    sqlite3 *h;
    enum tlsrpt_db_mode mode;
    int in_tx;
    char *path;                       /* as opened; named in every error message */
    struct tlsrpt_store_stmts *stmts; /* finalized by tlsrpt_db_close */
};

/* Resolves the database path: the --db value if set (not NULL, not ""), else $TLSRPT_DB if not
 * empty, else TLSRPT_DEFAULT_DB. */
const char *tlsrpt_db_path(const char *flag_value);

/* Opens (creating it read-write if missing) and migrates. A database newer than this build is
 * refused. Read-only: a missing file, or a schema older than this build, is an error (run the
 * collector once). Returns 0 or TLSRPT_E_DB (TLSRPT_E_NOMEM) with err set; *out NULL on failure. */
int tlsrpt_db_open(const char *path, enum tlsrpt_db_mode mode, struct tlsrpt_db **out,
                   struct tlsrpt_error *err);
void tlsrpt_db_close(struct tlsrpt_db *db);

/* Schema version after migrations (PRAGMA user_version) and the newest version this build knows. */
int tlsrpt_db_schema_version(struct tlsrpt_db *db);
int tlsrpt_db_latest_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or TLSRPT_E_DB. */
int tlsrpt_db_begin(struct tlsrpt_db *db, struct tlsrpt_error *err);
int tlsrpt_db_commit(struct tlsrpt_db *db, struct tlsrpt_error *err);
void tlsrpt_db_rollback(struct tlsrpt_db *db);

/* SAVEPOINT / RELEASE / ROLLBACK TO (+ RELEASE) of one fixed savepoint, from cached statements: for
 * a caller that wants one input's writes undone without losing the rest of its batch (store.h). Do
 * not nest. Return 0 or TLSRPT_E_DB. */
int tlsrpt_db_savepoint(struct tlsrpt_db *db, struct tlsrpt_error *err);
int tlsrpt_db_release(struct tlsrpt_db *db, struct tlsrpt_error *err);
void tlsrpt_db_rollback_to(struct tlsrpt_db *db);

/* Runs a statement with no parameters and no rows (pragmas, DDL). */
int tlsrpt_db_exec(struct tlsrpt_db *db, const char *sql, struct tlsrpt_error *err);

/* Sets err to TLSRPT_E_DB, "what: <sqlite3_errmsg> (database <path>)", and returns TLSRPT_E_DB. */
int tlsrpt_db_fail(struct tlsrpt_db *db, struct tlsrpt_error *err, const char *what);

#endif
