#include "summary.h"

#include <jansson.h>
#include <stdlib.h>

void tlsrpt_print_summary(FILE *f, int json, const struct tlsrpt_run_counts *c,
                          const char *inputs_word)
{
    if (json) {
        json_t *o = json_pack("{sIsIsIsIsIsIsIsf}", "imported", (json_int_t)c->imported,
                              "duplicates", (json_int_t)c->duplicates, "rejected",
                              (json_int_t)c->rejected, "skipped", (json_int_t)c->skipped, "failed",
                              (json_int_t)c->failed, "inputs", (json_int_t)c->inputs, "resolved",
                              (json_int_t)c->resolved, "seconds", c->seconds);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
        if (s)
            fprintf(f, "%s\n", s);
        free(s);
        json_decref(o);
        return;
    }
    fprintf(f, "imported %llu, duplicates %llu, rejected %llu, skipped %llu, failed %llu",
            (unsigned long long)c->imported, (unsigned long long)c->duplicates,
            (unsigned long long)c->rejected, (unsigned long long)c->skipped,
            (unsigned long long)c->failed);
    if (c->resolved)
        fprintf(f, ", resolved %llu", (unsigned long long)c->resolved);
    fprintf(f, " (%llu %s in %.2f s)\n", (unsigned long long)c->inputs, inputs_word, c->seconds);
}
