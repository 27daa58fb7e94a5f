/* router.h - from a path and its query pairs to a reply: validates the parameters for that path,
 * resolves the window and calls the page. No sockets (server.c does HTTP), so tests can call it
 * with a database handle and read the reply. */
#ifndef TLSRPT_WEB_ROUTER_H
#define TLSRPT_WEB_ROUTER_H

#include "web.h"

struct web_request_in {
    const char *path; /* decoded path without the query */
    const struct web_param *pairs;
    size_t n_pairs;
    int64_t now;                     /* unix seconds */
    struct web_cache *cache;         /* or NULL */
    uint64_t generation;             /* web_cache_observe() of db */
    struct web_refresher *refresher; /* or NULL */
};

/* The embedded stylesheet and icon (style_css.c is generated from style.css by the build). */
extern const char web_style_css[];
extern const size_t web_style_css_len;

/* Fills r (initialised by the caller with html_init) for the request. db may be NULL when the
 * database could not be opened: data pages then answer 503 with dberr, static files still work. */
void web_route(struct tlsrpt_db *db, const char *dberr, const struct web_settings *st,
               const struct web_request_in *in, struct web_reply *r);

#endif
