/* http_bodies - writes N distinct gzipped TLS-RPT reports of about 1 KB each into one file, each as
 * a 4-byte big-endian length and the gzip bytes, for bench/http_post.lua to post (distinct
 * report-ids, so every 2xx is a new row). The failure details vary per report so that gzip cannot
 * shrink them much.
 *
 *   http_bodies N OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_JSON 16384

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* One report; returns its length. */
static int make_json(char *out, size_t cap, unsigned long i)
{
    int n = snprintf(out, cap,
                     "{\"organization-name\":\"Bench Sender\",\"date-range\":{\"start-datetime\":"
                     "\"2024-04-01T00:00:00Z\",\"end-datetime\":\"2024-04-01T23:59:59Z\"},"
                     "\"contact-info\":\"tlsrpt@bench.example\",\"report-id\":\"bench-%lu-%08x\","
                     "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":"
                     "[\"version: STSv1\",\"mode: testing\",\"mx: mx%u.example.com\",\"max_age: "
                     "86400\"],\"policy-domain\":\"d%lu.example.com\",\"mx-host\":"
                     "[\"mx%u.example.com\"]},\"summary\":{\"total-successful-session-count\":%u,"
                     "\"total-failure-session-count\":%u},\"failure-details\":[",
                     i, next_rand(), next_rand() % 10, i % 1000, next_rand() % 10,
                     next_rand() % 100000, 5 + next_rand() % 50);
    for (int d = 0; d < 16 && n > 0 && (size_t)n < cap; d++)
        n += snprintf(out + n, cap - (size_t)n,
                      "%s{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
                      "\"%u.%u.%u.%u\",\"receiving-mx-hostname\":\"mx%x.example.com\","
                      "\"receiving-ip\":\"%u.%u.%u.%u\",\"failed-session-count\":%u,"
                      "\"failure-reason-code\":\"r%08x\"}",
                      d ? "," : "", next_rand() % 256, next_rand() % 256, next_rand() % 256,
                      next_rand() % 256, next_rand(), next_rand() % 256, next_rand() % 256,
                      next_rand() % 256, next_rand() % 256, 1 + next_rand() % 9, next_rand());
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "]}]}");
    return n > 0 && (size_t)n < cap ? n : -1;
}

static int gzip_mem(const char *in, size_t len, unsigned char *out, size_t cap, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : -1;
}

int main(int argc, char **argv)
{
    int status = 1;
    FILE *f = NULL;
    static char json[MAX_JSON];
    static unsigned char gz[MAX_JSON + 1024];
    if (argc != 3) {
        fprintf(stderr, "usage: http_bodies N OUT\n");
        return 2;
    }
    unsigned long n = strtoul(argv[1], NULL, 10);
    f = fopen(argv[2], "wb");
    if (!f) {
        perror(argv[2]);
        goto out;
    }
    size_t total = 0;
    for (unsigned long i = 0; i < n; i++) {
        size_t glen;
        int jlen = make_json(json, sizeof json, i);
        if (jlen < 0 || gzip_mem(json, (size_t)jlen, gz, sizeof gz, &glen) != 0) {
            fprintf(stderr, "report %lu: cannot build\n", i);
            goto out;
        }
        unsigned char len4[4] = {(unsigned char)(glen >> 24), (unsigned char)(glen >> 16),
                                 (unsigned char)(glen >> 8), (unsigned char)glen};
        if (fwrite(len4, 1, 4, f) != 4 || fwrite(gz, 1, glen, f) != glen) {
            perror(argv[2]);
            goto out;
        }
        total += glen;
    }
    printf("%lu bodies, %.0f bytes gzipped on average\n", n, n ? (double)total / (double)n : 0.0);
    status = 0;
out:
    if (f && fclose(f) != 0)
        status = 1;
    return status;
}
