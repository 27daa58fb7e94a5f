/* pages_overview.c - "/": every policy domain of the window with its verdict, sessions, failure
 * rate and a small trend, plus the rejected inputs so that nothing fails silently. */
#include "queries.h"
#include "svg_chart.h"
#include "web.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_OVERVIEW_PAGE 100 /* domains per page of the overview */

static void card(struct html *h, const char *id, const char *key, const char *cls)
{
    h_printf(h, "<div class=\"card\" id=\"%s\"><div class=\"k\">%s</div><div class=\"v%s%s\">", id,
             key, cls[0] != '\0' ? " " : "", cls);
}

static void rejects_notice(struct html *h, const struct web_ctx *c, int64_t rejects,
                           int64_t unresolved)
{
    if (rejects == 0)
        return;
    h_raw(h, "<div class=\"notice\" id=\"rejects-notice\" role=\"status\"><strong>");
    h_int(h, rejects);
    h_raw(h, rejects == 1 ? " input was" : " inputs were");
    h_raw(h, " rejected</strong> in this window (");
    h_int(h, unresolved);
    h_raw(h, " unresolved): they are kept with the reason. <a href=\"/rejects?");
    h_window_query(h, &c->p);
    h_raw(h, "\">See the rejects</a>.</div>");
}

static void figures(struct html *h, const struct tlsrpt_analysis *a, int64_t rejects,
                    const struct web_ctx *c)
{
    int64_t ok = 0, failed = 0;
    for (size_t i = 0; i < a->n_domains; i++) {
        ok += a->domains[i].successful;
        failed += a->domains[i].failed;
    }
    double rate = tlsrpt_failure_rate(ok, failed);
    h_raw(h, "<section class=\"cards\" aria-label=\"Totals\">");
    card(h, "card-domains", "Policy domains", "");
    h_int(h, (int64_t)a->n_domains);
    h_raw(h, "</div></div>");
    card(h, "card-sessions", "Sessions", "");
    h_int(h, ok + failed);
    h_raw(h, "</div></div>");
    card(h, "card-failed", "Failed sessions", failed > 0 ? "fail" : "");
    h_int(h, failed);
    h_raw(h, "</div></div>");
    card(h, "card-rate", "Failure rate", rate > a->thresholds.max_failure_rate ? "fail" : "ok");
    h_rate(h, rate);
    h_raw(h, "</div></div>");
    card(h, "card-rejects", "Rejected inputs", rejects > 0 ? "fail" : "");
    h_raw(h, "<a href=\"/rejects?");
    h_window_query(h, &c->p);
    h_raw(h, "\">");
    h_int(h, rejects);
    h_raw(h, "</a></div></div></section>");
}

/* Link to the overview with the window, a verdict filter (or none) and the sort order. */
static void overview_href(struct html *h, const struct web_ctx *c, const char *verdict,
                          bool by_name, int64_t page)
{
    h_raw(h, "href=\"/?");
    if (verdict != NULL) {
        h_raw(h, "verdict=");
        h_url_param(h, verdict);
        h_raw(h, "&amp;");
    }
    if (by_name)
        h_raw(h, "sort=name&amp;");
    if (page > 1)
        h_printf(h, "page=%lld&amp;", (long long)page);
    h_window_query(h, &c->p);
    h_raw(h, "\"");
}

/* One chip per verdict with its count, each a filter; "all" clears it. */
static void verdict_counts(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a)
{
    static const enum tlsrpt_verdict order[] = {TLSRPT_VERDICT_NOT_READY,
                                                TLSRPT_VERDICT_INSUFFICIENT_DATA,
                                                TLSRPT_VERDICT_READY, TLSRPT_VERDICT_ENFORCING};
    h_raw(h, "<nav class=\"verdicts\" id=\"verdicts\" aria-label=\"Filter by verdict\">");
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int64_t n = 0;
        for (size_t i = 0; i < a->n_domains; i++)
            n += a->domains[i].readiness.verdict == order[k];
        if (n == 0)
            continue;
        const char *name = tlsrpt_verdict_name(order[k]);
        bool on = c->p.verdict != NULL && strcmp(c->p.verdict, name) == 0;
        h_raw(h, "<a class=\"chip\" ");
        overview_href(h, c, name, c->p.sort_by_name, 1);
        h_raw(h, on ? " aria-current=\"true\"><b>" : "><b>");
        h_int(h, n);
        h_raw(h, "</b> ");
        h_verdict_badge(h, order[k]);
        h_raw(h, "</a>");
    }
    if (c->p.verdict != NULL) {
        h_raw(h, "<a class=\"chip\" ");
        overview_href(h, c, NULL, c->p.sort_by_name, 1);
        h_raw(h, ">all domains</a>");
    }
    h_raw(h, "</nav>");
}

/* Attention order: a blocking reason first (not ready, or enforcing and refusing mail now), then
 * by verdict, then most failed sessions, then name. */
static int verdict_rank(enum tlsrpt_verdict v)
{
    switch (v) {
    case TLSRPT_VERDICT_NOT_READY:
        return 0;
    case TLSRPT_VERDICT_ENFORCING:
        return 1;
    case TLSRPT_VERDICT_INSUFFICIENT_DATA:
        return 2;
    case TLSRPT_VERDICT_READY:
        return 3;
    }
    return 4;
}

static bool blocking(const struct tlsrpt_domain_analysis *d)
{
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        if (d->readiness.reasons[i].severity == TLSRPT_SEV_BLOCKING)
            return true;
    return false;
}

static int by_attention(const void *x, const void *y)
{
    const struct tlsrpt_domain_analysis *a = *(const struct tlsrpt_domain_analysis *const *)x;
    const struct tlsrpt_domain_analysis *b = *(const struct tlsrpt_domain_analysis *const *)y;
    if (blocking(a) != blocking(b))
        return blocking(a) ? -1 : 1;
    if (verdict_rank(a->readiness.verdict) != verdict_rank(b->readiness.verdict))
        return verdict_rank(a->readiness.verdict) - verdict_rank(b->readiness.verdict);
    if (a->failed != b->failed)
        return a->failed > b->failed ? -1 : 1;
    return strcmp(a->domain, b->domain);
}

static void trend(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                  const struct tlsrpt_domain_analysis *d)
{
    size_t n = 0;
    struct svg_day *days = web_daily_series(d, c->since, c->until, &n);
    int64_t with_reports = 0, with_failures = 0;
    for (size_t i = 0; i < n; i++) {
        with_reports += days[i].successful + days[i].failed > 0;
        with_failures += days[i].failed > 0;
    }
    char label[160];
    snprintf(label, sizeof label,
             "Daily sessions: %lld of %zu days with sessions, %lld with failures",
             (long long)with_reports, n, (long long)with_failures);
    svg_sparkline(h, days, n, a->thresholds.max_failure_rate, label);
    free(days);
}

static void domain_row(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                       const struct tlsrpt_domain_analysis *d)
{
    double rate = tlsrpt_failure_rate(d->successful, d->failed);
    h_raw(h, "<tr><th scope=\"row\" class=\"domain\">");
    h_domain_link(h, &c->p, d->domain);
    h_raw(h, "</th><td>");
    h_verdict_badge(h, d->readiness.verdict);
    h_raw(h, "</td><td>");
    if (d->readiness.newest_mode != NULL) {
        h_raw(h, "<code>");
        h_text(h, d->readiness.newest_mode);
        h_raw(h, "</code>");
    } else {
        h_raw(h, "<span class=\"muted\">\xE2\x80\x93</span>");
    }
    h_raw(h, "</td><td class=\"num reports\">");
    h_int(h, d->reports);
    h_raw(h, "</td><td class=\"num orgs\">");
    h_int(h, d->organizations);
    h_raw(h, "</td><td class=\"num sessions\">");
    h_int(h, d->successful + d->failed);
    h_printf(h, "</td><td class=\"num failed%s\">", d->failed > 0 ? " fail" : "");
    h_int(h, d->failed);
    h_raw(h, "</td><td class=\"num rate\">");
    h_rate(h, rate);
    h_raw(h, "</td><td class=\"trend\">");
    trend(h, c, a, d);
    h_raw(h, "</td><td class=\"num\">");
    h_date(h, d->last_seen);
    h_raw(h, "</td></tr>");
}

static void table_head(struct html *h, const struct web_ctx *c)
{
    h_raw(h, "<section class=\"panel\"><table id=\"domains\"><caption>Policy domains, ");
    h_raw(h, c->p.sort_by_name ? "by name (<a " : "those needing attention first (<a ");
    overview_href(h, c, c->p.verdict, !c->p.sort_by_name, 1);
    h_raw(h, c->p.sort_by_name ? ">attention first</a>)" : ">by name</a>)");
    h_raw(h, "</caption><thead><tr><th scope=\"col\">Domain</th><th scope=\"col\">Verdict</th>"
             "<th scope=\"col\">Policy mode</th><th scope=\"col\" class=\"num\">Reports</th>"
             "<th scope=\"col\" class=\"num\">Orgs</th><th scope=\"col\" class=\"num\">Sessions"
             "</th><th scope=\"col\" class=\"num\">Failed</th><th scope=\"col\" class=\"num\">"
             "Failure rate</th><th scope=\"col\">Daily trend</th><th scope=\"col\" "
             "class=\"num\">Last report</th></tr></thead><tbody>");
}

static void pager(struct html *h, const struct web_ctx *c, size_t shown_to, size_t total)
{
    if (c->p.page == 1 && shown_to >= total)
        return;
    h_raw(h, "<nav class=\"pager\" aria-label=\"Pages\">");
    if (c->p.page > 1) {
        h_raw(h, "<a ");
        overview_href(h, c, c->p.verdict, c->p.sort_by_name, c->p.page - 1);
        h_raw(h, ">\xE2\x86\x90 Previous</a>");
    }
    h_printf(h, "<span>Page %lld of %zu</span>", (long long)c->p.page,
             (total + WEB_OVERVIEW_PAGE - 1) / WEB_OVERVIEW_PAGE);
    if (shown_to < total) {
        h_raw(h, "<a ");
        overview_href(h, c, c->p.verdict, c->p.sort_by_name, c->p.page + 1);
        h_raw(h, ">Next \xE2\x86\x92</a>");
    }
    h_raw(h, "</nav>");
}

void render_overview(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                     int64_t rejects, int64_t unresolved, int64_t stale_as_of, bool window_moved)
{
    /* The previous day's window shown while today's is made: its own dates and daily series. */
    struct web_ctx shown = *c;
    if (window_moved) {
        shown.since = a->since;
        shown.until = a->until;
    }
    c = &shown;
    page_begin(h, c, "Overview", "/");
    h_raw(h, "<h1>Overview</h1><p class=\"sub\">Can each policy domain switch its MTA-STS policy "
             "to <code>mode: enforce</code> without bouncing mail? Reports from ");
    h_date(h, c->since);
    h_raw(h, " to ");
    h_date(h, c->until - 1);
    h_raw(h, ".</p>");
    if (stale_as_of != 0 && window_moved) {
        h_raw(h, "<div class=\"notice\" id=\"stale-notice\" role=\"status\">A new day began "
                 "(UTC), so this window moved: these figures are for the previous day's window, "
                 "computed at ");
        h_datetime(h, stale_as_of);
        h_raw(h, "; today's analysis is being made. Reload in a moment.</div>");
    } else if (stale_as_of != 0) {
        h_raw(h, "<div class=\"notice\" id=\"stale-notice\" role=\"status\">New reports arrived "
                 "since these figures were computed at ");
        h_datetime(h, stale_as_of);
        h_raw(h, "; the new analysis is being made. Reload in a moment.</div>");
    }
    rejects_notice(h, c, rejects, unresolved);
    figures(h, a, rejects, c);
    verdict_counts(h, c, a);
    /* The rows of this page: the verdict filter, the order, then a slice. */
    const struct tlsrpt_domain_analysis **rows = calloc(a->n_domains + 1, sizeof *rows);
    size_t n = 0;
    if (rows == NULL) {
        h->err = h->err != 0 ? h->err : TLSRPT_E_NOMEM;
        return;
    }
    for (size_t i = 0; i < a->n_domains; i++)
        if (c->p.verdict == NULL ||
            strcmp(tlsrpt_verdict_name(a->domains[i].readiness.verdict), c->p.verdict) == 0)
            rows[n++] = &a->domains[i];
    if (!c->p.sort_by_name) /* the analysis lists them by name already */
        qsort(rows, n, sizeof *rows, by_attention);
    size_t first = (size_t)(c->p.page - 1) * WEB_OVERVIEW_PAGE;
    size_t last = first + WEB_OVERVIEW_PAGE < n ? first + WEB_OVERVIEW_PAGE : n;
    table_head(h, c);
    for (size_t i = first; i < last; i++)
        domain_row(h, c, a, rows[i]);
    if (first >= n)
        h_raw(h, "<tr><td colspan=\"10\" class=\"muted\">No domain here. Import reports with "
                 "<code>tlsrpt-collector import</code>, or widen the window.</td></tr>");
    free(rows);
    h_raw(h, "</tbody></table>");
    pager(h, c, last, n);
    h_raw(h, "<ul class=\"legend\" aria-label=\"Trend legend\">"
             "<li><span class=\"sw ok\"></span>sessions, no failure</li>"
             "<li><span class=\"sw warn\"></span>some failures</li>"
             "<li><span class=\"sw fail\"></span>failure rate above the threshold</li>"
             "<li><span class=\"sw nodata\"></span>no report</li></ul></section>");
    page_end(h, c);
}

/* The analysis of every domain for this window is being made (web_analyze's pending): a small page
 * that says so and reloads itself (the Refresh header; no script), instead of a request that hangs
 * for the seconds it takes on a large database. */
void render_overview_pending(struct html *h, const struct web_ctx *c)
{
    page_begin(h, c, "Overview", "/");
    h_raw(h, "<h1>Overview</h1><p class=\"sub\">Reports from ");
    h_date(h, c->since);
    h_raw(h, " to ");
    h_date(h, c->until - 1);
    h_raw(h, ".</p><div class=\"notice\" id=\"pending-notice\" role=\"status\">The analysis of "
             "every policy domain for this window is being made. This page reloads by itself "
             "every ");
    h_int(h, WEB_PENDING_RELOAD_S);
    h_raw(h, " seconds until it is ready; on a large database that takes a few seconds. <a ");
    overview_href(h, c, c->p.verdict, c->p.sort_by_name, c->p.page);
    h_raw(h, ">Reload now</a>.</div>");
    page_end(h, c);
}

int web_page_overview(const struct web_ctx *c, struct web_reply *r)
{
    struct web_analysis w;
    struct tlsrpt_error err = {0};
    int64_t rejects = 0, unresolved = 0;
    int rc = web_analyze(c, NULL, 0, true, &w, &err);
    if (rc == 0 && w.pending) {
        r->status = 200;
        r->cache_control = "no-store";
        r->refresh_seconds = WEB_PENDING_RELOAD_S;
        render_overview_pending(&r->body, c);
        web_analysis_done(c, &w);
        return 0;
    }
    /* The count belongs to the figures shown: the previous day's window when that is what the
     * page shows (w.view holds that window's since and until). */
    if (rc == 0)
        rc =
            wq_rejects_count(c->db, w.window_moved ? w.view.since : c->since,
                             w.window_moved ? w.view.until : c->until, &rejects, &unresolved, &err);
    if (rc != 0) {
        page_error(r, c, rc == TLSRPT_E_DB ? 503 : 500, err.message);
    } else {
        r->status = 200;
        render_overview(&r->body, c, &w.view, rejects, unresolved, w.stale_as_of, w.window_moved);
    }
    web_analysis_done(c, &w);
    return 0;
}
