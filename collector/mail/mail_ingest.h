/* mail_ingest.h - one mail message into the database: every report it carries goes through the
 * ingest (decode, parse, store), with the mail's headers kept as the receipt's meta JSON. Used by
 * `tlsrpt-collector import` (for .eml files and Maildir message files) and by `tlsrpt-collector
 * maildir`. Reads nothing from disk: the caller hands in the bytes. */
#ifndef TLSRPT_MAIL_INGEST_H
#define TLSRPT_MAIL_INGEST_H

#include "error.h"
#include "ingest.h"
#include "mime_extract.h"

#include <stddef.h>
#include <stdint.h>

enum tlsrpt_mail_outcome {
    TLSRPT_MAIL_IMPORTED = 0, /* at least one new report, none rejected */
    TLSRPT_MAIL_DUPLICATE,    /* every report was already in the database */
    TLSRPT_MAIL_REJECTED,     /* a report part (or the message itself) was bad: kept as a reject */
    TLSRPT_MAIL_SKIPPED,      /* no report in the message (cron mail, a bounce, a person writing) */
    TLSRPT_MAIL_FAILED,       /* a database failure: not (fully) stored, the message must be kept */
};
const char *tlsrpt_mail_outcome_name(enum tlsrpt_mail_outcome o); /* "imported", ... */

struct tlsrpt_mail_result {
    enum tlsrpt_mail_outcome outcome;
    unsigned imported, duplicates, rejected, failed; /* report parts by outcome */
    struct tlsrpt_error
        reason; /* REJECTED: the first bad part ("part 2 (name): why"); FAILED: what broke */
};

typedef void (*tlsrpt_mail_done_fn)(void *ctx, const struct tlsrpt_mail_result *res);

/* Extracts every report from one message and submits each to ing; done runs once, after all of the
 * message's reports were committed (or failed), or before this returns for a message with no report
 * (SKIPPED). A message the extractor refuses (a cap exceeded) is submitted whole, so its bytes are
 * kept as a reject. reference: the file path, kept in the receipt. limits NULL = defaults. Returns
 * 0, or TLSRPT_E_DB when a batch failed (done has then run, with FAILED). */
int tlsrpt_mail_ingest(struct tlsrpt_ingest *ing, const uint8_t *msg, size_t len,
                       const char *reference, const struct tlsrpt_mail_limits *limits,
                       tlsrpt_mail_done_fn done, void *ctx);

/* The same in two steps, so that MIME work, decoding and parsing run in another thread than the
 * database work: tlsrpt_mail_prepare is pure (no I/O, no shared state) and makes *out (0 or
 * TLSRPT_E_NOMEM), decoding and parsing each report part with cfg's limits (NULL = defaults: pass
 * the ingest's, tlsrpt_ingest_config_of); tlsrpt_mail_submit then behaves like tlsrpt_mail_ingest
 * and frees p in every case. */
struct tlsrpt_mail_prepared;
int tlsrpt_mail_prepare(const uint8_t *msg, size_t len, const struct tlsrpt_mail_limits *limits,
                        const struct tlsrpt_ingest_config *cfg, struct tlsrpt_mail_prepared **out);
/* Inputs the message gives the ingest: 0 means no report in it (it will be SKIPPED). */
size_t tlsrpt_mail_prepared_inputs(const struct tlsrpt_mail_prepared *p);
int tlsrpt_mail_submit(struct tlsrpt_ingest *ing, struct tlsrpt_mail_prepared *p,
                       const char *reference, tlsrpt_mail_done_fn done, void *ctx);
void tlsrpt_mail_prepared_free(struct tlsrpt_mail_prepared *p);

#endif
