/* db.c - opening the database, migrations and transactions (db.h). */
#include "db.h"
#include "migrations.h"
#include "store_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Page cache of a read-write handle, in KiB (negative for PRAGMA cache_size): bulk import touches
 * the two sha256-keyed unique indexes at random, so more than the 2 MiB default pays off. */
#define DB_CACHE_KIB 32768
/* The size the WAL file is truncated to after a checkpoint (see TLSRPT_DB_AUTOCHECKPOINT_PAGES). */
#define DB_WAL_LIMIT_BYTES (64 << 20)

/* Library-wide settings, once, before the first connection initialises SQLite (sqlite3_config
 * refuses them afterwards, harmlessly, e.g. when a test configured its own allocator first). Memory
 * statistics off: they take a global mutex around every allocation SQLite makes. */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

const char *tlsrpt_db_path(const char *flag_value)
{
    if (flag_value != NULL && flag_value[0] != '\0')
        return flag_value;
    const char *env = getenv("TLSRPT_DB");
    if (env != NULL && env[0] != '\0')
        return env;
    return TLSRPT_DEFAULT_DB;
}

int tlsrpt_db_fail(struct tlsrpt_db *db, struct tlsrpt_error *err, const char *what)
{
    return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "%s: %s (database %s)", what,
                            db->h ? sqlite3_errmsg(db->h) : "no handle", db->path);
}

int tlsrpt_db_exec(struct tlsrpt_db *db, const char *sql, struct tlsrpt_error *err)
{
    if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, sql);
    return 0;
}

/* The number in "NNN_name.sql", or -1. */
static int migration_number(const char *name)
{
    int n = 0;
    for (int i = 0; i < 3; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return name[3] == '_' ? n : -1;
}

int tlsrpt_db_latest_version(void)
{
    if (tlsrpt_migrations_count == 0)
        return 0;
    return migration_number(tlsrpt_migrations[tlsrpt_migrations_count - 1].name);
}

/* Reads one integer from a pragma; -1 on failure (err set). */
static int64_t pragma_int(struct tlsrpt_db *db, const char *sql, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, sql);
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        tlsrpt_db_fail(db, err, sql);
        goto out;
    }
    v = sqlite3_column_int64(st, 0);
out:
    sqlite3_finalize(st);
    return v;
}

int tlsrpt_db_schema_version(struct tlsrpt_db *db)
{
    return (int)pragma_int(db, "PRAGMA user_version", NULL);
}

int tlsrpt_db_begin(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    if (db->in_tx)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "begin: a transaction is already open (%s)",
                                db->path);
    if (tlsrpt_db_exec(db, "BEGIN IMMEDIATE", err) != 0)
        return TLSRPT_E_DB;
    db->in_tx = 1;
    return 0;
}

int tlsrpt_db_commit(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    /* On failure the transaction stays open; the caller rolls back. */
    if (tlsrpt_db_exec(db, "COMMIT", err) != 0)
        return TLSRPT_E_DB;
    db->in_tx = 0;
    return 0;
}

void tlsrpt_db_rollback(struct tlsrpt_db *db)
{
    /* SQLite may already have rolled back by itself (e.g. after SQLITE_FULL). */
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
}

/* Applies migration `index` (number index + 1) in its own transaction, unless another process got
 * there first: the version is re-read under the write lock. */
static int migrate_one(struct tlsrpt_db *db, size_t index, struct tlsrpt_error *err)
{
    const struct tlsrpt_migration *m = &tlsrpt_migrations[index];
    int number = migration_number(m->name);
    int rc = TLSRPT_E_DB;
    char pragma[64];

    if (number != (int)index + 1)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                "migration %s is out of sequence (build error)", m->name);
    if (tlsrpt_db_begin(db, err) != 0)
        return TLSRPT_E_DB;
    int64_t v = pragma_int(db, "PRAGMA user_version", err);
    if (v < 0)
        goto out;
    if (v >= number) {
        rc = tlsrpt_db_commit(db, err);
        goto out;
    }
    if (sqlite3_exec(db->h, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
        char what[128];
        snprintf(what, sizeof what, "migration %s", m->name);
        tlsrpt_db_fail(db, err, what);
        goto out;
    }
    /* PRAGMA takes no bound parameters; the number is the build's own, not outside data. */
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", number);
    if (tlsrpt_db_exec(db, pragma, err) != 0)
        goto out;
    rc = tlsrpt_db_commit(db, err);
out:
    if (rc != 0)
        tlsrpt_db_rollback(db);
    return rc;
}

static int migrate(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    int latest = tlsrpt_db_latest_version();
    int64_t v = pragma_int(db, "PRAGMA user_version", err);
    if (v < 0)
        return TLSRPT_E_DB;
    if (v > latest)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                "database %s has schema version %lld, newer than this build "
                                "knows (%d); use a newer tlsrpt",
                                db->path, (long long)v, latest);
    for (size_t i = (size_t)v; i < tlsrpt_migrations_count; i++)
        if (migrate_one(db, i, err) != 0)
            return TLSRPT_E_DB;
    return 0;
}

/* A read-only handle cannot migrate: the schema must be exactly this build's. */
static int check_version_readonly(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    int latest = tlsrpt_db_latest_version();
    int64_t v = pragma_int(db, "PRAGMA user_version", err);
    if (v < 0)
        return TLSRPT_E_DB;
    if (v < latest)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                "database %s has schema version %lld, this build needs %d; run "
                                "tlsrpt-collector once to upgrade it",
                                db->path, (long long)v, latest);
    if (v > latest)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                "database %s has schema version %lld, newer than this build "
                                "knows (%d); use a newer tlsrpt",
                                db->path, (long long)v, latest);
    return 0;
}

/* Settings every handle gets (Defense Against the Dark Arts): no schema tricks, no untrusted SQL
 * functions in the schema, a bounded wait for the writer lock. */
static int configure_common(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    int on = 0;
    sqlite3_extended_result_codes(db->h, 1);
    if (sqlite3_busy_timeout(db->h, TLSRPT_DB_BUSY_TIMEOUT_MS) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "busy_timeout");
    if (sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1)
        return tlsrpt_db_fail(db, err, "SQLITE_DBCONFIG_DEFENSIVE");
    if (sqlite3_db_config(db->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK || on != 0)
        return tlsrpt_db_fail(db, err, "SQLITE_DBCONFIG_TRUSTED_SCHEMA");
    return tlsrpt_db_exec(db, "PRAGMA foreign_keys = ON", err);
}

static int configure_readwrite(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = TLSRPT_E_DB;
    char pragma[64];

    /* The pragma answers with the mode in force: anything but "wal" means it did not switch. */
    if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        tlsrpt_db_fail(db, err, "PRAGMA journal_mode = WAL");
        goto out;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
        tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "database %s: journal_mode is %s, not wal",
                         db->path, mode ? mode : "unknown");
        goto out;
    }
    /* FULL in WAL syncs every commit: a source acknowledges an input only after its commit. */
    if (tlsrpt_db_exec(db, "PRAGMA synchronous = FULL", err) != 0)
        goto out;
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", DB_CACHE_KIB);
    if (tlsrpt_db_exec(db, pragma, err) != 0)
        goto out;
    /* Statement journals (and tlsrpt_db_savepoint's sub-journal) stay in memory instead of
     * costing a pwrite per page to a temporary file. */
    if (tlsrpt_db_exec(db, "PRAGMA temp_store = MEMORY", err) != 0)
        goto out;
    /* Bulk import rewrites the same random index pages in every batch: checkpointing less often
     * copies each page to the database file once instead of once per batch. The WAL file is cut
     * back to the limit after each checkpoint. */
    snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint = %d",
             TLSRPT_DB_AUTOCHECKPOINT_PAGES);
    if (tlsrpt_db_exec(db, pragma, err) != 0)
        goto out;
    snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit = %d", DB_WAL_LIMIT_BYTES);
    if (tlsrpt_db_exec(db, pragma, err) != 0)
        goto out;
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

int tlsrpt_db_open(const char *path, enum tlsrpt_db_mode mode, struct tlsrpt_db **out,
                   struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_DB;
    struct tlsrpt_db *db = NULL;

    *out = NULL;
    db = calloc(1, sizeof *db);
    if (db == NULL || (db->path = strdup(path)) == NULL) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory opening database %s", path);
        goto out;
    }
    db->mode = mode;

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (mode == TLSRPT_DB_READONLY) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            if (errno == ENOENT)
                tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                 "database %s does not exist; run tlsrpt-collector import first",
                                 path);
            else
                tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "database %s: %s", path, strerror(errno));
            goto out;
        }
        flags = SQLITE_OPEN_READONLY;
    }
    /* A handle is only ever used by one thread at a time (each thread opens its own; the web's
     * pool hands one out under a lock), so SQLite's per-call connection mutex is not needed: it
     * was a lock and an unlock around every step, bind and column read, 7% of an analysis. */
    flags |= SQLITE_OPEN_NOMUTEX;
    pthread_once(&library_once, configure_library);
    /* sqlite3_open_v2 allocates a handle even when it fails; close() below releases it. */
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "cannot open");
        goto out;
    }
    if (configure_common(db, err) != 0)
        goto out;
    if (mode == TLSRPT_DB_READONLY) {
        if (tlsrpt_db_exec(db, "PRAGMA query_only = 1", err) != 0 ||
            check_version_readonly(db, err) != 0)
            goto out;
    } else if (configure_readwrite(db, err) != 0 || migrate(db, err) != 0) {
        goto out;
    }
    *out = db;
    db = NULL;
    rc = 0;
out:
    tlsrpt_db_close(db);
    return rc;
}

void tlsrpt_db_close(struct tlsrpt_db *db)
{
    if (db == NULL)
        return;
    tlsrpt_store_stmts_free(db->stmts);
    /* Closing rolls back an open transaction; every statement is finalized by now. */
    sqlite3_close(db->h);
    free(db->path);
    free(db);
}
