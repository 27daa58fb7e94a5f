/* output.h - printing check results for people (text) and programs (JSON). */
#ifndef TLSRPT_CHECK_OUTPUT_H
#define TLSRPT_CHECK_OUTPUT_H

#include "check.h"

#include <stdio.h>

/* One domain as indented text: the facts seen, then every finding with its fix. */
void tlsrpt_check_print_text(FILE *out, const struct tlsrpt_check_result *r, int verbose);

#endif
