/* analysis.c - the bridge to the analyzer library: one call for the window of a request, and the
 * daily series padded to the window for the charts. The dashboard never counts sessions itself, so
 * its figures are those of tlsrpt-report for the same window. */
#include "cache.h"
#include "refresher.h"
#include "svg_chart.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY 86400
/* A custom window plus a partial day on each side. */
#define MAX_SERIES_DAYS (WEB_MAX_CUSTOM_DAYS + 2)

int web_analyze(const struct web_ctx *c, const char *const *domains, size_t n_domains,
                bool allow_stale, struct web_analysis *out, struct tlsrpt_error *err)
{
    struct tlsrpt_analysis_query q = {
        .since = c->since,
        .until = c->until,
        .now = c->now,
        .domains = domains,
        .n_domains = n_domains,
        .thresholds = c->settings->thresholds,
    };
    const int preset = c->p.window_days; /* 0 for a custom window */
    const bool refresh = allow_stale && c->cache != NULL && c->refresher != NULL;
    const struct tlsrpt_analysis *shared = NULL;
    memset(out, 0, sizeof *out);
    if (c->cache != NULL)
        out->entry = web_cache_get(c->cache, c->db, c->generation, &q, &shared);
    if (out->entry == NULL && refresh) {
        struct web_cache_stale why = {0, false};
        out->entry = web_cache_get_stale(c->cache, &q, preset, &shared, &why);
        if (out->entry != NULL) {
            out->stale_as_of = why.as_of;
            out->window_moved = why.moved;
            web_refresher_want(c->refresher, &q, preset);
        }
    }
    /* Nothing to show. The overview of a window never computed takes seconds on a large database
     * (every domain is analysed): the refresher makes it, and the page waits only a little for it,
     * then says it is being made and reloads (docs/web.md). Only a window whose analysis failed in
     * the refresher is computed below, by the request, where its error is reported. */
    if (out->entry == NULL && refresh) {
        enum web_make m =
            web_refresher_make(c->refresher, &q, preset, c->settings->overview_wait_ms);
        if (m == WEB_MAKE_ENDED)
            out->entry = web_cache_get(c->cache, c->db, c->generation, &q, &shared);
        if (m == WEB_MAKE_PENDING || (m == WEB_MAKE_ENDED && out->entry == NULL)) {
            out->pending = true;
            return 0;
        }
    } else if (out->entry == NULL && c->cache != NULL && web_refresher_await(c->refresher, &q)) {
        /* The refresher is making this very window: its result is this one. */
        out->entry = web_cache_get(c->cache, c->db, c->generation, &q, &shared);
    }
    if (out->entry == NULL) {
        struct tlsrpt_analysis *a = NULL;
        int rc = tlsrpt_analyze(c->db, &q, &a, err);
        if (rc != 0)
            return rc;
        if (c->cache != NULL &&
            (out->entry = web_cache_put(c->cache, c->generation, &q, preset, a)) == NULL)
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory caching an analysis");
        if (out->entry == NULL)
            out->owned = a;
        shared = a;
        /* A preset missed (a new day and nothing of the previous one): the others likely too. */
        if (refresh && preset > 0 && n_domains == 0)
            web_refresher_want(c->refresher, &q, preset);
    }
    out->view = *shared;
    /* A valid entry is this window's analysis whatever its end within the day; one of the same
     * window out of date says so. The previous day's window keeps its own since and until. */
    if (!out->window_moved)
        out->view.until = c->until;
    out->view.now = c->now;
    return 0;
}

void web_analysis_done(const struct web_ctx *c, struct web_analysis *w)
{
    if (w->entry != NULL)
        web_cache_release(c->cache, w->entry);
    if (w->owned != NULL)
        tlsrpt_analysis_free(w->owned);
    memset(w, 0, sizeof *w);
}

static int64_t day_floor(int64_t t)
{
    int64_t d = t / SECONDS_PER_DAY;
    if (t % SECONDS_PER_DAY < 0)
        d--;
    return d * SECONDS_PER_DAY;
}

struct svg_day *web_daily_series(const struct tlsrpt_domain_analysis *d, int64_t since,
                                 int64_t until, size_t *n)
{
    *n = 0;
    if (until <= since)
        return NULL;
    int64_t first = day_floor(since), last = day_floor(until - 1);
    size_t count = (size_t)((last - first) / SECONDS_PER_DAY + 1);
    if (count > MAX_SERIES_DAYS) { /* keep the most recent days */
        first = last - (int64_t)(MAX_SERIES_DAYS - 1) * SECONDS_PER_DAY;
        count = MAX_SERIES_DAYS;
    }
    struct svg_day *days = calloc(count, sizeof *days);
    if (days == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        days[i].day = first + (int64_t)i * SECONDS_PER_DAY;
    for (size_t i = 0; d != NULL && i < d->n_daily; i++) {
        int64_t day = day_floor(d->daily[i].day);
        if (day < first || day > last)
            continue;
        struct svg_day *s = &days[(day - first) / SECONDS_PER_DAY];
        s->successful += d->daily[i].successful;
        s->failed += d->daily[i].failed;
    }
    *n = count;
    return days;
}
