/* maildir_watch.c - the --watch event loop (see maildir_watch.h). */
#include "maildir_watch.h"

#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

/* Deliveries into new/ end with a rename from tmp/ (IN_MOVED_TO) or a link (IN_CREATE); mail
 * programs move messages new/ -> cur/ (IN_MOVED_TO). A file created in cur/ is being written: not a
 * delivery. */
#define NEW_EVENTS (IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)
#define CUR_EVENTS (IN_MOVED_TO | IN_ONLYDIR)
#define ROOT_EVENTS (IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)

struct watch {
    int wd;
    size_t folder;
    const char *sub; /* "new" or "cur" */
};

struct loop {
    struct tlsrpt_maildir *md;
    int fd;
    int root_wd;
    struct watch *w;
    size_t n_w;
    size_t folders_watched;
    int rescan_now, refresh_now;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int add_watch(struct loop *l, size_t folder, const char *sub)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", tlsrpt_maildir_folder_path(l->md, folder), sub);
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    int wd = inotify_add_watch(l->fd, path, strcmp(sub, "new") == 0 ? NEW_EVENTS : CUR_EVENTS);
    if (wd < 0) {
        log_warning("cannot watch %s: %s (the periodic rescan still covers it)", path,
                    strerror(errno));
        return 0;
    }
    struct watch *w = realloc(l->w, (l->n_w + 1) * sizeof *w);
    if (w == NULL)
        return -1;
    l->w = w;
    l->w[l->n_w++] = (struct watch){.wd = wd, .folder = folder, .sub = sub};
    return 0;
}

/* Watches the folders not watched yet (indices only grow). */
static int watch_new_folders(struct loop *l)
{
    size_t n = tlsrpt_maildir_n_folders(l->md);
    for (; l->folders_watched < n; l->folders_watched++)
        if (add_watch(l, l->folders_watched, "new") != 0 ||
            add_watch(l, l->folders_watched, "cur") != 0)
            return -1;
    return 0;
}

static const struct watch *find_watch(const struct loop *l, int wd)
{
    for (size_t i = 0; i < l->n_w; i++)
        if (l->w[i].wd == wd)
            return &l->w[i];
    return NULL;
}

static void handle_event(struct loop *l, const struct inotify_event *ev,
                         const volatile sig_atomic_t *stop)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        log_warning("inotify queue overflowed; rescanning");
        l->rescan_now = 1;
        return;
    }
    if (ev->wd == l->root_wd) {
        if ((ev->mask & IN_ISDIR) && ev->len > 0 && ev->name[0] == '.')
            l->refresh_now = 1;
        return;
    }
    const struct watch *w = find_watch(l, ev->wd);
    if (w == NULL || ev->len == 0 || (ev->mask & IN_ISDIR) || *stop)
        return;
    if (tlsrpt_maildir_take(l->md, w->folder, w->sub, ev->name) != 0)
        log_error("database write failed; the messages of that batch stay in place");
}

static void read_events(struct loop *l, const volatile sig_atomic_t *stop)
{
    char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(l->fd, buf, sizeof buf);
        if (n <= 0)
            return; /* EAGAIN: drained */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            handle_event(l, ev, stop);
            p += sizeof *ev + ev->len;
        }
    }
}

static int next_timeout(struct loop *l, long long next_rescan, int batch_ms)
{
    long long now = now_ms(), since = 0;
    long long wait = next_rescan - now;
    if (tlsrpt_maildir_pending(l->md, &since) > 0 && since + batch_ms - now < wait)
        wait = since + batch_ms - now;
    return wait < 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
}

/* Also looks for new Maildir++ folders: one created in steps (mkdir .X, then .X/new...) is complete
 * only after its creation event. */
static int full_scan(struct loop *l, const volatile sig_atomic_t *stop)
{
    if (tlsrpt_maildir_refresh_folders(l->md) < 0 || watch_new_folders(l) != 0)
        return -1;
    if (tlsrpt_maildir_scan(l->md, stop) != 0)
        log_error("database write failed during the rescan; messages stay in place");
    return 0;
}

int tlsrpt_maildir_watch(struct tlsrpt_maildir *md, int rescan_seconds, int batch_ms,
                         const volatile sig_atomic_t *stop, const sigset_t *stopsigs,
                         struct tlsrpt_error *err)
{
    int rc = 0;
    struct loop l = {.md = md, .root_wd = -1};
    l.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (l.fd < 0)
        return tlsrpt_error_set(err, TLSRPT_E_IO, "", "inotify: %s", strerror(errno));
    const char *root = tlsrpt_maildir_folder_path(md, 0);
    l.root_wd = inotify_add_watch(l.fd, root, ROOT_EVENTS);
    if (watch_new_folders(&l) != 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    log_info("watching %s (%zu folders), full rescan every %d s", root,
             tlsrpt_maildir_n_folders(md), rescan_seconds);
    /* Watches first, then the scan: a message delivered meanwhile is seen by one or the other. */
    if (full_scan(&l, stop) != 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    long long next_rescan = now_ms() + (long long)rescan_seconds * 1000;
    for (;;) {
        struct pollfd pfd = {.fd = l.fd, .events = POLLIN};
        int timeout = next_timeout(&l, next_rescan, batch_ms);
        struct timespec ts = {.tv_sec = timeout / 1000,
                              .tv_nsec = (long)(timeout % 1000) * 1000000};
        sigset_t orig;
        pthread_sigmask(SIG_BLOCK, stopsigs, &orig);
        if (*stop) {
            pthread_sigmask(SIG_SETMASK, &orig, NULL);
            break;
        }
        int n = ppoll(&pfd, 1, &ts, &orig); /* the stop signals can arrive only while asleep here */
        pthread_sigmask(SIG_SETMASK, &orig, NULL);
        if (n < 0 && errno != EINTR) {
            rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "poll: %s", strerror(errno));
            break;
        }
        if (n > 0)
            read_events(&l, stop);
        long long since = 0, now = now_ms();
        if (tlsrpt_maildir_pending(md, &since) > 0 && now - since >= batch_ms)
            tlsrpt_maildir_commit(md);
        if (l.refresh_now && !*stop) {
            l.refresh_now = 0;
            int added = tlsrpt_maildir_refresh_folders(md);
            if (added < 0 || watch_new_folders(&l) != 0) {
                rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
                break;
            }
            if (added > 0)
                l.rescan_now = 1; /* what was delivered into it before its watch existed */
        }
        if ((l.rescan_now || now >= next_rescan) && !*stop) {
            l.rescan_now = 0;
            if (full_scan(&l, stop) != 0) {
                rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
                break;
            }
            next_rescan = now_ms() + (long long)rescan_seconds * 1000;
        }
    }
    tlsrpt_maildir_commit(md); /* finish the current batch */
out:
    free(l.w);
    close(l.fd);
    return rc;
}
