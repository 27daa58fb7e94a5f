/* raw_bound.c - see raw_bound.h. */
#include "raw_bound.h"

#include <jansson.h>
#include <string.h>
#include <zlib.h>

int bench_gunzip_json(const uint8_t *gz, size_t len, uint8_t *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return -1;
    zs.next_in = (Bytef *)gz;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = inflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return -1;
    json_t *j = json_loadb((const char *)out, n, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL)
        return -1;
    json_decref(j);
    return 0;
}
