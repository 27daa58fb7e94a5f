/* maildir_item.h - one message between the reader (maildir_scan.c's thread, or the --watch loop)
 * and the writer (the thread that owns the ingest). Internal to collector/mail. The reader side
 * touches only the skip set (under its lock) and its own file buffer; the writer side only the
 * ingest, the counters and the moves. */
#ifndef TLSRPT_MAILDIR_ITEM_H
#define TLSRPT_MAILDIR_ITEM_H

#include "mail_ingest.h"
#include "maildir_run.h"

#include <stddef.h>

/* What a message's completion callback needs to move it. */
struct msg_ref {
    struct tlsrpt_maildir *md;
    size_t folder;
    char sub[4]; /* "new" or "cur" */
    char name[];
};

enum maildir_item_kind {
    ITEM_MESSAGE,    /* read and prepared */
    ITEM_UNREADABLE, /* not a regular file, too large, unreadable: skipped, left in place */
    ITEM_NOMEM,      /* out of memory: failed, left in place */
};

struct maildir_item {
    enum maildir_item_kind kind;
    struct msg_ref *ref;               /* owned */
    struct tlsrpt_mail_prepared *prep; /* owned; ITEM_MESSAGE only */
};

/* Reader side: filters (dot files, seen, unchanged skipped), reads (into file, the calling
 * thread's own buffer) and prepares one message. Several readers may run it at once. Returns 1 with
 * *it filled, or 0 when there is nothing to do (vanished, filtered). */
int tlsrpt_maildir_prepare_item(struct tlsrpt_maildir *md, size_t folder, const char *sub,
                                const char *name, struct tlsrpt_buf *file, struct maildir_item *it);
/* The message size cap, for a reader's own file buffer. */
size_t tlsrpt_maildir_max_message(const struct tlsrpt_maildir *md);
/* Writer side: submits (consumes *it), commits when the batch is full. 0 or TLSRPT_E_DB. */
int tlsrpt_maildir_submit_item(struct tlsrpt_maildir *md, struct maildir_item *it);
/* Frees an item that will not be submitted (its message stays where it is). */
void tlsrpt_maildir_item_drop(struct maildir_item *it);

#endif
