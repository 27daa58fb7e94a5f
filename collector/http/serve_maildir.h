/* serve_maildir.h - `serve --maildir DIR`: the Maildir watcher (collector/mail/maildir_watch.h) on
 * a thread of its own, with its own database handle and ingest (ingest is single-threaded), next to
 * the HTTP endpoint. Stopped by serve on SIGTERM: a flag plus SIGUSR2 sent to that thread alone,
 * which wakes the watcher's ppoll (the watcher unblocks its stop signals only while asleep). */
#ifndef TLSRPT_HTTP_SERVE_MAILDIR_H
#define TLSRPT_HTTP_SERVE_MAILDIR_H

#include "error.h"
#include "ingest.h"

struct tlsrpt_serve_maildir;

/* Checks dir, opens the database and starts the thread. SIGUSR2 must be blocked in the caller (and
 * so in every thread it starts) before this is called. Returns 0, TLSRPT_E_IO (not a Maildir, err
 * says why) or TLSRPT_E_DB. */
int tlsrpt_serve_maildir_start(const char *dir, const char *db_path,
                               const struct tlsrpt_ingest_config *cfg,
                               struct tlsrpt_serve_maildir **out, struct tlsrpt_error *err);
/* Stops the watcher, which commits its last batch; logs its totals and frees. */
void tlsrpt_serve_maildir_stop(struct tlsrpt_serve_maildir *m);

#endif
