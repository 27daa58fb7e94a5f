/* progress.h - a one-line progress bar on stderr, drawn only when stderr is a terminal, at most
 * ten times a second, so cron and log files never see it. */
#ifndef TLSRPT_PROGRESS_H
#define TLSRPT_PROGRESS_H

#include <stdint.h>

struct tlsrpt_progress {
    int enabled;
    uint64_t total; /* 0 = unknown: a counter instead of a bar */
    uint64_t done;
    int64_t started_ms, drawn_ms;
    const char *unit;
};

/* enable: -1 auto (isatty(2)), 0 never, 1 always. */
void tlsrpt_progress_start(struct tlsrpt_progress *p, int enable, uint64_t total, const char *unit);
void tlsrpt_progress_step(struct tlsrpt_progress *p, uint64_t n);
void tlsrpt_progress_end(struct tlsrpt_progress *p); /* clears the line */

#endif
