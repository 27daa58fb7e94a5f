/* table.c - see table.h. Cells live in one buffer: a 5,000-domain report has a million of them. */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t)
{
    memset(t, 0, sizeof *t);
    tlsrpt_buf_init(&t->text, TABLE_MAX_BYTES);
    vec_init(&t->cells, sizeof(struct table_cell));
    vec_init(&t->notes, sizeof(struct table_note));
}

void table_col(struct table *t, const char *head, bool right)
{
    if (t->ncols >= TABLE_MAX_COLS) {
        t->oom = true; /* a programming error: table_print then fails */
        return;
    }
    t->head[t->ncols] = head;
    t->right[t->ncols] = right;
    t->ncols++;
}

/* Formats into the text buffer; the offset of the result, or SIZE_MAX. */
static size_t add_text(struct table *t, const char *fmt, va_list ap)
{
    char small[256];
    char *big = NULL;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    const char *s = small;
    if (n >= (int)sizeof small) {
        if (vasprintf(&big, fmt, copy) < 0)
            big = NULL;
        s = big;
    }
    va_end(copy);
    size_t off = t->text.len;
    if (n < 0 || s == NULL || tlsrpt_buf_append(&t->text, s, (size_t)n + 1) != 0)
        off = SIZE_MAX;
    free(big);
    return off;
}

void table_cell(struct table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t off = add_text(t, fmt, ap);
    va_end(ap);
    struct table_cell *c = off != SIZE_MAX ? vec_push(&t->cells) : NULL;
    if (c == NULL) {
        t->oom = true;
        return;
    }
    c->off = off;
    c->width = utf8_width((const char *)t->text.data + off);
}

void table_num(struct table *t, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    size_t len = (size_t)(buf + sizeof buf - p); /* with the NUL */
    size_t off = t->text.len;
    struct table_cell *c = tlsrpt_buf_append(&t->text, p, len) == 0 ? vec_push(&t->cells) : NULL;
    if (c == NULL) {
        t->oom = true;
        return;
    }
    c->off = off;
    c->width = len - 1;
}

void table_note(struct table *t, const char *fmt, ...)
{
    va_list ap;
    if (t->ncols == 0 || t->cells.len < t->ncols) {
        t->oom = true;
        return;
    }
    va_start(ap, fmt);
    size_t off = add_text(t, fmt, ap);
    va_end(ap);
    struct table_note *n = off != SIZE_MAX ? vec_push(&t->notes) : NULL;
    if (n == NULL) {
        t->oom = true;
        return;
    }
    n->row = t->cells.len / t->ncols - 1;
    n->off = off;
}

void table_free(struct table *t)
{
    tlsrpt_buf_free(&t->text);
    vec_free(&t->cells);
    vec_free(&t->notes);
}

size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) {
        if (*s == '\033') { /* an SGR colour sequence takes no room */
            while (*s && *s != 'm')
                s++;
            if (!*s)
                break;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    }
    return w;
}

void put_spaces(FILE *f, size_t n)
{
    static const char spaces[] = "                                                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite(spaces, 1, k, f);
        n -= k;
    }
}

/* Writes s (of display width sw) padded or cut to exactly w columns. */
static void put_cell(FILE *f, const char *s, size_t sw, size_t w, bool right)
{
    if (sw > w && strchr(s, '\033') == NULL) {
        /* Cut on a code point boundary and mark the cut. */
        size_t keep = w > 3 ? w - 3 : 0, cols = 0;
        const char *p = s;
        while (*p && cols < keep) {
            p++;
            while (((unsigned char)*p & 0xC0) == 0x80)
                p++;
            cols++;
        }
        fwrite(s, 1, (size_t)(p - s), f);
        if (w > 3)
            fputs("...", f);
        put_spaces(f, w - cols - (w > 3 ? 3 : 0));
        return;
    }
    size_t pad = sw < w ? w - sw : 0; /* coloured cells are never cut */
    if (right)
        put_spaces(f, pad);
    fputs(s, f);
    if (!right)
        put_spaces(f, pad);
}

/* Column widths: the widest cell, then taken from the widest text column until the table fits. */
static void widths(const struct table *t, size_t indent, size_t width, size_t w[TABLE_MAX_COLS])
{
    for (size_t c = 0; c < t->ncols; c++)
        w[c] = utf8_width(t->head[c]);
    for (size_t i = 0; i < t->cells.len; i++) {
        size_t cw = VEC_AT(&t->cells, struct table_cell, i)->width;
        if (cw > w[i % t->ncols])
            w[i % t->ncols] = cw;
    }
    for (;;) {
        size_t total = indent + TABLE_GAP * (t->ncols - 1), widest = 0;
        for (size_t c = 0; c < t->ncols; c++)
            total += w[c];
        for (size_t c = 1; c < t->ncols; c++)
            if (!t->right[c] && (t->right[widest] || w[c] > w[widest]))
                widest = c;
        if (total <= width || t->right[widest] || w[widest] <= TABLE_MIN_SHRINK)
            break;
        size_t over = total - width;
        w[widest] = w[widest] - over < TABLE_MIN_SHRINK ? TABLE_MIN_SHRINK : w[widest] - over;
    }
}

int table_print(struct table *t, FILE *f, size_t indent, size_t width)
{
    size_t w[TABLE_MAX_COLS] = {0};
    size_t note = 0;

    if (t->oom || t->ncols == 0)
        return -1;
    size_t rows = t->cells.len / t->ncols;
    widths(t, indent, width, w);
    for (size_t r = 0; r <= rows; r++) {
        const struct table_cell *row =
            r > 0 ? VEC_AT(&t->cells, struct table_cell, (r - 1) * t->ncols) : NULL;
        /* Empty cells at the end of a row are not printed: no trailing blanks. */
        size_t end = t->ncols;
        while (row != NULL && end > 1 && row[end - 1].width == 0)
            end--;
        put_spaces(f, indent);
        for (size_t c = 0; c < end; c++) {
            const char *s = row ? (const char *)t->text.data + row[c].off : t->head[c];
            size_t sw = row ? row[c].width : utf8_width(s);
            bool last = c + 1 == end;
            if (last && !t->right[c] && sw <= w[c])
                fputs(s, f); /* no trailing blanks */
            else
                put_cell(f, s, sw, w[c], t->right[c]);
            if (!last)
                put_spaces(f, TABLE_GAP);
        }
        fputc('\n', f);
        size_t at = indent + w[0] + TABLE_GAP;
        for (; r > 0 && note < t->notes.len; note++) {
            const struct table_note *n = VEC_AT(&t->notes, struct table_note, note);
            if (n->row != r - 1)
                break;
            const char *s = (const char *)t->text.data + n->off;
            size_t sw = utf8_width(s);
            if (at >= width)
                continue;
            put_spaces(f, at);
            if (sw <= width - at)
                fputs(s, f);
            else
                put_cell(f, s, sw, width - at, false);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}
