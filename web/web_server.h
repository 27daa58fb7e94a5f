/* web_server.h - the HTTP side of tlsrpt-web (libmicrohttpd): GET and HEAD only, security headers
 * on every answer, optional TLS (the collector's certificate loader, reloadable) and basic auth,
 * and a small pool of read-only database handles shared by the worker threads. */
#ifndef TLSRPT_WEB_WEB_SERVER_H
#define TLSRPT_WEB_WEB_SERVER_H

#include "auth.h"
#include "error.h"
#include "web.h"

#include <stdbool.h>
#include <stdint.h>

#define WEB_DEF_LISTEN "127.0.0.1:8080"
#define WEB_DEF_THREADS 4
#define WEB_DEF_MAX_CONNECTIONS 128
#define WEB_DEF_IDLE_TIMEOUT 30          /* seconds */
#define WEB_MAX_HEADER_BYTES (64u << 10) /* request line and headers of one request */

struct tlsrpt_tls;

struct web_server_config {
    const char *db_path;
    const char *listen;     /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    struct tlsrpt_tls *tls; /* NULL: plain HTTP */
    struct web_auth *auth;  /* NULL: no authentication */
    unsigned threads;
    unsigned max_connections;
    unsigned idle_timeout;
    int64_t fixed_now;  /* > 0: every request uses this as "now" (tests, demos) */
    size_t cache_bytes; /* memory budget of the analysis cache (web_cache_set_budget) */
    struct web_settings settings;
};

struct web_server;

/* Splits "HOST:PORT" / "[V6]:PORT" (numeric host). Returns 0, or -1 with why filled. */
int web_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, char *why,
                     size_t whylen);
/* true for 127.0.0.0/8 and ::1. */
bool web_host_is_loopback(const char *host);

/* Listens and serves in its own threads. cfg and what it points to must outlive the server.
 * Returns 0, or TLSRPT_E_IO (cannot listen) / TLSRPT_E_FORMAT (bad listen address) / NOMEM. */
int web_server_start(const struct web_server_config *cfg, struct web_server **out,
                     struct tlsrpt_error *err);
unsigned web_server_port(const struct web_server *s);
void web_server_stop(struct web_server *s);

#endif
