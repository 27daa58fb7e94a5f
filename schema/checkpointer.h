/* checkpointer.h - WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses its threshold: that commit then also copies the WAL into the
 * database file and fsyncs it, and every request waiting on it waits that long (the p99 of a
 * group-committing daemon). With a checkpointer, the writer's commits only append to the WAL and
 * signal; the copy and its fsync happen on another connection (a PASSIVE checkpoint, which never
 * blocks the writer). A writer that never pauses never lets the WAL wrap, so past hard_pages the
 * writer checkpoints inline as before, the WAL stays bounded: right after the commit that crossed
 * it once the caller has told that commit's sources (tlsrpt_checkpointer_after_commit), else
 * inside the next commit. */
#ifndef TLSRPT_CHECKPOINTER_H
#define TLSRPT_CHECKPOINTER_H

#include "db.h"

#include <stdint.h>

/* The thread is woken by a commit once per SOFT pages (4 KiB) of new WAL; a commit checkpoints by
 * itself once the WAL holds HARD pages (the handle's usual automatic threshold). With serve at half
 * its peak rate (bench/http_bench.sh), SOFT 1024 gave a p99 of 17-20 ms, 256 gave 12.7-17.7 ms at
 * the same peak rate, 64 gave 11-13 ms but cost the peak 10-15%; import is the same at 256. */
#define TLSRPT_CHECKPOINT_SOFT_PAGES 256
#define TLSRPT_CHECKPOINT_HARD_PAGES TLSRPT_DB_AUTOCHECKPOINT_PAGES

struct tlsrpt_checkpointer;

struct tlsrpt_checkpointer_stats {
    uint64_t background; /* checkpoints run by the thread */
    uint64_t inline_;    /* checkpoints a commit ran itself (past hard_pages) */
};

/* Opens a second connection to writer's database, starts the thread and takes over writer's WAL
 * hook (its automatic checkpoint). writer must be a read-write handle, and no other thread may use
 * it during start and stop (start before its thread runs, stop after). Returns 0, or TLSRPT_E_DB /
 * TLSRPT_E_NOMEM with err set (writer then keeps its automatic checkpoint). */
int tlsrpt_checkpointer_start(struct tlsrpt_db *writer, int soft_pages, int hard_pages,
                              struct tlsrpt_checkpointer **out, struct tlsrpt_error *err);

/* Runs the inline checkpoint a commit past hard_pages left due, if any. Call on writer's thread
 * after each commit, once its inputs have been answered. */
void tlsrpt_checkpointer_after_commit(struct tlsrpt_checkpointer *c);

/* The counts so far; call from writer's thread (or once nothing else runs on writer). */
void tlsrpt_checkpointer_get_stats(struct tlsrpt_checkpointer *c,
                                   struct tlsrpt_checkpointer_stats *st);

/* Gives writer its automatic checkpoint back, joins the thread (a checkpoint under way finishes)
 * and closes the second connection. Call before closing writer. NULL is a no-op. */
void tlsrpt_checkpointer_stop(struct tlsrpt_checkpointer *c, struct tlsrpt_checkpointer_stats *st);

#endif
