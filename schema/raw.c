/* raw.c - raw inputs (kept as received, deflated unless already compressed), receipts, and the walk
 * over every raw input that `reprocess` uses. */
#include "decode.h"
#include "hash.h"
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Raw ids read per page of tlsrpt_store_each_raw: statements are reset between pages so the
 * callback can write; the blobs themselves are read one at a time to keep memory at one input. */
#define RAW_PAGE_SIZE 256

/* deflate never does better than about 1032:1, so a stored size above this bound is corruption and
 * must not become a huge allocation. */
#define DEFLATE_MAX_RATIO 1100u

/* Deflates into the handle's scratch buffer; *out points into it. */
static int deflate_raw(struct tlsrpt_db *db, const uint8_t *raw, size_t len, const uint8_t **out,
                       size_t *out_len, struct tlsrpt_error *err)
{
    struct tlsrpt_store_stmts *s = db->stmts;
    uLongf bound = compressBound((uLong)len);
    if (s->zcap < bound) {
        uint8_t *nb = realloc(s->zbuf, bound);
        if (nb == NULL)
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory deflating %zu bytes",
                                    len);
        s->zbuf = nb;
        s->zcap = bound;
    }
    uLongf dlen = (uLongf)s->zcap;
    int zrc = compress2(s->zbuf, &dlen, raw, (uLong)len, Z_DEFAULT_COMPRESSION);
    if (zrc != Z_OK)
        return tlsrpt_error_set(err, zrc == Z_MEM_ERROR ? TLSRPT_E_NOMEM : TLSRPT_E_DB, NULL,
                                "compress2 failed (%d)", zrc);
    *out = s->zbuf;
    *out_len = dlen;
    return 0;
}

int tlsrpt_store_put_raw(struct tlsrpt_db *db, const uint8_t *raw, size_t len, const char *sha256,
                         int64_t now, int64_t *raw_id, int *fresh, struct tlsrpt_error *err)
{
    char own[65];
    const char *sha = sha256;
    const uint8_t *data = raw;
    size_t data_len = len;
    const char *encoding = "identity";
    sqlite3_stmt *st = NULL;
    static const uint8_t empty[1];

    if (raw == NULL) /* an empty body; keep the library calls below away from NULL */
        raw = data = empty;
    if (sha == NULL) {
        if (tlsrpt_sha256_hex(raw, len, own) != 0)
            return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "sha256 of a %zu-byte input failed",
                                    len);
        sha = own;
    }
    st = tlsrpt_stmt(db, ST_RAW_INSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    /* gzip and zip are compressed already; deflating them again would only cost time. */
    enum tlsrpt_format format = tlsrpt_sniff(raw, len);
    if (format != TLSRPT_FMT_GZIP && format != TLSRPT_FMT_ZIP) {
        int rc = deflate_raw(db, raw, len, &data, &data_len, err);
        if (rc != 0)
            return rc;
        encoding = "deflate";
    }
    if ((sqlite3_bind_text(st, 1, sha, 64, SQLITE_STATIC) |
         sqlite3_bind_int64(st, 2, (sqlite3_int64)len) | tlsrpt_bind_text(st, 3, encoding) |
         sqlite3_bind_blob64(st, 4, data, data_len, SQLITE_STATIC) |
         tlsrpt_bind_text(st, 5, tlsrpt_format_name(format)) | sqlite3_bind_int64(st, 6, now)) !=
        SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert raw input");
    if (tlsrpt_stmt_done(db, st, "insert raw input", err) != 0)
        return TLSRPT_E_DB;
    if (sqlite3_changes(db->h) == 1) {
        *raw_id = sqlite3_last_insert_rowid(db->h);
        *fresh = 1;
        return 0;
    }
    *fresh = 0;
    st = tlsrpt_stmt(db, ST_RAW_BY_SHA, err);
    if (st == NULL || sqlite3_bind_text(st, 1, sha, 64, SQLITE_STATIC) != SQLITE_OK ||
        tlsrpt_stmt_int64(db, st, "find raw input", raw_id, err) != 0)
        return TLSRPT_E_DB;
    if (*raw_id <= 0)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "raw input %s vanished (database %s)", sha,
                                db->path);
    return 0;
}

int tlsrpt_store_put_receipt(struct tlsrpt_db *db, int64_t raw_id,
                             const struct tlsrpt_source_info *src, int64_t received_at,
                             enum tlsrpt_store_outcome outcome, int64_t *receipt_id,
                             struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_RECEIPT_INSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, raw_id) | tlsrpt_bind_text(st, 2, src->kind) |
         tlsrpt_bind_text(st, 3, src->reference) | tlsrpt_bind_text(st, 4, src->meta_json) |
         sqlite3_bind_int64(st, 5, received_at) |
         tlsrpt_bind_text(st, 6, tlsrpt_store_outcome_name(outcome))) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert receipt");
    if (tlsrpt_stmt_done(db, st, "insert receipt", err) != 0)
        return TLSRPT_E_DB;
    if (receipt_id != NULL)
        *receipt_id = sqlite3_last_insert_rowid(db->h);
    return 0;
}

int tlsrpt_store_raw_state(struct tlsrpt_db *db, int64_t raw_id, struct tlsrpt_raw_state *rs,
                           struct tlsrpt_error *err)
{
    int rc = 0;
    memset(rs, 0, sizeof *rs);
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_RAW_STATE, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_int64(st, 1, raw_id) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        rc = tlsrpt_db_fail(db, err, "read raw input state");
    } else {
        rs->exists = sqlite3_column_int(st, 0);
        rs->report_id = sqlite3_column_int64(st, 1);
        rs->reject_id = sqlite3_column_int64(st, 2);
        rs->resolved_report = sqlite3_column_int64(st, 3);
        rs->attempts = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    return rc;
}

/* One raw input as the walk hands it over; everything copied out of SQLite's buffers. */
struct raw_item {
    uint8_t *data;
    size_t len;
    char *meta;
    int64_t report_id;
    int open_reject;
};

/* Rebuilds the received bytes from the stored blob; the stored size caps the output. */
static int unpack(struct tlsrpt_db *db, int64_t raw_id, int64_t size, const char *encoding,
                  const void *blob, size_t blob_len, struct raw_item *it, struct tlsrpt_error *err)
{
    int deflated = encoding != NULL && strcmp(encoding, "deflate") == 0;
    int identity = encoding != NULL && strcmp(encoding, "identity") == 0;
    if (size < 0 || (!deflated && !identity) || (identity && (uint64_t)size != blob_len) ||
        (deflated && (uint64_t)size > (uint64_t)blob_len * DEFLATE_MAX_RATIO + 64))
        goto corrupt;
    it->data = malloc((size_t)size + 1); /* + 1: malloc(0) may return NULL */
    if (it->data == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory reading raw input %lld",
                                (long long)raw_id);
    it->len = (size_t)size;
    if (identity) {
        if (blob_len > 0)
            memcpy(it->data, blob, blob_len);
        return 0;
    }
    uLongf out_len = (uLongf)size;
    if (uncompress(it->data, &out_len, blob, (uLong)blob_len) == Z_OK && out_len == (uLongf)size)
        return 0;
corrupt:
    return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                            "raw input %lld is corrupt in database %s (encoding %s, %zu stored "
                            "bytes, size %lld)",
                            (long long)raw_id, db->path, encoding ? encoding : "NULL", blob_len,
                            (long long)size);
}

/* Copies one raw input out; *found is 0 if the row is gone. The statement is reset on return. */
static int fetch(struct tlsrpt_db *db, int64_t raw_id, struct raw_item *it, int *found,
                 struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_DB;
    *found = 0;
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_RAW_FETCH, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_int64(st, 1, raw_id) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "read raw input");
        goto out;
    }
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = 0;
        goto out;
    }
    if (step != SQLITE_ROW) {
        tlsrpt_db_fail(db, err, "read raw input");
        goto out;
    }
    const void *blob = sqlite3_column_blob(st, 2);
    size_t blob_len = (size_t)sqlite3_column_bytes(st, 2);
    rc = unpack(db, raw_id, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                blob, blob_len, it, err);
    if (rc != 0)
        goto out;
    const char *meta = (const char *)sqlite3_column_text(st, 3);
    if (meta != NULL && (it->meta = strdup(meta)) == NULL) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory reading raw input %lld",
                              (long long)raw_id);
        goto out;
    }
    it->report_id = sqlite3_column_int64(st, 4);
    it->open_reject = sqlite3_column_int(st, 5);
    *found = 1;
out:
    sqlite3_reset(st);
    return rc;
}

/* Reads the next page of ids after `after` into ids[]; *n is how many. */
static int page(struct tlsrpt_db *db, int64_t after, int64_t ids[RAW_PAGE_SIZE], size_t *n,
                struct tlsrpt_error *err)
{
    int rc = 0, step;
    *n = 0;
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_RAW_PAGE, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, after) | sqlite3_bind_int(st, 2, RAW_PAGE_SIZE)) != SQLITE_OK)
        rc = tlsrpt_db_fail(db, err, "list raw inputs");
    while (rc == 0 && *n < RAW_PAGE_SIZE && (step = sqlite3_step(st)) != SQLITE_DONE) {
        if (step != SQLITE_ROW)
            rc = tlsrpt_db_fail(db, err, "list raw inputs");
        else
            ids[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc;
}

int tlsrpt_store_each_raw(struct tlsrpt_db *db, tlsrpt_raw_visit_fn fn, void *ctx,
                          struct tlsrpt_error *err)
{
    int64_t ids[RAW_PAGE_SIZE];
    int64_t after = 0;
    size_t n;

    if (db == NULL || fn == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "each_raw: invalid argument");
    do {
        int rc = page(db, after, ids, &n, err);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++) {
            struct raw_item it = {0};
            int found;
            rc = fetch(db, ids[i], &it, &found, err);
            /* No statement is active here: the callback may open its own transaction. */
            if (rc == 0 && found)
                rc = fn(ctx, ids[i], it.data, it.len, it.meta, it.report_id, it.open_reject);
            free(it.data);
            free(it.meta);
            if (rc != 0)
                return rc;
            after = ids[i];
        }
    } while (n == RAW_PAGE_SIZE);
    return 0;
}
