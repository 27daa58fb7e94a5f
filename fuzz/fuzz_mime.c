/* fuzz_mime.c - the MIME extractor (GMime) over one message, with its caps small so that part,
 * depth and header bombs hit them fast. Checks that the caps held and that every part is sane. */
#include "mime_extract.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlsrpt_mail_limits lim = {.max_message = 1 << 20,
                                     .max_parts = 32,
                                     .max_depth = 4,
                                     .max_header = 4096,
                                     .max_headers = 64,
                                     .max_reports = 4};
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error err;
    if (tlsrpt_mail_extract(data, size, &lim, &x, &err) == 0) {
        if (x.n_parts > lim.max_reports)
            __builtin_trap(); /* a cap that did not hold */
        for (size_t i = 0; i < x.n_parts; i++) {
            const struct tlsrpt_mail_part *p = &x.parts[i];
            if (p->envelope >= x.n_envelopes /* a part's envelope must exist */ ||
                p->content_type == NULL || memchr(p->section, '\0', sizeof p->section) == NULL ||
                (p->len > 0 && p->data == NULL))
                __builtin_trap();
        }
    }
    tlsrpt_mail_extract_free(&x);
    return 0;
}
