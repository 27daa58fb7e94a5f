/* refresher.h - one background thread that recomputes analyses the cache holds out of date. On a
 * large database the analysis of every domain takes seconds (it is tlsrpt-report's), so after the
 * collector writes, the overview answers at once from the previous analysis, marked "as of" its
 * time, while this thread makes the new one; the next request gets it. At start it computes the
 * default overview so that the first visitor does not wait either. */
#ifndef TLSRPT_WEB_REFRESHER_H
#define TLSRPT_WEB_REFRESHER_H

#include "analyze.h"
#include "cache.h"
#include "error.h"

struct web_refresher;

/* Starts the thread (its own read-only handle on db_path, opened on first use). 0 or NOMEM/IO. */
int web_refresher_start(const char *db_path, struct web_cache *cache, struct web_refresher **out,
                        struct tlsrpt_error *err);
/* Asks for q to be computed and cached. The latest request wins; one for the key being computed
 * right now is dropped (the caller will ask again if it is still out of date). Never blocks. */
void web_refresher_want(struct web_refresher *r, const struct tlsrpt_analysis_query *q);
/* Waits for a computation in progress to end, then stops the thread. NULL is fine. */
void web_refresher_stop(struct web_refresher *r);

#endif
