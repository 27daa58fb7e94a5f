/* test_db.c - opening the database: migrations, version checks, pragmas, read-only handles, path
 * resolution, transactions and the errors a bad path gives. */
#include "db.h"
#include "migrations.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
    char dir[4096];
    char path[4200];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *d = tu_tmpdir();
    if (f == NULL || d == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s", d);
    snprintf(f->path, sizeof f->path, "%s/tlsrpt.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    chmod(f->dir, 0700); /* a test may have made it read-only */
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static struct tlsrpt_db *open_ok(const char *path, enum tlsrpt_db_mode mode)
{
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_db_open(path, mode, &db, &err);
    if (rc != 0)
        print_error("open %s: %s\n", path, err.message);
    assert_int_equal(rc, 0);
    assert_non_null(db);
    return db;
}

/* Opening must fail with TLSRPT_E_DB and a message holding each of the given fragments. */
static void open_fails(const char *path, enum tlsrpt_db_mode mode, const char *want1,
                       const char *want2)
{
    struct tlsrpt_db *db = (struct tlsrpt_db *)1;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_db_open(path, mode, &db, &err), TLSRPT_E_DB);
    assert_null(db);
    assert_int_equal(err.code, TLSRPT_E_DB);
    if (!strstr(err.message, want1) || (want2 && !strstr(err.message, want2)))
        print_error("message '%s' lacks '%s' / '%s'\n", err.message, want1, want2 ? want2 : "");
    assert_non_null(strstr(err.message, want1));
    if (want2)
        assert_non_null(strstr(err.message, want2));
}

static int64_t q_int(struct tlsrpt_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t tables(struct tlsrpt_db *db)
{
    return q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                     "('raw_inputs','receipts','reports','policies','failure_details','rejects')");
}

static void test_migrations_are_numbered(void **state)
{
    (void)state;
    assert_true(tlsrpt_migrations_count >= 1);
    assert_int_equal(tlsrpt_db_latest_version(), (int)tlsrpt_migrations_count);
    for (size_t i = 0; i < tlsrpt_migrations_count; i++) {
        char want[24];
        snprintf(want, sizeof want, "%03zu_", i + 1);
        assert_memory_equal(tlsrpt_migrations[i].name, want, 4);
        assert_true(strlen(tlsrpt_migrations[i].sql) > 0);
    }
}

static void test_migrate_from_empty(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    assert_int_equal(tlsrpt_db_schema_version(db), tlsrpt_db_latest_version());
    assert_int_equal(q_int(db, "PRAGMA user_version"), tlsrpt_db_latest_version());
    assert_int_equal(tables(db), 6);
    tlsrpt_db_close(db);
}

static void test_reopen_is_noop(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    int64_t objects = q_int(db, "SELECT count(*) FROM sqlite_master");
    assert_int_equal(tlsrpt_db_exec(db,
                                    "INSERT INTO raw_inputs (sha256, size, encoding, data, format,"
                                    " first_seen) VALUES ('x', 1, 'identity', x'41', 'json', 1)",
                                    &err),
                     0);
    tlsrpt_db_close(db);

    db = open_ok(f->path, TLSRPT_DB_READWRITE);
    assert_int_equal(tlsrpt_db_schema_version(db), tlsrpt_db_latest_version());
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master"), objects);
    assert_int_equal(q_int(db, "SELECT count(*) FROM raw_inputs"), 1);
    tlsrpt_db_close(db);
}

static void test_newer_database_refused(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    char pragma[64];
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", tlsrpt_db_latest_version() + 1);
    assert_int_equal(tlsrpt_db_exec(db, pragma, &err), 0);
    tlsrpt_db_close(db);

    open_fails(f->path, TLSRPT_DB_READWRITE, "newer than this build", f->path);
    open_fails(f->path, TLSRPT_DB_READONLY, "newer than this build", f->path);
}

static void test_pragmas_readwrite(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    int v = -1;
    assert_int_equal(sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, -1, &v), SQLITE_OK);
    assert_int_equal(v, 1);
    assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(q_int(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(q_int(db, "PRAGMA query_only"), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db->h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);

    /* DEFENSIVE: even with writable_schema the schema table cannot be edited. */
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_db_exec(db, "PRAGMA writable_schema = ON", &err), 0);
    assert_int_equal(
        tlsrpt_db_exec(db, "UPDATE sqlite_master SET sql = 'x' WHERE name = 'reports'", &err),
        TLSRPT_E_DB);
    assert_non_null(strstr(err.message, f->path));
    tlsrpt_db_close(db);
}

static void test_readonly_refuses_writes(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    tlsrpt_db_close(open_ok(f->path, TLSRPT_DB_READWRITE));

    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READONLY);
    int v = -1;
    assert_int_equal(sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, -1, &v), SQLITE_OK);
    assert_int_equal(v, 1);
    assert_int_equal(q_int(db, "PRAGMA query_only"), 1);
    assert_int_equal(tlsrpt_db_schema_version(db), tlsrpt_db_latest_version());
    assert_int_equal(tlsrpt_db_exec(db,
                                    "INSERT INTO raw_inputs (sha256, size, encoding, data, format,"
                                    " first_seen) VALUES ('x', 1, 'identity', x'41', 'json', 1)",
                                    &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, f->path));
    assert_int_equal(q_int(db, "SELECT count(*) FROM raw_inputs"), 0);
    tlsrpt_db_close(db);
}

static void test_readonly_missing_file(void **state)
{
    struct fixture *f = *state;
    open_fails(f->path, TLSRPT_DB_READONLY, "does not exist; run tlsrpt-collector import first",
               f->path);
    struct stat sb;
    assert_int_not_equal(stat(f->path, &sb), 0); /* and it was not created */
}

static void test_readonly_old_schema(void **state)
{
    struct fixture *f = *state;
    sqlite3 *h = NULL;
    /* A database this build never migrated: user_version 0. */
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    open_fails(f->path, TLSRPT_DB_READONLY, "run tlsrpt-collector once", f->path);

    /* A read-write open migrates it; then read-only works. */
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    assert_int_equal(tables(db), 6);
    tlsrpt_db_close(db);
    tlsrpt_db_close(open_ok(f->path, TLSRPT_DB_READONLY));
}

static void test_unwritable_path(void **state)
{
    struct fixture *f = *state;
    char file[4300], path[4400];
    /* A path through a regular file fails for every user, root included. */
    snprintf(file, sizeof file, "%s/plain", f->dir);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/tlsrpt.db", file);
    open_fails(path, TLSRPT_DB_READWRITE, "cannot open", path);
    open_fails(path, TLSRPT_DB_READONLY, path, NULL);

    snprintf(path, sizeof path, "%s/no/such/dir/tlsrpt.db", f->dir);
    open_fails(path, TLSRPT_DB_READWRITE, "cannot open", path);
}

/* Opens read-write in a child that has given up root (root ignores directory permissions): returns
 * the open's result code and its message through a pipe. */
static int open_unprivileged(const char *path, char *msg, size_t msg_len)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(99);
        struct tlsrpt_db *db = NULL;
        struct tlsrpt_error err = {0};
        int rc = tlsrpt_db_open(path, TLSRPT_DB_READWRITE, &db, &err);
        tlsrpt_db_close(db);
        ssize_t w = write(fds[1], err.message, strlen(err.message));
        _exit(w < 0 ? 98 : rc);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], msg, msg_len - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_readonly_directory(void **state)
{
    struct fixture *f = *state;
    char msg[512];
    assert_int_equal(chmod(f->dir, 0555), 0);
    assert_int_equal(open_unprivileged(f->path, msg, sizeof msg), TLSRPT_E_DB);
    if (!strstr(msg, f->path))
        print_error("message '%s' lacks the path\n", msg);
    assert_non_null(strstr(msg, f->path));
    assert_non_null(strstr(msg, "cannot open"));
}

static void test_not_a_database(void **state)
{
    struct fixture *f = *state;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs("this is not an SQLite database, just a text file long enough to have a header\n", fp);
    fclose(fp);
    open_fails(f->path, TLSRPT_DB_READWRITE, f->path, NULL);
    open_fails(f->path, TLSRPT_DB_READONLY, f->path, NULL);
}

static void test_db_path(void **state)
{
    (void)state;
    static const struct {
        const char *flag, *env, *want;
    } cases[] = {
        {"/x/flag.db", "/x/env.db", "/x/flag.db"},
        {NULL, "/x/env.db", "/x/env.db"},
        {"", "/x/env.db", "/x/env.db"},
        {NULL, "", TLSRPT_DEFAULT_DB},
        {NULL, NULL, TLSRPT_DEFAULT_DB},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].env)
            setenv("TLSRPT_DB", cases[i].env, 1);
        else
            unsetenv("TLSRPT_DB");
        assert_string_equal(tlsrpt_db_path(cases[i].flag), cases[i].want);
    }
    unsetenv("TLSRPT_DB");
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    const char *ins = "INSERT INTO raw_inputs (sha256, size, encoding, data, format, first_seen)"
                      " VALUES (hex(randomblob(32)), 1, 'identity', x'41', 'json', 1)";
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);

    assert_int_equal(tlsrpt_db_begin(db, &err), 0);
    assert_int_equal(db->in_tx, 1);
    assert_int_equal(tlsrpt_db_begin(db, &err), TLSRPT_E_DB); /* no nesting */
    assert_int_equal(tlsrpt_db_exec(db, ins, &err), 0);
    tlsrpt_db_rollback(db);
    assert_int_equal(db->in_tx, 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM raw_inputs"), 0);

    assert_int_equal(tlsrpt_db_begin(db, &err), 0);
    assert_int_equal(tlsrpt_db_exec(db, ins, &err), 0);
    assert_int_equal(tlsrpt_db_commit(db, &err), 0);
    assert_int_equal(db->in_tx, 0);
    tlsrpt_db_close(db);

    /* Committed means visible to another handle. */
    db = open_ok(f->path, TLSRPT_DB_READONLY);
    assert_int_equal(q_int(db, "SELECT count(*) FROM raw_inputs"), 1);
    tlsrpt_db_close(db);

    /* BEGIN IMMEDIATE takes the write lock at once: a second writer times out at begin. */
    struct tlsrpt_db *a = open_ok(f->path, TLSRPT_DB_READWRITE);
    struct tlsrpt_db *b = open_ok(f->path, TLSRPT_DB_READWRITE);
    sqlite3_busy_timeout(b->h, 10);
    assert_int_equal(tlsrpt_db_begin(a, &err), 0);
    assert_int_equal(tlsrpt_db_begin(b, &err), TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "locked"));
    assert_int_equal(b->in_tx, 0);
    tlsrpt_db_rollback(a);
    tlsrpt_db_close(a);
    tlsrpt_db_close(b);
}

static void test_foreign_keys_enforced(void **state)
{
    struct fixture *f = *state;
    struct tlsrpt_error err = {0};
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    assert_int_equal(tlsrpt_db_exec(db,
                                    "INSERT INTO receipts (raw_id, kind, received_at, outcome)"
                                    " VALUES (42, 'file', 1, 'imported')",
                                    &err),
                     TLSRPT_E_DB);
    assert_non_null(strstr(err.message, "FOREIGN KEY"));
    tlsrpt_db_close(db);
}

/* 003 copies each report's organization-name to its policy entries, also for rows written by an
 * older build: a database left at version 2 with one report gets the column filled on open. */
static void test_migration_003_fills_policy_organization(void **state)
{
    struct fixture *f = *state;
    sqlite3 *h = NULL;
    assert_true(tlsrpt_migrations_count >= 3);
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(sqlite3_exec(h, tlsrpt_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(
            h,
            "PRAGMA user_version = 2;"
            "INSERT INTO raw_inputs VALUES (1, 'x', 1, 'identity', x'00', 'json', 1);"
            "INSERT INTO reports (id, raw_id, dedupe_key, reporter, organization_name,"
            " report_id, start_time, end_time, imported_at)"
            " VALUES (7, 1, 'k', 'google.com', 'Google Inc.', 'r1', 0, 86400, 1);"
            "INSERT INTO policies (report, idx, policy_type, policy_domain, successful,"
            " failed, start_time, reporter) VALUES (7, 0, 'sts', 'example.com', 5, 1, 0,"
            " 'google.com'), (7, 1, 'no-policy-found', 'example.org', 2, 0, 0, 'google.com');",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(h);
    struct tlsrpt_db *db = open_ok(f->path, TLSRPT_DB_READWRITE);
    assert_int_equal(tlsrpt_db_schema_version(db), tlsrpt_db_latest_version());
    assert_int_equal(
        q_int(db, "SELECT count(*) FROM policies WHERE organization_name = 'Google Inc.'"), 2);
    tlsrpt_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_are_numbered),
        cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_is_noop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pragmas_readwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_refuses_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_old_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
        cmocka_unit_test(test_db_path),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_003_fills_policy_organization, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
