/* output.c - gzip and the files: DIR/json/, DIR/json.gz/, DIR/eml/ and a Maildir DIR/maildir/
 * ({tmp,new,cur}; written to tmp/ then renamed into new/ so a reader never sees half a message).
 * No fsync: everything here can be regenerated from the seed, and fsync would make the benchmark
 * generator measure the disk. */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define PATH_LEN 4096

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
    }
    fprintf(stderr, "tlsrpt-gen: cannot create directory %s: %s\n", path, strerror(errno));
    return -1;
}

static int join(char *buf, const char *a, const char *b, const char *c)
{
    int n = snprintf(buf, PATH_LEN, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
    if (n < 0 || n >= PATH_LEN) {
        fprintf(stderr, "tlsrpt-gen: path too long: %s/%s\n", a, b);
        return -1;
    }
    return 0;
}

/* mkdir -p: the parents of DIR are created too. */
static int make_dirs(const char *dir)
{
    char p[PATH_LEN];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        fprintf(stderr, "tlsrpt-gen: path too long: %s\n", dir);
        return -1;
    }
    for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "tlsrpt-gen: cannot create directory %s: %s\n", p, strerror(errno));
            return -1;
        }
        *s = '/';
    }
    return make_dir(p);
}

int gen_output_open(struct gen_output *o)
{
    char p[PATH_LEN];
    if (make_dirs(o->dir) != 0)
        return -1;
    static const struct {
        unsigned bit;
        const char *name;
    } dirs[] = {{GEN_FMT_JSON, "json"},
                {GEN_FMT_JSONGZ, "json.gz"},
                {GEN_FMT_EML, "eml"},
                {GEN_FMT_MAILDIR, "maildir"}};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if ((o->formats & dirs[i].bit) == 0)
            continue;
        if (join(p, o->dir, dirs[i].name, NULL) != 0 || make_dir(p) != 0)
            return -1;
    }
    if (o->formats & GEN_FMT_MAILDIR) {
        static const char *const sub[] = {"tmp", "new", "cur"};
        for (size_t i = 0; i < 3; i++)
            if (join(p, o->dir, "maildir", sub[i]) != 0 || make_dir(p) != 0)
                return -1;
    }
    return 0;
}

uint8_t *gen_gzip(const char *data, size_t len, int os, size_t *outlen)
{
    z_stream zs;
    gz_header h;
    memset(&zs, 0, sizeof zs);
    memset(&h, 0, sizeof h);
    h.os = os; /* mtime 0 and no FNAME, like Google and Microsoft (quirks.md §2.10) */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uint8_t *out = NULL;
    if (deflateSetHeader(&zs, &h) != Z_OK)
        goto done;
    size_t cap = deflateBound(&zs, len) + 32;
    out = malloc(cap);
    if (out == NULL)
        goto done;
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        free(out);
        out = NULL;
        goto done;
    }
    *outlen = zs.total_out;
done:
    deflateEnd(&zs);
    return out;
}

static int write_file(const char *path, const void *data, size_t len, struct gen_output *o)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        fprintf(stderr, "tlsrpt-gen: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "tlsrpt-gen: cannot write %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "tlsrpt-gen: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    o->files++;
    o->bytes += len;
    return 0;
}

/* The email, built once in memory for both eml/ and maildir/. */
static char *build_eml(const struct gen_item *it, const struct gen_report *r, const uint8_t *gz,
                       size_t gzlen, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL)
        return NULL;
    int rc = gen_mime_write(f, it, r, gz, gzlen);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int write_maildir(struct gen_output *o, const struct gen_report *r, const char *eml,
                         size_t len)
{
    char name[96], tmp[PATH_LEN], dst[PATH_LEN];
    snprintf(name, sizeof name, "%lld.%lu.tlsrpt-gen", r->sent, o->serial++);
    if (join(tmp, o->dir, "maildir/tmp", name) != 0 || join(dst, o->dir, "maildir/new", name) != 0)
        return -1;
    if (write_file(tmp, eml, len, o) != 0)
        return -1;
    if (rename(tmp, dst) != 0) {
        fprintf(stderr, "tlsrpt-gen: cannot move %s to new/: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int gen_output_write(struct gen_output *o, const struct gen_item *it, const struct gen_report *r)
{
    int result = -1;
    bool nomem = false;
    char path[PATH_LEN], base[256];
    uint8_t *gz = NULL;
    char *eml = NULL;
    size_t gzlen = 0, emllen = 0;
    char *text = json_dumps(r->json, r->json_flags);
    if (text == NULL) {
        nomem = true;
        goto out;
    }
    size_t tlen = strlen(text);
    /* base name without ".json.gz" */
    size_t flen = strlen(r->filename);
    snprintf(base, sizeof base, "%.*s", (int)(flen - 8), r->filename);

    if (o->formats & GEN_FMT_JSON) {
        char name[300];
        snprintf(name, sizeof name, "%s.json", base);
        if (join(path, o->dir, "json", name) != 0 || write_file(path, text, tlen, o) != 0)
            goto out;
    }
    if (o->formats & (GEN_FMT_JSONGZ | GEN_FMT_EML | GEN_FMT_MAILDIR)) {
        gz = gen_gzip(text, tlen, it->rep == GEN_GOOGLE ? 0 : 3, &gzlen);
        if (gz == NULL) {
            nomem = true;
            goto out;
        }
    }
    if (o->formats & GEN_FMT_JSONGZ) {
        if (join(path, o->dir, "json.gz", r->filename) != 0 || write_file(path, gz, gzlen, o) != 0)
            goto out;
    }
    if (o->formats & (GEN_FMT_EML | GEN_FMT_MAILDIR)) {
        eml = build_eml(it, r, gz, gzlen, &emllen);
        if (eml == NULL) {
            nomem = true;
            goto out;
        }
    }
    if (o->formats & GEN_FMT_EML) {
        char name[300];
        snprintf(name, sizeof name, "%s.eml", base);
        if (join(path, o->dir, "eml", name) != 0 || write_file(path, eml, emllen, o) != 0)
            goto out;
    }
    if ((o->formats & GEN_FMT_MAILDIR) && write_maildir(o, r, eml, emllen) != 0)
        goto out;
    result = 0;
out:
    if (nomem)
        fprintf(stderr, "tlsrpt-gen: out of memory writing %s\n", r->filename);
    free(eml);
    free(gz);
    free(text);
    return result;
}
