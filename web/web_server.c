/* web_server.c - libmicrohttpd glue (web_server.h): method and auth checks, query pairs to the
 * router, security headers on every response, and the pool of read-only database handles. */
#include "web_server.h"

#include "cache.h"
#include "log.h"
#include "refresher.h"
#include "router.h"
#include "tls.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL_MAX 64 /* idle database handles kept (one per worker thread is enough) */

/* A database handle and the data_version it saw last (cache.h). */
struct pooled {
    struct tlsrpt_db *db;
    struct web_cache_seen seen;
};

struct web_server {
    struct web_server_config cfg;
    struct MHD_Daemon *daemon;
    unsigned port;
    struct web_cache *cache;
    struct web_refresher *refresher;
    pthread_mutex_t lock;
    struct pooled pool[POOL_MAX];
    size_t n_pool;
};

/* No script may run at all (default-src 'none' covers script-src); styles only from our file. */
static const char CSP[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const struct {
    const char *name, *value;
} security_headers[] = {
    {"Content-Security-Policy", CSP},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
};

int web_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, char *why,
                     size_t whylen)
{
    const char *colon;
    size_t hl;
    if (s == NULL || s[0] == '\0') {
        snprintf(why, whylen, "empty listen address");
        return -1;
    }
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':') {
            snprintf(why, whylen, "'%.80s': expected [IPv6]:PORT", s);
            return -1;
        }
        hl = (size_t)(end - s - 1);
        s++;
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL) {
            snprintf(why, whylen, "'%.80s': expected HOST:PORT (IPv6 as [::1]:PORT)", s);
            return -1;
        }
        hl = (size_t)(colon - s);
    }
    char *endp = NULL;
    unsigned long p = strtoul(colon + 1, &endp, 10);
    if (colon[1] == '\0' || *endp != '\0' || p > 65535 || hl == 0 || hl >= hostlen) {
        snprintf(why, whylen, "'%.80s': bad host or port", s);
        return -1;
    }
    memcpy(host, s, hl);
    host[hl] = '\0';
    *port = (unsigned)p;
    return 0;
}

bool web_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

static struct pooled db_get(struct web_server *s, struct tlsrpt_error *err)
{
    struct pooled p = {NULL, {0, 0}};
    pthread_mutex_lock(&s->lock);
    if (s->n_pool > 0)
        p = s->pool[--s->n_pool];
    pthread_mutex_unlock(&s->lock);
    if (p.db == NULL && tlsrpt_db_open(s->cfg.db_path, TLSRPT_DB_READONLY, &p.db, err) != 0)
        p.db = NULL;
    return p;
}

static void db_put(struct web_server *s, struct pooled p, bool failed)
{
    if (p.db == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    if (!failed && s->n_pool < POOL_MAX) {
        s->pool[s->n_pool++] = p;
        p.db = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    if (p.db != NULL)
        tlsrpt_db_close(p.db);
}

static void add_headers(const struct web_server *s, struct MHD_Response *resp,
                        const char *content_type, const char *cache_control)
{
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        MHD_add_response_header(resp, security_headers[i].name, security_headers[i].value);
    if (s->cfg.tls != NULL)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            cache_control != NULL ? cache_control : "no-cache");
}

/* A fixed small page for answers given before routing (405, 401). */
static enum MHD_Result plain_answer(struct web_server *s, struct MHD_Connection *conn, int status,
                                    const char *text, bool auth)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    add_headers(s, resp, "text/plain; charset=utf-8", NULL);
    enum MHD_Result ret;
    if (auth) {
        ret = MHD_queue_basic_auth_fail_response(conn, "tlsrpt", resp);
    } else {
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        ret = MHD_queue_response(conn, (unsigned)status, resp);
    }
    MHD_destroy_response(resp);
    return ret;
}

struct pairs {
    struct web_param v[WEB_MAX_PARAMS + 1];
    size_t n; /* stops at WEB_MAX_PARAMS + 1: the parser then refuses "too many" */
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
    struct pairs *p = cls;
    if (p->n > WEB_MAX_PARAMS)
        return MHD_NO;
    p->v[p->n].key = key;
    p->v[p->n].value = value != NULL ? value : "";
    p->v[p->n].len = value != NULL ? value_size : 0;
    p->n++;
    return MHD_YES;
}

static bool authorized(struct web_server *s, struct MHD_Connection *conn)
{
    if (s->cfg.auth == NULL)
        return true;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    bool ok = web_auth_check(s->cfg.auth, user, pass);
    if (pass != NULL) {
        explicit_bzero(pass, strlen(pass));
        MHD_free(pass);
    }
    if (user != NULL)
        MHD_free(user);
    return ok;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The path for the log: printable ASCII only, capped. */
static void log_path(char *out, size_t len, const char *url)
{
    size_t i = 0;
    for (; url[i] != '\0' && i + 1 < len && i < 200; i++)
        out[i] = url[i] > 0x20 && url[i] < 0x7F ? url[i] : '?';
    out[i] = '\0';
}

static enum MHD_Result serve(struct web_server *s, struct MHD_Connection *conn, const char *url,
                             const char *method)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pairs pairs = {.n = 0};
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect, &pairs);
    struct tlsrpt_error err = {0};
    struct pooled db = db_get(s, &err);
    struct web_request_in in = {
        .path = url,
        .pairs = pairs.v,
        .n_pairs = pairs.n,
        .now = s->cfg.fixed_now > 0 ? s->cfg.fixed_now : (int64_t)time(NULL),
        .cache = s->cache,
        .refresher = s->refresher,
        .generation = db.db != NULL ? web_cache_observe(s->cache, db.db, &db.seen) : 0,
    };
    struct web_reply r = {0};
    html_init(&r.body, s->cfg.settings.max_page_bytes);
    web_route(db.db, db.db == NULL ? err.message : NULL, &s->cfg.settings, &in, &r);
    db_put(s, db, r.db_failed);
    size_t len = 0;
    uint8_t *body = tlsrpt_buf_steal(&r.body.buf, &len);
    struct MHD_Response *resp =
        body != NULL ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
                     : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    add_headers(s, resp, r.content_type, r.cache_control);
    if (r.refresh_seconds > 0) {
        char refresh[16];
        snprintf(refresh, sizeof refresh, "%d", r.refresh_seconds);
        MHD_add_response_header(resp, "Refresh", refresh);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    char path[256];
    log_path(path, sizeof path, url);
    if (r.status >= 500)
        log_warning("%s %s: %d (%.1f ms)", method, path, r.status, ms_since(&t0));
    else
        log_debug("%s %s: %d (%.1f ms)", method, path, r.status, ms_since(&t0));
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct web_server *s = cls;
    static int seen;
    if (*req_cls == NULL) {
        *req_cls = &seen;
        /* Refuse other methods at once: the connection closes and no body is read. */
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return plain_answer(s, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "Only GET and HEAD: this dashboard is read-only.\n", false);
        return MHD_YES; /* answering now would make MHD close a keep-alive connection */
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body on a GET means nothing here: dropped */
        return MHD_YES;
    }
    if (!authorized(s, conn))
        return plain_answer(s, conn, MHD_HTTP_UNAUTHORIZED, "Authentication required.\n", true);
    return serve(s, conn, url, method);
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
    log_info("libmicrohttpd: %s", msg);
}

static int make_sockaddr(const char *listen, struct sockaddr_storage *ss, struct tlsrpt_error *err)
{
    char host[64], why[160];
    unsigned port;
    memset(ss, 0, sizeof *ss);
    if (web_parse_listen(listen, host, sizeof host, &port, why, sizeof why) != 0)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL, "listen: %s", why);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL,
                            "listen: '%s' is not a numeric IPv4 or IPv6 address", host);
}

int web_server_start(const struct web_server_config *cfg, struct web_server **out,
                     struct tlsrpt_error *err)
{
    struct sockaddr_storage ss;
    int rc = make_sockaddr(cfg->listen, &ss, err);
    *out = NULL;
    if (rc != 0)
        return rc;
    struct web_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    s->cfg = *cfg;
    if ((s->cache = web_cache_new()) == NULL) {
        free(s);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    }
    web_cache_set_budget(s->cache, cfg->cache_bytes);
    /* It computes the overview of every preset window at once, before anyone asks. */
    struct web_refresher_config rc_cfg = {
        .db_path = cfg->db_path,
        .cache = s->cache,
        .thresholds = cfg->settings.thresholds,
        .fixed_now = cfg->fixed_now,
    };
    if ((rc = web_refresher_start(&rc_cfg, &s->refresher, err)) != 0) {
        web_cache_free(s->cache);
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (cfg->tls != NULL) {
        flags |= MHD_USE_TLS;
        tlsrpt_tls_activate(cfg->tls);
    }
    struct MHD_OptionItem tls_opts[] = {
        {cfg->tls != NULL ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, 0,
         cfg->tls != NULL ? (void *)tlsrpt_tls_retrieve : NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MAX_HEADER_BYTES,
        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (s->daemon == NULL) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, NULL,
                              "cannot listen on %s (address in use, or not allowed?)", cfg->listen);
        pthread_mutex_destroy(&s->lock);
        web_refresher_stop(s->refresher);
        web_cache_free(s->cache);
        free(s);
        return rc;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL ? di->port : 0;
    *out = s;
    return 0;
}

unsigned web_server_port(const struct web_server *s)
{
    return s->port;
}

void web_server_stop(struct web_server *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    web_refresher_stop(s->refresher);
    for (size_t i = 0; i < s->n_pool; i++)
        tlsrpt_db_close(s->pool[i].db);
    web_cache_free(s->cache);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
