/* test_decode.c - tlsrpt_decode() against real zlib/libzip data built here: one table row per input
 * shape (good, hostile, malformed), plus the cut-point, bomb and lying-zip cases that need loops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include <zlib.h>

#define REPORT                                                                                     \
    "{\"organization-name\":\"Example Inc.\",\"report-id\":\"2024-09-03T00:00:00Z_a.example\"}"
#define MIB (1u << 20)

struct input {
    uint8_t *data;
    size_t len;
};

/* ---------- builders: real gzip and zip made with zlib and libzip ---------- */

/* One gzip member; name (FNAME) may be NULL; mtime 0 like Google and Microsoft. */
static void gz_append(struct input *in, const void *data, size_t len, const char *name)
{
    z_stream zs;
    gz_header h;
    memset(&zs, 0, sizeof zs);
    memset(&h, 0, sizeof h);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    h.name = (Bytef *)name;
    h.os = 3;
    assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
    size_t bound = deflateBound(&zs, len) + 64;
    in->data = realloc(in->data, in->len + bound);
    assert_non_null(in->data);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = in->data + in->len;
    zs.avail_out = (uInt)bound;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    in->len += zs.total_out;
    deflateEnd(&zs);
}

static void raw_append(struct input *in, const void *data, size_t len)
{
    in->data = realloc(in->data, in->len + len + 1);
    assert_non_null(in->data);
    memcpy(in->data + in->len, data, len);
    in->len += len;
}

struct zmember {
    const char *name; /* ending in '/' = directory entry */
    const void *data;
    size_t len;
    zip_int32_t method; /* ZIP_CM_DEFLATE or ZIP_CM_STORE */
};

/* A zip archive in memory, written by libzip itself. */
static void zip_build(struct input *in, const struct zmember *m, size_t n)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    assert_non_null(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    assert_non_null(za);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(m[i].name);
        if (m[i].name[nl - 1] == '/') {
            assert_true(zip_dir_add(za, m[i].name, ZIP_FL_ENC_UTF_8) >= 0);
            continue;
        }
        zip_source_t *s = zip_source_buffer(za, m[i].data, m[i].len, 0);
        assert_non_null(s);
        zip_int64_t idx = zip_file_add(za, m[i].name, s, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, m[i].method, 0), 0);
    }
    assert_int_equal(zip_close(za), 0);
    zip_stat_t st;
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_stat(src, &st), 0);
    in->len = st.size;
    in->data = malloc(in->len + 1);
    assert_non_null(in->data);
    assert_int_equal(zip_source_read(src, in->data, in->len), (zip_int64_t)in->len);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
}

static void b_json(struct input *in)
{
    raw_append(in, REPORT, strlen(REPORT));
}
static void b_json_bom(struct input *in)
{
    raw_append(in, "\xef\xbb\xbf" REPORT, 3 + strlen(REPORT));
}
static void b_json_ws(struct input *in)
{
    raw_append(in, " \r\n\t\n" REPORT "\n", 6 + strlen(REPORT));
}
static void b_json_bom_ws(struct input *in)
{
    raw_append(in, "\xef\xbb\xbf\r\n" REPORT, 5 + strlen(REPORT));
}
static void b_gz(struct input *in)
{
    gz_append(in, REPORT, strlen(REPORT), NULL);
}
static void b_gz_fname(struct input *in)
{
    gz_append(in, REPORT, strlen(REPORT), "google.com!a.example!1725321600!1725407999!001.json");
}
static void b_gz_crlf(struct input *in)
{
    b_gz(in);
    raw_append(in, "\r\n", 2);
}
static void b_gz_zeros_tail(struct input *in)
{
    b_gz(in);
    raw_append(in, "\0\0\0\0\0\0\0\0", 8);
}
static void b_gz_1f_tail(struct input *in)
{
    b_gz(in);
    raw_append(in, "\x1f", 1);
}
static void b_gz_two(struct input *in)
{
    gz_append(in, "{\"a\":", 5, NULL);
    gz_append(in, "1}", 2, "part2");
}
static void b_gz_two_crlf(struct input *in)
{
    b_gz_two(in);
    raw_append(in, "\r\n", 2);
}
static void b_gz_bad_second(struct input *in)
{
    b_gz(in);
    raw_append(in, "\x1f\x8b\x08\x00garbage-not-deflate", 23);
}
static void b_gz_bom(struct input *in)
{
    gz_append(in, "\xef\xbb\xbf\n" REPORT, 4 + strlen(REPORT), NULL);
}
static void b_gz_html(struct input *in)
{
    gz_append(in, "<html><body>hi</body></html>", 28, NULL);
}
static void b_gz_empty(struct input *in)
{
    gz_append(in, "", 0, NULL);
}
static void b_gz_gz(struct input *in)
{
    struct input inner = {0};
    b_gz(&inner);
    gz_append(in, inner.data, inner.len, NULL);
    free(inner.data);
}
static void b_gz_bad_crc(struct input *in)
{
    b_gz(in);
    in->data[in->len - 8] ^= 0x01; /* first CRC32 byte of the trailer */
}
static void b_gz_bad_isize(struct input *in)
{
    b_gz(in);
    in->data[in->len - 1] ^= 0x40; /* ISIZE lies: zlib must catch it, not trust it */
}
static void b_gz_bad_method(struct input *in)
{
    b_gz(in);
    in->data[2] = 7; /* CM other than deflate */
}
static void b_gz_bad_block(struct input *in)
{
    b_gz(in);
    in->data[10] |= 0x06; /* first deflate block header: BTYPE 11 is reserved */
}
static void b_gz_header_only(struct input *in)
{
    raw_append(in, "\x1f\x8b", 2);
}

/* 100 kB of 'x' inside a JSON string: compresses ~400:1. */
static void b_gz_padded(struct input *in)
{
    size_t n = 100000;
    char *s = malloc(n + 16);
    assert_non_null(s);
    memcpy(s, "{\"p\":\"", 6);
    memset(s + 6, 'x', n);
    memcpy(s + 6 + n, "\"}", 2);
    gz_append(in, s, n + 8, NULL);
    free(s);
}

static void b_zip_json(struct input *in)
{
    struct zmember m[] = {{"report.json", REPORT, strlen(REPORT), ZIP_CM_DEFLATE}};
    zip_build(in, m, 1);
}
static void b_zip_stored_bom(struct input *in)
{
    struct zmember m[] = {{"report.json", "\xef\xbb\xbf" REPORT, 3 + strlen(REPORT), ZIP_CM_STORE}};
    zip_build(in, m, 1);
}
static void b_zip_dir(struct input *in)
{
    struct zmember m[] = {{"reports/", NULL, 0, 0},
                          {"reports/r.json", REPORT, strlen(REPORT), ZIP_CM_DEFLATE}};
    zip_build(in, m, 2);
}
static void b_zip_gz(struct input *in)
{
    struct input gz = {0};
    b_gz(&gz);
    struct zmember m[] = {{"r.json.gz", gz.data, gz.len, ZIP_CM_STORE}};
    zip_build(in, m, 1);
    free(gz.data);
}
static void b_zip_zip(struct input *in)
{
    struct input inner = {0};
    b_zip_json(&inner);
    struct zmember m[] = {{"r.zip", inner.data, inner.len, ZIP_CM_STORE}};
    zip_build(in, m, 1);
    free(inner.data);
}
static void b_zip_two(struct input *in)
{
    struct zmember m[] = {{"a.json", REPORT, strlen(REPORT), ZIP_CM_DEFLATE},
                          {"b.json", REPORT, strlen(REPORT), ZIP_CM_DEFLATE}};
    zip_build(in, m, 2);
}
static void b_zip_html(struct input *in)
{
    struct zmember m[] = {{"index.html", "<html>", 6, ZIP_CM_DEFLATE}};
    zip_build(in, m, 1);
}
static void b_zip_only_dir(struct input *in)
{
    struct zmember m[] = {{"empty/", NULL, 0, 0}};
    zip_build(in, m, 1);
}
static void b_zip_truncated(struct input *in)
{
    b_zip_json(in);
    in->len -= 30; /* cuts into the end-of-central-directory record */
}

/* 24 MiB of zeros, honestly declared: above the 20 MiB default cap. */
static uint8_t *zeros24;
static void b_zip_bomb(struct input *in)
{
    if (zeros24 == NULL)
        zeros24 = calloc(24, MIB);
    assert_non_null(zeros24);
    struct zmember m[] = {{"bomb.json", zeros24, 24 * MIB, ZIP_CM_DEFLATE}};
    zip_build(in, m, 1);
}

static void b_empty(struct input *in)
{
    raw_append(in, "", 0);
}
static void b_1f(struct input *in)
{
    raw_append(in, "\x1f", 1);
}
static void b_html(struct input *in)
{
    raw_append(in, "<html><head><title>404</title></head></html>", 44);
}
static void b_garbage(struct input *in)
{
    raw_append(in, "\x00\x01\x02\x03\xff\xfe", 6);
}
static void b_ws_only(struct input *in)
{
    raw_append(in, " \r\n\t", 4);
}
static void b_bom_only(struct input *in)
{
    raw_append(in, "\xef\xbb\xbf", 3);
}
static void b_json_array(struct input *in)
{
    raw_append(in, "[" REPORT "]", 2 + strlen(REPORT));
}
static void b_pk_short(struct input *in)
{
    raw_append(in, "PK\3", 3);
}

/* ---------- the table ---------- */

static const struct tlsrpt_decode_limits lim_in16 = {16, 20 * MIB, 1000};
static const struct tlsrpt_decode_limits lim_out_exact = {16 * MIB, sizeof REPORT - 1, 0};
static const struct tlsrpt_decode_limits lim_out_short = {16 * MIB, sizeof REPORT - 2, 0};
static const struct tlsrpt_decode_limits lim_ratio100 = {16 * MIB, 20 * MIB, 100};
static const struct tlsrpt_decode_limits lim_ratio0 = {16 * MIB, 20 * MIB, 0};
static const struct tlsrpt_decode_limits lim_zip64k = {16 * MIB, 64 << 10, 0};

struct dcase {
    const char *name;
    void (*build)(struct input *);
    const struct tlsrpt_decode_limits *lim; /* NULL = defaults */
    int want_rc;
    enum tlsrpt_format want_fmt;
    const char *want_out; /* exact output on success */
    const char *want_msg; /* substring of the error message on failure */
};

static const struct dcase cases[] = {
    {"json", b_json, NULL, TLSRPT_OK, TLSRPT_FMT_JSON, REPORT, NULL},
    {"json_bom", b_json_bom, NULL, TLSRPT_OK, TLSRPT_FMT_JSON, REPORT, NULL},
    {"json_leading_ws", b_json_ws, NULL, TLSRPT_OK, TLSRPT_FMT_JSON, REPORT "\n", NULL},
    {"json_bom_ws", b_json_bom_ws, NULL, TLSRPT_OK, TLSRPT_FMT_JSON, REPORT, NULL},
    {"gzip", b_gz, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_fname", b_gz_fname, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_trailing_crlf", b_gz_crlf, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_trailing_zeros", b_gz_zeros_tail, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_trailing_1f", b_gz_1f_tail, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_two_members", b_gz_two, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, "{\"a\":1}", NULL},
    {"gzip_two_members_crlf", b_gz_two_crlf, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, "{\"a\":1}", NULL},
    {"gzip_bom_payload", b_gz_bom, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"gzip_corrupt_second_member", b_gz_bad_second, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip data corrupt: "},
    {"gzip_bad_crc", b_gz_bad_crc, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip data corrupt: incorrect data check"},
    {"gzip_bad_isize", b_gz_bad_isize, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip data corrupt: incorrect length check"},
    {"gzip_bad_method", b_gz_bad_method, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip data corrupt: unknown compression method"},
    {"gzip_bad_block_type", b_gz_bad_block, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip data corrupt: invalid block type"},
    {"gzip_magic_only", b_gz_header_only, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_GZIP, NULL,
     "gzip stream truncated after 0 bytes of output"},
    {"gzip_html_payload", b_gz_html, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_GZIP, NULL,
     "gzip content is not JSON (first bytes 3c 68 74 6d)"},
    {"gzip_empty_payload", b_gz_empty, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_GZIP, NULL,
     "gzip content is not JSON"},
    {"gzip_in_gzip", b_gz_gz, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_GZIP, NULL,
     "gzip content is not JSON (first bytes 1f 8b"},
    {"input_cap", b_json, &lim_in16, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_JSON, NULL,
     "exceeds max_compressed (16 bytes)"},
    {"input_cap_gzip", b_gz, &lim_in16, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_GZIP, NULL,
     "max_compressed"},
    {"output_cap_exact_gzip", b_gz, &lim_out_exact, TLSRPT_OK, TLSRPT_FMT_GZIP, REPORT, NULL},
    {"output_cap_short_gzip", b_gz, &lim_out_short, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_GZIP, NULL,
     "gzip output exceeds max_decompressed"},
    {"output_cap_exact_json", b_json, &lim_out_exact, TLSRPT_OK, TLSRPT_FMT_JSON, REPORT, NULL},
    {"output_cap_short_json", b_json, &lim_out_short, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_JSON, NULL,
     "JSON text exceeds max_decompressed"},
    {"output_cap_exact_zip", b_zip_json, &lim_out_exact, TLSRPT_OK, TLSRPT_FMT_ZIP, REPORT, NULL},
    {"output_cap_short_zip", b_zip_json, &lim_out_short, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_ZIP, NULL,
     "zip member's declared size exceeds max_decompressed"},
    {"ratio_cap", b_gz_padded, &lim_ratio100, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_GZIP, NULL,
     "gzip output exceeds max_ratio 100 x "},
    {"ratio_default_ok", b_gz_padded, NULL, TLSRPT_OK, TLSRPT_FMT_GZIP, NULL, NULL},
    {"ratio_disabled", b_gz_padded, &lim_ratio0, TLSRPT_OK, TLSRPT_FMT_GZIP, NULL, NULL},
    {"zip_one_json", b_zip_json, NULL, TLSRPT_OK, TLSRPT_FMT_ZIP, REPORT, NULL},
    {"zip_stored_bom", b_zip_stored_bom, NULL, TLSRPT_OK, TLSRPT_FMT_ZIP, REPORT, NULL},
    {"zip_dir_entry_ignored", b_zip_dir, NULL, TLSRPT_OK, TLSRPT_FMT_ZIP, REPORT, NULL},
    {"zip_gzip_member", b_zip_gz, NULL, TLSRPT_OK, TLSRPT_FMT_ZIP, REPORT, NULL},
    {"zip_in_zip", b_zip_zip, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_ZIP, NULL,
     "zip member is not JSON or gzip (first bytes 50 4b 03 04)"},
    {"zip_two_members", b_zip_two, NULL, TLSRPT_E_UNSUPPORTED, TLSRPT_FMT_ZIP, NULL,
     "zip archive has 2 file members; exactly one report expected"},
    {"zip_html_member", b_zip_html, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_ZIP, NULL,
     "zip member is not JSON or gzip (first bytes 3c 68 74 6d)"},
    {"zip_only_directory", b_zip_only_dir, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_ZIP, NULL,
     "zip archive has no file member"},
    {"zip_truncated", b_zip_truncated, NULL, TLSRPT_E_CORRUPT, TLSRPT_FMT_ZIP, NULL,
     "zip archive unreadable: "},
    {"zip_bomb_declared", b_zip_bomb, NULL, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_ZIP, NULL,
     "zip member's declared size exceeds max_decompressed (20971520 bytes)"},
    {"zip_bomb_small_cap", b_zip_bomb, &lim_zip64k, TLSRPT_E_TOO_LARGE, TLSRPT_FMT_ZIP, NULL,
     "declared size exceeds max_decompressed (65536 bytes)"},
    {"empty", b_empty, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL, "empty input"},
    {"one_byte_1f", b_1f, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "not gzip, zip or JSON (first bytes 1f)"},
    {"pk_short", b_pk_short, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "not gzip, zip or JSON (first bytes 50 4b 03)"},
    {"html", b_html, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "not gzip, zip or JSON (first bytes 3c 68 74 6d)"},
    {"garbage", b_garbage, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "not gzip, zip or JSON (first bytes 00 01 02 03)"},
    {"whitespace_only", b_ws_only, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "(first bytes 20 0d 0a 09)"},
    {"bom_only", b_bom_only, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "(first bytes ef bb bf)"},
    {"json_array", b_json_array, NULL, TLSRPT_E_FORMAT, TLSRPT_FMT_UNKNOWN, NULL,
     "(first bytes 5b 7b 22 6f)"},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Runs one row; out starts dirty to prove it is reset on both success and failure. */
static void run_case(void **state)
{
    const struct dcase *c = *state;
    struct input in = {0};
    c->build(&in);

    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 1 * MIB);
    assert_int_equal(tlsrpt_buf_append(&out, "stale", 5), 0);
    struct tlsrpt_error err;
    memset(&err, 0, sizeof err);
    enum tlsrpt_format fmt = (enum tlsrpt_format)99;

    int rc = tlsrpt_decode(in.data, in.len, c->lim, &out, &fmt, &err);
    if (rc != c->want_rc)
        print_error("%s: rc %d (%s), want %d; message: %s\n", c->name, rc,
                    tlsrpt_errcode_name((enum tlsrpt_errcode)rc), c->want_rc, err.message);
    assert_int_equal(rc, c->want_rc);
    assert_int_equal(fmt, c->want_fmt);
    assert_int_equal(fmt, tlsrpt_sniff(in.data, in.len));
    size_t want_max = c->lim ? c->lim->max_decompressed : TLSRPT_DEF_MAX_DECOMPRESSED;
    assert_int_equal(out.max, want_max);
    if (rc == TLSRPT_OK) {
        assert_non_null(out.data);
        assert_int_equal(out.data[0], '{');
        assert_int_equal(out.data[out.len], '\0');
        if (c->want_out) {
            assert_int_equal(out.len, strlen(c->want_out));
            assert_memory_equal(out.data, c->want_out, out.len);
        }
    } else {
        assert_int_equal(err.code, rc);
        assert_int_equal(out.len, 0); /* never a partial report */
        assert_true(err.message[0] != '\0');
        if (strstr(err.message, c->want_msg) == NULL)
            print_error("%s: message \"%s\" lacks \"%s\"\n", c->name, err.message, c->want_msg);
        assert_non_null(strstr(err.message, c->want_msg));
    }
    tlsrpt_buf_free(&out);
    free(in.data);
}

/* ---------- cases that need loops or measurements ---------- */

/* Every prefix of a gzip member is an error, never a partial report. */
static void test_gzip_truncated_everywhere(void **state)
{
    struct input in = {0};
    b_gz(&in);
    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 0);
    struct tlsrpt_error err;
    for (size_t cut = 2; cut < in.len; cut++) {
        int rc = tlsrpt_decode(in.data, cut, NULL, &out, NULL, &err);
        if (rc != TLSRPT_E_CORRUPT)
            print_error("cut %zu of %zu: rc %d %s\n", cut, in.len, rc, err.message);
        assert_int_equal(rc, TLSRPT_E_CORRUPT);
        assert_non_null(strstr(err.message, "gzip stream truncated after "));
        assert_int_equal(out.len, 0);
    }
    /* Cut exactly before the 8-byte trailer: the whole payload came out, then the stream ended. */
    assert_int_equal(tlsrpt_decode(in.data, in.len - 8, NULL, &out, NULL, &err), TLSRPT_E_CORRUPT);
    char want[96];
    snprintf(want, sizeof want, "gzip stream truncated after %zu bytes of output", strlen(REPORT));
    assert_string_equal(err.message, want);
    /* Header only (10 bytes): nothing inflated yet. */
    assert_int_equal(tlsrpt_decode(in.data, 10, NULL, &out, NULL, &err), TLSRPT_E_CORRUPT);
    assert_string_equal(err.message, "gzip stream truncated after 0 bytes of output");
    tlsrpt_buf_free(&out);
    free(in.data);
}

/* ~1 GiB of zeros deflated in 1 MiB chunks (~1 MB of gzip), never held in memory.
 * Z_RLE gives the same 1032:1 as level 9 at three times the speed. */
static void build_gzip_bomb(struct input *in, size_t total)
{
    uint8_t *zeros = calloc(1, MIB);
    assert_non_null(zeros);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_RLE), Z_OK);
    size_t cap = total / 1000 + MIB;
    in->data = malloc(cap);
    assert_non_null(in->data);
    zs.next_out = in->data;
    zs.avail_out = (uInt)cap;
    for (size_t done = 0; done < total; done += MIB) {
        zs.next_in = zeros;
        zs.avail_in = MIB;
        int flush = done + MIB >= total ? Z_FINISH : Z_NO_FLUSH;
        int rc = deflate(&zs, flush);
        assert_true(rc == (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
        assert_int_equal(zs.avail_in, 0);
    }
    in->len = zs.total_out;
    deflateEnd(&zs);
    free(zeros);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_gzip_bomb(void **state)
{
    struct input in = {0};
    build_gzip_bomb(&in, 1024 * (size_t)MIB);
    assert_true(in.len < 2 * MIB); /* it really is a bomb: > 500:1 */

    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 0);
    struct tlsrpt_error err;
    double t0 = now_s();
    int rc = tlsrpt_decode(in.data, in.len, NULL, &out, NULL, &err);
    double dt = now_s() - t0;
    assert_int_equal(rc, TLSRPT_E_TOO_LARGE);
    assert_string_equal(err.message, "gzip output exceeds max_decompressed (20971520 bytes)");
    assert_int_equal(out.len, 0);
    /* The buffer grew to the cap and no further: 20 MiB + NUL, not 1 GiB. */
    assert_true(out.cap <= TLSRPT_DEF_MAX_DECOMPRESSED + 1);
    assert_true(dt < 10.0);

    /* Same bomb with a tight ratio and a huge absolute cap: the ratio stops it at 10 x input. */
    struct tlsrpt_decode_limits l = {16 * MIB, (size_t)4 << 30, 10};
    tlsrpt_buf_free(&out);
    rc = tlsrpt_decode(in.data, in.len, &l, &out, NULL, &err);
    assert_int_equal(rc, TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "gzip output exceeds max_ratio 10 x "));
    assert_true(out.cap <= in.len * 10 + 1);
    tlsrpt_buf_free(&out);
    free(in.data);
}

/* A zip whose headers claim 100 bytes for a 24 MiB member: the declared size passes the early
 * check, so only enforcement while reading can stop it. */
static void patch_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void test_zip_lying_size(void **state)
{
    struct input in = {0};
    b_zip_bomb(&in);
    size_t patched = 0;
    for (size_t i = 0; i + 46 <= in.len; i++) {
        if (memcmp(in.data + i, "PK\3\4", 4) == 0 && i == 0) {
            patch_u32(in.data + i + 22, 100); /* local header: uncompressed size */
            patched++;
        } else if (memcmp(in.data + i, "PK\1\2", 4) == 0) {
            patch_u32(in.data + i + 24, 100); /* central directory: uncompressed size */
            patched++;
        }
    }
    assert_int_equal(patched, 2);

    /* libzip does not stop at the declared 100 bytes; our own cap does. */
    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 0);
    struct tlsrpt_error err;
    int rc = tlsrpt_decode(in.data, in.len, NULL, &out, NULL, &err);
    assert_int_equal(rc, TLSRPT_E_TOO_LARGE);
    assert_string_equal(err.message, "zip member exceeds max_decompressed (20971520 bytes)");
    assert_int_equal(out.len, 0);

    rc = tlsrpt_decode(in.data, in.len, &lim_zip64k, &out, NULL, &err);
    assert_int_equal(rc, TLSRPT_E_TOO_LARGE);
    assert_string_equal(err.message, "zip member exceeds max_decompressed (65536 bytes)");
    assert_int_equal(out.len, 0);
    tlsrpt_buf_free(&out);
    free(in.data);
}

static void test_sniff_and_names(void **state)
{
    assert_int_equal(tlsrpt_sniff(NULL, 0), TLSRPT_FMT_UNKNOWN);
    assert_int_equal(tlsrpt_sniff((const uint8_t *)"\x1f\x8b", 2), TLSRPT_FMT_GZIP);
    assert_int_equal(tlsrpt_sniff((const uint8_t *)"PK\3\4", 4), TLSRPT_FMT_ZIP);
    assert_int_equal(tlsrpt_sniff((const uint8_t *)"PK\5\6", 4), TLSRPT_FMT_UNKNOWN);
    assert_int_equal(tlsrpt_sniff((const uint8_t *)"\n{", 2), TLSRPT_FMT_JSON);
    assert_string_equal(tlsrpt_format_name(TLSRPT_FMT_JSON), "json");
    assert_string_equal(tlsrpt_format_name(TLSRPT_FMT_GZIP), "gzip");
    assert_string_equal(tlsrpt_format_name(TLSRPT_FMT_ZIP), "zip");
    assert_string_equal(tlsrpt_format_name(TLSRPT_FMT_UNKNOWN), "unknown");
}

/* Google-shaped header bytes from our builder, so the "gzip" rows test what Google sends. */
static void test_gzip_header_like_google(void **state)
{
    struct input in = {0};
    b_gz(&in);
    assert_memory_equal(in.data, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
    free(in.data);
}

static int free_zeros(void **state)
{
    free(zeros24);
    zeros24 = NULL;
    return 0;
}

int main(void)
{
    struct CMUnitTest tests[NCASES + 5];
    for (size_t i = 0; i < NCASES; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
    tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_gzip_truncated_everywhere);
    tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_gzip_bomb);
    tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_zip_lying_size);
    tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_sniff_and_names);
    tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_gzip_header_like_google);
    return cmocka_run_group_tests_name("decode", tests, NULL, free_zeros);
}
