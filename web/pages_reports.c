/* pages_reports.c - "/reports": the reports of the window, newest first, filtered by policy domain,
 * reporter and failures, 50 to a page. The filter form is a plain GET form: every view is a URL. */
#include "queries.h"
#include "report.h"
#include "web.h"

#include <jansson.h>

static void option(struct html *h, const char *value, const char *label, bool selected)
{
    h_printf(h, "<option value=\"%s\"%s>%s</option>", value, selected ? " selected" : "", label);
}

static void filter_form(struct html *h, const struct web_ctx *c)
{
    const struct web_params *p = &c->p;
    char a[16], b[16];
    fmt_date(a, sizeof a, c->since);
    fmt_date(b, sizeof b, c->until - 1);
    h_raw(h, "<form class=\"panel filters\" method=\"get\" action=\"/reports\" "
             "aria-label=\"Filters\"><label>Policy domain<input name=\"d\" "
             "placeholder=\"any\" size=\"22\" value=\"");
    h_attr(h, p->n_domains == 1 ? p->domains[0] : "");
    h_raw(h, "\"></label><label>Reporter<input name=\"reporter\" placeholder=\"any\" size=\"18\" "
             "value=\"");
    h_attr(h, p->reporter != NULL ? p->reporter : "");
    h_raw(h, "\"></label><label>Window<select name=\"window\">");
    option(h, "7", "7 days", p->window_days == 7);
    option(h, "14", "14 days", p->window_days == 14);
    option(h, "30", "30 days", p->window_days == 30);
    option(h, "90", "90 days", p->window_days == 90);
    option(h, "custom", "custom dates", p->window_days == 0);
    h_raw(h, "</select></label><label>From (custom)<input type=\"date\" name=\"since\" value=\"");
    h_raw(h, a);
    h_raw(h, "\"></label><label>To (custom)<input type=\"date\" name=\"until\" value=\"");
    h_raw(h, b);
    h_printf(h,
             "\"></label><label class=\"check\"><input type=\"checkbox\" name=\"failures\" "
             "value=\"1\"%s> only with failures</label><button type=\"submit\">Filter</button>"
             "<a href=\"/reports?",
             p->failures_only ? " checked" : "");
    h_window_query(h, p);
    h_raw(h, "\">Clear</a></form>");
}

static void domains_cell(struct html *h, const struct web_ctx *c, const char *json)
{
    json_t *arr = json != NULL ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (i >= 5) {
            h_raw(h, "<span class=\"muted small\">+");
            h_int(h, (int64_t)(json_array_size(arr) - i));
            h_raw(h, " more</span>");
            break;
        }
        if (json_is_string(v)) {
            h_raw(h, "<div>");
            h_domain_link(h, &c->p, json_string_value(v));
            h_raw(h, "</div>");
        }
    }
    json_decref(arr);
}

static void flags_cell(struct html *h, int64_t flags)
{
    int n = 0;
    for (unsigned b = 0; b < TLSRPT_F_COUNT; b++)
        n += (flags >> b) & 1;
    if (n == 0)
        return;
    h_raw(h, "<span class=\"badge flag\" title=\"");
    for (unsigned b = 0, k = 0; b < TLSRPT_F_COUNT; b++) {
        if (((flags >> b) & 1) == 0 || tlsrpt_flag_name(b) == NULL)
            continue;
        h_raw(h, k++ > 0 ? ", " : "");
        h_attr(h, tlsrpt_flag_name(b));
    }
    h_printf(h, "\">%d normalisation%s</span>", n, n == 1 ? "" : "s");
}

static void row(struct html *h, const struct web_ctx *c, const struct wq_report_row *r)
{
    h_raw(h, "<tr><td class=\"num\">");
    h_date(h, r->start_time);
    h_raw(h, "</td><td>");
    h_text(h, r->organization != NULL ? r->organization : "(no organization-name)");
    h_raw(h, "<div class=\"small\"><a href=\"/reports?reporter=");
    h_url_param(h, r->reporter);
    h_raw(h, "&amp;");
    h_window_query(h, &c->p);
    h_raw(h, "\">");
    h_text(h, r->reporter);
    h_printf(h, "</a></div></td><td class=\"wrap\"><a href=\"/report?id=%lld&amp;",
             (long long)r->id);
    h_window_query(h, &c->p);
    h_raw(h, "\">");
    h_text(h, r->report_id);
    h_raw(h, "</a></td><td>");
    domains_cell(h, c, r->domains_json);
    h_raw(h, "</td><td class=\"num\">");
    h_int(h, r->policies);
    h_raw(h, "</td><td class=\"num\">");
    h_int(h, r->successful);
    h_printf(h, "</td><td class=\"num%s\">", r->failed > 0 ? " fail" : "");
    h_int(h, r->failed);
    h_raw(h, "</td><td>");
    flags_cell(h, r->flags);
    if (r->duplicates > 0) {
        h_raw(h, " <span class=\"badge info\">");
        h_int(h, r->duplicates);
        h_raw(h, r->duplicates == 1 ? " resend" : " resends");
        h_raw(h, "</span>");
    }
    h_raw(h, "</td></tr>");
}

static void page_link(struct html *h, const struct web_ctx *c, int64_t page, const char *label)
{
    h_raw(h, "<a href=\"/reports?");
    if (c->p.n_domains == 1) {
        h_raw(h, "d=");
        h_url_param(h, c->p.domains[0]);
        h_raw(h, "&amp;");
    }
    if (c->p.reporter != NULL) {
        h_raw(h, "reporter=");
        h_url_param(h, c->p.reporter);
        h_raw(h, "&amp;");
    }
    if (c->p.failures_only)
        h_raw(h, "failures=1&amp;");
    h_printf(h, "page=%lld&amp;", (long long)page);
    h_window_query(h, &c->p);
    h_printf(h, "\">%s</a>", label);
}

int web_page_reports(const struct web_ctx *c, struct web_reply *r)
{
    struct wq_report_filter f = {
        .since = c->since,
        .until = c->until,
        .domain = c->p.n_domains == 1 ? c->p.domains[0] : NULL,
        .reporter = c->p.reporter,
        .failures_only = c->p.failures_only,
        .page = c->p.page,
    };
    struct wq_cursor cur = {0};
    struct tlsrpt_error err = {0};
    struct html *h = &r->body;
    int rc = wq_reports_open(c->db, &f, &cur, &err);
    if (rc != 0) {
        page_error(r, c, 503, err.message);
        return 0;
    }
    page_begin(h, c, "Reports", "/reports");
    h_raw(h, "<h1>Reports</h1><p class=\"sub\">Every report whose range starts in the window, "
             "newest first. Sessions are the sums of the report's policy entries, as sent.</p>");
    filter_form(h, c);
    h_raw(h, "<section class=\"panel\"><table id=\"reports\"><thead><tr>"
             "<th scope=\"col\" class=\"num\">Start</th><th scope=\"col\">Organization / "
             "reporter</th><th scope=\"col\">Report ID</th><th scope=\"col\">Policy domains</th>"
             "<th scope=\"col\" class=\"num\">Policies</th><th scope=\"col\" class=\"num\">"
             "Successful</th><th scope=\"col\" class=\"num\">Failed</th><th scope=\"col\">Notes"
             "</th></tr></thead><tbody>");
    struct wq_report_row row_v;
    int64_t rows = 0;
    while ((rc = wq_reports_next(&cur, &row_v, &err)) == 1) {
        if (++rows > WQ_PAGE_SIZE)
            break; /* the extra row only says that there is a next page */
        row(h, c, &row_v);
    }
    wq_close(&cur);
    if (rc != 0 && rc != 1) {
        page_error(r, c, 503, err.message);
        return 0;
    }
    if (rows == 0)
        h_raw(h, "<tr><td colspan=\"8\" class=\"muted\">No report matches.</td></tr>");
    page_pager(h, c, rows > WQ_PAGE_SIZE, page_link);
    page_end(h, c);
    r->status = 200;
    return 0;
}
