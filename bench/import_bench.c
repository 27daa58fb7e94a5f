/* import_bench - how fast does the real import path (decode, parse, dedupe, store with durable
 * group commits) go, compared with the least any importer must do with the same files: read +
 * gunzip + json_loadb? Both run in this process, on the same files, in the same run, after one
 * untimed pass that warms the page cache; the raw loop runs before and after the import and its
 * two times are averaged. Prints reports/s for each and their ratio (target: >= 0.7).
 *
 *   tlsrpt-gen --format json.gz --reports 100000 --out /tmp/r && import_bench /tmp/r/json.gz [DB]
 * The import side is tlsrpt_import_paths(), the very function behind `tlsrpt-collector import`.
 */
#include "db.h"
#include "import.h"
#include "ingest.h"
#include "raw_bound.h"
#include "safe_file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct file_list {
    char **paths;
    size_t n, cap;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: the import's writer (the workers only parse). */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int list_dir(const char *dir, struct file_list *fl)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (fl->n == fl->cap) {
            fl->cap = fl->cap ? fl->cap * 2 : 1024;
            char **p = realloc(fl->paths, fl->cap * sizeof *p);
            if (p == NULL)
                break;
            fl->paths = p;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        fl->paths[fl->n] = malloc(len);
        if (fl->paths[fl->n] == NULL)
            break;
        snprintf(fl->paths[fl->n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    return 0;
}

/* read + gunzip + json_loadb of every file, one thread; returns the seconds it took. */
static double raw_loop(const struct file_list *fl, struct tlsrpt_buf *file, uint8_t *out,
                       size_t out_cap, size_t *ok)
{
    struct tlsrpt_error err = {0};
    double t0 = now_s();
    *ok = 0;
    for (size_t i = 0; i < fl->n; i++)
        if (tlsrpt_read_file_safe(fl->paths[i], file->max, file, &err) == TLSRPT_READ_OK &&
            bench_gunzip_json(file->data, file->len, out, out_cap) == 0)
            (*ok)++;
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: import_bench DIR_OF_JSON_GZ [DB_PATH]\n");
        return 64;
    }
    const char *db_path = argc > 2 ? argv[2] : "import_bench.db";
    struct file_list fl = {0};
    if (list_dir(argv[1], &fl) != 0 || fl.n == 0) {
        fprintf(stderr, "no files in %s\n", argv[1]);
        return 66;
    }
    struct tlsrpt_buf file;
    tlsrpt_buf_init(&file, 32u << 20);
    size_t out_cap = 20u << 20;
    uint8_t *out = malloc(out_cap);
    struct tlsrpt_error err = {0};
    size_t bytes = 0;

    for (size_t i = 0; i < fl.n; i++) /* warm the page cache, untimed */
        if (tlsrpt_read_file_safe(fl.paths[i], file.max, &file, &err) == TLSRPT_READ_OK)
            bytes += file.len;

    /* This VM's speed drifts by 20-30% over a minute: the raw loop runs before and after the import
     * and the ratio uses the mean of the two, as maildir_bench does. */
    size_t raw_ok = 0;
    double raw_before_s = raw_loop(&fl, &file, out, out_cap, &raw_ok);

    unlink(db_path);
    char side[4096];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    struct tlsrpt_db *db = NULL;
    if (tlsrpt_db_open(db_path, TLSRPT_DB_READWRITE, &db, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 73;
    }
    struct tlsrpt_ingest *ing = NULL;
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    cfg.batch_max_items = TLSRPT_DEF_IMPORT_BATCH; /* as the import command */
    cfg.checkpoint_pages = TLSRPT_DEF_IMPORT_CHECKPOINT_PAGES;
    tlsrpt_ingest_new(db, &cfg, &ing);
    /* Exactly what `tlsrpt-collector import DIR` runs, walk included. */
    struct tlsrpt_import_options opt = {.max_file = TLSRPT_DEF_MAX_FILE, .progress = 0};
    struct tlsrpt_run_counts rc = {0};
    int missing = 0;
    double t0 = now_s();
    double cpu0 = thread_cpu_s();
    tlsrpt_import_paths(ing, &argv[1], 1, &opt, &rc, &missing);
    tlsrpt_ingest_flush(ing);
    double writer_cpu_s = thread_cpu_s() - cpu0;
    double imp_s = now_s() - t0;
    struct tlsrpt_ingest_counts c;
    tlsrpt_ingest_get_counts(ing, &c);
    tlsrpt_ingest_free(ing);
    tlsrpt_db_close(db);
    size_t raw_ok_after = 0;
    double raw_after_s = raw_loop(&fl, &file, out, out_cap, &raw_ok_after);
    double raw_s = (raw_before_s + raw_after_s) / 2;

    double raw_rate = (double)raw_ok / raw_s,
           imp_rate = (double)(c.imported + c.duplicates) / imp_s;
    printf("files:   %zu (%.1f MB compressed)\n", fl.n, (double)bytes / 1e6);
    printf("raw:     %zu parsed in %.2f s = %.0f reports/s (read + gunzip + json_loadb; %.2f s "
           "before the import, %.2f s after)\n",
           raw_ok, raw_s, raw_rate, raw_before_s, raw_after_s);
    printf("import:  %llu imported, %llu duplicates, %llu rejected, %llu failed in %.2f s = %.0f "
           "reports/s\n",
           (unsigned long long)c.imported, (unsigned long long)c.duplicates,
           (unsigned long long)c.rejected, (unsigned long long)c.failed, imp_s, imp_rate);
    printf("ratio:   %.2f of the raw bound (target >= 0.70)\n", imp_rate / raw_rate);
    /* Less sensitive to other load than wall time: what the one database thread costs. */
    printf("writer:  %.1f us CPU per report on the database thread (raw loop: %.1f us wall per "
           "report)\n",
           writer_cpu_s * 1e6 /
               (double)((c.imported + c.duplicates) ? c.imported + c.duplicates : 1),
           raw_s * 1e6 / (double)(raw_ok ? raw_ok : 1));
    for (size_t i = 0; i < fl.n; i++)
        free(fl.paths[i]);
    free(fl.paths);
    free(out);
    tlsrpt_buf_free(&file);
    return 0;
}
