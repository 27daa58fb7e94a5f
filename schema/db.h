/* db.h - the one place that opens the SQLite database. Read-write opens apply the numbered migrations in
 * schema/NNN_*.sql (embedded at build time) under PRAGMA user_version; every open sets WAL, foreign keys,
 * a busy timeout and SQLITE_DBCONFIG_DEFENSIVE. Read-only opens (analyzer, web) also set query_only. */
#ifndef TLSRPT_DB_H
#define TLSRPT_DB_H

#include "error.h"

#include <sqlite3.h>

/* Default database path when neither --db nor TLSRPT_DB is given. */
#define TLSRPT_DEFAULT_DB "/var/lib/tlsrpt/tlsrpt.db"
#define TLSRPT_DB_BUSY_TIMEOUT_MS 5000

enum tlsrpt_db_mode { TLSRPT_DB_READWRITE, TLSRPT_DB_READONLY };

struct tlsrpt_db {
    sqlite3 *h;
    enum tlsrpt_db_mode mode;
    int in_tx;
};

/* Resolves the database path: the --db value if not NULL, else $TLSRPT_DB, else TLSRPT_DEFAULT_DB. */
const char *tlsrpt_db_path(const char *flag_value);

/* Opens (creating it read-write if missing) and migrates. Returns 0 or TLSRPT_E_DB with err set. */
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

/* Runs a statement with no parameters and no rows (pragmas, DDL). */
int tlsrpt_db_exec(struct tlsrpt_db *db, const char *sql, struct tlsrpt_error *err);

#endif
