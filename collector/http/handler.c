/* handler.c - one request's life: head checks, rate limit, body streaming under the cap, hand-off
 * to the writer (the connection is suspended until the commit), the answer, the log line. */
#include "server_internal.h"

#include "coding.h"
#include "decode.h"
#include "log.h"
#include "meta.h"
#include "report_parse.h"
#include "request.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XFF_MAX                                                                                    \
    (16u << 10) /* joined X-Forwarded-For values; the request headers are capped anyway */

enum req_state {
    R_READING,  /* receiving the body */
    R_DRAINING, /* over max-body: dropping the rest before answering 413 */
    R_WAITING,  /* suspended until the writer committed it */
    R_ANSWER,   /* answer decided: queue it on the next call */
};

struct req {
    struct tlsrpt_server *srv;
    struct MHD_Connection *conn;
    struct conn_track *track;
    _Atomic int state;
    enum tlsrpt_coding coding;
    struct tlsrpt_http_body body;
    struct tlsrpt_buf inflated; /* the body with Content-Encoding undone */
    struct tlsrpt_http_answer ans;
    char line[TLSRPT_HTTP_REASON_MAX + 1];
    char client[TLSRPT_IP_STRLEN], peer[TLSRPT_IP_STRLEN];
    char method[16], path[128], ua[128];
    const char *outcome; /* for the log */
    int64_t report_id;
    char domains[128];
    char *meta_json;
    struct tlsrpt_http_job job;
    int64_t started_ms;
};

static void printable(const char *in, char *out, size_t len)
{
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)(in ? in : "-"); *s && n + 1 < len; s++)
        out[n++] = (*s >= 0x20 && *s < 0x7f && *s != '"') ? (char)*s : '?';
    out[n] = '\0';
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* All X-Forwarded-For lines joined in order: a proxy may add its own line after a client's one. */
static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct tlsrpt_buf *b = cls;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    if ((b->len && tlsrpt_buf_append(b, ",", 1) != 0) || tlsrpt_buf_append(b, value, strlen(value)))
        tlsrpt_buf_reset(b); /* too long to trust any of it: fall back to the peer */
    return MHD_YES;
}

static void find_client(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct tlsrpt_ip peer, client;
    if (!ci || tlsrpt_ip_from_sockaddr(ci->client_addr, &peer) != 0) {
        snprintf(r->client, sizeof r->client, "?");
        return;
    }
    tlsrpt_ip_format(&peer, r->peer, sizeof r->peer);
    snprintf(r->client, sizeof r->client, "%s", r->peer);
    const struct tlsrpt_cidr_list *trusted = r->srv->cfg.trusted_proxies;
    if (!trusted || trusted->n == 0 || !tlsrpt_cidr_list_match(trusted, &peer))
        return;
    struct tlsrpt_buf xff;
    tlsrpt_buf_init(&xff, XFF_MAX);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_xff, &xff);
    if (xff.len && tlsrpt_client_ip(&peer, (const char *)xff.data, trusted, &client))
        tlsrpt_ip_format(&client, r->client, sizeof r->client);
    tlsrpt_buf_free(&xff);
}

static void count_status(struct tlsrpt_server *s, unsigned status)
{
    unsigned cls = status / 100;
    if (cls < 6)
        atomic_fetch_add(&s->status[cls], 1);
}

static void log_answer(struct req *r, const char *note)
{
    char reason[96];
    printable(r->ans.reason && r->ans.reason[0] ? r->ans.reason : "-", reason, sizeof reason);
    enum tlsrpt_log_level lvl = r->ans.status >= 500 ? TLSRPT_LOG_WARNING : TLSRPT_LOG_INFO;
    tlsrpt_log(lvl,
               "http: %s %s %s %u%s %s report=%lld domains=%s bytes=%zu ms=%lld ua=\"%s\" (%s)",
               r->client, r->method, r->path, r->ans.status, note, r->outcome ? r->outcome : "-",
               (long long)r->report_id, r->domains[0] ? r->domains : "-",
               r->body.over ? (size_t)r->body.drained : r->body.buf.len,
               (long long)(tlsrpt_http_now_ms() - r->started_ms), r->ua, reason);
}

static enum MHD_Result respond(struct req *r)
{
    char text[TLSRPT_HTTP_REASON_MAX + 2];
    size_t n = 0;
    if (r->ans.reason && r->ans.reason[0])
        n = (size_t)snprintf(text, sizeof text, "%s\n", r->ans.reason);
    if (n >= sizeof text)
        n = sizeof text - 1;
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->ans.allow_header)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    if (r->ans.retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", r->ans.retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result ok = MHD_queue_response(r->conn, r->ans.status, resp);
    MHD_destroy_response(resp);
    count_status(r->srv, r->ans.status);
    tlsrpt_http_track_arm(r->srv, r->track); /* the client has request-timeout to read it */
    log_answer(r, "");
    return ok;
}

/* Mid-body, libmicrohttpd cannot queue an answer any more: the connection is closed instead. */
static enum MHD_Result close_now(struct req *r, unsigned status, const char *reason)
{
    r->ans.status = status;
    r->ans.reason = reason;
    atomic_store(&r->state, R_ANSWER);
    count_status(r->srv, status);
    log_answer(r, " (connection closed)");
    return MHD_NO;
}

/* Decides now and answers at once (before any body byte is read when called on the first call). */
static enum MHD_Result answer_now(struct req *r, unsigned status, const char *reason)
{
    r->ans.status = status;
    r->ans.reason = reason;
    atomic_store(&r->state, R_ANSWER);
    return respond(r);
}

/* Writer thread, after the commit (or failure) of the batch holding this request. */
static void job_done(struct tlsrpt_http_job *job, const struct tlsrpt_ingest_result *res)
{
    struct req *r = job->ctx;
    tlsrpt_http_answer_for(res->outcome, &res->reason, r->srv->cfg.retry_after, &r->ans, r->line,
                           sizeof r->line);
    r->outcome = tlsrpt_ingest_outcome_name(res->outcome);
    r->report_id = res->report_id;
    printable(res->policy_domains[0] ? res->policy_domains : "", r->domains, sizeof r->domains);
    atomic_store(&r->state, R_ANSWER);
    MHD_resume_connection(r->conn); /* last touch: r may be gone once another thread runs it */
}

/* Decode and parse here, on the request thread (the parsers are pure), so the single writer thread
 * only stores. The result goes to the writer with the job; bad bodies go on as rejects. */
static void prepare_job(struct req *r, const uint8_t *data, size_t len)
{
    struct tlsrpt_buf scratch;
    tlsrpt_buf_init(&scratch, r->srv->cfg.decode.max_decompressed);
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    cfg.decode = r->srv->cfg.decode;
    cfg.parse = r->srv->cfg.parse;
    memset(&r->job.why, 0, sizeof r->job.why);
    r->job.report = tlsrpt_ingest_prepare(&cfg, data, len, NULL, &scratch, &r->job.why);
    tlsrpt_ingest_prep(data, len, r->job.report, &r->job.prep);
    r->job.prepared = 1;
    tlsrpt_buf_free(&scratch);
}

/* With allowed-domains set, a report for another domain is refused before it reaches the database.
 * Returns true when the prepared body is a report for none of the allowed domains. Bodies that do
 * not decode or parse go on to ingest, which keeps them as rejects. */
static bool refused_by_allow_list(struct req *r)
{
    const struct tlsrpt_domain_list *allowed = r->srv->cfg.allowed;
    const struct tlsrpt_report *rep = r->job.report;
    if (!allowed || allowed->n == 0 || rep == NULL || tlsrpt_domain_list_allows(allowed, rep))
        return false;
    size_t used = 0;
    for (size_t i = 0; i < rep->n_policies && used + 2 < sizeof r->domains; i++) {
        int k = snprintf(r->domains + used, sizeof r->domains - used, "%s%s", i ? "," : "",
                         rep->policies[i].policy_domain);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return true;
}

static const char *tls_version(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_PROTOCOL);
    return ci ? gnutls_protocol_get_name((gnutls_protocol_t)ci->protocol) : NULL;
}

/* The whole body is in: undo Content-Encoding, check the allow-list, hand it to the writer. */
static enum MHD_Result body_complete(struct req *r)
{
    struct tlsrpt_server *s = r->srv;
    const uint8_t *data = r->body.buf.data ? r->body.buf.data : (const uint8_t *)"";
    size_t len = r->body.buf.len;
    struct tlsrpt_error err;
    if (r->coding == TLSRPT_CODING_GZIP &&
        tlsrpt_http_gunzip(data, len, s->cfg.decode.max_decompressed, s->cfg.decode.max_ratio,
                           &r->inflated, &err) == 0) {
        data = r->inflated.data;
        len = r->inflated.len;
    } /* else the raw body goes to ingest, whose decoder meets the same fault and keeps the reject
       */
    prepare_job(r, data, len);
    if (refused_by_allow_list(r)) {
        tlsrpt_report_free(r->job.report);
        r->job.report = NULL;
        atomic_fetch_add(&s->refused_domain, 1);
        r->outcome = "refused";
        return answer_now(r, 403, "reports for this policy domain are not accepted here");
    }
    struct tlsrpt_http_meta m = {
        .client = r->client,
        .peer = strcmp(r->client, r->peer) != 0 ? r->peer : NULL,
        .user_agent = header(r->conn, MHD_HTTP_HEADER_USER_AGENT),
        .tls = s->cfg.tls ? tls_version(r->conn) : NULL,
        .path = r->path,
        .content_type = header(r->conn, MHD_HTTP_HEADER_CONTENT_TYPE),
        .content_encoding = header(r->conn, MHD_HTTP_HEADER_CONTENT_ENCODING),
    };
    r->meta_json = tlsrpt_http_meta_json(&m);
    r->job.body = data;
    r->job.len = len;
    r->job.src.kind = "http";
    r->job.src.reference = r->client;
    r->job.src.meta_json = r->meta_json;
    r->job.done = job_done;
    r->job.ctx = r;
    /* Suspend first: the writer may finish before submit returns, and resume must follow suspend.
     */
    atomic_store(&r->state, R_WAITING);
    tlsrpt_http_track_pause(r->track);
    MHD_suspend_connection(r->conn);
    if (tlsrpt_writer_submit(s->cfg.writer, &r->job) != 0) {
        tlsrpt_report_free(r->job.report); /* never reached the writer */
        r->job.report = NULL;
        atomic_fetch_add(&s->queue_full, 1);
        r->outcome = "busy";
        r->ans.status = 503;
        r->ans.reason = "too many reports waiting, try again later";
        r->ans.retry_after = s->cfg.retry_after;
        atomic_store(&r->state, R_ANSWER);
        MHD_resume_connection(r->conn);
    }
    return MHD_YES;
}

/* First call: headers are in, no body byte read yet. */
static enum MHD_Result begin(struct tlsrpt_server *s, struct MHD_Connection *conn, const char *url,
                             const char *method, void **con_cls)
{
    struct req *r = calloc(1, sizeof *r);
    if (!r)
        return MHD_NO;
    *con_cls = r;
    atomic_fetch_add(&s->in_flight, 1);
    atomic_fetch_add(&s->requests, 1);
    r->srv = s;
    r->conn = conn;
    r->started_ms = tlsrpt_http_now_ms();
    const union MHD_ConnectionInfo *sc =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->track = sc ? sc->socket_context : NULL;
    tlsrpt_http_body_init(&r->body, s->cfg.max_body, s->cfg.max_drain);
    tlsrpt_buf_init(&r->inflated, 0);
    printable(method, r->method, sizeof r->method);
    printable(url, r->path, sizeof r->path);
    printable(header(conn, MHD_HTTP_HEADER_USER_AGENT), r->ua, sizeof r->ua);
    find_client(r);

    struct tlsrpt_ip ip;
    unsigned wait = 0;
    if (tlsrpt_ip_parse(r->client, strlen(r->client), &ip) == 0)
        wait = tlsrpt_ratelimit_take(s->cfg.ratelimit, &ip, r->started_ms);
    if (wait) {
        atomic_fetch_add(&s->rate_limited, 1);
        r->ans.retry_after = wait;
        return answer_now(r, 429, "too many requests from this address, slow down");
    }
    struct tlsrpt_http_policy pol = {.path = s->cfg.path, .max_body = s->cfg.max_body};
    struct tlsrpt_http_head h = {
        .method = method,
        .path = url,
        .content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE),
        .content_encoding = header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING),
        .content_length = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH),
    };
    tlsrpt_http_check_head(&pol, &h, &r->ans, &r->coding);
    if (r->ans.status == 413 && h.content_length &&
        tlsrpt_http_drain_declared(&r->body, h.content_length)) {
        /* Slightly too large: read and drop it, so a client that sends without waiting for
         * "100 Continue" still reads the 413 instead of a reset. */
        atomic_store(&r->state, R_DRAINING);
        return MHD_YES;
    }
    if (r->ans.status) /* refused before reading: libmicrohttpd skips the body and closes */
        return answer_now(r, r->ans.status, r->ans.reason);
    atomic_store(&r->state, R_READING);
    return MHD_YES;
}

enum MHD_Result tlsrpt_http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    struct req *r = *con_cls;
    if (!r)
        return begin(cls, conn, url, method, con_cls);
    int state = atomic_load(&r->state);
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (state != R_READING && state != R_DRAINING)
            return MHD_YES; /* answered already: nothing more is read */
        enum tlsrpt_body_step step = tlsrpt_http_body_feed(&r->body, upload, n);
        if (step == TLSRPT_BODY_OVER) {
            atomic_store(&r->state, R_DRAINING);
        } else if (step == TLSRPT_BODY_CLOSE) {
            return close_now(r, 413, "report larger than this server accepts, even to drain");
        } else if (step == TLSRPT_BODY_NOMEM) {
            return close_now(r, 503, "out of memory for the body");
        }
        return MHD_YES;
    }
    switch (state) {
    case R_READING:
        return body_complete(r);
    case R_DRAINING:
        return answer_now(r, 413, "report larger than this server accepts");
    case R_ANSWER:
        return respond(r);
    default:
        return MHD_YES; /* R_WAITING: a spurious call while suspended */
    }
}

void tlsrpt_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct tlsrpt_server *s = cls;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && atomic_load(&r->state) != R_ANSWER)
        log_info("http: %s %s %s: connection ended before an answer (%s)", r->client, r->method,
                 r->path,
                 toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED   ? "idle-timeout"
                 : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                                                                 : "client went away");
    tlsrpt_http_track_arm(s,
                          r->track); /* the next request on this connection gets a fresh window */
    tlsrpt_http_body_free(&r->body);
    tlsrpt_buf_free(&r->inflated);
    tlsrpt_report_free(r->job.report); /* only set if the job never reached the writer */
    tlsrpt_store_prep_free(&r->job.prep);
    free(r->meta_json);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}
