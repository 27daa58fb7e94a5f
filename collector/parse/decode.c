/* decode.c - report bytes (gzip, zip or plain JSON) to JSON text, under the caps of limits.h.
 * Output is written straight into the caller's capped buffer, so no cap is ever exceeded by an
 * allocation; a declared size (gzip ISIZE, zip header) is only used to refuse early, never trusted.
 */
#include "decode.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#define ZLIB_CONST /* next_in is const: the input is never written */
#include <zlib.h>

#define CHUNK (64u << 10)   /* output grown per inflate/zip_fread call */
#define IN_CHUNK (1u << 30) /* zlib counts input in uInt; feed huge inputs in slices */
#define CAP_HIT 100         /* not a zlib return code: output would pass the cap */

/* The output ceiling for one decode: the smaller of max_decompressed and len * max_ratio. */
struct cap {
    size_t max;
    bool by_ratio;
    size_t ratio;
    size_t in_len;
    size_t max_decompressed;
};

static void cap_init(struct cap *c, const struct tlsrpt_decode_limits *l, size_t in_len)
{
    c->max = l->max_decompressed;
    c->by_ratio = false;
    c->ratio = l->max_ratio;
    c->in_len = in_len;
    c->max_decompressed = l->max_decompressed;
    if (l->max_ratio != 0 && in_len <= SIZE_MAX / l->max_ratio && in_len * l->max_ratio < c->max) {
        c->max = in_len * l->max_ratio;
        c->by_ratio = true;
    }
}

static int cap_error(const struct cap *c, const char *what, struct tlsrpt_error *err)
{
    if (c->by_ratio)
        return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                                "%s exceeds max_ratio %zu x %zu input bytes = %zu bytes", what,
                                c->ratio, c->in_len, c->max);
    return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "", "%s exceeds max_decompressed (%zu bytes)",
                            what, c->max_decompressed);
}

/* "3c 68 74 6d": the first bytes, for error messages about unknown content. */
static void hex_prefix(const uint8_t *data, size_t len, char *out, size_t outlen)
{
    if (len == 0) {
        snprintf(out, outlen, "none: empty");
        return;
    }
    size_t used = 0;
    for (size_t i = 0; i < len && i < 4 && used < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, i ? " %02x" : "%02x", data[i]);
}

/* Offset of the '{' that starts a JSON text (after optional BOM and whitespace), or len. */
static size_t json_start(const uint8_t *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    return i < len && data[i] == '{' ? i : len;
}

enum tlsrpt_format tlsrpt_sniff(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0)
        return TLSRPT_FMT_UNKNOWN;
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return TLSRPT_FMT_GZIP;
    if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
        return TLSRPT_FMT_ZIP;
    if (json_start(data, len) < len)
        return TLSRPT_FMT_JSON;
    return TLSRPT_FMT_UNKNOWN;
}

const char *tlsrpt_format_name(enum tlsrpt_format f)
{
    switch (f) {
    case TLSRPT_FMT_JSON:
        return "json";
    case TLSRPT_FMT_GZIP:
        return "gzip";
    case TLSRPT_FMT_ZIP:
        return "zip";
    case TLSRPT_FMT_UNKNOWN:
        break;
    }
    return "unknown";
}

/* Drops the BOM/whitespace before '{' in place; a decompressed payload must be JSON too. */
static int require_json(struct tlsrpt_buf *out, const char *what, struct tlsrpt_error *err)
{
    size_t start = out->len ? json_start(out->data, out->len) : 0;
    if (out->len == 0 || start == out->len) {
        char hex[16];
        hex_prefix(out->data, out->len, hex, sizeof hex);
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s is not JSON (first bytes %s)", what,
                                hex);
    }
    if (start > 0) {
        memmove(out->data, out->data + start, out->len - start);
        out->len -= start;
        out->data[out->len] = '\0';
    }
    return TLSRPT_OK;
}

static int copy_json(const uint8_t *data, size_t len, const struct cap *c, struct tlsrpt_buf *out,
                     struct tlsrpt_error *err)
{
    size_t start = json_start(data, len);
    if (len - start > c->max)
        return cap_error(c, "JSON text", err);
    if (tlsrpt_buf_append(out, data + start, len - start) != 0)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory copying JSON text");
    return TLSRPT_OK;
}

/* One inflate step into out; returns a zlib code, or CAP_HIT. Once out is full at its cap,
 * inflating into the one-byte scratch tells whether another output byte exists. */
static int inflate_step(z_stream *zs, struct tlsrpt_buf *out, uint8_t *scratch)
{
    size_t avail = 0;
    uint8_t *dst = tlsrpt_buf_reserve(out, CHUNK, &avail);
    if (dst == NULL && out->len < out->max)
        return Z_MEM_ERROR;
    if (dst == NULL) {
        zs->next_out = scratch;
        zs->avail_out = 1;
        int rc = inflate(zs, Z_NO_FLUSH);
        return zs->avail_out == 0 ? CAP_HIT : rc;
    }
    if (avail > CHUNK)
        avail = CHUNK; /* reserve may offer more; zlib's avail_out is only a uInt */
    zs->next_out = dst;
    zs->avail_out = (uInt)avail;
    int rc = inflate(zs, Z_NO_FLUSH);
    tlsrpt_buf_commit(out, avail - zs->avail_out);
    return rc;
}

/* zlib's inflate state and 32 KiB window come from this arena on gunzip()'s stack: a malloc and
 * free of them per report cost 6% of an import worker's time. A request that does not fit (none
 * does with zlib's sizes, but they are zlib's to choose) goes to malloc. */
#define ZARENA_SIZE (48u << 10)
struct zarena {
    size_t used;
    _Alignas(16) unsigned char mem[ZARENA_SIZE];
};

static voidpf zarena_alloc(voidpf opaque, uInt items, uInt size)
{
    struct zarena *a = opaque;
    size_t n = (size_t)items * size;
    size_t aligned = (n + 15u) & ~(size_t)15u;
    if (aligned >= n && aligned <= ZARENA_SIZE - a->used) {
        void *p = a->mem + a->used;
        a->used += aligned;
        return p;
    }
    return malloc(n);
}

static void zarena_free(voidpf opaque, voidpf p)
{
    struct zarena *a = opaque;
    uintptr_t at = (uintptr_t)p, base = (uintptr_t)a->mem;
    if (at < base || at - base >= ZARENA_SIZE)
        free(p);
}

/* Inflates concatenated gzip members; bytes after a member that do not start with 1f 8b are
 * ignored (Mimecast's CRLF), bytes that do are a further member and must decode. */
static int gunzip(const uint8_t *data, size_t len, const struct cap *c, struct tlsrpt_buf *out,
                  struct tlsrpt_error *err)
{
    struct zarena arena;
    arena.used = 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = zarena_alloc;
    zs.zfree = zarena_free;
    zs.opaque = &arena;
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "inflateInit2 failed");

    int result = TLSRPT_E_CORRUPT;
    size_t pos = 0;
    unsigned member = 1;
    uint8_t scratch;
    for (;;) {
        if (zs.avail_in == 0 && pos < len) {
            size_t n = len - pos < IN_CHUNK ? len - pos : IN_CHUNK;
            zs.next_in = data + pos;
            zs.avail_in = (uInt)n;
            pos += n;
        }
        int rc = inflate_step(&zs, out, &scratch);
        if (rc == CAP_HIT) {
            result = cap_error(c, "gzip output", err);
            goto out;
        }
        if (rc == Z_STREAM_END) {
            size_t rest = zs.avail_in + (len - pos);
            const uint8_t *next = data + (len - rest);
            if (rest < 2 || next[0] != 0x1f || next[1] != 0x8b)
                break; /* trailing non-gzip bytes: ignored */
            if (inflateReset(&zs) != Z_OK) {
                result = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "inflateReset failed");
                goto out;
            }
            member++;
            continue;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && pos == len) {
            result = tlsrpt_error_set(err, TLSRPT_E_CORRUPT, "",
                                      "gzip stream truncated after %zu bytes of output%s", out->len,
                                      member > 1 ? " (in a later member)" : "");
            goto out;
        }
        if (rc == Z_BUF_ERROR)
            continue; /* no progress possible this round only; more input or room follows */
        if (rc == Z_MEM_ERROR) {
            result = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory inflating gzip");
            goto out;
        }
        result = tlsrpt_error_set(err, TLSRPT_E_CORRUPT, "", "gzip data corrupt: %s",
                                  zs.msg              ? zs.msg
                                  : rc == Z_NEED_DICT ? "needs a preset dictionary"
                                                      : "unknown zlib error");
        goto out;
    }
    result = require_json(out, "gzip content", err);
out:
    inflateEnd(&zs);
    return result;
}

static int zip_err(zip_error_t *ze, const char *what, struct tlsrpt_error *err)
{
    int code = zip_error_code_zip(ze);
    enum tlsrpt_errcode ec = TLSRPT_E_CORRUPT;
    if (code == ZIP_ER_MEMORY)
        ec = TLSRPT_E_NOMEM;
    else if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_COMPNOTSUPP ||
             code == ZIP_ER_WRONGPASSWD)
        ec = TLSRPT_E_UNSUPPORTED;
    /* ZIP_ER_NOZIP stays CORRUPT: the magic bytes already said zip (e.g. a truncated archive) */
    return tlsrpt_error_set(err, ec, "", "%s: %s", what, zip_error_strerror(ze));
}

/* The single non-directory member; zero or several are refused. */
static int zip_pick(zip_t *za, zip_uint64_t *idx, zip_stat_t *st, struct tlsrpt_error *err)
{
    zip_int64_t n = zip_get_num_entries(za, 0);
    zip_uint64_t files = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t s;
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &s) != 0)
            return zip_err(zip_get_error(za), "zip member unreadable", err);
        if ((s.valid & ZIP_STAT_NAME) && s.name[0] && s.name[strlen(s.name) - 1] == '/')
            continue;
        if (files++ == 0) {
            *idx = (zip_uint64_t)i;
            *st = s;
        }
    }
    if (files == 0)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "zip archive has no file member");
    if (files > 1)
        return tlsrpt_error_set(err, TLSRPT_E_UNSUPPORTED, "",
                                "zip archive has %llu file members; exactly one report expected",
                                (unsigned long long)files);
    return TLSRPT_OK;
}

/* zip_fread into m until EOF; more bytes than m->max is the cap error (declared size not trusted).
 */
static int zip_read_all(zip_file_t *zf, const struct cap *c, struct tlsrpt_buf *m,
                        struct tlsrpt_error *err)
{
    for (;;) {
        size_t avail = 0;
        uint8_t probe;
        uint8_t *dst = tlsrpt_buf_reserve(m, CHUNK, &avail);
        if (dst == NULL && m->len < m->max)
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory reading zip member");
        if (dst == NULL) {
            dst = &probe;
            avail = 1;
        }
        zip_int64_t r = zip_fread(zf, dst, avail);
        if (r < 0)
            return zip_err(zip_file_get_error(zf), "zip member corrupt", err);
        if (r == 0)
            return TLSRPT_OK;
        if (dst == &probe)
            return cap_error(c, "zip member", err);
        tlsrpt_buf_commit(m, (size_t)r);
    }
}

static int unzip(const uint8_t *data, size_t len, const struct cap *c, struct tlsrpt_buf *out,
                 struct tlsrpt_error *err)
{
    int result = TLSRPT_E_CORRUPT;
    zip_error_t ze;
    zip_t *za = NULL;
    zip_file_t *zf = NULL;
    uint8_t *member = NULL; /* a gzip member's compressed bytes, moved out of `out` */
    zip_error_init(&ze);

    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (src == NULL) {
        result = zip_err(&ze, "zip source", err);
        goto out;
    }
    za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (za == NULL) {
        zip_source_free(src); /* not taken over by a failed open */
        result = zip_err(&ze, "zip archive unreadable", err);
        goto out;
    }
    zip_uint64_t idx = 0;
    zip_stat_t st;
    zip_stat_init(&st);
    result = zip_pick(za, &idx, &st, err);
    if (result != TLSRPT_OK)
        goto out;
    if ((st.valid & ZIP_STAT_SIZE) && st.size > c->max) {
        result = cap_error(c, "zip member's declared size", err);
        goto out;
    }
    zf = zip_fopen_index(za, idx, 0);
    if (zf == NULL) {
        result = zip_err(zip_get_error(za), "zip member cannot be opened", err);
        goto out;
    }
    /* Read straight into out: a JSON member then needs no second buffer. */
    result = zip_read_all(zf, c, out, err);
    if (result != TLSRPT_OK)
        goto out;
    /* The member may itself be gzip (one level only) or JSON, nothing else. */
    switch (tlsrpt_sniff(out->data, out->len)) {
    case TLSRPT_FMT_JSON:
        result = require_json(out, "zip member", err);
        break;
    case TLSRPT_FMT_GZIP: {
        size_t mlen = 0;
        size_t max = out->max;
        member = tlsrpt_buf_steal(out, &mlen);
        tlsrpt_buf_init(out, max);
        result = gunzip(member, mlen, c, out, err);
        break;
    }
    default: {
        char hex[16];
        hex_prefix(out->data, out->len, hex, sizeof hex);
        result = tlsrpt_error_set(err, TLSRPT_E_FORMAT, "",
                                  "zip member is not JSON or gzip (first bytes %s)", hex);
        break;
    }
    }
out:
    if (zf)
        zip_fclose(zf);
    if (za)
        zip_discard(za);
    zip_error_fini(&ze);
    free(member);
    return result;
}

int tlsrpt_decode(const uint8_t *data, size_t len, const struct tlsrpt_decode_limits *limits,
                  struct tlsrpt_buf *out, enum tlsrpt_format *format, struct tlsrpt_error *err)
{
    struct tlsrpt_decode_limits defaults;
    if (limits == NULL) {
        tlsrpt_decode_limits_default(&defaults);
        limits = &defaults;
    }
    tlsrpt_buf_reset(out);
    out->max = limits->max_decompressed;

    enum tlsrpt_format f = tlsrpt_sniff(data, len);
    if (format)
        *format = f;
    if (len > limits->max_compressed)
        return tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "",
                                "input of %zu bytes exceeds max_compressed (%zu bytes)", len,
                                limits->max_compressed);

    struct cap c;
    cap_init(&c, limits, len);
    out->max = c.max; /* enforced by the buffer itself while inflating */

    int rc;
    switch (f) {
    case TLSRPT_FMT_JSON:
        rc = copy_json(data, len, &c, out, err);
        break;
    case TLSRPT_FMT_GZIP:
        rc = gunzip(data, len, &c, out, err);
        break;
    case TLSRPT_FMT_ZIP:
        rc = unzip(data, len, &c, out, err);
        break;
    default: {
        char hex[16];
        hex_prefix(data, len, hex, sizeof hex);
        rc = len == 0 ? tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "empty input")
                      : tlsrpt_error_set(err, TLSRPT_E_FORMAT, "",
                                         "not gzip, zip or JSON (first bytes %s)", hex);
        break;
    }
    }
    out->max = limits->max_decompressed;
    if (rc != TLSRPT_OK)
        tlsrpt_buf_reset(out); /* never a partial report */
    return rc;
}
