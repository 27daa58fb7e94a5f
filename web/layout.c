/* layout.c - the frame around every page: head, menu, window selector, footer; and the small link
 * helpers that carry the window from page to page so every view is a bookmarkable URL. */
#include "web.h"

#include <string.h>

static const struct {
    const char *path, *label;
} menu[] = {
    {"/", "Overview"},
    {"/reports", "Reports"},
    {"/rejects", "Rejects"},
    {"/api/analysis", "JSON"},
};

void h_window_query(struct html *h, const struct web_params *p)
{
    if (p->window_days > 0) {
        h_printf(h, "window=%d", p->window_days);
        return;
    }
    char a[16], b[16];
    fmt_date(a, sizeof a, p->since_day);
    fmt_date(b, sizeof b, p->until_day);
    h_raw(h, "window=custom&amp;since=");
    h_raw(h, a);
    h_raw(h, "&amp;until=");
    h_raw(h, b);
}

/* The page's own parameters other than the window and the page number, as "k=v&amp;" pairs. */
static void keep_query(struct html *h, const struct web_ctx *c)
{
    const struct web_params *p = &c->p;
    if (p->n_domains == 1) {
        h_raw(h, "d=");
        h_url_param(h, p->domains[0]);
        h_raw(h, "&amp;");
    }
    if (p->reporter != NULL) {
        h_raw(h, "reporter=");
        h_url_param(h, p->reporter);
        h_raw(h, "&amp;");
    }
    if (p->failures_only)
        h_raw(h, "failures=1&amp;");
    if (p->report_id > 0)
        h_printf(h, "id=%lld&amp;", (long long)p->report_id);
    if (p->verdict != NULL) {
        h_raw(h, "verdict=");
        h_url_param(h, p->verdict);
        h_raw(h, "&amp;");
    }
    if (p->sort_by_name)
        h_raw(h, "sort=name&amp;");
}

static void hidden(struct html *h, const char *name, const char *value)
{
    h_printf(h, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    h_attr(h, value);
    h_raw(h, "\">");
}

static void keep_hidden(struct html *h, const struct web_ctx *c)
{
    const struct web_params *p = &c->p;
    if (p->n_domains == 1)
        hidden(h, "d", p->domains[0]);
    if (p->reporter != NULL)
        hidden(h, "reporter", p->reporter);
    if (p->failures_only)
        hidden(h, "failures", "1");
    if (p->report_id > 0)
        h_printf(h, "<input type=\"hidden\" name=\"id\" value=\"%lld\">", (long long)p->report_id);
    if (p->verdict != NULL)
        hidden(h, "verdict", p->verdict);
    if (p->sort_by_name)
        hidden(h, "sort", "name");
}

static void window_selector(struct html *h, const struct web_ctx *c)
{
    h_raw(h,
          "<div class=\"window\" role=\"group\" aria-label=\"Time window\">"
          "<span class=\"lbl\">Window</span><nav class=\"pills\" aria-label=\"Window presets\">");
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        h_printf(h, "<a href=\"%s?", c->path);
        keep_query(h, c);
        h_printf(h, "window=%d\"%s>%dd</a>", web_presets[i],
                 c->p.window_days == web_presets[i] ? " aria-current=\"true\"" : "",
                 web_presets[i]);
    }
    char a[16], b[16];
    fmt_date(a, sizeof a, c->since);
    fmt_date(b, sizeof b, c->until - 1);
    h_printf(h,
             "</nav><details class=\"custom%s\"><summary>Custom</summary>"
             "<form method=\"get\" action=\"%s\">",
             c->p.window_days == 0 ? " on" : "", c->path);
    keep_hidden(h, c);
    h_raw(h, "<input type=\"hidden\" name=\"window\" value=\"custom\">"
             "<label>from <input type=\"date\" name=\"since\" required value=\"");
    h_raw(h, a);
    h_raw(h, "\"></label><label>to <input type=\"date\" name=\"until\" required value=\"");
    h_raw(h, b);
    h_raw(h, "\"></label><button type=\"submit\">Apply</button></form></details></div>");
}

void page_begin(struct html *h, const struct web_ctx *c, const char *title, const char *nav)
{
    h_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<meta name=\"color-scheme\" content=\"light dark\"><title>");
    h_text(h, title);
    h_raw(h, " \xC2\xB7 tlsrpt</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
             "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\"></head><body>"
             "<a class=\"skip\" href=\"#main\">Skip to content</a>"
             "<header class=\"top\"><div class=\"top-in\"><a class=\"brand\" href=\"/?");
    h_window_query(h, &c->p);
    h_raw(h, "\">tls<span>rpt</span></a><nav class=\"nav\" aria-label=\"Pages\">");
    for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++) {
        h_printf(h, "<a href=\"%s?", menu[i].path);
        h_window_query(h, &c->p);
        h_printf(h, "\"%s>%s</a>",
                 nav != NULL && strcmp(nav, menu[i].path) == 0 ? " aria-current=\"page\"" : "",
                 menu[i].label);
    }
    h_raw(h, "</nav>");
    window_selector(h, c);
    h_raw(h, "</div></header><main id=\"main\">");
}

void page_pager(struct html *h, const struct web_ctx *c, bool has_older, page_link_fn link)
{
    h_raw(h, "</tbody></table><nav class=\"pager\" aria-label=\"Pages\">");
    if (c->p.page > 1)
        link(h, c, c->p.page - 1, "\xE2\x86\x90 Newer");
    else
        h_raw(h, "<span class=\"dis\">\xE2\x86\x90 Newer</span>");
    h_printf(h, "<span>Page %lld</span>", (long long)c->p.page);
    if (has_older)
        link(h, c, c->p.page + 1, "Older \xE2\x86\x92");
    else
        h_raw(h, "<span class=\"dis\">Older \xE2\x86\x92</span>");
    h_raw(h, "</nav></section>");
}

void page_end(struct html *h, const struct web_ctx *c)
{
    h_raw(h, "</main><footer>Window ");
    h_datetime(h, c->since);
    h_raw(h, " \xE2\x80\x93 ");
    h_datetime(h, c->until);
    h_raw(h, " (end excluded) \xC2\xB7 now ");
    h_datetime(h, c->now);
    h_raw(h, " \xC2\xB7 tlsrpt " TLSRPT_VERSION " \xC2\xB7 read-only</footer></body></html>\n");
}

void h_domain_href(struct html *h, const struct web_params *p, const char *domain)
{
    h_raw(h, "href=\"/domain?d=");
    h_url_param(h, domain);
    h_raw(h, "&amp;");
    h_window_query(h, p);
    h_raw(h, "\"");
}

void h_domain_link(struct html *h, const struct web_params *p, const char *domain)
{
    h_raw(h, "<a ");
    h_domain_href(h, p, domain);
    h_raw(h, ">");
    h_text(h, domain);
    h_raw(h, "</a>");
}

void h_verdict_badge(struct html *h, enum tlsrpt_verdict v)
{
    const char *name = tlsrpt_verdict_name(v);
    /* The name is ours, but it becomes a class: keep it to the known set. */
    if (name == NULL || strspn(name, "abcdefghijklmnopqrstuvwxyz-") != strlen(name))
        name = "unknown";
    h_printf(h, "<span class=\"badge %s\">%s</span>", name, name);
}

void page_error(struct web_reply *r, const struct web_ctx *c, int status, const char *message)
{
    static const struct {
        int status;
        const char *title;
    } titles[] = {{400, "Bad request"},           {404, "Not found"},
                  {405, "Method not allowed"},    {413, "Too large"},
                  {500, "Internal server error"}, {503, "Database unavailable"}};
    const char *title = "Error";
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (titles[i].status == status)
            title = titles[i].title;
    size_t max = r->body.buf.max;
    html_free(&r->body);
    html_init(&r->body, max);
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    struct html *h = &r->body;
    page_begin(h, c, title, NULL);
    h_printf(h, "<h1>%s</h1><div class=\"notice err\" role=\"alert\"><p>", title);
    h_text(h, message);
    h_raw(h, "</p></div><p><a href=\"/?");
    h_window_query(h, &c->p);
    h_raw(h, "\">Back to the overview</a></p>");
    page_end(h, c);
}
