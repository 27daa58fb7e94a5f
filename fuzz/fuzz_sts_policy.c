/* fuzz_sts_policy.c - STS policy lines (split at NUL bytes into elements) and MX pattern matching.
 */
#include "sts_policy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *lines[64];
    size_t n = 0;
    for (size_t i = 0; i <= size && n < 64; i++)
        if (i == 0 || text[i - 1] == '\0')
            lines[n++] = text + i;
    struct tlsrpt_sts_policy p;
    if (tlsrpt_sts_policy_parse_lines(lines, n, &p) == 0) {
        for (size_t i = 0; i < p.n_mx; i++)
            (void)tlsrpt_mx_pattern_match(p.mx[i], n > 1 ? lines[n - 1] : "mx.example.com");
        tlsrpt_sts_policy_free(&p);
    }
    free(text);
    return 0;
}
