/* request.c - method/path/type/coding/size decisions and outcome-to-status mapping. */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copies the media type (before ';', blanks trimmed, lower-cased) into out; "" if it does not fit.
 */
static void media_type(const char *ct, char *out, size_t len)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n >= len)
        n = 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)((ct[i] >= 'A' && ct[i] <= 'Z') ? ct[i] + 32 : ct[i]);
    out[n] = '\0';
}

enum tlsrpt_media tlsrpt_http_media_class(const char *content_type)
{
    static const char *report[] = {"application/tlsrpt+gzip", "application/tlsrpt+json"};
    /* Seen from senders or their scripts: plain JSON/gzip labels, octet-stream, the +x-gzip and
     * bare tlsrpt variants from mail (quirks.md §2.1), and curl's default for --data-binary without
     * -H. */
    static const char *tolerated[] = {
        "application/json",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
        "application/tlsrpt",
        "application/tlsrpt+x-gzip",
        "application/x-www-form-urlencoded",
    };
    char mt[96];
    if (!content_type)
        return TLSRPT_MEDIA_NONE;
    media_type(content_type, mt, sizeof mt);
    if (mt[0] == '\0') /* an empty header value is as good as none */
        return strspn(content_type, " \t") == strlen(content_type) ? TLSRPT_MEDIA_NONE
                                                                   : TLSRPT_MEDIA_REFUSED;
    for (size_t i = 0; i < sizeof report / sizeof report[0]; i++)
        if (strcmp(mt, report[i]) == 0)
            return TLSRPT_MEDIA_REPORT;
    for (size_t i = 0; i < sizeof tolerated / sizeof tolerated[0]; i++)
        if (strcmp(mt, tolerated[i]) == 0)
            return TLSRPT_MEDIA_TOLERATED;
    return TLSRPT_MEDIA_REFUSED;
}

enum tlsrpt_coding tlsrpt_http_coding(const char *ce)
{
    if (!ce)
        return TLSRPT_CODING_IDENTITY;
    while (*ce == ' ' || *ce == '\t')
        ce++;
    size_t n = strlen(ce);
    while (n > 0 && (ce[n - 1] == ' ' || ce[n - 1] == '\t'))
        n--;
    if (n == 0 || (n == 8 && strncasecmp(ce, "identity", 8) == 0))
        return TLSRPT_CODING_IDENTITY;
    if ((n == 4 && strncasecmp(ce, "gzip", 4) == 0) ||
        (n == 6 && strncasecmp(ce, "x-gzip", 6) == 0))
        return TLSRPT_CODING_GZIP;
    return TLSRPT_CODING_UNSUPPORTED;
}

static void set_answer(struct tlsrpt_http_answer *a, unsigned status, const char *reason)
{
    a->status = status;
    a->reason = reason;
}

/* Content-Length as sent: digits only. Returns 0 and *v, or -1 (too long to matter: over any cap).
 */
static int declared_length(const char *s, uint64_t *v)
{
    uint64_t n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *v = n;
    return 0;
}

void tlsrpt_http_check_head(const struct tlsrpt_http_policy *p, const struct tlsrpt_http_head *h,
                            struct tlsrpt_http_answer *a, enum tlsrpt_coding *coding)
{
    memset(a, 0, sizeof *a);
    a->reason = "";
    *coding = TLSRPT_CODING_IDENTITY;
    if (!h->method || strcmp(h->method, "POST") != 0) {
        set_answer(a, 405, "only POST is accepted here");
        a->allow_header = true;
        return;
    }
    if (p->path && (!h->path || strcmp(h->path, p->path) != 0)) {
        set_answer(a, 404, "no report endpoint at this path");
        return;
    }
    *coding = tlsrpt_http_coding(h->content_encoding);
    if (*coding == TLSRPT_CODING_UNSUPPORTED) {
        set_answer(a, 415, "unsupported Content-Encoding (gzip or none)");
        return;
    }
    if (tlsrpt_http_media_class(h->content_type) == TLSRPT_MEDIA_REFUSED) {
        set_answer(a, 415, "unsupported Content-Type (use application/tlsrpt+gzip or +json)");
        return;
    }
    uint64_t len;
    if (h->content_length && (declared_length(h->content_length, &len) != 0 || len > p->max_body)) {
        set_answer(a, 413, "report larger than this server accepts");
        return;
    }
}

void tlsrpt_http_body_init(struct tlsrpt_http_body *b, uint64_t max_body, uint64_t max_drain)
{
    memset(b, 0, sizeof *b);
    tlsrpt_buf_init(&b->buf, (size_t)max_body);
    b->max_body = max_body;
    b->max_drain = max_drain;
}

enum tlsrpt_body_step tlsrpt_http_body_feed(struct tlsrpt_http_body *b, const void *data,
                                            size_t len)
{
    if (!b->over) {
        int rc = tlsrpt_buf_append(&b->buf, data, len);
        if (rc == 0)
            return TLSRPT_BODY_MORE;
        if (rc != TLSRPT_E_TOO_LARGE)
            return TLSRPT_BODY_NOMEM;
        /* Over the cap: what we hold is useless now, drop it and count what follows. */
        b->over = true;
        b->drained = b->buf.len;
        tlsrpt_buf_free(&b->buf);
    }
    b->drained += len;
    return b->drained > b->max_body + b->max_drain ? TLSRPT_BODY_CLOSE : TLSRPT_BODY_OVER;
}

bool tlsrpt_http_drain_declared(struct tlsrpt_http_body *b, const char *content_length)
{
    uint64_t len;
    if (declared_length(content_length, &len) != 0 || len > b->max_body + b->max_drain)
        return false;
    b->over = true;
    tlsrpt_buf_free(&b->buf);
    return true;
}

void tlsrpt_http_body_free(struct tlsrpt_http_body *b)
{
    tlsrpt_buf_free(&b->buf);
}

void tlsrpt_http_reason_line(const struct tlsrpt_error *e, char *out, size_t len)
{
    char tmp[512];
    tlsrpt_error_format(e, tmp, sizeof tmp);
    size_t n = 0, cap = TLSRPT_HTTP_REASON_MAX;
    if (len == 0)
        return;
    if (cap > len - 1)
        cap = len - 1;
    for (const unsigned char *s = (const unsigned char *)tmp; *s && n < cap; s++)
        out[n++] = (*s >= 0x20 && *s < 0x7f) ? (char)*s : '?';
    out[n] = '\0';
}

void tlsrpt_http_answer_for(enum tlsrpt_ingest_outcome o, const struct tlsrpt_error *reason,
                            unsigned retry_after, struct tlsrpt_http_answer *a, char *line,
                            size_t linelen)
{
    memset(a, 0, sizeof *a);
    line[0] = '\0';
    a->reason = line;
    switch (o) {
    case TLSRPT_INGEST_IMPORTED:
    case TLSRPT_INGEST_DUPLICATE:
        a->status = 200;
        return;
    case TLSRPT_INGEST_REJECTED:
        a->status = reason && reason->code == TLSRPT_E_TOO_LARGE ? 413 : 400;
        if (reason)
            tlsrpt_http_reason_line(reason, line, linelen);
        else
            snprintf(line, linelen, "not a TLS-RPT report");
        return;
    case TLSRPT_INGEST_FAILED:
        break;
    }
    /* Database trouble: say nothing about it, ask for a retry. */
    a->status = 503;
    a->retry_after = retry_after;
    snprintf(line, linelen, "temporarily unable to store reports, try again later");
}
