/* print.h - the three output formats of tlsrpt-report. Each returns 0, or -1 when writing failed
 * (or, for JSON, when building the document ran out of memory). */
#ifndef TLSRPT_PRINT_H
#define TLSRPT_PRINT_H

#include "analyze.h"

#include <stdbool.h>
#include <stdio.h>

#define TLSRPT_TEXT_WIDTH 100 /* text output fits this many columns */

/* Aligned tables, a verdict line per domain first, then a section per domain. ANSI colour only
 * when color is true (main.c decides: a TTY and no NO_COLOR). */
int tlsrpt_print_text(FILE *f, const struct tlsrpt_analysis *a, bool color);
/* The document of docs/report-json.md, indented, with a final newline. */
int tlsrpt_print_json(FILE *f, const struct tlsrpt_analysis *a);
/* RFC 4180: a header row, then one row per domain and organization (a domain without reports gets
 * one row with an empty organization). CRLF line ends. */
int tlsrpt_print_csv(FILE *f, const struct tlsrpt_analysis *a);

#endif
