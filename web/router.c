/* router.c - paths, their parameters and their pages (router.h). */
#include "router.h"

#include <string.h>

typedef int (*page_fn)(const struct web_ctx *c, struct web_reply *r);

static const struct route {
    const char *path;
    unsigned params;
    page_fn fn;
    bool json;
} routes[] = {
    {"/", WP_WINDOW | WP_PAGE | WP_VERDICT, web_page_overview, false},
    {"/domain", WP_WINDOW | WP_DOMAIN, web_page_domain, false},
    {"/reports", WP_WINDOW | WP_DOMAIN | WP_REPORTER | WP_FAILURES | WP_PAGE, web_page_reports,
     false},
    {"/report", WP_WINDOW | WP_ID, web_page_report, false},
    {"/rejects", WP_WINDOW | WP_PAGE, web_page_rejects, false},
    {"/api/analysis", WP_WINDOW | WP_DOMAINS, web_api_analysis, true},
};

/* A check mark on the accent colour; served as /static/icon.svg. */
static const char ICON_SVG[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" "
    "height=\"32\" rx=\"7\" fill=\"#2563eb\"/><path d=\"M9 16.5l4.5 4.5L23 11.5\" fill=\"none\" "
    "stroke=\"#fff\" stroke-width=\"3.2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
    "</svg>\n";

static const char ROBOTS_TXT[] = "User-agent: *\nDisallow: /\n";

static bool static_file(const char *path, struct web_reply *r)
{
    const char *body = NULL;
    size_t len = 0;
    if (strcmp(path, "/static/style.css") == 0) {
        body = web_style_css, len = web_style_css_len;
        r->content_type = "text/css; charset=utf-8";
    } else if (strcmp(path, "/static/icon.svg") == 0) {
        body = ICON_SVG, len = sizeof ICON_SVG - 1;
        r->content_type = "image/svg+xml";
    } else if (strcmp(path, "/robots.txt") == 0) {
        body = ROBOTS_TXT, len = sizeof ROBOTS_TXT - 1;
        r->content_type = "text/plain; charset=utf-8";
    } else {
        return false;
    }
    r->status = 200;
    r->cache_control = "public, max-age=3600";
    h_rawn(&r->body, body, len);
    return true;
}

/* The context of an error page: the default window, links back to the overview. */
static void default_ctx(struct web_ctx *c)
{
    memset(&c->p, 0, sizeof c->p);
    c->p.window_days = WEB_DEFAULT_WINDOW;
    c->p.page = 1;
    c->path = "/";
    web_window_resolve(&c->p, c->now, &c->since, &c->until);
}

void web_route(struct tlsrpt_db *db, const char *dberr, const struct web_settings *st,
               const struct web_request_in *in, struct web_reply *r)
{
    struct web_ctx c = {.db = db,
                        .settings = st,
                        .cache = in->cache,
                        .generation = in->generation,
                        .refresher = in->refresher,
                        .now = in->now};
    char why[160];
    r->content_type = "text/html; charset=utf-8";
    r->cache_control = NULL;
    if (static_file(in->path, r))
        return;
    const struct route *rt = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(in->path, routes[i].path) == 0)
            rt = &routes[i];
    default_ctx(&c);
    if (rt == NULL) {
        page_error(r, &c, 404, "There is no such page.");
        return;
    }
    if (web_params_parse(in->pairs, in->n_pairs, rt->params, &c.p, why, sizeof why) != 0) {
        default_ctx(&c);
        if (rt->json)
            web_api_error(r, 400, why);
        else
            page_error(r, &c, 400, why);
        return;
    }
    c.path = rt->path;
    web_window_resolve(&c.p, c.now, &c.since, &c.until);
    if (db == NULL) {
        const char *msg = dberr != NULL ? dberr : "the database cannot be opened";
        if (rt->json)
            web_api_error(r, 503, msg);
        else
            page_error(r, &c, 503, msg);
        return;
    }
    r->status = 500;
    if (rt->fn(&c, r) != 0 || html_finish(&r->body) != 0) {
        bool too_large = html_finish(&r->body) == TLSRPT_E_TOO_LARGE;
        const char *msg = too_large ? "The page is larger than the configured maximum (max-page)."
                                    : "Out of memory while building the page.";
        if (rt->json)
            web_api_error(r, 500, msg);
        else
            page_error(r, &c, 500, msg);
    }
    if (r->status == 503)
        r->db_failed = true;
}
