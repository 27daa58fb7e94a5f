/* fuzz_decode.c - the decoder (gzip/zip/JSON by magic bytes) with small caps, so bombs hit them
 * fast. */
#include "decode.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlsrpt_decode_limits lim = {
        .max_compressed = 1 << 20, .max_decompressed = 1 << 20, .max_ratio = 1000};
    struct tlsrpt_buf out;
    struct tlsrpt_error err;
    enum tlsrpt_format fmt;
    tlsrpt_buf_init(&out, lim.max_decompressed);
    if (tlsrpt_decode(data, size, &lim, &out, &fmt, &err) == 0 && out.len > lim.max_decompressed)
        __builtin_trap(); /* a cap that did not hold */
    tlsrpt_buf_free(&out);
    return 0;
}
