/* server.c - the libmicrohttpd daemon: start/stop, connection tracking and the deadline sweep. */
#include "server_internal.h"

#include "log.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t tlsrpt_http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tlsrpt_http_track_arm(struct tlsrpt_server *s, struct conn_track *t)
{
    if (t)
        atomic_store(&t->deadline_ms,
                     tlsrpt_http_now_ms() + (int64_t)s->cfg.request_timeout * 1000);
}

void tlsrpt_http_track_pause(struct conn_track *t)
{
    if (t)
        atomic_store(&t->deadline_ms, 0);
}

/* libmicrohttpd's printf-style format: the attribute tells the compiler so (clang
 * -Wformat-nonliteral). */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_info("http: libmicrohttpd: %s", msg);
}

/* Every connection gets a deadline for its first request from the moment it is accepted: a client
 * that trickles the TLS handshake or the headers is covered too, not only one that trickles a body.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct tlsrpt_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_track *t = calloc(1, sizeof *t);
        *socket_context = t;
        if (!t)
            return; /* untracked: the idle timeout still applies */
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ca =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        t->fd = fd ? fd->connect_fd : -1;
        struct tlsrpt_ip ip;
        if (ca && tlsrpt_ip_from_sockaddr(ca->client_addr, &ip) == 0)
            tlsrpt_ip_format(&ip, t->peer, sizeof t->peer);
        else
            snprintf(t->peer, sizeof t->peer, "?");
        tlsrpt_http_track_arm(s, t);
        pthread_mutex_lock(&s->conns_lock);
        t->next = s->conns;
        if (s->conns)
            s->conns->prev = t;
        s->conns = t;
        pthread_mutex_unlock(&s->conns_lock);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        struct conn_track *t = *socket_context;
        if (!t)
            return;
        /* Under the lock, so the sweep never shuts down a descriptor number already reused. */
        pthread_mutex_lock(&s->conns_lock);
        if (t->prev)
            t->prev->next = t->next;
        else
            s->conns = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&s->conns_lock);
        free(t);
        *socket_context = NULL;
    }
}

void tlsrpt_server_sweep(struct tlsrpt_server *s)
{
    int64_t now = tlsrpt_http_now_ms();
    pthread_mutex_lock(&s->conns_lock);
    for (struct conn_track *t = s->conns; t; t = t->next) {
        int64_t d = atomic_load(&t->deadline_ms);
        if (d == 0 || now < d || t->closed_by_sweep || t->fd < 0)
            continue;
        /* libmicrohttpd has no call to close a connection from outside; shutting the socket down
         * makes its event thread see end-of-stream and close it in the usual way. */
        shutdown(t->fd, SHUT_RDWR);
        t->closed_by_sweep = true;
        atomic_fetch_add(&s->timed_out, 1);
        log_warning("http: %s: closed, request not complete within %llu s (request-timeout)",
                    t->peer, (unsigned long long)s->cfg.request_timeout);
    }
    pthread_mutex_unlock(&s->conns_lock);
}

static int make_sockaddr(const char *listen, uint16_t port, struct sockaddr_storage *ss,
                         struct tlsrpt_error *err)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *a = listen && *listen ? listen : "::";
    char tmp[TLSRPT_IP_STRLEN + 2];
    size_t n = strlen(a);
    if (n >= 2 && a[0] == '[' && a[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, a + 1, n - 2);
        tmp[n - 2] = '\0';
        a = tmp;
    }
    if (inet_pton(AF_INET, a, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        return 0;
    }
    if (inet_pton(AF_INET6, a, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        return 0;
    }
    return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "",
                            "listen: '%s' is not a numeric IPv4 or IPv6 address", listen);
}

int tlsrpt_server_start(const struct tlsrpt_server_config *cfg, struct tlsrpt_server **out,
                        struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    struct sockaddr_storage ss;
    *out = NULL;
    struct tlsrpt_server *s = calloc(1, sizeof *s);
    if (!s) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    s->cfg = *cfg;
    pthread_mutex_init(&s->conns_lock, NULL);
    rc = make_sockaddr(cfg->listen, cfg->port, &ss, err);
    if (rc != 0)
        goto out;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_DUAL_STACK; /* "::" takes IPv4 clients too, seen as ::ffff:a.b.c.d */
    if (cfg->tls) {
        flags |= MHD_USE_TLS;
        tlsrpt_tls_activate(cfg->tls);
    }
    struct MHD_OptionItem tls_opts[] = {
        {cfg->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, 0,
         cfg->tls ? (void *)tlsrpt_tls_retrieve : NULL},
        {cfg->tls && cfg->tls_priorities ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END, 0,
         (void *)cfg->tls_priorities},
        {MHD_OPTION_END, 0, NULL},
    };
    /* The logger goes first so that libmicrohttpd reports option errors through it too. */
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, tlsrpt_http_access, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_headers, MHD_OPTION_NOTIFY_COMPLETED,
        tlsrpt_http_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_ARRAY,
        tls_opts, MHD_OPTION_END);
    if (!s->daemon) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "",
                              "cannot listen on %s port %u (address in use, or not allowed?)",
                              cfg->listen, (unsigned)cfg->port);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    *out = s;
    s = NULL;
    rc = 0;
out:
    if (s) {
        pthread_mutex_destroy(&s->conns_lock);
        free(s);
    }
    return rc;
}

uint16_t tlsrpt_server_port(struct tlsrpt_server *s)
{
    return s->port;
}

void tlsrpt_server_quiesce(struct tlsrpt_server *s)
{
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

size_t tlsrpt_server_in_flight(struct tlsrpt_server *s)
{
    return atomic_load(&s->in_flight);
}

void tlsrpt_server_get_stats(struct tlsrpt_server *s, struct tlsrpt_server_stats *st)
{
    st->requests = atomic_load(&s->requests);
    for (int i = 0; i < 6; i++)
        st->status[i] = atomic_load(&s->status[i]);
    st->refused_domain = atomic_load(&s->refused_domain);
    st->rate_limited = atomic_load(&s->rate_limited);
    st->timed_out = atomic_load(&s->timed_out);
    st->queue_full = atomic_load(&s->queue_full);
}

void tlsrpt_server_stop(struct tlsrpt_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->conns_lock);
    free(s);
}
