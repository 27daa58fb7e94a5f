/* coding.c - one gzip layer, inflated with zlib into a capped buffer. */
#include "coding.h"

#include <string.h>
#include <zlib.h>

#define CHUNK 65536

int tlsrpt_http_gunzip(const uint8_t *in, size_t len, size_t max_out, size_t max_ratio,
                       struct tlsrpt_buf *out, struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_CORRUPT;
    size_t cap = max_out;
    if (max_ratio && len <= SIZE_MAX / max_ratio && len * max_ratio < cap)
        cap = len * max_ratio;
    tlsrpt_buf_init(out, cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "zlib: out of memory");
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
    for (;;) {
        size_t avail = 0;
        uint8_t *dst = tlsrpt_buf_reserve(out, CHUNK, &avail);
        if (!dst || avail == 0) {
            if (out->len >= cap) {
                rc = tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                                      "Content-Encoding gzip: more than %zu bytes once inflated",
                                      cap);
            } else {
                rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
            }
            goto out;
        }
        zs.next_out = dst;
        zs.avail_out = (uInt)(avail > CHUNK ? CHUNK : avail);
        uInt before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        tlsrpt_buf_commit(out, before - zs.avail_out);
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && zs.avail_in == 0) {
            rc = tlsrpt_error_set(err, TLSRPT_E_CORRUPT, "", "Content-Encoding gzip: truncated");
            goto out;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = tlsrpt_error_set(err, TLSRPT_E_CORRUPT, "", "Content-Encoding gzip: %s",
                                  zs.msg ? zs.msg : "corrupt stream");
            goto out;
        }
    }
    rc = 0;
out:
    inflateEnd(&zs);
    if (rc != 0)
        tlsrpt_buf_free(out);
    return rc;
}
