/* table.h - aligned text tables for print_text.c: numbers right-aligned, long cells cut with "...",
 * the whole table kept within TLSRPT_TEXT_WIDTH columns. */
#ifndef TLSRPT_TABLE_H
#define TLSRPT_TABLE_H

#include "buf.h"
#include "vec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TABLE_MAX_COLS 8
#define TABLE_MIN_SHRINK 10 /* a column is never cut below this width to make it fit */
#define TABLE_GAP 2         /* spaces between columns */
#define TABLE_MAX_BYTES (64 * 1024 * 1024) /* text of one table */

struct table {
    size_t ncols;
    const char *head[TABLE_MAX_COLS];
    bool right[TABLE_MAX_COLS];
    struct tlsrpt_buf text; /* every cell and note, each NUL-terminated */
    struct vec cells;       /* struct table_cell, row-major */
    struct vec notes;       /* struct table_note */
    bool oom;
};

struct table_cell {
    size_t off, width; /* into text; display width */
};

struct table_note {
    size_t row; /* printed under this row (0-based) */
    size_t off;
};

void table_init(struct table *t);
/* Declares the next column. */
void table_col(struct table *t, const char *head, bool right);
/* Appends one cell (rows fill left to right). */
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a number cell (no printf: big reports have hundreds of thousands of them). */
void table_num(struct table *t, int64_t v);
/* A line printed under the last complete row, starting below the second column and cut to the
 * table width: for free text such as failure reason codes. */
void table_note(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints header and rows, each line starting with `indent` spaces, within `width` columns.
 * Returns 0, or -1 when a cell could not be stored or writing failed. */
int table_print(struct table *t, FILE *f, size_t indent, size_t width);
void table_free(struct table *t);

/* Display width of UTF-8 text (one column per code point; SGR colour sequences take none). */
size_t utf8_width(const char *s);
/* Writes n spaces. */
void put_spaces(FILE *f, size_t n);

#endif
