/* mime_extract.c - walks the MIME tree GMime builds and picks the report parts (see
 * mime_extract.h). Selection, in order (quirks.md §2.1, §2.9):
 *   1. a report media type (application/tlsrpt+gzip, ...; octet-stream only in a TLS report mail);
 *   2. a file name ending in .json, .json.gz, .gz or .zip (Content-Disposition filename,
 * Content-Type name, RFC 2231 continuations and RFC 2047 words all decoded by GMime; else
 * Content-Description);
 *   3. any other non-text part whose decoded bytes sniff as gzip, zip or JSON;
 *   4. the text body of a single-part TLS report mail that sniffs as a report (mox accepts those).
 * message/rfc822 parts (forwarded reports) are walked too, each with its own envelope. */
#include "mime_extract.h"

#include "decode.h"
#include "mime_envelope.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char *const report_types[] = {
    "application/tlsrpt+gzip",      "application/tlsrpt+json", "application/tlsrpt",
    "application/tlsrpt+x-gzip",    "application/tlsrpt+zip",  "application/gzip",
    "application/x-gzip",           "application/json",        "application/zip",
    "application/x-zip-compressed", "application/x-zip",
};

static const char *const report_suffixes[] = {".json", ".gz", ".zip"}; /* .json.gz ends in .gz */

void tlsrpt_mail_limits_default(struct tlsrpt_mail_limits *l)
{
    l->max_message = TLSRPT_MAIL_DEF_MAX_MESSAGE;
    l->max_parts = TLSRPT_MAIL_DEF_MAX_PARTS;
    l->max_depth = TLSRPT_MAIL_DEF_MAX_DEPTH;
    l->max_header = TLSRPT_MAIL_DEF_MAX_HEADER;
    l->max_headers = TLSRPT_MAIL_DEF_MAX_HEADERS;
    l->max_reports = TLSRPT_MAIL_DEF_MAX_REPORTS;
}

const char *tlsrpt_mail_pick_name(enum tlsrpt_mail_pick p)
{
    switch (p) {
    case TLSRPT_PICK_TYPE:
        return "type";
    case TLSRPT_PICK_NAME:
        return "name";
    case TLSRPT_PICK_SNIFF:
        return "sniff";
    case TLSRPT_PICK_BODY:
        return "body";
    }
    return "unknown";
}

const char *tlsrpt_mail_warn_name(unsigned bit_index)
{
    static const char *const names[TLSRPT_MAIL_W_COUNT] = {"truncated", "malformed", "bad-header",
                                                           "no-boundary", "other"};
    return bit_index < TLSRPT_MAIL_W_COUNT ? names[bit_index] : NULL;
}

struct walk {
    const struct tlsrpt_mail_limits *lim;
    struct tlsrpt_mail_extract *out;
    struct tlsrpt_error *err;
    size_t n_entities;
    size_t cap_parts;
    int nesting_overflow; /* GMime gave up on a deeper level: treated like our depth cap */
};

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer ud)
{
    struct walk *w = ud;
    switch (code) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
        w->out->warnings |= TLSRPT_MAIL_W_TRUNCATED;
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_WARN_PART_WITHOUT_CONTENT:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        w->out->warnings |= TLSRPT_MAIL_W_MALFORMED;
        break;
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        w->out->warnings |= TLSRPT_MAIL_W_NO_BOUNDARY;
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        w->nesting_overflow = 1;
        break;
    case GMIME_WARN_DUPLICATED_HEADER:
    case GMIME_WARN_DUPLICATED_PARAMETER:
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
    case GMIME_WARN_INVALID_CONTENT_TYPE:
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
    case GMIME_WARN_INVALID_PARAMETER:
    case GMIME_WARN_INVALID_ADDRESS_LIST:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
        w->out->warnings |= TLSRPT_MAIL_W_BAD_HEADER;
        break;
    default:
        w->out->warnings |= TLSRPT_MAIL_W_OTHER;
        break;
    }
}

/* Header caps: GMime keeps every field, so a message of 30 MB of headers is refused here. */
static int check_headers(struct walk *w, GMimeObject *o, const char *section)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    int n = g_mime_header_list_get_count(hl);
    if (n < 0)
        return 0;
    if ((size_t)n > w->lim->max_headers)
        return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "",
                                "part %s has %d header fields, over the cap of %zu (max_headers)",
                                section[0] ? section : "0", n, w->lim->max_headers);
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *raw = g_mime_header_get_raw_value(h);
        size_t len = raw ? strlen(raw) : 0;
        if (len > w->lim->max_header)
            return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "",
                                    "header %.64s of part %s is %zu bytes, over the cap of %zu "
                                    "(max_header)",
                                    g_mime_header_get_name(h), section[0] ? section : "0", len,
                                    w->lim->max_header);
    }
    return 0;
}

static int has_report_suffix(const char *name)
{
    if (name == NULL)
        return 0;
    size_t n = strlen(name);
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t' || name[n - 1] == '"'))
        n--;
    for (size_t i = 0; i < sizeof report_suffixes / sizeof *report_suffixes; i++) {
        size_t s = strlen(report_suffixes[i]);
        if (n > s && strncasecmp(name + n - s, report_suffixes[i], s) == 0)
            return 1;
    }
    return 0;
}

static int is_report_type(const char *mime_type)
{
    for (size_t i = 0; i < sizeof report_types / sizeof *report_types; i++)
        if (strcmp(mime_type, report_types[i]) == 0)
            return 1;
    return 0;
}

/* The part's content with the transfer encoding undone, into a malloc'd buffer (NUL-terminated). */
static int decode_content(GMimePart *part, uint8_t **data, size_t *len)
{
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    GMimeStream *mem = g_mime_stream_mem_new();
    if (dw != NULL && g_mime_data_wrapper_write_to_stream(dw, mem) < 0) {
        g_object_unref(mem);
        return TLSRPT_E_IO; /* GMime read error on an in-memory stream: cannot happen, but checked
                             */
    }
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    size_t n = ba ? ba->len : 0;
    uint8_t *p = malloc(n + 1);
    if (p == NULL) {
        g_object_unref(mem);
        return TLSRPT_E_NOMEM;
    }
    if (n > 0)
        memcpy(p, ba->data, n);
    p[n] = '\0';
    g_object_unref(mem);
    *data = p;
    *len = n;
    return 0;
}

/* The file name GMime decoded from Content-Disposition/Content-Type, else a Content-Description
 * that looks like one (Microsoft sends no name=, only the description: quirks.md §2.2). */
static const char *part_filename(GMimePart *part)
{
    const char *fn = g_mime_part_get_filename(part);
    if (fn != NULL && *fn != '\0')
        return fn;
    const char *desc = g_mime_object_get_header(GMIME_OBJECT(part), "Content-Description");
    return has_report_suffix(desc) ? desc : NULL;
}

static char *dup_trim(const char *s)
{
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return strndup(s, n);
}

static int add_part(struct walk *w, GMimePart *part, const char *mime_type, const char *filename,
                    enum tlsrpt_mail_pick pick, const char *section, size_t env, uint8_t *data,
                    size_t len)
{
    struct tlsrpt_mail_extract *out = w->out;
    if (out->n_parts >= w->lim->max_reports) {
        free(data);
        return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "",
                                "more than %zu report parts in one message (max_reports)",
                                w->lim->max_reports);
    }
    if (out->n_parts == w->cap_parts) {
        size_t cap = w->cap_parts ? w->cap_parts * 2 : 2;
        struct tlsrpt_mail_part *p = realloc(out->parts, cap * sizeof *p);
        if (p == NULL) {
            free(data);
            return tlsrpt_error_set(w->err, TLSRPT_E_NOMEM, "", "out of memory");
        }
        out->parts = p;
        w->cap_parts = cap;
    }
    struct tlsrpt_mail_part *p = &out->parts[out->n_parts++];
    memset(p, 0, sizeof *p);
    p->data = data;
    p->len = len;
    p->pick = pick;
    p->envelope = env;
    snprintf(p->section, sizeof p->section, "%s", section);
    p->content_type = strdup(mime_type);
    p->filename = dup_trim(filename);
    const char *cte = g_mime_content_encoding_to_string(g_mime_part_get_content_encoding(part));
    p->transfer_encoding = strdup(cte ? cte : "7bit");
    if (p->content_type == NULL || (filename && p->filename == NULL) ||
        p->transfer_encoding == NULL)
        return tlsrpt_error_set(w->err, TLSRPT_E_NOMEM, "", "out of memory");
    return 0;
}

/* Decides whether a leaf part is a report and keeps it if so. */
static int visit_leaf(struct walk *w, GMimePart *part, const char *section, size_t env,
                      int root_body, int report_mail)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    char *mt = g_mime_content_type_get_mime_type(ct);
    if (mt == NULL)
        return tlsrpt_error_set(w->err, TLSRPT_E_NOMEM, "", "out of memory");
    for (char *c = mt; *c; c++)
        *c = (char)g_ascii_tolower(*c);
    const char *filename = part_filename(part);
    int is_text = g_mime_content_type_is_type(ct, "text", "*");
    int pick = -1;
    if (is_report_type(mt) || (report_mail && strcmp(mt, "application/octet-stream") == 0))
        pick = TLSRPT_PICK_TYPE;
    else if (has_report_suffix(filename))
        pick = TLSRPT_PICK_NAME;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = 0;
    if (pick < 0 && (!is_text || (root_body && report_mail))) {
        /* Only sniffing can tell: decode and look at the magic bytes. */
        rc = decode_content(part, &data, &len);
        if (rc == 0 && tlsrpt_sniff(data, len) != TLSRPT_FMT_UNKNOWN)
            pick = is_text ? TLSRPT_PICK_BODY : TLSRPT_PICK_SNIFF;
    }
    if (rc == 0 && pick >= 0) {
        if (data == NULL)
            rc = decode_content(part, &data, &len);
        if (rc == 0) {
            rc = add_part(w, part, mt, filename, (enum tlsrpt_mail_pick)pick, section, env, data,
                          len);
            data = NULL; /* owned by the part list now (or freed by add_part) */
        }
    }
    if (rc == TLSRPT_E_NOMEM || rc == TLSRPT_E_IO)
        tlsrpt_error_set(w->err, (enum tlsrpt_errcode)rc, "", "cannot decode part %s", section);
    free(data);
    g_free(mt);
    return rc;
}

static int visit(struct walk *w, GMimeObject *o, const char *section, size_t depth, size_t env,
                 int root_body, int report_mail);

/* A forwarded message: its own envelope, its body walked like a top-level one. */
static int visit_message(struct walk *w, GMimeMessage *m, const char *section, size_t depth)
{
    struct tlsrpt_mail_extract *out = w->out;
    int rc = check_headers(w, GMIME_OBJECT(m), section);
    if (rc != 0)
        return rc;
    struct tlsrpt_mail_envelope *e =
        realloc(out->envelopes, (out->n_envelopes + 1) * sizeof *out->envelopes);
    if (e == NULL)
        return tlsrpt_error_set(w->err, TLSRPT_E_NOMEM, "", "out of memory");
    out->envelopes = e;
    size_t idx = out->n_envelopes++;
    if (tlsrpt_mail_envelope_read(m, &out->envelopes[idx]) != 0)
        return tlsrpt_error_set(w->err, TLSRPT_E_NOMEM, "", "out of memory");
    GMimeObject *body = g_mime_message_get_mime_part(m);
    if (body == NULL)
        return 0;
    return visit(w, body, section, depth, idx, 1, tlsrpt_mail_is_report_mail(m));
}

static int visit(struct walk *w, GMimeObject *o, const char *section, size_t depth, size_t env,
                 int root_body, int report_mail)
{
    char sub[64];
    if (++w->n_entities > w->lim->max_parts)
        return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "",
                                "more than %zu MIME parts (max_parts)", w->lim->max_parts);
    if (depth > w->lim->max_depth)
        return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "",
                                "MIME nesting deeper than %zu at part %s (max_depth)",
                                w->lim->max_depth, section);
    int rc = check_headers(w, o, section);
    if (rc != 0)
        return rc;
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n && rc == 0; i++) {
            int k = snprintf(sub, sizeof sub, "%s%s%d", section, section[0] ? "." : "", i + 1);
            if (k < 0 || (size_t)k >= sizeof sub)
                return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "", "part number too long");
            rc = visit(w, g_mime_multipart_get_part(mp, i), sub, depth + 1, env, 0, report_mail);
        }
        return rc;
    }
    /* A leaf that is a message's whole body is numbered "1" (IMAP), or "<section>.1" when
     * forwarded. */
    if (root_body) {
        int k = snprintf(sub, sizeof sub, "%s%s1", section, section[0] ? "." : "");
        if (k < 0 || (size_t)k >= sizeof sub)
            return tlsrpt_error_set(w->err, TLSRPT_E_TOO_LARGE, "", "part number too long");
        section = sub;
    }
    if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        return inner ? visit_message(w, inner, section, depth + 1) : 0;
    }
    if (GMIME_IS_PART(o))
        return visit_leaf(w, GMIME_PART(o), section, env, root_body, report_mail);
    return 0; /* message/partial and other containers carry no report we could read */
}

static void init_gmime(void)
{
    g_mime_init();
}

/* GMime builds the whole tree before max_parts can be counted on it, and a part costs it about a
 * kilobyte: a 5 MB message of a million empty parts would take over a gigabyte. Every part needs a
 * delimiter line beginning with "--", so counting such lines first bounds the tree. The allowance
 * (8 per part, plus 64) keeps signature separators, PGP armour and the like from ever refusing a
 * message that the count on the tree would accept. */
static int too_many_delimiters(const uint8_t *msg, size_t len, size_t max_parts)
{
    size_t allowed = max_parts > (SIZE_MAX - 64) / 8 ? SIZE_MAX : max_parts * 8 + 64, n = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if ((i == 0 || msg[i - 1] == '\n') && msg[i] == '-' && msg[i + 1] == '-' && ++n > allowed)
            return 1;
    return 0;
}

int tlsrpt_mail_extract(const uint8_t *msg, size_t len, const struct tlsrpt_mail_limits *limits,
                        struct tlsrpt_mail_extract *out, struct tlsrpt_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct tlsrpt_mail_limits defaults;
    if (limits == NULL) {
        tlsrpt_mail_limits_default(&defaults);
        limits = &defaults;
    }
    memset(out, 0, sizeof *out);
    if (len > limits->max_message)
        return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                                "message is %zu bytes, over the cap of %zu (max_message)", len,
                                limits->max_message);
    if (too_many_delimiters(msg, len, limits->max_parts))
        return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                                "more than %zu lines beginning with \"--\" before MIME parsing: "
                                "more MIME parts than %zu (max_parts)",
                                limits->max_parts * 8 + 64, limits->max_parts);
    pthread_once(&once, init_gmime);

    struct walk w = {.lim = limits, .out = out, .err = err};
    int rc = 0;
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)msg, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeParserOptions *opts = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(opts, on_warning, &w);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *m = g_mime_parser_construct_message(parser, opts);
    if (m == NULL)
        goto out; /* nothing GMime recognises as a message: no report in it */
    rc = visit_message(&w, m, "", 0);
    if (rc == 0 && w.nesting_overflow)
        rc = tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                              "MIME nesting deeper than the parser allows (max_depth)");
out:
    if (m != NULL)
        g_object_unref(m);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(opts);
    return rc;
}

void tlsrpt_mail_extract_free(struct tlsrpt_mail_extract *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n_envelopes; i++)
        tlsrpt_mail_envelope_free(&x->envelopes[i]);
    free(x->envelopes);
    for (size_t i = 0; i < x->n_parts; i++) {
        free(x->parts[i].data);
        free(x->parts[i].content_type);
        free(x->parts[i].filename);
        free(x->parts[i].transfer_encoding);
    }
    free(x->parts);
    memset(x, 0, sizeof *x);
}
