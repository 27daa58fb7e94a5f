/* maildir_scan.c - one pass over a Maildir, in two threads: a reader walks the folders (streamed
 * readdir), reads each message and does the MIME work (tlsrpt_mail_prepare); the calling thread
 * submits to the ingest, commits and moves. A bounded queue between them keeps memory flat, and
 * lets MIME parsing of the next messages overlap with the database work of the previous ones. */
#include "log.h"
#include "maildir_item.h"
#include "maildir_run.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define QUEUE_CAP 64 /* prepared messages waiting for the writer: a few KiB each */

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct maildir_item ring[QUEUE_CAP];
    size_t head, count;
    int reader_done; /* no more items will come */
    int abort;       /* the writer gave up (database failure): the reader stops */
};

struct reader {
    struct tlsrpt_maildir *md;
    struct queue *q;
    const volatile sig_atomic_t *stop;
};

static int should_stop(struct reader *r)
{
    pthread_mutex_lock(&r->q->mu);
    int a = r->q->abort;
    pthread_mutex_unlock(&r->q->mu);
    return a || (r->stop && *r->stop);
}

/* Hands an item to the writer; waits while the queue is full. 0, or -1 when the writer aborted. */
static int push(struct queue *q, const struct maildir_item *it)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == QUEUE_CAP && !q->abort)
        pthread_cond_wait(&q->not_full, &q->mu);
    int rc = -1;
    if (!q->abort) {
        q->ring[(q->head + q->count) % QUEUE_CAP] = *it;
        q->count++;
        pthread_cond_signal(&q->not_empty);
        rc = 0;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* The next item, waiting for one; 0 when the reader is done and the queue empty. */
static int pop(struct queue *q, struct maildir_item *it)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->reader_done)
        pthread_cond_wait(&q->not_empty, &q->mu);
    int got = 0;
    if (q->count > 0) {
        *it = q->ring[q->head];
        q->head = (q->head + 1) % QUEUE_CAP;
        q->count--;
        pthread_cond_signal(&q->not_full);
        got = 1;
    }
    pthread_mutex_unlock(&q->mu);
    return got;
}

static void read_sub(struct reader *r, size_t folder, const char *sub)
{
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s/%s", tlsrpt_maildir_folder_path(r->md, folder), sub);
    if (n < 0 || (size_t)n >= sizeof dir)
        return;
    DIR *d = opendir(dir);
    if (d == NULL) {
        log_warning("cannot read %s: %s", dir, strerror(errno));
        return;
    }
    /* Streamed: one name at a time, never the whole listing (memory stays flat for any size). */
    struct dirent *e;
    while (!should_stop(r) && (e = readdir(d)) != NULL) {
        struct maildir_item it;
        if (tlsrpt_maildir_prepare_item(r->md, folder, sub, e->d_name, &it) == 0)
            continue;
        if (push(r->q, &it) != 0) {
            tlsrpt_maildir_item_drop(&it);
            break;
        }
    }
    closedir(d);
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    size_t n = tlsrpt_maildir_n_folders(r->md);
    for (size_t i = 0; i < n && !should_stop(r); i++) {
        read_sub(r, i, "new");
        read_sub(r, i, "cur");
    }
    pthread_mutex_lock(&r->q->mu);
    r->q->reader_done = 1;
    pthread_cond_signal(&r->q->not_empty);
    pthread_mutex_unlock(&r->q->mu);
    return NULL;
}

/* Without a second thread: read, prepare and submit one message after the other. */
static int scan_in_one_thread(struct tlsrpt_maildir *md, const volatile sig_atomic_t *stop)
{
    int rc = 0;
    size_t n = tlsrpt_maildir_n_folders(md);
    for (size_t i = 0; i < n && rc == 0; i++) {
        static const char *const subs[] = {"new", "cur"};
        for (size_t k = 0; k < 2 && rc == 0; k++) {
            char dir[4096];
            int len =
                snprintf(dir, sizeof dir, "%s/%s", tlsrpt_maildir_folder_path(md, i), subs[k]);
            DIR *d = len > 0 && (size_t)len < sizeof dir ? opendir(dir) : NULL;
            if (d == NULL)
                continue;
            struct dirent *e;
            while (rc == 0 && !(stop && *stop) && (e = readdir(d)) != NULL)
                rc = tlsrpt_maildir_take(md, i, subs[k], e->d_name);
            closedir(d);
        }
    }
    return rc;
}

int tlsrpt_maildir_scan(struct tlsrpt_maildir *md, const volatile sig_atomic_t *stop)
{
    static struct queue zero_queue;
    struct queue q = zero_queue;
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.not_empty, NULL);
    pthread_cond_init(&q.not_full, NULL);
    struct reader r = {.md = md, .q = &q, .stop = stop};
    pthread_t tid;
    int rc = 0;
    /* The reader blocks every signal, so SIGTERM & co. reach the thread that owns the batch. */
    sigset_t all, orig;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &orig);
    int started = pthread_create(&tid, NULL, reader_main, &r) == 0;
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    if (!started) {
        log_warning("cannot start the reader thread; reading in this one");
        rc = scan_in_one_thread(md, stop);
        q.reader_done = 1;
        tid = pthread_self();
    }
    struct maildir_item it;
    while (pop(&q, &it)) {
        if (rc != 0) { /* after a database failure: leave the rest where it is */
            tlsrpt_maildir_item_drop(&it);
            continue;
        }
        rc = tlsrpt_maildir_submit_item(md, &it);
        if (rc != 0) {
            pthread_mutex_lock(&q.mu);
            q.abort = 1;
            pthread_cond_signal(&q.not_full);
            pthread_mutex_unlock(&q.mu);
        }
    }
    if (!pthread_equal(tid, pthread_self()))
        pthread_join(tid, NULL);
    pthread_cond_destroy(&q.not_full);
    pthread_cond_destroy(&q.not_empty);
    pthread_mutex_destroy(&q.mu);
    int crc = tlsrpt_maildir_commit(md);
    return rc != 0 ? rc : crc;
}
