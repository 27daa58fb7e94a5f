/* refresher.h - one background thread that keeps the overview's analyses ready. On a large
 * database the analysis of every domain takes seconds (it is tlsrpt-report's), so:
 *
 *   - at start, it computes the overview (every domain) of each preset window (web_presets): the
 *     default one first, then the others in the order they were last asked for;
 *   - after the database changed, the first overview request answers at once from the previous
 *     analysis, marked "as of" its time, and asks this thread for the new one; the thread computes
 *     it, then makes a new pass over the preset windows;
 *   - a few seconds after 00:00 UTC it wakes by itself and computes the new day's preset windows
 *     (each preset's since moves by a day); until one is ready, its request is answered from the
 *     previous day's window, marked;
 *   - an overview nothing is cached for (a custom window, a preset in the first seconds) is made
 *     here, first in line: its request waits a little (--overview-wait), then its page says it is
 *     being made and reloads itself (web_refresher_make).
 *
 * One analysis at a time, and never one whose valid result the cache already holds. A pass over
 * the presets happens at start, at each new day, and once after any number of requests for
 * out-of-date analyses made during the previous one, so the work follows the use of the dashboard:
 * a database that changes while nobody looks costs nothing. */
#ifndef TLSRPT_WEB_REFRESHER_H
#define TLSRPT_WEB_REFRESHER_H

#include "analyze.h"
#include "cache.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>

#define WEB_REFRESH_DAY_MARGIN 5   /* seconds after 00:00 UTC when the new day's windows start */
#define WEB_REFRESH_MAX_SLEEP 3600 /* the longest wait before the clock is read again */
#define WEB_REFRESH_AWAIT_MAX 120  /* seconds a request waits for the same window at most */

struct web_refresher;

struct web_refresher_config {
    const char *db_path; /* its own read-only handle, opened on first use */
    struct web_cache *cache;
    struct tlsrpt_thresholds thresholds; /* the server's, as in every request */
    int64_t fixed_now;                   /* > 0: the time is always this (--now) */
    int64_t (*clock)(void *arg);         /* or NULL: fixed_now, else the wall clock (tests) */
    void *clock_arg;
    int day_margin; /* seconds after 00:00 UTC to wake; 0: WEB_REFRESH_DAY_MARGIN */
};

/* Starts the thread, which begins a pass over the preset windows at once. 0 or NOMEM/IO. */
int web_refresher_start(const struct web_refresher_config *cfg, struct web_refresher **out,
                        struct tlsrpt_error *err);
/* Asks for q to be computed and cached (before anything else; the latest request wins), then for
 * a pass over the preset windows. preset: q's window in days when it is a preset, else 0. Never
 * blocks. */
void web_refresher_want(struct web_refresher *r, const struct tlsrpt_analysis_query *q, int preset);
/* When the thread is computing q's window right now, waits until it is done (at most
 * WEB_REFRESH_AWAIT_MAX seconds) and returns true: the cache may then hold it. Otherwise returns
 * false at once. NULL is fine. */
bool web_refresher_await(struct web_refresher *r, const struct tlsrpt_analysis_query *q);
/* What became of the overview's request for an analysis (web_refresher_make). */
enum web_make {
    WEB_MAKE_ENDED,   /* its job ended: the cache holds the analysis, unless another request's
                         job replaced it or the cache pushed it out; either way, ask again later */
    WEB_MAKE_PENDING, /* still to come: the page says it is being made and reloads (docs/web.md) */
    WEB_MAKE_FAILED,  /* the thread's last attempt at this window failed (or no memory to ask):
                         the request computes it itself, so that the error is shown */
};
/* The overview's way to get an analysis nothing is cached for: asks for q unless the thread is
 * making it or already asked to (the latest request wins, as in web_refresher_want), then waits at
 * most wait_ms for that job to end: not at all when wait_ms is 0 or the last analysis the thread
 * made took longer than wait_ms (a large database: waiting would only hold a server thread). Asking
 * never starts a pass over the presets. NULL: WEB_MAKE_FAILED. */
enum web_make web_refresher_make(struct web_refresher *r, const struct tlsrpt_analysis_query *q,
                                 int preset, int64_t wait_ms);
/* Waits until nothing is left to do (no request, no pass in progress) or timeout_ms passed;
 * returns whether it is idle (benchmarks, tests). */
bool web_refresher_wait_idle(struct web_refresher *r, int64_t timeout_ms);
/* Analyses computed so far (a window found valid in the cache is not computed). */
uint64_t web_refresher_analyses(struct web_refresher *r);
/* When the thread wakes next for a new day: the next 00:00 UTC after now, plus margin seconds. */
int64_t web_refresher_next_day(int64_t now, int margin);
/* Waits for a computation in progress to end, then stops the thread. NULL is fine. */
void web_refresher_stop(struct web_refresher *r);

#endif
