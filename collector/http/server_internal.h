/* server_internal.h - state shared by server.c (daemon, connections) and handler.c (requests). */
#ifndef TLSRPT_HTTP_SERVER_INTERNAL_H
#define TLSRPT_HTTP_SERVER_INTERNAL_H

#include "server.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* One per TCP connection (MHD's socket context): the deadline the sweep enforces. */
struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    char peer[TLSRPT_IP_STRLEN];
    _Atomic int64_t deadline_ms; /* 0: none (a request is waiting for its commit) */
    bool closed_by_sweep;
};

struct tlsrpt_server {
    struct tlsrpt_server_config cfg;
    struct MHD_Daemon *daemon;
    uint16_t port;
    pthread_mutex_t conns_lock;
    struct conn_track *conns;
    atomic_size_t in_flight;
    _Atomic uint64_t requests, status[6], refused_domain, rate_limited, timed_out, queue_full;
};

int64_t tlsrpt_http_now_ms(void);
/* Sets the deadline of the connection's current request: now + request_timeout, or none. */
void tlsrpt_http_track_arm(struct tlsrpt_server *s, struct conn_track *t);
void tlsrpt_http_track_pause(struct conn_track *t);

/* handler.c: MHD callbacks for requests. */
enum MHD_Result tlsrpt_http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls);
void tlsrpt_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe);

#endif
