/* writer.h - the one thread that writes HTTP arrivals to the database. Request threads hand it jobs
 * through a bounded queue; it owns its own database handle and ingest, takes every job waiting,
 * submits them into one transaction and commits (group commit: one fsync for many requests), then
 * tells each job its own outcome. A job's done() therefore runs only after the commit that holds
 * it: that is when the request may answer 200. A full queue is refused at once (the caller answers
 * 503 Retry-After). */
#ifndef TLSRPT_HTTP_WRITER_H
#define TLSRPT_HTTP_WRITER_H

#include "error.h"
#include "ingest.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_HTTP_DEF_QUEUE 1024 /* reports waiting for the writer; more get 503 */

struct tlsrpt_http_job {
    /* Set by the submitter; body and src must stay valid until done() has been called. */
    const uint8_t *body;
    size_t len;
    struct tlsrpt_source_info src;
    /* Optional: decode + parse already done on the request thread (tlsrpt_ingest_prepare), so the
     * writer only stores. prepared set: report (the writer takes ownership and frees it) or, when
     * report is NULL, why is the reject reason. prepared clear: the writer decodes and parses. */
    int prepared;
    struct tlsrpt_report *report;
    struct tlsrpt_error why;
    /* Optional with prepared: what the store derives (tlsrpt_ingest_prep), made on the request
     * thread too; the submitter keeps and frees it (the writer only reads it while storing). */
    struct tlsrpt_store_prep prep;
    /* Called on the writer thread after the job's batch ended; res is valid only during the call.
     * The job may be freed by its owner as soon as done() starts another thread on it, so done()
     * must be the writer's last touch of the job. */
    void (*done)(struct tlsrpt_http_job *job, const struct tlsrpt_ingest_result *res);
    void *ctx;
    struct tlsrpt_http_job *next; /* queue link, the writer's */
};

struct tlsrpt_writer_config {
    const char *db_path;
    size_t queue_max;
    struct tlsrpt_ingest_config ingest;
};

struct tlsrpt_writer_stats {
    struct tlsrpt_ingest_counts counts;
    uint64_t batches;   /* commits */
    uint64_t max_batch; /* most jobs in one commit */
    uint64_t refused;   /* submits refused because the queue was full or the writer stopping */
};

struct tlsrpt_writer;

/* Opens the database (read-write, migrated) and starts the thread. Returns 0, or TLSRPT_E_DB /
 * TLSRPT_E_NOMEM with err set (nothing started). */
int tlsrpt_writer_start(const struct tlsrpt_writer_config *cfg, struct tlsrpt_writer **out,
                        struct tlsrpt_error *err);

/* Queues job. Returns 0, or -1 when the queue is full or the writer is stopping (done() is then
 * never called). Thread-safe. */
int tlsrpt_writer_submit(struct tlsrpt_writer *w, struct tlsrpt_http_job *job);

/* Jobs queued or being written now (for the shutdown wait and tests). */
size_t tlsrpt_writer_pending(struct tlsrpt_writer *w);

/* Refuses new jobs, writes and commits every queued one (each gets done()), joins the thread and
 * closes the database. w stays valid: a submit from a request that finishes later is refused (503),
 * so free it only once nothing can submit any more (the server is stopped). stats (may be NULL)
 * gets the totals. */
void tlsrpt_writer_stop(struct tlsrpt_writer *w, struct tlsrpt_writer_stats *stats);
void tlsrpt_writer_free(struct tlsrpt_writer *w);

#endif
