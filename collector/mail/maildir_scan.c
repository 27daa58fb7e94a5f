/* maildir_scan.c - one pass over a Maildir: reader threads take names from a shared directory walk
 * (streamed readdir, one name at a time under the queue's lock), read each message and do the MIME
 * work, decoding and parsing (tlsrpt_mail_prepare); the calling thread submits to the ingest,
 * commits and moves. A bounded queue between them keeps memory flat, and lets the preparing of the
 * next messages overlap with the database work of the previous ones. Messages are independent, so
 * the order in which readers hand them over does not matter. */
#include "log.h"
#include "maildir_item.h"
#include "maildir_run.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_CAP 64  /* prepared messages waiting for the writer: a few KiB each */
#define READERS_MAX 4 /* beyond this the single writer is the limit anyway */

/* The directory walk the readers share: folder by folder, new/ then cur/. */
struct walk {
    size_t folder, n_folders;
    int sub; /* 0: new, 1: cur */
    DIR *dir;
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct maildir_item ring[QUEUE_CAP];
    size_t head, count;
    struct walk walk; /* under mu */
    unsigned readers; /* still running */
    int abort;        /* the writer gave up (database failure): the readers stop */
};

struct reader {
    struct tlsrpt_maildir *md;
    struct queue *q;
    const volatile sig_atomic_t *stop;
};

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

/* The next item, waiting for one; 0 when every reader is done and the queue empty. */
static int pop(struct queue *q, struct maildir_item *it)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && q->readers > 0)
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

static const char *const SUBS[] = {"new", "cur"};

/* The next name of the walk into name (with its folder and sub-folder); 0 when the walk is over.
 * Called with q->mu held. */
static int next_name(struct reader *r, size_t *folder, const char **sub, char *name, size_t cap)
{
    struct walk *w = &r->q->walk;
    while (w->folder < w->n_folders) {
        if (w->dir == NULL) {
            char dir[4096];
            int n = snprintf(dir, sizeof dir, "%s/%s", tlsrpt_maildir_folder_path(r->md, w->folder),
                             SUBS[w->sub]);
            if (n > 0 && (size_t)n < sizeof dir && (w->dir = opendir(dir)) == NULL)
                log_warning("cannot read %s: %s", dir, strerror(errno));
        }
        /* Streamed: one name at a time, never the whole listing (memory stays flat). */
        const struct dirent *e = w->dir ? readdir(w->dir) : NULL;
        if (e != NULL && strlen(e->d_name) < cap) {
            *folder = w->folder;
            *sub = SUBS[w->sub];
            memcpy(name, e->d_name, strlen(e->d_name) + 1);
            return 1;
        }
        if (e != NULL)
            continue; /* longer than any file name can be */
        if (w->dir)
            closedir(w->dir);
        w->dir = NULL;
        if (++w->sub == 2) {
            w->sub = 0;
            w->folder++;
        }
    }
    return 0;
}

static void *reader_main(void *arg)
{
    pthread_setname_np(pthread_self(), "md-reader"); /* for top -H, perf --comm, gdb */
    struct reader *r = arg;
    struct tlsrpt_buf file;
    tlsrpt_buf_init(&file, tlsrpt_maildir_max_message(r->md));
    char name[512];
    for (;;) {
        size_t folder;
        const char *sub;
        pthread_mutex_lock(&r->q->mu);
        int more = !r->q->abort && !(r->stop && *r->stop) &&
                   next_name(r, &folder, &sub, name, sizeof name);
        pthread_mutex_unlock(&r->q->mu);
        if (!more)
            break;
        struct maildir_item it;
        if (tlsrpt_maildir_prepare_item(r->md, folder, sub, name, &file, &it) == 0)
            continue;
        if (push(r->q, &it) != 0) {
            tlsrpt_maildir_item_drop(&it);
            break;
        }
    }
    tlsrpt_buf_free(&file);
    pthread_mutex_lock(&r->q->mu);
    if (--r->q->readers == 0)
        pthread_cond_signal(&r->q->not_empty);
    pthread_mutex_unlock(&r->q->mu);
    return NULL;
}

/* Without reader threads: read, prepare and submit one message after the other. */
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

/* Readers: one per core but one (the writer's), at least one. */
static unsigned reader_count(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores > 2 ? (unsigned)(cores - 1) : (unsigned)(cores == 2 ? 2 : 1);
    return n > READERS_MAX ? READERS_MAX : n;
}

int tlsrpt_maildir_scan(struct tlsrpt_maildir *md, const volatile sig_atomic_t *stop)
{
    static struct queue zero_queue;
    struct queue q = zero_queue;
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.not_empty, NULL);
    pthread_cond_init(&q.not_full, NULL);
    q.walk.n_folders = tlsrpt_maildir_n_folders(md);
    struct reader r = {.md = md, .q = &q, .stop = stop};
    pthread_t tids[READERS_MAX];
    unsigned want = reader_count(), started = 0;
    int rc = 0;
    /* Readers block every signal, so SIGTERM & co. reach the thread that owns the batch. */
    sigset_t all, orig;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &orig);
    pthread_mutex_lock(&q.mu);
    for (; started < want; started++) {
        if (pthread_create(&tids[started], NULL, reader_main, &r) != 0)
            break;
        q.readers++;
    }
    pthread_mutex_unlock(&q.mu);
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    if (started == 0) {
        log_warning("cannot start a reader thread; reading in this one");
        rc = scan_in_one_thread(md, stop);
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
            pthread_cond_broadcast(&q.not_full);
            pthread_mutex_unlock(&q.mu);
        }
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (q.walk.dir)
        closedir(q.walk.dir);
    pthread_cond_destroy(&q.not_full);
    pthread_cond_destroy(&q.not_empty);
    pthread_mutex_destroy(&q.mu);
    int crc = tlsrpt_maildir_commit(md);
    return rc != 0 ? rc : crc;
}
