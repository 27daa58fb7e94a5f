/* maildir_run.h - `tlsrpt-collector maildir` without its command line: reads the unseen messages of
 * a Maildir (new/, and cur/ without the S flag), hands each to tlsrpt_mail_ingest, and moves each
 * message only once its reports are committed (crash safety: ingest, commit, then rename): imported
 * or duplicate -> cur/NAME:2,<flags>S (other flags kept) rejected              -> <reject
 * folder>/{new,cur}/NAME, same name (its reports are kept as rejects) skipped (no report)   -> left
 * in place, or <skipped folder>/{new,cur}/NAME when one is configured failed (database)     -> left
 * in place: the next run takes it again Nothing is deleted. A message read twice (a crash between
 * commit and rename) is a harmless duplicate. */
#ifndef TLSRPT_MAILDIR_RUN_H
#define TLSRPT_MAILDIR_RUN_H

#include "error.h"
#include "ingest.h"
#include "mime_extract.h"
#include "summary.h"

#include <signal.h>
#include <stddef.h>

#define TLSRPT_MAILDIR_DEF_REJECT_FOLDER ".tlsrpt-rejected"
#define TLSRPT_MAILDIR_DEF_BATCH                                                                   \
    2000u /* messages per commit: one fsync, each dirty page written once */
#define TLSRPT_MAILDIR_SKIPSET_SLOTS 16384 /* messages remembered as skipped (384 KiB, fixed) */

struct tlsrpt_maildir_opts {
    const char *dir;            /* the Maildir */
    const char *reject_folder;  /* Maildir++ folder under dir for rejected messages */
    const char *skipped_folder; /* NULL: skipped messages stay where they are */
    int recursive;              /* also the Maildir++ subfolders dir/.Name (never the two above) */
    struct tlsrpt_mail_limits limits; /* limits.max_message is also the file size cap */
    size_t batch_messages;            /* commit after this many messages */
};
void tlsrpt_maildir_opts_default(struct tlsrpt_maildir_opts *o);

struct tlsrpt_maildir;

/* Checks that opts->dir is a Maildir and finds its folders. Returns 0, TLSRPT_E_IO (err says why)
 * or TLSRPT_E_NOMEM. ing stays the caller's. */
int tlsrpt_maildir_open(struct tlsrpt_ingest *ing, const struct tlsrpt_maildir_opts *opts,
                        struct tlsrpt_maildir **out, struct tlsrpt_error *err);
/* Commits what is pending, then frees. */
void tlsrpt_maildir_close(struct tlsrpt_maildir *md);

/* One pass over every folder: new/, then cur/ messages without S. Stops early (after committing)
 * once *stop is non-zero (stop may be NULL). Returns 0, or TLSRPT_E_DB when a commit failed (the
 * messages of that batch stay in place). */
int tlsrpt_maildir_scan(struct tlsrpt_maildir *md, const volatile sig_atomic_t *stop);

/* One message by name (from an inotify event): folder index, "new" or "cur". A name that is gone is
 * ignored. Commits when the batch is full. Returns 0 or TLSRPT_E_DB. */
int tlsrpt_maildir_take(struct tlsrpt_maildir *md, size_t folder, const char *sub,
                        const char *name);

/* Commits now, moves the messages of the batch, logs one line with the batch's counts. */
int tlsrpt_maildir_commit(struct tlsrpt_maildir *md);

/* Messages taken since the last commit, and when the oldest of them was taken (monotonic ms). */
size_t tlsrpt_maildir_pending(const struct tlsrpt_maildir *md, long long *since_ms);

/* Folders: [0] is the Maildir itself, then its Maildir++ subfolders when recursive. */
size_t tlsrpt_maildir_n_folders(const struct tlsrpt_maildir *md);
const char *tlsrpt_maildir_folder_path(const struct tlsrpt_maildir *md, size_t i);
/* Looks for subfolders created since (recursive only). Existing indices never change, so this is
 * safe with messages pending. Returns how many were added, or -1 when out of memory. */
int tlsrpt_maildir_refresh_folders(struct tlsrpt_maildir *md);

/* Totals since open: reports imported/duplicates/rejected/failed, messages skipped, messages looked
 * at. */
void tlsrpt_maildir_counts(const struct tlsrpt_maildir *md, struct tlsrpt_run_counts *c);

#endif
