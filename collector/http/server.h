/* server.h - the report endpoint: one libmicrohttpd daemon (TLS through tls.h, or plain HTTP behind
 * a proxy), a pool of event threads that never block on the database (a request waiting for its
 * commit is suspended, not parked on a thread), and a per-connection deadline swept once a second
 * against slowloris clients. docs/http.md describes the behaviour for users. */
#ifndef TLSRPT_HTTP_SERVER_H
#define TLSRPT_HTTP_SERVER_H

#include "domains.h"
#include "error.h"
#include "limits.h"
#include "netaddr.h"
#include "ratelimit.h"
#include "tls.h"
#include "writer.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_HTTP_DEF_MAX_CONNECTIONS 1000 /* open connections in all */
#define TLSRPT_HTTP_DEF_MAX_PER_IP 20        /* open connections from one TCP peer */
#define TLSRPT_HTTP_DEF_IDLE_TIMEOUT 15 /* seconds without a byte before a connection is closed */
#define TLSRPT_HTTP_DEF_REQUEST_TIMEOUT 60 /* seconds to receive one whole request */
#define TLSRPT_HTTP_DEF_MAX_HEADERS                                                                \
    (32u << 10)                   /* request line + headers (libmicrohttpd's pool)                 \
                                   */
#define TLSRPT_HTTP_DEF_THREADS 2 /* event threads (TLS handshakes and inflating) */

struct tlsrpt_server_config {
    const char *listen;         /* numeric IPv4 or IPv6 address; "::" listens on both families */
    uint16_t port;              /* 0: any free port (tlsrpt_server_port tells which) */
    struct tlsrpt_tls *tls;     /* borrowed; NULL: plain HTTP */
    const char *tls_priorities; /* GnuTLS priority string, NULL: libmicrohttpd's default */
    const char *path;           /* NULL: POST on any path */
    uint64_t max_body, max_drain, max_headers;
    uint64_t max_connections, max_per_ip;
    uint64_t idle_timeout, request_timeout; /* seconds */
    uint64_t threads;
    unsigned retry_after;
    struct tlsrpt_decode_limits decode; /* for undoing Content-Encoding and the allow-list check */
    struct tlsrpt_parse_limits parse;
    const struct tlsrpt_cidr_list *trusted_proxies; /* borrowed; X-Forwarded-For only from these */
    const struct tlsrpt_domain_list *allowed;       /* borrowed; empty: every domain */
    struct tlsrpt_ratelimit *ratelimit;             /* borrowed; NULL: off */
    struct tlsrpt_writer *writer;                   /* borrowed */
};

struct tlsrpt_server_stats {
    uint64_t requests;
    uint64_t status[6]; /* answers by class: [2] 2xx, [4] 4xx, [5] 5xx */
    uint64_t refused_domain, rate_limited, timed_out, queue_full;
};

struct tlsrpt_server;

/* Binds and starts the event threads. Returns 0, or TLSRPT_E_IO with err (address in use, ...). */
int tlsrpt_server_start(const struct tlsrpt_server_config *cfg, struct tlsrpt_server **out,
                        struct tlsrpt_error *err);
uint16_t tlsrpt_server_port(struct tlsrpt_server *s);
/* Closes connections whose current request has run past request_timeout. Call about once a second.
 */
void tlsrpt_server_sweep(struct tlsrpt_server *s);
/* Stops accepting (the listening socket is closed); open connections go on. */
void tlsrpt_server_quiesce(struct tlsrpt_server *s);
/* Requests begun and not yet answered and completed. */
size_t tlsrpt_server_in_flight(struct tlsrpt_server *s);
void tlsrpt_server_get_stats(struct tlsrpt_server *s, struct tlsrpt_server_stats *st);
/* Closes every connection and frees s. The writer must have been stopped (no request suspended). */
void tlsrpt_server_stop(struct tlsrpt_server *s);

#endif
