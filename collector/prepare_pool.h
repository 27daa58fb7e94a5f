/* prepare_pool.h - reads and prepares (decode + parse, the pure half of ingest) a list of files on
 * worker threads, and hands the results back to the calling thread in list order, where they are
 * stored (the database half must stay on one thread). On two cores this overlaps parsing with
 * SQLite, which is what lets `import` keep up with a bare read+gunzip+parse loop. Memory is bounded
 * by the number of slots in flight, not by the number of files. */
#ifndef TLSRPT_PREPARE_POOL_H
#define TLSRPT_PREPARE_POOL_H

#include "buf.h"
#include "error.h"
#include "ingest.h"
#include "mail_ingest.h"
#include "report.h"
#include "safe_file.h"

#include <stddef.h>

struct tlsrpt_prepared {
    const char *path;              /* borrowed from the caller's list */
    enum tlsrpt_read_status read;  /* how reading went; the rest is valid only for TLSRPT_READ_OK */
    struct tlsrpt_buf raw;         /* the file's bytes */
    int is_report;                 /* sniffed as gzip/zip/JSON: report or why is set */
    struct tlsrpt_report *report;  /* parsed report (owned by the slot) or NULL */
    struct tlsrpt_error why;       /* read error, or the reject reason when report is NULL */
    struct tlsrpt_store_prep prep; /* what the store derives (tlsrpt_ingest_prep), also made here */
    struct tlsrpt_mail_prepared
        *mail;   /* not a bare report: the MIME work done (consumer submits) */
    int mail_rc; /* tlsrpt_mail_prepare's result when mail was attempted */
};

struct tlsrpt_prepare_pool;

/* Starts `workers` threads (at least 1) over paths[0..n). max_file caps each read. */
int tlsrpt_prepare_pool_start(const struct tlsrpt_ingest_config *cfg, const char *const *paths,
                              size_t n, size_t max_file, unsigned workers,
                              struct tlsrpt_prepare_pool **out);
/* The next item in list order, blocking until it is ready; NULL after the last one. The item stays
 * valid until the next call. */
struct tlsrpt_prepared *tlsrpt_prepare_pool_next(struct tlsrpt_prepare_pool *p);
/* Stops the workers (even mid-list) and frees everything. */
void tlsrpt_prepare_pool_free(struct tlsrpt_prepare_pool *p);

#endif
