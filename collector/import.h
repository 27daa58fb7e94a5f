/* import.h - the work of `tlsrpt-collector import`, as a library call so the benchmark measures
 * exactly what the command does: walk the paths, prepare (read, decode, parse) on worker threads,
 * store in order on the calling thread through the ingest. Read-only: inputs are never moved or
 * changed. */
#ifndef TLSRPT_IMPORT_H
#define TLSRPT_IMPORT_H

#include "ingest.h"
#include "summary.h"

#include <stddef.h>

#define TLSRPT_DEF_MAX_FILE                                                                        \
    (32u << 20) /* a report mail is < 1 MB; 32 MiB leaves room for odd ones */

/* A bulk import has no one waiting on each input, so it commits less often than a daemon: fewer
 * fsyncs and fewer rewrites of the same index pages (measured on 100,000 reports: 1 -> 5000 took
 * 19 s to 12.5 s; 5000 -> 20000 cut the database thread's CPU per report by about 10%). */
#define TLSRPT_DEF_IMPORT_BATCH 20000
/* A bulk import writes without pause, so the WAL only wraps when a commit checkpoints it: letting
 * it grow to 128 MiB leaves most of the copying to the checkpoint thread (measured on 100,000
 * reports: 8.7 s -> 7.8 s; the default 8192 pages made no difference). */
#define TLSRPT_DEF_IMPORT_CHECKPOINT_PAGES 32768

struct tlsrpt_import_options {
    size_t max_file;  /* files above this are skipped with a logged reason */
    int progress;     /* -1 auto (TTY), 0 off, 1 on */
    unsigned workers; /* prepare threads; 0 = one per core (niced, prepare_pool.c) */
};

/* Imports every regular file under paths (directories recursively, symlinks not followed, a
 * Maildir's tmp/ skipped). Adds to *counts (inputs, skipped; imported/duplicates/rejected/failed
 * come from the ingest's counters). *missing counts paths that could not be read. Returns 0,
 * TLSRPT_E_NOMEM or TLSRPT_E_DB (a batch failed; its inputs were not stored). */
int tlsrpt_import_paths(struct tlsrpt_ingest *ing, char *const *paths, size_t n_paths,
                        const struct tlsrpt_import_options *opt, struct tlsrpt_run_counts *counts,
                        int *missing);

#endif
