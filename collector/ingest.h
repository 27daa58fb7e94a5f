/* ingest.h - the one path from raw bytes to the database, shared by every source (files, Maildir,
 * HTTP). decode -> parse -> store, inside a batch transaction. A source learns the outcome of an
 * input only through its callback, which runs after the batch that holds the input has committed
 * (or failed): that is what lets the Maildir source move a message, and the HTTP source answer 200,
 * only once the report is durable. Single-threaded: one ingest per thread (the HTTP server funnels
 * requests to one writer thread). */
#ifndef TLSRPT_INGEST_H
#define TLSRPT_INGEST_H

#include "buf.h"
#include "db.h"
#include "error.h"
#include "limits.h"
#include "report_parse.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_DEF_BATCH_MAX_ITEMS 500 /* inputs per transaction */
#define TLSRPT_DEF_BATCH_MAX_MS                                                                    \
    200 /* oldest pending input waits at most this long for its commit */

struct tlsrpt_ingest_config {
    struct tlsrpt_decode_limits decode;
    struct tlsrpt_parse_limits parse;
    size_t batch_max_items;
    int batch_max_ms;
    /* > 0: WAL checkpoints run on a thread of their own (schema/checkpointer.h) and a commit
     * checkpoints by itself only once the WAL holds this many pages; 0: inside the commits, as
     * SQLite does by default. */
    int checkpoint_pages;
};
void tlsrpt_ingest_config_default(struct tlsrpt_ingest_config *c);

enum tlsrpt_ingest_outcome {
    TLSRPT_INGEST_IMPORTED = 0,
    TLSRPT_INGEST_DUPLICATE,
    TLSRPT_INGEST_REJECTED, /* stored as a reject with its reason */
    TLSRPT_INGEST_FAILED,   /* nothing stored (database trouble): the source must keep the input */
};
const char *tlsrpt_ingest_outcome_name(enum tlsrpt_ingest_outcome o);

struct tlsrpt_ingest_result {
    enum tlsrpt_ingest_outcome outcome;
    struct tlsrpt_error reason; /* for REJECTED (why the input is bad) and FAILED (what broke) */
    int64_t report_id;          /* reports.id for IMPORTED/DUPLICATE, else 0 */
    char
        policy_domains[256]; /* comma-separated domains of the report, for logs; "" when rejected */
};

/* Called once per submitted input, after its batch committed or failed. */
typedef void (*tlsrpt_ingest_done_fn)(void *ctx, const struct tlsrpt_ingest_result *res);

struct tlsrpt_ingest_counts {
    uint64_t imported, duplicates, rejected, failed;
    uint64_t checkpoints_background, checkpoints_inline; /* see checkpoint_pages */
};

struct tlsrpt_ingest;

int tlsrpt_ingest_new(struct tlsrpt_db *db, const struct tlsrpt_ingest_config *cfg,
                      struct tlsrpt_ingest **out);
/* Flushes what is pending, then frees. */
void tlsrpt_ingest_free(struct tlsrpt_ingest *ing);

/* Decodes, parses and writes one input into the open batch (opening one if needed). raw is copied
 * as needed; the caller may free it on return. done (may be NULL) is called after the batch ends.
 * Commits by itself when the batch is full. Returns 0, or TLSRPT_E_DB when the batch failed (the
 * done callbacks of that batch have then been called with FAILED). */
int tlsrpt_ingest_submit(struct tlsrpt_ingest *ing, const uint8_t *raw, size_t len,
                         const struct tlsrpt_source_info *src,
                         const struct tlsrpt_parse_hints *hints, tlsrpt_ingest_done_fn done,
                         void *ctx);

/* The pure half of submit: decode + parse, no database. Thread-safe (touches only its arguments),
 * so sources can run it on other threads and hand the result to the ingest's own thread. scratch is
 * a buffer the caller keeps between calls (initialise with tlsrpt_buf_init(&s, 0); free it at the
 * end). Returns the report (caller frees, or passes it on), or NULL with why set for a bad input.
 */
struct tlsrpt_report *tlsrpt_ingest_prepare(const struct tlsrpt_ingest_config *cfg,
                                            const uint8_t *raw, size_t len,
                                            const struct tlsrpt_parse_hints *hints,
                                            struct tlsrpt_buf *scratch, struct tlsrpt_error *why);

/* Also pure and thread-safe: what the store derives from the bytes and the report (sha256,
 * dedupe key, JSON texts; tlsrpt_store_prep_make), so that the thread that owns the database only
 * writes. report may be NULL (an input to be rejected). Returns 0, or -1 when memory ran out (*p
 * is then empty and the store computes it itself). Free with tlsrpt_store_prep_free. */
int tlsrpt_ingest_prep(const uint8_t *raw, size_t len, const struct tlsrpt_report *report,
                       struct tlsrpt_store_prep *p);

/* The database half of submit, for an input prepared by tlsrpt_ingest_prepare: report (borrowed;
 * may be NULL) or, when report is NULL, why (the reject reason); prep (borrowed; may be NULL) made
 * by tlsrpt_ingest_prep for the same bytes and report. Same batching and callbacks as submit. */
int tlsrpt_ingest_submit_prepared(struct tlsrpt_ingest *ing, const uint8_t *raw, size_t len,
                                  const struct tlsrpt_source_info *src,
                                  const struct tlsrpt_report *report,
                                  const struct tlsrpt_error *why,
                                  const struct tlsrpt_store_prep *prep, tlsrpt_ingest_done_fn done,
                                  void *ctx);

/* The ingest's configuration (for callers of tlsrpt_ingest_prepare). */
const struct tlsrpt_ingest_config *tlsrpt_ingest_config_of(const struct tlsrpt_ingest *ing);

/* Commits the open batch now and runs its callbacks. Returns 0 or TLSRPT_E_DB. */
int tlsrpt_ingest_flush(struct tlsrpt_ingest *ing);

/* Commits if the oldest pending input has waited batch_max_ms or more; for event loops. */
int tlsrpt_ingest_poll(struct tlsrpt_ingest *ing);

/* Totals of committed outcomes since creation. */
void tlsrpt_ingest_get_counts(const struct tlsrpt_ingest *ing, struct tlsrpt_ingest_counts *c);

#endif
