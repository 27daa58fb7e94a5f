/* writer.c - the database writer thread: bounded queue in, group commit, per-job completion. */
#include "writer.h"

#include "db.h"
#include "log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tlsrpt_writer {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct tlsrpt_http_job *head, *tail;
    size_t queued, in_batch, queue_max;
    bool stopping, stopped;
    uint64_t refused;
    pthread_t thread;
    struct tlsrpt_db *db;
    struct tlsrpt_ingest *ing;
    uint64_t batches, max_batch;
};

static void job_done(void *ctx, const struct tlsrpt_ingest_result *res)
{
    struct tlsrpt_http_job *job = ctx;
    job->done(job, res);
}

/* Writes one batch (the jobs taken off the queue) and commits it. */
static void write_batch(struct tlsrpt_writer *w, struct tlsrpt_http_job *list, size_t n)
{
    while (list) {
        struct tlsrpt_http_job *job = list;
        list = job->next; /* read before submit: done() may free the job */
        job->next = NULL;
        /* A failure here has already called done() with FAILED for the whole open batch. */
        if (job->prepared) {
            struct tlsrpt_report *report = job->report; /* ours now; done() may free the job */
            job->report = NULL;
            tlsrpt_ingest_submit_prepared(w->ing, job->body, job->len, &job->src, report, &job->why,
                                          &job->prep, job_done, job);
            tlsrpt_report_free(report);
        } else {
            tlsrpt_ingest_submit(w->ing, job->body, job->len, &job->src, NULL, job_done, job);
        }
    }
    tlsrpt_ingest_flush(w->ing);
    w->batches++;
    if (n > w->max_batch)
        w->max_batch = n;
}

static void *writer_main(void *arg)
{
    pthread_setname_np(pthread_self(), "http-writer"); /* for top -H, perf --comm, gdb */
    struct tlsrpt_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (!w->head)
            break; /* stopping and drained */
        /* Take everything waiting: requests that arrived during the last commit share the next. */
        struct tlsrpt_http_job *list = w->head;
        size_t n = w->queued;
        w->head = w->tail = NULL;
        w->queued = 0;
        w->in_batch = n;
        pthread_mutex_unlock(&w->lock);
        write_batch(w, list, n);
        pthread_mutex_lock(&w->lock);
        w->in_batch = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int tlsrpt_writer_start(const struct tlsrpt_writer_config *cfg, struct tlsrpt_writer **out,
                        struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    *out = NULL;
    struct tlsrpt_writer *w = calloc(1, sizeof *w);
    if (!w) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    w->queue_max = cfg->queue_max ? cfg->queue_max : 1;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    rc = tlsrpt_db_open(cfg->db_path, TLSRPT_DB_READWRITE, &w->db, err);
    if (rc != 0)
        goto out;
    rc = tlsrpt_ingest_new(w->db, &cfg->ingest, &w->ing);
    if (rc != 0) {
        tlsrpt_error_set(err, rc, "", "out of memory");
        goto out;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "cannot start the writer thread");
        goto out;
    }
    *out = w;
    w = NULL;
    rc = 0;
out:
    if (w) {
        tlsrpt_ingest_free(w->ing);
        tlsrpt_db_close(w->db);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
    }
    return rc;
}

int tlsrpt_writer_submit(struct tlsrpt_writer *w, struct tlsrpt_http_job *job)
{
    int rc = -1;
    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->stopping || w->queued >= w->queue_max) {
        w->refused++;
    } else {
        if (w->tail)
            w->tail->next = job;
        else
            w->head = job;
        w->tail = job;
        w->queued++;
        pthread_cond_signal(&w->wake);
        rc = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

size_t tlsrpt_writer_pending(struct tlsrpt_writer *w)
{
    pthread_mutex_lock(&w->lock);
    size_t n = w->queued + w->in_batch;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void tlsrpt_writer_stop(struct tlsrpt_writer *w, struct tlsrpt_writer_stats *stats)
{
    if (!w || w->stopped)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->stopped = true;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        tlsrpt_ingest_get_counts(w->ing, &stats->counts);
        stats->batches = w->batches;
        stats->max_batch = w->max_batch;
        pthread_mutex_lock(&w->lock);
        stats->refused = w->refused;
        pthread_mutex_unlock(&w->lock);
    }
    tlsrpt_ingest_free(w->ing);
    w->ing = NULL;
    tlsrpt_db_close(w->db);
    w->db = NULL;
}

void tlsrpt_writer_free(struct tlsrpt_writer *w)
{
    if (!w)
        return;
    tlsrpt_writer_stop(w, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
