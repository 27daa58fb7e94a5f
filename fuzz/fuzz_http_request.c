/* fuzz_http_request.c - the pure request policy of the report endpoint (request.h). The input is
 * cut at '\n' into method, path, Content-Type, Content-Encoding and Content-Length (a field that is
 * exactly "-" is absent); the rest is the body, fed in chunks whose sizes come from its own bytes.
 * Checks the documented statuses, the body cap and that reason lines are printable. */
#include "request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next '\n'-terminated field as a NUL-terminated copy in *out (NULL for "-"); advances *pos. */
static char *field(const uint8_t *data, size_t size, size_t *pos, char **out)
{
    const uint8_t *start = data + *pos;
    const uint8_t *nl = memchr(start, '\n', size - *pos);
    size_t n = nl ? (size_t)(nl - start) : size - *pos;
    char *s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, start, n);
    s[n] = '\0';
    *pos += nl ? n + 1 : n;
    *out = strcmp(s, "-") == 0 ? NULL : s;
    return s;
}

static void check_printable(const char *s)
{
    if (strlen(s) > TLSRPT_HTTP_REASON_MAX)
        __builtin_trap();
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { NF = 5 };
    char *owned[NF] = {0}, *val[NF] = {0};
    size_t pos = 0;
    for (int i = 0; i < NF; i++)
        owned[i] = field(data, size, &pos, &val[i]); /* the copy, also for "-": freed at the end */
    struct tlsrpt_http_head h = {.method = val[0] ? val[0] : "POST",
                                 .path = val[1] ? val[1] : "/",
                                 .content_type = val[2],
                                 .content_encoding = val[3],
                                 .content_length = val[4]};
    struct tlsrpt_http_policy p = {.path = size % 3 ? "/tlsrpt" : NULL, .max_body = 4096};
    struct tlsrpt_http_answer a;
    enum tlsrpt_coding coding = TLSRPT_CODING_IDENTITY;
    tlsrpt_http_check_head(&p, &h, &a, &coding);
    switch (a.status) {
    case 0:
        if (coding == TLSRPT_CODING_UNSUPPORTED)
            __builtin_trap();
        break;
    case 404:
    case 405:
    case 413:
    case 415:
        if (a.reason == NULL || (a.status == 405) != a.allow_header)
            __builtin_trap();
        break;
    default:
        __builtin_trap(); /* a status the head check never gives */
    }
    (void)tlsrpt_http_media_class(h.content_type);

    struct tlsrpt_http_body b;
    tlsrpt_http_body_init(&b, p.max_body, 8192);
    if (a.status == 413 && h.content_length)
        (void)tlsrpt_http_drain_declared(&b, h.content_length);
    uint64_t total = 0;
    while (pos < size) {
        size_t chunk = 1 + data[pos] % 97u * 13u;
        if (chunk > size - pos)
            chunk = size - pos;
        enum tlsrpt_body_step st = tlsrpt_http_body_feed(&b, data + pos, chunk);
        total += chunk;
        pos += chunk;
        if (b.buf.len > p.max_body || (st == TLSRPT_BODY_MORE && b.over) ||
            (st == TLSRPT_BODY_MORE && total > p.max_body))
            __builtin_trap(); /* the body cap did not hold */
        if (st == TLSRPT_BODY_CLOSE || st == TLSRPT_BODY_NOMEM)
            break;
    }
    tlsrpt_http_body_free(&b);

    struct tlsrpt_error e;
    size_t n = size < sizeof e.message - 1 ? size : sizeof e.message - 1;
    memset(&e, 0, sizeof e);
    e.code = TLSRPT_E_TOO_LARGE;
    memcpy(e.message, data, n);
    memcpy(e.path, data, n < sizeof e.path - 1 ? n : sizeof e.path - 1);
    char line[TLSRPT_HTTP_REASON_MAX + 1];
    tlsrpt_http_reason_line(&e, line, sizeof line);
    check_printable(line);
    struct tlsrpt_http_answer aa;
    tlsrpt_http_answer_for((enum tlsrpt_ingest_outcome)(size % 4), &e, 60, &aa, line, sizeof line);
    check_printable(line);
    if (aa.status != 200 && aa.status != 413 && aa.status != 400 && aa.status != 503)
        __builtin_trap();
    for (int i = 0; i < NF; i++)
        free(owned[i]);
    return 0;
}
