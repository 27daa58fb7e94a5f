/* cache.h - analyses kept between requests. On a large database the analysis of every domain takes
 * as long as tlsrpt-report (seconds at a million reports); the dashboard asks for the same windows
 * again and again, so a finished analysis is kept and reused while it is provably the same:
 *
 *   - same since, same domains, same thresholds;
 *   - the database has not changed: a fingerprint of the database and WAL files (inode, size,
 *     time) and of the wal-index header (its counter moves with every write transaction) is
 *     compared with the last request's; a handle whose PRAGMA data_version moved while the
 *     fingerprint did not counts as a change too. A change starts a new generation: older entries
 *     are then out of date (kept, to be shown "as of" their time while the refresher makes a new
 *     one);
 *   - the window's end moved only within the same UTC day (the daily series ends on that day) and
 *     no policy entry starts between the old and the new end (no row joins or leaves the window).
 *
 * When a new UTC day begins, a preset window (window=N: the N days before today plus today) moves:
 * its since is a day later, so it is another key. The previous day's entry of the same preset is
 * then still listed and can be shown "as of", marked as the previous window, while the refresher
 * computes today's.
 *
 * The analysis depends on nothing else (silence is measured from the newest report, not from now),
 * so a reused one is what tlsrpt-report would compute now; its until/now fields are the request's
 * (web_analyze hands out a copy of the struct with them replaced). */
#ifndef TLSRPT_WEB_CACHE_H
#define TLSRPT_WEB_CACHE_H

#include "analyze.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_CACHE_ENTRIES 16 /* analyses kept; the least recently used goes first */
/* Memory the kept analyses may hold together (tlsrpt_analysis_bytes): an all-domain analysis of a
 * million reports holds 50-75 MiB, so 16 of them could take over a gigabyte. */
#define WEB_CACHE_DEF_BYTES ((size_t)512 << 20)

struct web_cache;
struct web_cache_entry;

struct web_cache *web_cache_new(void); /* NULL when out of memory; budget WEB_CACHE_DEF_BYTES */
/* Sets the memory budget (0: none). When a new analysis takes the kept ones over it, the least
 * recently used are dropped first; the entry just kept and the current entry of each preset
 * window are never dropped for it (so the budget can be exceeded by those alone). */
void web_cache_set_budget(struct web_cache *c, size_t bytes);
/* The memory the kept analyses hold, in bytes. */
size_t web_cache_bytes(struct web_cache *c);
void web_cache_free(struct web_cache *c);

/* What one handle saw at its last observation (zeroed for a new handle). */
struct web_cache_seen {
    int64_t version; /* PRAGMA data_version */
    uint64_t files;  /* fingerprint of the database, WAL and wal-index header */
};

/* Called with each request's handle before anything is read. Returns the generation valid for
 * this request, or 0 when it cannot tell (then nothing cached is used). */
uint64_t web_cache_observe(struct web_cache *c, struct tlsrpt_db *db, struct web_cache_seen *seen);

/* A valid entry for q (its analysis in *out) with a reference taken, or NULL. */
struct web_cache_entry *web_cache_get(struct web_cache *c, struct tlsrpt_db *db,
                                      uint64_t generation, const struct tlsrpt_analysis_query *q,
                                      const struct tlsrpt_analysis **out);
/* Whether web_cache_get would find a valid entry, without counting it as a use (the refresher). */
bool web_cache_valid(struct web_cache *c, struct tlsrpt_db *db, uint64_t generation,
                     const struct tlsrpt_analysis_query *q);
/* Keeps a (ownership moves to the cache) computed for q in generation; returns the entry with a
 * reference taken, or NULL when out of memory (a is then freed). preset is the window in days when
 * q is a preset window (web_presets), else 0: an entry of every domain for a preset window stays
 * until the same preset's next one replaces it (requests for other keys never evict it), so the
 * overview of each preset always has one. An entry computed in an older generation than the
 * current one is kept as out of date (to be shown "as of") unless a newer one is listed. */
struct web_cache_entry *web_cache_put(struct web_cache *c, uint64_t generation,
                                      const struct tlsrpt_analysis_query *q, int preset,
                                      struct tlsrpt_analysis *a);

/* How an out-of-date entry differs from what was asked. */
struct web_cache_stale {
    int64_t as_of; /* when it was computed (wall clock) */
    bool moved;    /* the previous UTC day's window of the same preset: its since and until are
                      the analysis' own, a day earlier than the request's */
};
/* The newest entry for q's window whatever its generation, or, for every domain and a preset
 * window (preset > 0), the same preset's entry of the previous day when there is none for today:
 * out of date, but shown marked while a new one is made. Reference taken, or NULL. */
struct web_cache_entry *web_cache_get_stale(struct web_cache *c,
                                            const struct tlsrpt_analysis_query *q, int preset,
                                            const struct tlsrpt_analysis **out,
                                            struct web_cache_stale *why);
/* The last use (a tick that only grows) of the entry of every domain for a preset window; 0 when
 * none is listed. The refresher computes the presets used last first. */
uint64_t web_cache_last_used(struct web_cache *c, int preset);
void web_cache_release(struct web_cache *c, struct web_cache_entry *e);

#endif
