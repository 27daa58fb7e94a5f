/* maildir_run.c - the Maildir source: scan, ingest, commit, then move (see maildir_run.h). */
#include "maildir_run.h"

#include "maildir_item.h"

#include "buf.h"
#include "log.h"
#include "mail_ingest.h"
#include "maildir.h"
#include "maildir_skipset.h"
#include "safe_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <time.h>

struct folder {
    char *path; /* dir, or dir/.Name */
};

struct tlsrpt_maildir {
    struct tlsrpt_ingest *ing;
    struct tlsrpt_maildir_opts opt;
    struct folder *folders;
    size_t n_folders;
    int reject_ready, skipped_ready; /* the target folders exist */
    struct tlsrpt_buf file;          /* the message being read, reused */
    struct tlsrpt_run_counts total, batch;
    size_t pending; /* messages taken since the last commit */
    long long pending_since_ms;
    struct tlsrpt_skipset *skipped; /* messages already skipped: not read again while unchanged */
    pthread_mutex_t skip_mu;        /* the scan's reader threads share the skip set */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tlsrpt_maildir_opts_default(struct tlsrpt_maildir_opts *o)
{
    memset(o, 0, sizeof *o);
    o->reject_folder = TLSRPT_MAILDIR_DEF_REJECT_FOLDER;
    tlsrpt_mail_limits_default(&o->limits);
    o->batch_messages = TLSRPT_MAILDIR_DEF_BATCH;
}

/* ---- folders ---- */

static int add_folder(struct tlsrpt_maildir *md, const char *path)
{
    struct folder *f = realloc(md->folders, (md->n_folders + 1) * sizeof *f);
    if (f == NULL)
        return -1;
    md->folders = f;
    f[md->n_folders].path = strdup(path);
    if (f[md->n_folders].path == NULL)
        return -1;
    md->n_folders++;
    return 0;
}

static int known_folder(const struct tlsrpt_maildir *md, const char *path)
{
    for (size_t i = 0; i < md->n_folders; i++)
        if (strcmp(md->folders[i].path, path) == 0)
            return 1;
    return 0;
}

int tlsrpt_maildir_refresh_folders(struct tlsrpt_maildir *md)
{
    if (!md->opt.recursive)
        return 0;
    DIR *d = opendir(md->opt.dir);
    if (d == NULL)
        return 0;
    int added = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (!tlsrpt_maildir_valid_folder(n) || strcmp(n, md->opt.reject_folder) == 0 ||
            (md->opt.skipped_folder && strcmp(n, md->opt.skipped_folder) == 0))
            continue;
        char path[4096];
        int k = snprintf(path, sizeof path, "%s/%s", md->opt.dir, n);
        if (k < 0 || (size_t)k >= sizeof path || known_folder(md, path) ||
            !tlsrpt_maildir_is_maildir(path))
            continue;
        if (add_folder(md, path) != 0) {
            added = -1;
            break;
        }
        log_info("reading folder %s too (--recursive)", path);
        added++;
    }
    closedir(d);
    return added;
}

size_t tlsrpt_maildir_n_folders(const struct tlsrpt_maildir *md)
{
    return md->n_folders;
}

const char *tlsrpt_maildir_folder_path(const struct tlsrpt_maildir *md, size_t i)
{
    return i < md->n_folders ? md->folders[i].path : NULL;
}

int tlsrpt_maildir_open(struct tlsrpt_ingest *ing, const struct tlsrpt_maildir_opts *opts,
                        struct tlsrpt_maildir **out, struct tlsrpt_error *err)
{
    *out = NULL;
    if (!tlsrpt_maildir_is_maildir(opts->dir))
        return tlsrpt_error_set(err, TLSRPT_E_IO, "",
                                "%s is not a Maildir (it needs cur/, new/ and tmp/ directories)",
                                opts->dir);
    struct tlsrpt_maildir *md = calloc(1, sizeof *md);
    if (md == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
    md->ing = ing;
    md->opt = *opts;
    if (md->opt.batch_messages == 0)
        md->opt.batch_messages = 1;
    tlsrpt_buf_init(&md->file, md->opt.limits.max_message);
    md->skipped = tlsrpt_skipset_new(TLSRPT_MAILDIR_SKIPSET_SLOTS);
    pthread_mutex_init(&md->skip_mu, NULL);
    if (md->skipped == NULL || add_folder(md, opts->dir) != 0 ||
        tlsrpt_maildir_refresh_folders(md) < 0) {
        tlsrpt_maildir_close(md);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
    }
    *out = md;
    return 0;
}

void tlsrpt_maildir_close(struct tlsrpt_maildir *md)
{
    if (md == NULL)
        return;
    if (md->pending > 0)
        tlsrpt_maildir_commit(md);
    for (size_t i = 0; i < md->n_folders; i++)
        free(md->folders[i].path);
    free(md->folders);
    tlsrpt_skipset_free(md->skipped);
    pthread_mutex_destroy(&md->skip_mu);
    tlsrpt_buf_free(&md->file);
    free(md);
}

/* ---- moving a message after its commit ---- */

static void move_into_folder(struct tlsrpt_maildir *md, const struct msg_ref *m, const char *from,
                             const char *folder, int *ready)
{
    char to[4096];
    if (!*ready) {
        int e = tlsrpt_maildir_make_folder(md->opt.dir, folder);
        if (e != 0) {
            log_error("cannot create folder %s/%s: %s; %s left in place", md->opt.dir, folder,
                      strerror(e), from);
            return;
        }
        *ready = 1;
    }
    int n = snprintf(to, sizeof to, "%s/%s/%s/%s", md->opt.dir, folder, m->sub, m->name);
    if (n < 0 || (size_t)n >= sizeof to) {
        log_error("path too long, %s left in place", from);
        return;
    }
    int e = tlsrpt_maildir_move(AT_FDCWD, from, AT_FDCWD, to);
    if (e == ENOENT)
        log_info("%s was moved meanwhile by another mail program", from);
    else if (e != 0)
        log_error("cannot move %s to %s: %s; left in place", from, to, strerror(e));
}

static void mark_seen(const struct msg_ref *m, const char *from)
{
    char name[1024], to[4096];
    const char *fpath = m->md->folders[m->folder].path;
    if (tlsrpt_maildir_name_with_flag(m->name, TLSRPT_MAILDIR_SEEN, name, sizeof name) != 0) {
        log_error("name too long, %s left in place", from);
        return;
    }
    int n = snprintf(to, sizeof to, "%s/cur/%s", fpath, name);
    if (n < 0 || (size_t)n >= sizeof to) {
        log_error("path too long, %s left in place", from);
        return;
    }
    int e = tlsrpt_maildir_move(AT_FDCWD, from, AT_FDCWD, to);
    if (e == ENOENT)
        log_info("%s was moved meanwhile by another mail program (its reports are stored)", from);
    else if (e != 0)
        log_error("cannot move %s to %s: %s; left in place (stored; a rerun counts it a duplicate)",
                  from, to, strerror(e));
}

static void count_result(struct tlsrpt_run_counts *c, const struct tlsrpt_mail_result *res)
{
    c->imported += res->imported;
    c->duplicates += res->duplicates;
    c->rejected += res->rejected;
    c->failed += res->failed;
    if (res->outcome == TLSRPT_MAIL_SKIPPED)
        c->skipped++;
}

/* Runs once the message's reports are committed (or for a skipped message, at once). */
static void on_message_done(void *ctx, const struct tlsrpt_mail_result *res)
{
    struct msg_ref *m = ctx;
    struct tlsrpt_maildir *md = m->md;
    char from[4096], why[512];
    snprintf(from, sizeof from, "%s/%s/%s", md->folders[m->folder].path, m->sub, m->name);
    count_result(&md->total, res);
    count_result(&md->batch, res);
    switch (res->outcome) {
    case TLSRPT_MAIL_IMPORTED:
    case TLSRPT_MAIL_DUPLICATE:
        mark_seen(m, from);
        break;
    case TLSRPT_MAIL_REJECTED:
        tlsrpt_error_format(&res->reason, why, sizeof why);
        log_warning("rejected %s: %s; moved to %s/%s/", from, why, md->opt.reject_folder, m->sub);
        move_into_folder(md, m, from, md->opt.reject_folder, &md->reject_ready);
        break;
    case TLSRPT_MAIL_SKIPPED:
        if (md->opt.skipped_folder) {
            log_info("skipped %s: no report in it; moved to %s/%s/", from, md->opt.skipped_folder,
                     m->sub);
            move_into_folder(md, m, from, md->opt.skipped_folder, &md->skipped_ready);
        } else {
            log_info("skipped %s: no report in it; left in place", from);
        }
        break;
    case TLSRPT_MAIL_FAILED:
        tlsrpt_error_format(&res->reason, why, sizeof why);
        log_error("not stored, %s left in place for the next run: %s", from, why);
        break;
    }
    free(m);
}

/* ---- reading ---- */

size_t tlsrpt_maildir_pending(const struct tlsrpt_maildir *md, long long *since_ms)
{
    if (since_ms)
        *since_ms = md->pending_since_ms;
    return md->pending;
}

int tlsrpt_maildir_commit(struct tlsrpt_maildir *md)
{
    int rc = tlsrpt_ingest_flush(md->ing);
    md->pending = 0;
    struct tlsrpt_run_counts *b = &md->batch;
    if (b->inputs > 0)
        log_info("batch of %llu messages: imported %llu, duplicates %llu, rejected %llu, "
                 "skipped %llu, failed %llu",
                 (unsigned long long)b->inputs, (unsigned long long)b->imported,
                 (unsigned long long)b->duplicates, (unsigned long long)b->rejected,
                 (unsigned long long)b->skipped, (unsigned long long)b->failed);
    memset(b, 0, sizeof *b);
    return rc;
}

static int skipped_has(struct tlsrpt_maildir *md, uint64_t h, const char *path)
{
    pthread_mutex_lock(&md->skip_mu);
    int has = tlsrpt_skipset_has(md->skipped, h, path);
    pthread_mutex_unlock(&md->skip_mu);
    return has;
}

static void skipped_add(struct tlsrpt_maildir *md, uint64_t h, const char *path)
{
    pthread_mutex_lock(&md->skip_mu);
    tlsrpt_skipset_add(md->skipped, h, path);
    pthread_mutex_unlock(&md->skip_mu);
}

size_t tlsrpt_maildir_max_message(const struct tlsrpt_maildir *md)
{
    return md->opt.limits.max_message;
}

int tlsrpt_maildir_prepare_item(struct tlsrpt_maildir *md, size_t folder, const char *sub,
                                const char *name, struct tlsrpt_buf *file, struct maildir_item *it)
{
    memset(it, 0, sizeof *it);
    if (name[0] == '.' || folder >= md->n_folders)
        return 0; /* dot files are not messages (Maildir: names never start with a dot) */
    if (strcmp(sub, "cur") == 0 && tlsrpt_maildir_has_flag(name, TLSRPT_MAILDIR_SEEN))
        return 0;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s/%s", md->folders[folder].path, sub, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        log_warning("path too long, skipped: %s/%s/%s", md->folders[folder].path, sub, name);
        return 0;
    }
    uint64_t h = tlsrpt_skipset_key(folder, sub, name);
    if (skipped_has(md, h, path))
        return 0;
    struct tlsrpt_error err = {0};
    enum tlsrpt_read_status st =
        tlsrpt_read_file_safe(path, md->opt.limits.max_message, file, &err);
    if (st == TLSRPT_READ_VANISHED)
        return 0; /* another mail program moved it: not an error */
    size_t nl = strlen(name);
    it->ref = malloc(sizeof *it->ref + nl + 1);
    if (it->ref == NULL) {
        log_error("out of memory, %s left in place", path);
        it->kind = ITEM_NOMEM;
        return 1;
    }
    it->ref->md = md;
    it->ref->folder = folder;
    snprintf(it->ref->sub, sizeof it->ref->sub, "%s", sub);
    memcpy(it->ref->name, name, nl + 1);
    if (st != TLSRPT_READ_OK) {
        log_warning("skipped %s; left in place", err.message);
        skipped_add(md, h, path);
        it->kind = ITEM_UNREADABLE;
        return 1;
    }
    if (tlsrpt_mail_prepare(file->data, file->len, &md->opt.limits,
                            tlsrpt_ingest_config_of(md->ing), &it->prep) != 0) {
        log_error("out of memory reading %s, left in place", path);
        it->kind = ITEM_NOMEM;
        return 1;
    }
    /* Remembered here, by the reader, so that a rescan does not read it again. */
    if (tlsrpt_mail_prepared_inputs(it->prep) == 0 && md->opt.skipped_folder == NULL)
        skipped_add(md, h, path);
    it->kind = ITEM_MESSAGE;
    return 1;
}

void tlsrpt_maildir_item_drop(struct maildir_item *it)
{
    tlsrpt_mail_prepared_free(it->prep);
    free(it->ref);
    memset(it, 0, sizeof *it);
}

int tlsrpt_maildir_submit_item(struct tlsrpt_maildir *md, struct maildir_item *it)
{
    md->total.inputs++;
    md->batch.inputs++;
    if (it->kind != ITEM_MESSAGE) {
        struct tlsrpt_run_counts *c[] = {&md->total, &md->batch};
        for (size_t i = 0; i < 2; i++) {
            if (it->kind == ITEM_UNREADABLE)
                c[i]->skipped++;
            else
                c[i]->failed++;
        }
        tlsrpt_maildir_item_drop(it);
        return 0;
    }
    char path[4096];
    struct msg_ref *m = it->ref;
    snprintf(path, sizeof path, "%s/%s/%s", md->folders[m->folder].path, m->sub, m->name);
    if (md->pending++ == 0)
        md->pending_since_ms = now_ms();
    int rc = tlsrpt_mail_submit(md->ing, it->prep, path, on_message_done, m);
    memset(it, 0, sizeof *it); /* both consumed: prep by the submit, ref by the callback */
    if (rc != 0)
        md->pending = 0; /* the failed batch has ended: its messages learnt FAILED and stay put */
    else if (md->pending >= md->opt.batch_messages)
        rc = tlsrpt_maildir_commit(md);
    return rc;
}

int tlsrpt_maildir_take(struct tlsrpt_maildir *md, size_t folder, const char *sub, const char *name)
{
    struct maildir_item it;
    if (tlsrpt_maildir_prepare_item(md, folder, sub, name, &md->file, &it) == 0)
        return 0;
    return tlsrpt_maildir_submit_item(md, &it);
}

void tlsrpt_maildir_counts(const struct tlsrpt_maildir *md, struct tlsrpt_run_counts *c)
{
    *c = md->total;
}
