/* html.h - the only way web/ writes HTML: a capped output buffer plus one escaping function per
 * context. Report text is attacker-controlled (anyone can send a report), so every string that did
 * not come from a literal in our code goes through h_text (element content), h_attr (inside a
 * double-quoted attribute) or h_url_param (a query value inside an href). h_raw is for literals
 * only.
 *
 * Escaping also repairs the text: invalid UTF-8 and control characters (C0 except tab/newline/CR,
 * DEL, C1) become U+FFFD, so a report cannot smuggle bytes a browser would decode differently. */
#ifndef TLSRPT_WEB_HTML_H
#define TLSRPT_WEB_HTML_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Escapers on a plain buffer (what the builder below uses; unit-tested directly).
 * Each returns 0, or TLSRPT_E_TOO_LARGE / TLSRPT_E_NOMEM (the buffer is then left as it was:
 * never half an entity). */
int html_escape_text(struct tlsrpt_buf *b, const char *s, size_t len);
int html_escape_attr(struct tlsrpt_buf *b, const char *s, size_t len);
/* Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved): safe as a query value,
 * and the result needs no further escaping in an attribute. */
int url_encode_component(struct tlsrpt_buf *b, const char *s, size_t len);

/* True when s may become the href of a link: an absolute https:, http: or mailto: URL without
 * whitespace or control characters. Anything else (javascript:, data:, relative, obfuscated) is
 * shown as text only. The caller still writes it with h_attr. */
bool html_url_is_safe_link(const char *s);

/* The page builder: appends never fail individually; the first error sticks and is returned by
 * html_finish, so page code reads straight through. */
struct html {
    struct tlsrpt_buf buf;
    int err; /* 0 or the first TLSRPT_E_* */
};

void html_init(struct html *h, size_t max);
void html_free(struct html *h);
/* 0, or the first error seen while building. */
int html_finish(const struct html *h);

void h_raw(struct html *h, const char *literal); /* markup from our own literals: not escaped */
void h_rawn(struct html *h, const char *s, size_t n);
/* printf for our own numbers and literals; never pass report data to a %s here. */
void h_printf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void h_text(struct html *h, const char *s); /* NULL writes nothing */
void h_textn(struct html *h, const char *s, size_t n);
void h_attr(struct html *h, const char *s);
void h_url_param(struct html *h, const char *s);

/* Numbers for people: 1234567 -> "1,234,567". */
void h_int(struct html *h, int64_t v);
/* A fraction as a percentage: 0.0033 -> "0.33%", 0 -> "0%", tiny non-zero -> "<0.01%", negative
 * (no sessions) -> "–". */
void h_rate(struct html *h, double fraction);
/* Unix seconds as "2026-03-14" (UTC); 0 -> "–". */
void h_date(struct html *h, int64_t t);
/* Unix seconds as "2026-03-14 12:00 UTC"; 0 -> "–". */
void h_datetime(struct html *h, int64_t t);

/* The same number formats into a caller buffer (used by the charts' titles and by tests). */
void fmt_int(char *out, size_t len, int64_t v);
void fmt_rate(char *out, size_t len, double fraction);
void fmt_date(char *out, size_t len, int64_t t);

#endif
