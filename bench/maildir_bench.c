/* maildir_bench - how fast does `tlsrpt-collector maildir` take report mails out of a Maildir
 * (read, MIME, decode, parse, store with durable group commits, rename into cur/), compared with
 * the least any collector must do with the same files: read + GMime parse + find the report part +
 * undo its transfer encoding + gunzip + json_loadb, storing nothing.
 * Both run in the same invocation on the same files, after one untimed pass that warms the page
 * cache; the raw loop is timed before and after the maildir runs and the two are averaged.
 * Prints messages/s for each (wall clock, and per CPU second), their ratio (target: >= 0.5), and
 * the peak RSS of the maildir process for a tenth of the Maildir and for all of it (target:
 * < 64 MiB whatever the Maildir's size).
 *
 *   tlsrpt-gen --format maildir --reports 100000 --out /tmp/m
 *   maildir_bench /tmp/m/maildir [WORKDIR]
 *
 * The source Maildir is never changed: each run works on hard links of its messages in WORKDIR.
 */
#include "raw_bound.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_JSON (20u << 20) /* the decoder's default cap */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* snprintf that says whether it fitted: 0, or -1 when the path was cut. */
static int pathf(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pathf(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, len, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* The first part whose decoded bytes are gzip, gunzipped and loaded; 0 when one was found. */
static int raw_part(GMimeObject *o, uint8_t *out, size_t cap)
{
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            if (raw_part(g_mime_multipart_get_part(mp, i), out, cap) == 0)
                return 0;
        return -1;
    }
    if (!GMIME_IS_PART(o) ||
        g_mime_content_type_is_type(g_mime_object_get_content_type(o), "text", "*"))
        return -1;
    GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));
    if (dw == NULL)
        return -1;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(dw, mem);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    int rc = ba->len > 2 && ba->data[0] == 0x1f && ba->data[1] == 0x8b
                 ? bench_gunzip_json(ba->data, ba->len, out, cap)
                 : -1;
    g_object_unref(mem);
    return rc;
}

static int raw_message(const char *path, uint8_t *out, size_t cap)
{
    GMimeStream *fs = g_mime_stream_fs_open(path, O_RDONLY, 0, NULL);
    if (fs == NULL)
        return -1;
    /* Read it whole first, as the collector does (it must cap and keep the bytes). */
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_stream_write_to_stream(fs, mem);
    g_object_unref(fs);
    g_mime_stream_reset(mem);
    GMimeParser *p = g_mime_parser_new_with_stream(mem);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
    int rc = m ? raw_part(g_mime_message_get_mime_part(m), out, cap) : -1;
    if (m)
        g_object_unref(m);
    g_object_unref(p);
    g_object_unref(mem);
    return rc;
}

/* One raw pass over dir/new; returns messages whose report loaded, -1 on a directory error. */
static long raw_pass(const char *maildir, uint8_t *out, size_t cap, long *failed)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/new", maildir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    long ok = 0;
    *failed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        if (pathf(path, sizeof path, "%s/%s", dir, e->d_name) != 0)
            continue;
        if (raw_message(path, out, cap) == 0)
            ok++;
        else
            (*failed)++;
    }
    closedir(d);
    return ok;
}

static double cpu_s(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
           (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* One timed raw pass; adds its wall and CPU seconds to *wall and *cpu. */
static void timed_raw_pass(const char *src, uint8_t *out, long *n, long *failed, double *wall,
                           double *cpu)
{
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    *n = raw_pass(src, out, MAX_JSON, failed);
    *wall += now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    *cpu += cpu_s(&r1) - cpu_s(&r0);
}

/* WORK/<name>/{tmp,new,cur} with hard links to the first `limit` messages of src (all: -1). */
static long link_maildir(const char *src, const char *work, const char *name, long limit, char *out,
                         size_t outlen)
{
    snprintf(out, outlen, "%s/%s", work, name);
    static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
    for (size_t i = 0; i < 4; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", out, subs[i]);
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
    }
    char sdir[4096];
    snprintf(sdir, sizeof sdir, "%s/new", src);
    DIR *d = opendir(sdir);
    if (d == NULL)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && (limit < 0 || n < limit)) {
        if (e->d_name[0] == '.')
            continue;
        char from[4096], to[4096];
        if (pathf(from, sizeof from, "%s/%s", sdir, e->d_name) != 0 ||
            pathf(to, sizeof to, "%s/new/%s", out, e->d_name) != 0)
            continue;
        if (link(from, to) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Runs `tlsrpt-collector maildir` on md; wall and CPU seconds and peak RSS (KiB) of the child. */
static int run_collector(const char *collector, const char *md, const char *db, double *secs,
                         double *cpu, long *rss_kib)
{
    char *argv[] = {(char *)collector, "maildir", "-q", "--db", (char *)db, (char *)md, NULL};
    pid_t pid;
    double t0 = now_s();
    if (posix_spawn(&pid, collector, NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *secs = now_s() - t0;
    *cpu = cpu_s(&ru);
    *rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: maildir_bench SRC_MAILDIR [WORKDIR]\n"
                        "  SRC_MAILDIR: e.g. the maildir/ of tlsrpt-gen --format maildir\n");
        return 64;
    }
    const char *src = argv[1];
    char work[4096];
    if (argc > 2)
        snprintf(work, sizeof work, "%s", argv[2]);
    else
        snprintf(work, sizeof work, "%s/maildir-bench-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (argc <= 2 && mkdtemp(work) == NULL) {
        perror("mkdtemp");
        return 73;
    }
    g_mime_init();
    uint8_t *out = malloc(MAX_JSON);
    if (out == NULL)
        return 71;

    long failed;
    long n = raw_pass(src, out, MAX_JSON, &failed); /* untimed: warms the page cache */
    if (n <= 0) {
        fprintf(stderr, "no report mail found in %s/new\n", src);
        return 66;
    }
    double raw_s = 0, raw_cpu = 0;
    timed_raw_pass(src, out, &n, &failed, &raw_s, &raw_cpu);

    char md_small[4096], md_full[4096], db_small[4200], db_full[4200];
    if (mkdir(work, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", work, strerror(errno));
        return 73;
    }
    long n_small = link_maildir(src, work, "small", (n + failed) / 10, md_small, sizeof md_small);
    long n_full = link_maildir(src, work, "full", -1, md_full, sizeof md_full);
    snprintf(db_small, sizeof db_small, "%s/small.db", work);
    snprintf(db_full, sizeof db_full, "%s/full.db", work);
    const char *collector = TLSRPT_COLLECTOR_PATH;
    double s_small, s_full, c_small, c_full;
    long rss_small, rss_full;
    if (n_small <= 0 || n_full <= 0 ||
        run_collector(collector, md_small, db_small, &s_small, &c_small, &rss_small) != 0 ||
        run_collector(collector, md_full, db_full, &s_full, &c_full, &rss_full) != 0) {
        fprintf(stderr, "maildir run failed (work dir %s kept)\n", work);
        return 70;
    }
    /* The raw loop again after the maildir runs: the mean of both is fair to a load that drifts. */
    timed_raw_pass(src, out, &n, &failed, &raw_s, &raw_cpu);
    double raw_rate = 2.0 * (double)(n + failed) / raw_s, md_rate = (double)n_full / s_full;
    double raw_cpu_rate = 2.0 * (double)(n + failed) / raw_cpu;
    double md_cpu_rate = (double)n_full / c_full;
    printf("maildir_bench: %ld messages (%ld without a gzip report part) in %s\n", n + failed,
           failed, src);
    printf("  raw bound (read + GMime + find part + CTE decode + gunzip + json_loadb):\n"
           "      %.0f messages/s wall, %.0f messages/s of CPU\n",
           raw_rate, raw_cpu_rate);
    printf("  tlsrpt-collector maildir (+ parse, store, durable commit, rename):\n"
           "      %.0f messages/s wall, %.0f messages/s of CPU\n",
           md_rate, md_cpu_rate);
    printf("  ratio maildir/raw: %.2f wall, %.2f CPU (target >= 0.5)\n", md_rate / raw_rate,
           md_cpu_rate / raw_cpu_rate);
    printf("  the tenth alone: %.0f messages/s wall, %.0f of CPU (ratio %.2f wall)\n",
           (double)n_small / s_small, (double)n_small / c_small,
           (double)n_small / s_small / raw_rate);
    printf("  peak RSS of maildir: %.1f MiB for %ld messages, %.1f MiB for %ld (target < 64 MiB)\n",
           rss_small / 1024.0, n_small, rss_full / 1024.0, n_full);
    printf("  work dir: %s (remove it when done)\n", work);
    free(out);
    return 0;
}
