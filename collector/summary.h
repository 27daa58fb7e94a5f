/* summary.h - the one closing line of import, maildir and reprocess, as text or JSON, so scripts
 * can rely on the same keys everywhere: imported, duplicates, rejected, skipped, failed (integers).
 */
#ifndef TLSRPT_SUMMARY_H
#define TLSRPT_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

struct tlsrpt_run_counts {
    uint64_t imported, duplicates, rejected, skipped, failed;
    uint64_t inputs;   /* files, messages or stored inputs looked at */
    uint64_t resolved; /* reprocess: rejects that became reports */
    double seconds;
};

/* "imported 12, duplicates 0, rejected 1, skipped 2, failed 0 (15 files in 0.21 s)" or one JSON
 * object
 * {"imported":12,...,"inputs":15,"seconds":0.21}. inputs_word names the inputs ("files",
 * "messages"). */
void tlsrpt_print_summary(FILE *f, int json, const struct tlsrpt_run_counts *c,
                          const char *inputs_word);

#endif
