/* test_checkpointer.c - checkpoints on their own thread (schema/checkpointer.h): the writer's
 * commits wake the thread past the soft threshold and no longer checkpoint themselves; past the
 * hard one they do, so a WAL that the thread cannot keep up with still stays bounded; and the
 * handle gets its automatic checkpoint back on stop. Real database files, real WAL. */
#include "checkpointer.h"
#include "store_env.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int setup(void **state)
{
    struct tu_store_env *e = tu_store_env_open(0);
    assert_int_equal(sqlite3_exec(e->db->h, "CREATE TABLE filler (b BLOB)", NULL, NULL, NULL),
                     SQLITE_OK);
    *state = e;
    return 0;
}

/* One transaction adding about `pages` 4 KiB pages. */
static void commit_pages(struct tu_store_env *e, int pages)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_exec(e->db->h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(e->db->h, "INSERT INTO filler VALUES (randomblob(4000))", -1, &st, NULL),
        SQLITE_OK);
    for (int i = 0; i < pages; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(e->db->h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* A WAL file of n frames (4 KiB pages plus a 24-byte frame header; 32 bytes of file header). The
 * file keeps its largest size, and its first transaction also holds the migrations' pages (36
 * frames for the schema of this build, a little room above that). */
#define WAL_FRAMES_BYTES(n) (32LL + (long long)(n) * (4096 + 24))
#define SCHEMA_FRAMES 45

/* The WAL file's size: it only grows while no checkpoint has let it wrap. */
static long long wal_bytes(const struct tu_store_env *e)
{
    char p[4300];
    snprintf(p, sizeof p, "%s-wal", e->db_path);
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Soft 16 pages, hard far away: every 40-page commit wakes the thread (also the one right after
 * the WAL wrapped back to the same size), none checkpoints inline. With pauses between commits the
 * thread catches up and the WAL wraps, so it stays near one commit's size instead of growing by 40
 * pages per commit. */
static void test_background_checkpoints_keep_the_wal_small(void **state)
{
    struct tu_store_env *e = *state;
    struct tlsrpt_checkpointer *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_checkpointer_start(e->db, 16, 100000, &c, &err), 0);
    for (int i = 0; i < 30; i++) {
        commit_pages(e, 40);
        sleep_ms(50);
    }
    struct tlsrpt_checkpointer_stats st = {0};
    tlsrpt_checkpointer_stop(c, &st);
    assert_true(st.background >= 25);
    assert_int_equal(st.inline_, 0);
    /* 30 commits of ~40 pages would be ~5 MB of WAL without a checkpoint that lets it wrap. */
    assert_true(wal_bytes(e) < 1200 * 1024);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM filler"), 1200);
}

/* Every 100-page commit is past the hard threshold of 64 (so the thread, woken only below it, never
 * runs). A caller that calls after_commit gets the inline checkpoint there, after each commit; the
 * WAL wraps after each. */
static void test_after_commit_checkpoints_past_the_hard_threshold(void **state)
{
    struct tu_store_env *e = *state;
    struct tlsrpt_checkpointer *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_checkpointer_start(e->db, 8, 64, &c, &err), 0);
    struct tlsrpt_checkpointer_stats st = {0};
    for (int i = 0; i < 10; i++) {
        commit_pages(e, 100);
        tlsrpt_checkpointer_get_stats(c, &st);
        assert_int_equal(st.inline_, (uint64_t)i); /* not inside the commit */
        tlsrpt_checkpointer_after_commit(c);
        tlsrpt_checkpointer_get_stats(c, &st);
        assert_int_equal(st.inline_, (uint64_t)i + 1);
    }
    tlsrpt_checkpointer_stop(c, &st);
    assert_int_equal(st.background, 0);
    assert_true(wal_bytes(e) < WAL_FRAMES_BYTES(SCHEMA_FRAMES + 110));
}

/* A caller that never calls after_commit: the next commit runs the checkpoint left due, so every
 * other commit checkpoints and the WAL stays within the threshold plus one commit. */
static void test_the_next_commit_checkpoints_when_nobody_else_does(void **state)
{
    struct tu_store_env *e = *state;
    struct tlsrpt_checkpointer *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_checkpointer_start(e->db, 8, 64, &c, &err), 0);
    for (int i = 0; i < 10; i++)
        commit_pages(e, 100);
    struct tlsrpt_checkpointer_stats st = {0};
    tlsrpt_checkpointer_stop(c, &st);
    assert_int_equal(st.inline_, 5);
    assert_true(wal_bytes(e) < WAL_FRAMES_BYTES(SCHEMA_FRAMES + 2 * 110));
}

/* After stop the handle checkpoints inside its commits again, at its usual threshold (and the
 * hook no longer points at the freed checkpointer: ASan would see it). 12,000 pages without a
 * checkpoint would make a 48 MB WAL; with one every TLSRPT_DB_AUTOCHECKPOINT_PAGES it wraps. */
static void test_stop_gives_the_automatic_checkpoint_back(void **state)
{
    struct tu_store_env *e = *state;
    struct tlsrpt_checkpointer *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_checkpointer_start(e->db, 16, 100000, &c, &err), 0);
    tlsrpt_checkpointer_stop(c, NULL);
    for (int i = 0; i < 120; i++)
        commit_pages(e, 100);
    assert_true(wal_bytes(e) < (long long)(TLSRPT_DB_AUTOCHECKPOINT_PAGES + 200) * 4200);
    assert_int_equal(tu_count(e->db, "SELECT count(*) FROM filler"), 12000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_background_checkpoints_keep_the_wal_small, setup,
                                        tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_after_commit_checkpoints_past_the_hard_threshold,
                                        setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_the_next_commit_checkpoints_when_nobody_else_does,
                                        setup, tu_store_env_teardown),
        cmocka_unit_test_setup_teardown(test_stop_gives_the_automatic_checkpoint_back, setup,
                                        tu_store_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
