/* serve_maildir.c - the Maildir watcher thread of `serve --maildir`. */
#include "serve_maildir.h"

#include "db.h"
#include "log.h"
#include "maildir.h"
#include "maildir_run.h"
#include "maildir_watch.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct tlsrpt_serve_maildir {
    struct tlsrpt_db *db;
    struct tlsrpt_ingest *ing;
    struct tlsrpt_maildir *md;
    int batch_ms;
    pthread_t thread;
};

/* One watcher per process, so the stop flag the signal handler sets can be a plain static. */
static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void *run(void *arg)
{
    pthread_setname_np(pthread_self(), "maildir-watch"); /* for top -H, perf --comm, gdb */
    struct tlsrpt_serve_maildir *m = arg;
    sigset_t stopsigs;
    sigemptyset(&stopsigs);
    sigaddset(&stopsigs, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &stopsigs, NULL); /* serve blocked it for every other thread */
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_maildir_watch(m->md, TLSRPT_MAILDIR_DEF_RESCAN, m->batch_ms, &stop_flag,
                                  &stopsigs, &err);
    if (rc != 0 && rc != TLSRPT_E_DB)
        log_error("maildir: watcher stopped: %s", err.message);
    return NULL;
}

static void release(struct tlsrpt_serve_maildir *m)
{
    tlsrpt_maildir_close(m->md);
    tlsrpt_ingest_free(m->ing);
    tlsrpt_db_close(m->db);
    free(m);
}

int tlsrpt_serve_maildir_start(const char *dir, const char *db_path,
                               const struct tlsrpt_ingest_config *cfg,
                               struct tlsrpt_serve_maildir **out, struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    *out = NULL;
    struct tlsrpt_serve_maildir *m = calloc(1, sizeof *m);
    if (!m) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        return rc;
    }
    struct tlsrpt_maildir_opts opts;
    tlsrpt_maildir_opts_default(&opts);
    opts.dir = dir;
    opts.batch_messages = cfg->batch_max_items;
    m->batch_ms = cfg->batch_max_ms;
    if (!tlsrpt_maildir_is_maildir(dir)) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s is not a Maildir (needs cur/, new/, tmp/)",
                              dir);
        goto out;
    }
    rc = tlsrpt_db_open(db_path, TLSRPT_DB_READWRITE, &m->db, err);
    if (rc != 0)
        goto out;
    rc = tlsrpt_ingest_new(m->db, cfg, &m->ing);
    if (rc == 0)
        rc = tlsrpt_maildir_open(m->ing, &opts, &m->md, err);
    if (rc != 0)
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    stop_flag = 0;
    if (pthread_create(&m->thread, NULL, run, m) != 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "cannot start the Maildir thread");
        goto out;
    }
    *out = m;
    m = NULL;
    rc = 0;
out:
    if (m)
        release(m);
    return rc;
}

void tlsrpt_serve_maildir_stop(struct tlsrpt_serve_maildir *m)
{
    if (!m)
        return;
    stop_flag = 1;
    pthread_kill(m->thread, SIGUSR2);
    pthread_join(m->thread, NULL);
    tlsrpt_maildir_commit(m->md);
    struct tlsrpt_run_counts c;
    tlsrpt_maildir_counts(m->md, &c);
    log_info("maildir: stopped: imported %llu, duplicates %llu, rejected %llu, skipped %llu, "
             "failed %llu",
             (unsigned long long)c.imported, (unsigned long long)c.duplicates,
             (unsigned long long)c.rejected, (unsigned long long)c.skipped,
             (unsigned long long)c.failed);
    release(m);
}
