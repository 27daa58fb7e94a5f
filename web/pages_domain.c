/* pages_domain.c - "/domain?d=DOMAIN": the verdict with its reasons and actions first, then the
 * daily chart and the tables that explain it. */
#include "domain_tables.h"
#include "web.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_sentence(enum tlsrpt_verdict v)
{
    switch (v) {
    case TLSRPT_VERDICT_READY:
        return "No reporter saw a failure that mode: enforce would turn into refused mail.";
    case TLSRPT_VERDICT_NOT_READY:
        return "Enforcing now would refuse mail: the blocking reasons below say whose and why.";
    case TLSRPT_VERDICT_INSUFFICIENT_DATA:
        return "Not enough reports yet to tell: the reasons below say what is missing.";
    case TLSRPT_VERDICT_ENFORCING:
        return "The newest policy is already in mode: enforce.";
    }
    return "";
}

static void card(struct html *h, const char *id, const char *key, const char *cls)
{
    h_printf(h, "<div class=\"card\" id=\"%s\"><div class=\"k\">%s</div><div class=\"v%s%s\">", id,
             key, cls[0] != '\0' ? " " : "", cls);
}

static void figures(struct html *h, const struct tlsrpt_analysis *a,
                    const struct tlsrpt_domain_analysis *d)
{
    double rate = tlsrpt_failure_rate(d->successful, d->failed);
    h_raw(h, "<section class=\"cards\" aria-label=\"Figures\">");
    card(h, "card-sessions", "Sessions", "");
    h_int(h, d->successful + d->failed);
    h_raw(h, "</div><div class=\"n\">");
    h_int(h, d->successful);
    h_raw(h, " successful</div></div>");
    card(h, "card-failed", "Failed sessions", d->failed > 0 ? "fail" : "");
    h_int(h, d->failed);
    h_raw(h, "</div><div class=\"n\">sts ");
    h_int(h, d->sts.failed);
    h_raw(h, ", no policy ");
    h_int(h, d->no_policy.failed);
    h_raw(h, "</div></div>");
    card(h, "card-rate", "Failure rate", rate > a->thresholds.max_failure_rate ? "fail" : "ok");
    h_rate(h, rate);
    h_raw(h, "</div><div class=\"n\">threshold ");
    h_rate(h, a->thresholds.max_failure_rate);
    h_raw(h, "</div></div>");
    card(h, "card-reports", "Reports", "");
    h_int(h, d->reports);
    h_raw(h, "</div><div class=\"n\">");
    h_int(h, d->reporters);
    h_raw(h, d->reporters == 1 ? " reporter" : " reporters");
    h_raw(h, "</div></div>");
    card(h, "card-orgs", "Organizations", "");
    h_int(h, d->organizations);
    h_raw(h, "</div><div class=\"n\">");
    h_int(h, d->sts_organizations);
    h_raw(h, " with sts</div></div>");
    card(h, "card-days", "Days with reports", "");
    h_int(h, d->days_with_reports);
    h_raw(h, "</div><div class=\"n\">");
    h_int(h, d->sts_days);
    h_raw(h, " with sts</div></div></section>");
}

static void reason_item(struct html *h, const struct tlsrpt_reason *r)
{
    const char *sev = tlsrpt_severity_name(r->severity);
    if (sev == NULL || strspn(sev, "abcdefghijklmnopqrstuvwxyz") != strlen(sev))
        sev = "info";
    h_printf(h, "<li class=\"reason %s\"><span class=\"badge %s\">%s</span> <code class=\"muted\">",
             sev, sev, sev);
    h_text(h, r->code);
    h_raw(h, "</code><p class=\"msg\">");
    h_text(h, r->message);
    h_raw(h, "</p>");
    if (r->action != NULL) {
        h_raw(h, "<p class=\"action\">");
        h_text(h, r->action);
        h_raw(h, "</p>");
    }
    /* The facts behind the reason, " · " between them. */
    static const char SEP[] = "<span class=\"sep\">\xC2\xB7</span>";
    bool any = false;
    h_raw(h, "<p class=\"meta\">");
    if (r->mx != NULL) {
        h_raw(h, "MX <code>");
        h_text(h, r->mx);
        h_raw(h, "</code>");
        any = true;
    }
    if (r->result_type != NULL) {
        h_raw(h, any ? SEP : "");
        h_raw(h, "<code>");
        h_text(h, r->result_type);
        h_raw(h, "</code>");
        any = true;
    }
    if (r->sessions >= 0) {
        h_raw(h, any ? SEP : "");
        h_int(h, r->sessions);
        h_raw(h, r->sessions == 1 ? " session" : " sessions");
        any = true;
    }
    if (r->first_seen != 0) {
        h_raw(h, any ? SEP : "");
        h_date(h, r->first_seen);
        h_raw(h, " \xE2\x80\x93 ");
        h_date(h, r->last_seen);
        any = true;
    }
    if (r->n_organizations > 0)
        h_raw(h, any ? SEP : "");
    h_org_chips(h, r->organizations, r->n_organizations);
    h_raw(h, "</p></li>");
}

static void readiness(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    h_raw(h, "<section class=\"panel\" id=\"readiness\"><h2>Readiness</h2>");
    if (d->readiness.n_reasons == 0)
        h_raw(h, "<p class=\"muted\">No reasons: every rule passed.</p>");
    h_raw(h, "<ol class=\"reasons\">");
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        reason_item(h, &d->readiness.reasons[i]);
    h_raw(h, "</ol></section>");
}

static void chart(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                  const struct tlsrpt_domain_analysis *d)
{
    size_t n = 0;
    struct svg_day *days = web_daily_series(d, c->since, c->until, &n);
    struct svg_chart_opts o = {
        .id = "daily",
        .title = "Daily sessions and failure rate",
        .threshold = a->thresholds.max_failure_rate,
    };
    h_raw(h, "<section class=\"panel\" id=\"chart\"><h2>Daily sessions and failure rate</h2>");
    svg_daily_chart(h, days, n, &o);
    h_raw(h, "<ul class=\"legend\"><li><span class=\"sw ok\"></span>successful</li>"
             "<li><span class=\"sw fail\"></span>failed (above the threshold in the lower "
             "panel)</li><li><span class=\"sw warn\"></span>failures below the threshold</li>"
             "<li><span class=\"sw nodata\"></span>no report</li></ul>");
    dt_daily(h, days, n);
    h_raw(h, "</section>");
    free(days);
}

static void links(struct html *h, const struct web_ctx *c, const char *domain)
{
    h_raw(h, "<p class=\"sub\"><a href=\"/reports?d=");
    h_url_param(h, domain);
    h_raw(h, "&amp;");
    h_window_query(h, &c->p);
    h_raw(h, "\">Reports of this domain</a> \xC2\xB7 <a href=\"/reports?d=");
    h_url_param(h, domain);
    h_raw(h, "&amp;failures=1&amp;");
    h_window_query(h, &c->p);
    h_raw(h, "\">only those with failures</a> \xC2\xB7 <a href=\"/api/analysis?d=");
    h_url_param(h, domain);
    h_raw(h, "&amp;");
    h_window_query(h, &c->p);
    h_raw(h, "\">JSON</a></p>");
}

void render_domain(struct html *h, const struct web_ctx *c, const struct tlsrpt_analysis *a,
                   const struct tlsrpt_domain_analysis *d)
{
    page_begin(h, c, d->domain, NULL);
    h_raw(h, "<h1><span class=\"domain\">");
    h_text(h, d->domain);
    h_raw(h, "</span>");
    h_verdict_badge(h, d->readiness.verdict);
    h_raw(h, "</h1><p class=\"sub\">");
    h_text(h, verdict_sentence(d->readiness.verdict));
    h_raw(h, " Newest policy mode: <code>");
    h_text(h, d->readiness.newest_mode != NULL ? d->readiness.newest_mode : "none seen");
    h_raw(h, "</code>; reports from ");
    h_date(h, d->first_seen);
    h_raw(h, " to ");
    h_date(h, d->last_seen);
    h_raw(h, ".</p>");
    links(h, c, d->domain);
    figures(h, a, d);
    readiness(h, d);
    dt_live_check(h, d);
    chart(h, c, a, d);
    h_raw(h, "<div class=\"grid2\"><section class=\"panel\">");
    dt_organizations(h, d);
    h_raw(h, "</section><section class=\"panel\">");
    dt_result_types(h, d);
    h_raw(h, "</section></div><section class=\"panel\">");
    dt_mx(h, d);
    h_raw(h, "</section>");
    if (d->n_top_details > 0) {
        h_raw(h, "<section class=\"panel\">");
        dt_details(h, d);
        h_raw(h, "</section>");
    }
    h_raw(h, "<section class=\"panel\">");
    dt_policies(h, d);
    h_raw(h, "</section>");
    if (d->dane.reports > 0) {
        h_raw(h, "<section class=\"panel\">");
        dt_dane(h, d);
        h_raw(h, "</section>");
    }
    page_end(h, c);
}

int web_page_domain(const struct web_ctx *c, struct web_reply *r)
{
    if (c->p.n_domains != 1) {
        page_error(r, c, 400, "Which domain? Add ?d=DOMAIN, or pick one on the overview.");
        return 0;
    }
    struct web_analysis w;
    struct tlsrpt_error err = {0};
    int rc = web_analyze(c, c->p.domains, 1, false, &w, &err);
    if (rc != 0)
        page_error(r, c, rc == TLSRPT_E_DB ? 503 : 500, err.message);
    else if (w.view.n_domains != 1)
        page_error(r, c, 404, "No reports for this domain in this window.");
    else {
        r->status = 200;
        render_domain(&r->body, c, &w.view, &w.view.domains[0]);
    }
    web_analysis_done(c, &w);
    return 0;
}
