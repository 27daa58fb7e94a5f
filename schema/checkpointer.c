/* checkpointer.c - WAL checkpoints off the writer's commits (checkpointer.h). */
#include "checkpointer.h"

#include "log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct tlsrpt_checkpointer {
    struct tlsrpt_db *writer, *own;
    int soft, hard;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool pending, stopping;
    /* Writer's thread only: WAL pages after the previous commit and at the last wake-up. */
    int last_pages, woken_at;
    bool due; /* a commit passed the hard threshold: tlsrpt_checkpointer_after_commit checkpoints */
    uint64_t background, inline_; /* background under mu; inline_ only on the writer's thread */
};

/* What SQLite's automatic checkpoint does. BUSY (the thread is checkpointing) is fine. */
static void checkpoint_inline(struct tlsrpt_checkpointer *c, sqlite3 *h, const char *schema)
{
    sqlite3_wal_checkpoint_v2(h, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    c->inline_++;
    c->due = false;
}

/* sqlite3_wal_hook: runs on the writer's thread after each commit, outside the transaction. */
static int on_commit(void *ctx, sqlite3 *h, const char *schema, int pages)
{
    struct tlsrpt_checkpointer *c = ctx;
    /* A commit adds at least one frame, so a WAL no longer than after the previous commit has
     * wrapped (started over after a checkpoint copied all of it): count from its start again. */
    if (pages <= c->last_pages)
        c->woken_at = 0;
    c->last_pages = pages;
    /* Once per soft pages of new WAL, not after every commit: under steady writes the WAL cannot
     * wrap anyway, and each checkpoint costs an fsync of the database file that the commits' own
     * fsyncs would queue behind. */
    if (pages < c->hard && pages - c->woken_at >= c->soft) {
        c->woken_at = pages;
        pthread_mutex_lock(&c->mu);
        c->pending = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->mu);
    }
    if (pages >= c->hard) {
        /* Left to tlsrpt_checkpointer_after_commit, so that this commit's inputs are answered
         * first; if nobody ran it since the last commit, run it here (the bound holds anyway). */
        if (c->due)
            checkpoint_inline(c, h, schema);
        else
            c->due = true;
    }
    return SQLITE_OK;
}

static void *run(void *arg)
{
    struct tlsrpt_checkpointer *c = arg;
    pthread_setname_np(pthread_self(), "db-checkpoint"); /* for top -H, perf --comm, gdb */
    bool warned = false;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->pending && !c->stopping)
            pthread_cond_wait(&c->wake, &c->mu);
        if (c->stopping)
            break;
        c->pending = false;
        pthread_mutex_unlock(&c->mu);
        int rc = sqlite3_wal_checkpoint_v2(c->own->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY && !warned) {
            /* The commits stay durable in the WAL; the hard threshold still bounds it. */
            log_warning("background checkpoint of %s failed: %s (the writer checkpoints instead)",
                        c->own->path, sqlite3_errmsg(c->own->h));
            warned = true;
        }
        pthread_mutex_lock(&c->mu);
        if (rc == SQLITE_OK)
            c->background++;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int tlsrpt_checkpointer_start(struct tlsrpt_db *writer, int soft_pages, int hard_pages,
                              struct tlsrpt_checkpointer **out, struct tlsrpt_error *err)
{
    *out = NULL;
    struct tlsrpt_checkpointer *c = calloc(1, sizeof *c);
    if (c == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    c->writer = writer;
    c->soft = soft_pages > 0 ? soft_pages : 1;
    c->hard = hard_pages > c->soft ? hard_pages : c->soft + 1;
    int rc = tlsrpt_db_open(writer->path, TLSRPT_DB_READWRITE, &c->own, err);
    if (rc != 0) {
        free(c);
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->wake, NULL);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        tlsrpt_db_close(c->own);
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->mu);
        free(c);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "cannot start the checkpoint thread");
    }
    sqlite3_wal_hook(writer->h, on_commit, c); /* replaces the automatic checkpoint */
    *out = c;
    return 0;
}

void tlsrpt_checkpointer_after_commit(struct tlsrpt_checkpointer *c)
{
    if (c != NULL && c->due)
        checkpoint_inline(c, c->writer->h, "main");
}

void tlsrpt_checkpointer_get_stats(struct tlsrpt_checkpointer *c,
                                   struct tlsrpt_checkpointer_stats *st)
{
    pthread_mutex_lock(&c->mu);
    st->background = c->background;
    pthread_mutex_unlock(&c->mu);
    st->inline_ = c->inline_;
}

void tlsrpt_checkpointer_stop(struct tlsrpt_checkpointer *c, struct tlsrpt_checkpointer_stats *st)
{
    if (c == NULL)
        return;
    sqlite3_wal_autocheckpoint(c->writer->h, TLSRPT_CHECKPOINT_HARD_PAGES); /* the hook goes */
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    if (st != NULL)
        tlsrpt_checkpointer_get_stats(c, st);
    tlsrpt_db_close(c->own);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
