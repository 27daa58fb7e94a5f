/* html.c - context escaping and the page builder (html.h). */
#include "html.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid: overlong forms,
 * surrogates and code points above U+10FFFF count as invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Control characters a browser would render oddly or that HTML forbids. */
static bool is_bad_control(uint32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n' && cp != '\r';
    return cp >= 0x7F && cp <= 0x9F;
}

/* Shared by text and attribute escaping: the same five characters matter in both once attributes
 * are always double-quoted; the backtick is added for attribute values parsed by old engines. */
/* On failure the buffer is put back as it was: never half an entity. */
static int undo(struct tlsrpt_buf *b, size_t len, int rc)
{
    if (rc != 0 && b->data != NULL) {
        b->len = len;
        b->data[len] = '\0';
    }
    return rc;
}

static int escape_html(struct tlsrpt_buf *b, const char *s, size_t len, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, start = b->len;
    int rc = 0;
    while (i < len && rc == 0) {
        uint32_t cp = 0;
        size_t n = utf8_seq(p + i, len - i, &cp);
        const char *rep = NULL;
        if (n == 0 || is_bad_control(cp)) {
            rep = REPLACEMENT;
            n = n == 0 ? 1 : n;
        } else if (cp == '&') {
            rep = "&amp;";
        } else if (cp == '<') {
            rep = "&lt;";
        } else if (cp == '>') {
            rep = "&gt;";
        } else if (cp == '"') {
            rep = "&quot;";
        } else if (cp == '\'') {
            rep = "&#39;";
        } else if (attr && cp == '`') {
            rep = "&#96;";
        }
        if (rep == NULL) {
            i += n;
            run += n;
            continue;
        }
        if (run > 0)
            rc = tlsrpt_buf_append(b, p + i - run, run);
        if (rc == 0)
            rc = tlsrpt_buf_append(b, rep, strlen(rep));
        run = 0;
        i += n;
    }
    if (rc == 0 && run > 0)
        rc = tlsrpt_buf_append(b, p + i - run, run);
    return undo(b, start, rc);
}

int html_escape_text(struct tlsrpt_buf *b, const char *s, size_t len)
{
    return escape_html(b, s, len, false);
}

int html_escape_attr(struct tlsrpt_buf *b, const char *s, size_t len)
{
    return escape_html(b, s, len, true);
}

int url_encode_component(struct tlsrpt_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = b->len;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rc = tlsrpt_buf_append(b, &c, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = tlsrpt_buf_append(b, esc, 3);
        }
    }
    return undo(b, start, rc);
}

bool html_url_is_safe_link(const char *s)
{
    static const char *const schemes[] = {"https://", "http://", "mailto:"};
    if (s == NULL)
        return false;
    bool scheme_ok = false;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
            scheme_ok = true;
    if (!scheme_ok)
        return false;
    /* Whitespace and controls let a URL be read differently by people and parsers. */
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '\\')
            return false;
    return strlen(s) > strlen("mailto:");
}

void html_init(struct html *h, size_t max)
{
    tlsrpt_buf_init(&h->buf, max);
    h->err = 0;
}

void html_free(struct html *h)
{
    tlsrpt_buf_free(&h->buf);
}

int html_finish(const struct html *h)
{
    return h->err;
}

static void keep(struct html *h, int rc)
{
    if (h->err == 0 && rc != 0)
        h->err = rc;
}

void h_rawn(struct html *h, const char *s, size_t n)
{
    if (h->err == 0)
        keep(h, tlsrpt_buf_append(&h->buf, s, n));
}

void h_raw(struct html *h, const char *literal)
{
    h_rawn(h, literal, strlen(literal));
}

void h_printf(struct html *h, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    /* Our formats print numbers and short literals; anything longer is a bug, not truncation. */
    if (n < 0 || (size_t)n >= sizeof small) {
        keep(h, TLSRPT_E_TOO_LARGE);
        return;
    }
    h_rawn(h, small, (size_t)n);
}

void h_textn(struct html *h, const char *s, size_t n)
{
    if (h->err == 0 && s != NULL)
        keep(h, html_escape_text(&h->buf, s, n));
}

void h_text(struct html *h, const char *s)
{
    if (s != NULL)
        h_textn(h, s, strlen(s));
}

void h_attr(struct html *h, const char *s)
{
    if (h->err == 0 && s != NULL)
        keep(h, html_escape_attr(&h->buf, s, strlen(s)));
}

void h_url_param(struct html *h, const char *s)
{
    if (h->err == 0 && s != NULL)
        keep(h, url_encode_component(&h->buf, s, strlen(s)));
}

void fmt_int(char *out, size_t len, int64_t v)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    char tmp[48];
    size_t o = 0;
    if (v < 0)
        tmp[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(out, len, "%s", tmp);
}

void fmt_rate(char *out, size_t len, double f)
{
    if (f < 0)
        snprintf(out, len, "\xE2\x80\x93"); /* en dash: no sessions */
    else if (f == 0)
        snprintf(out, len, "0%%");
    else if (f < 0.0001)
        snprintf(out, len, "<0.01%%");
    else
        snprintf(out, len, "%.2f%%", f * 100.0);
}

void fmt_date(char *out, size_t len, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t == 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0)
        snprintf(out, len, "\xE2\x80\x93");
}

void h_int(struct html *h, int64_t v)
{
    char s[48];
    fmt_int(s, sizeof s, v);
    h_raw(h, s);
}

void h_rate(struct html *h, double fraction)
{
    char s[48];
    fmt_rate(s, sizeof s, fraction);
    h_text(h, s);
}

void h_date(struct html *h, int64_t t)
{
    char s[48];
    fmt_date(s, sizeof s, t);
    h_raw(h, s);
}

void h_datetime(struct html *h, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    char s[48];
    if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(s, sizeof s, "\xE2\x80\x93");
    h_raw(h, s);
}
