/* maildir_watch.h - `maildir --watch`: keeps taking messages as they arrive. inotify on new/ and
 * cur/ of every folder (and on the Maildir itself for new Maildir++ subfolders when recursive), a
 * full rescan every rescan_seconds and after an inotify queue overflow as a safety net. */
#ifndef TLSRPT_MAILDIR_WATCH_H
#define TLSRPT_MAILDIR_WATCH_H

#include "maildir_run.h"

#include <signal.h>

#define TLSRPT_MAILDIR_DEF_RESCAN 300 /* seconds between full rescans */

/* Runs until *stop is non-zero, then commits the current batch and returns 0. The signals in
 * stopsigs are the ones whose handlers set *stop: they are blocked only while the loop decides to
 * sleep, so a signal never goes unnoticed. batch_ms: a pending batch is committed after this long.
 * Returns TLSRPT_E_IO when inotify cannot be set up (err says why). Database failures are logged,
 * not fatal: the messages stay in place and the next rescan takes them again. */
int tlsrpt_maildir_watch(struct tlsrpt_maildir *md, int rescan_seconds, int batch_ms,
                         const volatile sig_atomic_t *stop, const sigset_t *stopsigs,
                         struct tlsrpt_error *err);

#endif
