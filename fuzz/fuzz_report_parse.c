/* fuzz_report_parse.c - the JSON report parser, then the normalised JSON of what it accepted. */
#include "report_json.h"
#include "report_parse.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    struct tlsrpt_parse_hints hints = {.report_domain = "hint.example"};
    if (tlsrpt_report_parse((const char *)data, size, NULL, size % 2 ? &hints : NULL, &r, &err) ==
        0) {
        if (r == NULL || r->report_id == NULL)
            __builtin_trap(); /* success must mean a complete report */
        json_t *j = tlsrpt_report_to_json(r);
        json_decref(j);
        tlsrpt_report_free(r);
    } else if (r != NULL) {
        __builtin_trap(); /* never a partial report on error */
    }
    return 0;
}
