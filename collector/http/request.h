/* request.h - what the endpoint decides about one request, as pure functions (no MHD, no sockets)
 * so that every rule is unit-tested: method, path, media type, content coding, the declared and the
 * streamed size, and the status and one-line reason of each outcome (docs/http.md has the table).
 * Order of the head checks: method (405), path (404), Content-Encoding (415), Content-Type (415),
 * Content-Length against max-body (413). The rate limit and connection caps are in ratelimit.h/MHD.
 */
#ifndef TLSRPT_HTTP_REQUEST_H
#define TLSRPT_HTTP_REQUEST_H

#include "buf.h"
#include "error.h"
#include "ingest.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSRPT_HTTP_DEF_MAX_BODY (4u << 20) /* 4 MiB: a daily report is a few kB gzipped */
#define TLSRPT_HTTP_DEF_MAX_DRAIN                                                                  \
    (1u << 20)                         /* after 413, read and drop this much more, then close */
#define TLSRPT_HTTP_DEF_RETRY_AFTER 60 /* seconds, in every 503 and 429 */
#define TLSRPT_HTTP_REASON_MAX 200     /* bytes of a reason line in a response body */

/* Content-Type classes. Decoding is by magic bytes whatever the label (quirks.md §2.1): the type
 * only decides whether the body is looked at at all. */
enum tlsrpt_media {
    TLSRPT_MEDIA_REPORT,    /* application/tlsrpt+gzip, application/tlsrpt+json (RFC 8460 §5.3) */
    TLSRPT_MEDIA_TOLERATED, /* types real senders use instead (quirks.md §5): sniffed */
    TLSRPT_MEDIA_NONE,      /* no Content-Type: sniffed */
    TLSRPT_MEDIA_REFUSED,   /* anything else (text/html, multipart/form-data, ...): 415 */
};
enum tlsrpt_media tlsrpt_http_media_class(const char *content_type);

enum tlsrpt_coding {
    TLSRPT_CODING_IDENTITY,   /* no Content-Encoding, or "identity" */
    TLSRPT_CODING_GZIP,       /* "gzip" / "x-gzip": undone before the body is handed to ingest */
    TLSRPT_CODING_UNSUPPORTED /* br, deflate, compress, lists of codings: 415 */
};
enum tlsrpt_coding tlsrpt_http_coding(const char *content_encoding);

struct tlsrpt_http_head {
    const char *method;
    const char *path;
    const char *content_type;     /* NULL when absent */
    const char *content_encoding; /* NULL when absent */
    const char *content_length;   /* NULL when absent (chunked upload) */
};

struct tlsrpt_http_policy {
    const char *path;  /* NULL: POST on any path is accepted; else exactly this path */
    uint64_t max_body; /* bytes of body as received (before Content-Encoding is undone) */
};

struct tlsrpt_http_answer {
    unsigned status;      /* 0: go on reading the body */
    const char *reason;   /* one line for the response body ("" for 200) */
    bool allow_header;    /* 405: send "Allow: POST" */
    unsigned retry_after; /* seconds for Retry-After, 0 for none */
};

/* Decides from the request head alone. *coding gets the body's content coding when status is 0. */
void tlsrpt_http_check_head(const struct tlsrpt_http_policy *p, const struct tlsrpt_http_head *h,
                            struct tlsrpt_http_answer *a, enum tlsrpt_coding *coding);

/* The body as it streams in: kept up to max_body, then dropped ("drained") up to max_drain more so
 * the client can read a clean 413, then the connection is closed. Never sized from Content-Length.
 */
struct tlsrpt_http_body {
    struct tlsrpt_buf buf;
    uint64_t drained; /* bytes received in all once over the cap */
    uint64_t max_body, max_drain;
    bool over; /* max_body was crossed */
};

enum tlsrpt_body_step {
    TLSRPT_BODY_MORE,  /* keep reading */
    TLSRPT_BODY_OVER,  /* over the cap: keep draining, answer 413 when the body ends */
    TLSRPT_BODY_CLOSE, /* drained more than max_drain: answer 413 now and close */
    TLSRPT_BODY_NOMEM, /* allocation failed: answer 503 */
};

void tlsrpt_http_body_init(struct tlsrpt_http_body *b, uint64_t max_body, uint64_t max_drain);
enum tlsrpt_body_step tlsrpt_http_body_feed(struct tlsrpt_http_body *b, const void *data,
                                            size_t len);
void tlsrpt_http_body_free(struct tlsrpt_http_body *b);
/* For a Content-Length over max_body: true (and b switched to dropping) when the declared length is
 * within max_body + max_drain, so the body is read and dropped before the 413; false when it is
 * larger (answer 413 at once and close). */
bool tlsrpt_http_drain_declared(struct tlsrpt_http_body *b, const char *content_length);

/* "path: message" made safe for a response: printable ASCII only, at most TLSRPT_HTTP_REASON_MAX
 * bytes. */
void tlsrpt_http_reason_line(const struct tlsrpt_error *e, char *out, size_t len);

/* The answer for an ingest outcome: 200 for imported and duplicate; 413 for a reject over a cap (a
 * gzip bomb), else 400 with the reason in line; 503 with retry_after when nothing could be stored.
 */
void tlsrpt_http_answer_for(enum tlsrpt_ingest_outcome o, const struct tlsrpt_error *reason,
                            unsigned retry_after, struct tlsrpt_http_answer *a, char *line,
                            size_t linelen);

#endif
