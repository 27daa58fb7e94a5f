/* test_http_writer.c - the writer thread against a real database: every job is answered once, only
 * after its commit (the row is visible from another connection when done() runs), many jobs share a
 * commit, a full queue refuses at once, stop() writes what is queued. */
#include "db.h"
#include "testutil.h"
#include "writer.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#define THREADS 8
#define PER_THREAD 50

struct tjob {
    struct tlsrpt_http_job job;
    char *body;
    char path[4096];
    int outcome;
    int visible; /* the report row was visible to another connection when done() ran */
    int done;
    pthread_mutex_t lock;
    pthread_cond_t cv;
};

static char *report_text(const char *id)
{
    char *s = NULL;
    int n = asprintf(&s,
                     "{\"organization-name\":\"Org\",\"date-range\":{\"start-datetime\":"
                     "\"2024-03-01T00:00:00Z\",\"end-datetime\":\"2024-03-01T23:59:59Z\"},"
                     "\"contact-info\":\"x@reporter.example\",\"report-id\":\"%s\",\"policies\":"
                     "[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
                     "\"summary\":{\"total-successful-session-count\":1,"
                     "\"total-failure-session-count\":0}}]}",
                     id);
    assert_true(n > 0);
    return s;
}

static int count_report(const char *db, const char *id)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(h, 5000);
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM reports WHERE report_id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

static void on_done(struct tlsrpt_http_job *job, const struct tlsrpt_ingest_result *res)
{
    struct tjob *t = job->ctx;
    const char *p = strstr(t->body, "\"report-id\":\"");
    int visible = 1; /* a reject has no report row to look for */
    if (p && res->outcome != TLSRPT_INGEST_REJECTED) {
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)strcspn(p + 13, "\""), p + 13);
        visible = count_report(t->path, id);
    }
    pthread_mutex_lock(&t->lock);
    t->outcome = res->outcome;
    t->visible = visible;
    t->done++;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->lock);
}

struct poster {
    struct tlsrpt_writer *w;
    struct tjob *jobs;
    int first;
};

static void *post_all(void *arg)
{
    struct poster *p = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct tjob *t = &p->jobs[p->first + i];
        while (tlsrpt_writer_submit(p->w, &t->job) != 0)
            ; /* the test queue is large enough; a refusal here would be a bug */
    }
    return NULL;
}

static struct tjob *make_jobs(int n, const char *db)
{
    struct tjob *jobs = calloc((size_t)n, sizeof *jobs);
    assert_non_null(jobs);
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "w%d", i);
        jobs[i].body = report_text(i % 10 == 9 ? "w0" : id); /* every 10th is a duplicate of w0 */
        if (i == 7) {
            free(jobs[i].body);
            jobs[i].body = strdup("not json at all");
        }
        snprintf(jobs[i].path, sizeof jobs[i].path, "%s", db);
        jobs[i].job.body = (const uint8_t *)jobs[i].body;
        jobs[i].job.len = strlen(jobs[i].body);
        jobs[i].job.src.kind = "http";
        jobs[i].job.src.reference = "192.0.2.1";
        jobs[i].job.done = on_done;
        jobs[i].job.ctx = &jobs[i];
        jobs[i].outcome = -1;
        pthread_mutex_init(&jobs[i].lock, NULL);
        pthread_cond_init(&jobs[i].cv, NULL);
    }
    return jobs;
}

static void free_jobs(struct tjob *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        free(jobs[i].body);
        pthread_mutex_destroy(&jobs[i].lock);
        pthread_cond_destroy(&jobs[i].cv);
    }
    free(jobs);
}

static void test_concurrent_group_commit(void **state)
{
    const char *dir = tu_tmpdir();
    char db[4096];
    snprintf(db, sizeof db, "%s/w.db", dir);
    struct tlsrpt_writer_config cfg = {.db_path = db, .queue_max = THREADS * PER_THREAD};
    tlsrpt_ingest_config_default(&cfg.ingest);
    struct tlsrpt_writer *w;
    struct tlsrpt_error err;
    assert_int_equal(tlsrpt_writer_start(&cfg, &w, &err), 0);
    int n = THREADS * PER_THREAD;
    struct tjob *jobs = make_jobs(n, db);
    pthread_t th[THREADS];
    struct poster ps[THREADS];
    for (int i = 0; i < THREADS; i++) {
        ps[i] = (struct poster){w, jobs, i * PER_THREAD};
        pthread_create(&th[i], NULL, post_all, &ps[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < n; i++) { /* each request waits for its own answer */
        pthread_mutex_lock(&jobs[i].lock);
        while (!jobs[i].done)
            pthread_cond_wait(&jobs[i].cv, &jobs[i].lock);
        pthread_mutex_unlock(&jobs[i].lock);
    }
    struct tlsrpt_writer_stats st;
    tlsrpt_writer_stop(w, &st);
    /* After stop, a late request is refused instead of touching a closed database. */
    assert_int_equal(tlsrpt_writer_submit(w, &jobs[0].job), -1);
    tlsrpt_writer_free(w);
    int imported = 0, dup = 0, rej = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(jobs[i].done, 1);
        assert_int_equal(jobs[i].visible, 1); /* committed before done() */
        imported += jobs[i].outcome == TLSRPT_INGEST_IMPORTED;
        dup += jobs[i].outcome == TLSRPT_INGEST_DUPLICATE;
        rej += jobs[i].outcome == TLSRPT_INGEST_REJECTED;
    }
    assert_int_equal(rej, 1);
    assert_int_equal(dup, n / 10);
    assert_int_equal(imported, n - n / 10 - 1);
    assert_int_equal(st.counts.imported, (uint64_t)imported);
    assert_true(st.batches < (uint64_t)n); /* many requests per commit */
    assert_true(st.max_batch > 1);
    assert_int_equal(count_report(db, "w0"), 1);
    free_jobs(jobs, n);
    tu_rmtree(dir);
}

static void test_queue_full_and_stop_drains(void **state)
{
    const char *dir = tu_tmpdir();
    char db[4096];
    snprintf(db, sizeof db, "%s/q.db", dir);
    struct tlsrpt_writer_config cfg = {.db_path = db, .queue_max = 2};
    tlsrpt_ingest_config_default(&cfg.ingest);
    struct tlsrpt_writer *w;
    struct tlsrpt_error err;
    /* Hold the database so the writer's first batch blocks, and the queue can fill behind it. */
    sqlite3 *lock;
    assert_int_equal(tlsrpt_writer_start(&cfg, &w, &err), 0);
    assert_int_equal(sqlite3_open(db, &lock), SQLITE_OK);
    assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct tjob *jobs = make_jobs(4, db);
    /* Whether or not the writer has taken job 0 yet, at most 3 fit (1 writing + 2 queued). */
    assert_int_equal(tlsrpt_writer_submit(w, &jobs[0].job), 0);
    int accepted = 1, refused = 0;
    for (int i = 1; i < 4; i++) {
        if (tlsrpt_writer_submit(w, &jobs[i].job) == 0)
            accepted++;
        else
            refused++;
    }
    assert_true(refused >= 1); /* at most 1 in the writer + 2 queued */
    assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    struct tlsrpt_writer_stats st;
    tlsrpt_writer_stop(w, &st); /* writes and answers every accepted job */
    tlsrpt_writer_free(w);
    int answered = 0;
    for (int i = 0; i < 4; i++)
        answered += jobs[i].done;
    assert_int_equal(answered, accepted);
    assert_int_equal(st.refused, (uint64_t)refused);
    free_jobs(jobs, 4);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_group_commit),
        cmocka_unit_test(test_queue_full_and_stop_drains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
