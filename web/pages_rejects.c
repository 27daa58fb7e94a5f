/* pages_rejects.c - "/rejects": every input of the window that did not decode or parse, with when,
 * where from and why, so that nothing fails silently. */
#include "queries.h"
#include "web.h"

static void td(struct html *h, const char *s, const char *cls)
{
    h_printf(h, "<td class=\"%s\">", cls);
    if (s != NULL)
        h_text(h, s);
    else
        h_raw(h, "<span class=\"muted\">\xE2\x80\x93</span>");
    h_raw(h, "</td>");
}

static void row(struct html *h, const struct web_ctx *c, const struct wq_reject_row *j)
{
    h_raw(h, "<tr><td class=\"num\">");
    h_datetime(h, j->rejected_at);
    h_raw(h, "</td>");
    td(h, j->kind, "");
    td(h, j->reference, "mono wrap");
    h_raw(h, "<td><code>");
    h_text(h, j->code);
    h_raw(h, "</code></td><td class=\"wrap\">");
    if (j->path != NULL && j->path[0] != '\0') { /* "report-id: missing", as the log says it */
        h_raw(h, "<code>");
        h_text(h, j->path);
        h_raw(h, "</code>: ");
    }
    h_text(h, j->reason);
    h_raw(h, "</td><td class=\"num\">");
    h_int(h, j->size);
    h_raw(h, " B<div class=\"small muted\">");
    h_text(h, j->format);
    h_raw(h, "</div></td><td class=\"num\">");
    h_int(h, j->attempts);
    h_raw(h, "</td><td>");
    if (j->resolved_report > 0) {
        h_printf(h, "<a href=\"/report?id=%lld&amp;", (long long)j->resolved_report);
        h_window_query(h, &c->p);
        h_raw(h, "\">parsed on ");
        h_date(h, j->resolved_at);
        h_raw(h, "</a>");
    } else {
        h_raw(h, "<span class=\"badge warning\">unresolved</span>");
    }
    h_raw(h, "</td></tr>");
}

static void page_link(struct html *h, const struct web_ctx *c, int64_t page, const char *label)
{
    h_printf(h, "<a href=\"/rejects?page=%lld&amp;", (long long)page);
    h_window_query(h, &c->p);
    h_printf(h, "\">%s</a>", label);
}

int web_page_rejects(const struct web_ctx *c, struct web_reply *r)
{
    struct wq_cursor cur = {0};
    struct tlsrpt_error err = {0};
    struct html *h = &r->body;
    int64_t total = 0, unresolved = 0;
    int rc = wq_rejects_count(c->db, c->since, c->until, &total, &unresolved, &err);
    if (rc == 0)
        rc = wq_rejects_open(c->db, c->since, c->until, c->p.page, &cur, &err);
    if (rc != 0) {
        page_error(r, c, 503, err.message);
        return 0;
    }
    page_begin(h, c, "Rejects", "/rejects");
    h_raw(h, "<h1>Rejected inputs</h1><p class=\"sub\" id=\"rejects-summary\">");
    h_int(h, total);
    h_raw(h, total == 1 ? " input" : " inputs");
    h_raw(h, " rejected in this window, ");
    h_int(h, unresolved);
    h_raw(h, " still unresolved. Each is kept as received; "
             "<code>tlsrpt-collector reprocess</code> tries them again after an upgrade.</p>"
             "<section class=\"panel\"><table id=\"rejects\"><thead><tr>"
             "<th scope=\"col\" class=\"num\">When</th><th scope=\"col\">Source</th>"
             "<th scope=\"col\">Reference</th><th scope=\"col\">Code</th><th scope=\"col\">Reason"
             "</th><th scope=\"col\" class=\"num\">Size</th><th scope=\"col\" class=\"num\">"
             "Arrivals</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    struct wq_reject_row j;
    int64_t rows = 0;
    while ((rc = wq_rejects_next(&cur, &j, &err)) == 1) {
        if (++rows > WQ_PAGE_SIZE)
            break;
        row(h, c, &j);
    }
    wq_close(&cur);
    if (rc != 0 && rc != 1) {
        page_error(r, c, 503, err.message);
        return 0;
    }
    if (rows == 0)
        h_raw(h, "<tr><td colspan=\"8\" class=\"muted\">Nothing was rejected in this window."
                 "</td></tr>");
    page_pager(h, c, rows > WQ_PAGE_SIZE, page_link);
    page_end(h, c);
    r->status = 200;
    return 0;
}
