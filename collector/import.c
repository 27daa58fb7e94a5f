/* import.c - `tlsrpt-collector import [--json] PATH...`: report files of any name, .eml files and whole
 * directories (Maildirs included), read-only: inputs are never moved or changed. */
#include "cli_limits.h"
#include "commands.h"
#include "db.h"
#include "decode.h"
#include "exit_codes.h"
#include "ingest.h"
#include "log.h"
#include "progress.h"
#include "safe_file.h"
#include "summary.h"
#include "units.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TLSRPT_DEF_MAX_FILE (32u << 20) /* a report mail is < 1 MB; 32 MiB leaves room for odd ones */

struct import_run {
    struct tlsrpt_ingest *ing;
    size_t max_file;
    struct tlsrpt_buf file;
    struct tlsrpt_run_counts counts;
    struct tlsrpt_progress progress;
    int missing_paths;
};

static const char usage[] =
    "Usage: tlsrpt-collector import [OPTIONS] PATH...\n"
    "\n"
    "Reads TLS-RPT reports (RFC 8460) from files and directories into the database.\n"
    "A PATH may be a report in any form (.json, .json.gz, .zip, any name: the format is\n"
    "sniffed from the bytes), a mail message (.eml) carrying reports, or a directory, which\n"
    "is walked recursively (a Maildir is a directory; its tmp/ folders are skipped).\n"
    "Inputs are only read, never moved or changed. Importing the same files again is\n"
    "harmless: resends are counted as duplicates and change no totals.\n"
    "\n"
    "Options:\n"
    "      --db=PATH          database file (default: $TLSRPT_DB, else " TLSRPT_DEFAULT_DB ")\n"
    "      --json             print the summary as one JSON object\n"
    "      --max-file=SIZE    skip files larger than this (default 32M)\n"
    "      --progress / --no-progress   force the progress bar on or off (default: on a TTY)\n"
    "  -q, --quiet            log only warnings and errors\n"
    "  -h, --help             show this help\n"
    "\n"
    "%s"
    "\n"
    "Output: one summary line, e.g. \"imported 12, duplicates 0, rejected 1, skipped 2, failed 0\n"
    "(15 files in 0.21 s)\"; with --json the keys imported, duplicates, rejected, skipped,\n"
    "failed, inputs, seconds. Each rejected input is logged with its reason and kept in the\n"
    "database; `tlsrpt-collector reprocess` retries them after an upgrade.\n"
    "\n"
    "Exit status: 0 when the run completed (even if some inputs were rejected), 64 usage error,\n"
    "66 a PATH could not be read, 73 the database cannot be opened, 75 a database write failed\n"
    "(nothing of the failed batch was stored; run again).\n"
    "\n"
    "Example: tlsrpt-collector import --db ./tlsrpt.db ~/Maildir/.TLS-Reports/ reports/*.json.gz\n";

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_done(void *ctx, const struct tlsrpt_ingest_result *res)
{
    const char *path = ctx;
    if (res->outcome == TLSRPT_INGEST_REJECTED) {
        char why[512];
        tlsrpt_error_format(&res->reason, why, sizeof why);
        log_warning("rejected %s: %s", path, why);
    }
    free(ctx);
}

/* A Maildir's tmp/ holds messages still being delivered: never read them. */
static int is_maildir_tmp(const char *dir, const char *name)
{
    if (strcmp(name, "tmp") != 0)
        return 0;
    char p[4096];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s/new", dir);
    return n > 0 && (size_t)n < sizeof p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int import_file(struct import_run *run, const char *path)
{
    struct tlsrpt_error err = {0};
    run->counts.inputs++;
    tlsrpt_progress_step(&run->progress, 1);
    enum tlsrpt_read_status st = tlsrpt_read_file_safe(path, run->max_file, &run->file, &err);
    if (st != TLSRPT_READ_OK) {
        if (st != TLSRPT_READ_VANISHED)
            log_warning("skipped %s", err.message);
        run->counts.skipped++;
        return 0;
    }
    char *ref = strdup(path);
    if (ref == NULL)
        return TLSRPT_E_NOMEM;
    struct tlsrpt_source_info src = {.kind = "file", .reference = path};
    return tlsrpt_ingest_submit(run->ing, run->file.data, run->file.len, &src, NULL, on_done, ref);
}

typedef int (*visit_fn)(struct import_run *run, const char *path);

/* Walks a directory tree without following symlinks, calling fn for each regular file. */
static int walk(struct import_run *run, const char *dir, visit_fn fn)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        log_warning("cannot read directory %s: %s", dir, strerror(errno));
        run->missing_paths++;
        return 0;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path) {
            log_warning("path too long, skipped: %s/%s", dir, e->d_name);
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* vanished meanwhile */
        if (S_ISDIR(st.st_mode)) {
            if (!is_maildir_tmp(dir, e->d_name))
                rc = walk(run, path, fn);
        } else if (S_ISREG(st.st_mode)) {
            rc = fn(run, path);
        } else if (fn == import_file) {
            log_warning("skipped %s: not a regular file", path);
        }
    }
    closedir(d);
    return rc;
}

static int count_file(struct import_run *run, const char *path)
{
    (void)path;
    run->progress.total++;
    return 0;
}

static int import_path(struct import_run *run, const char *path, visit_fn fn)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (fn == import_file) {
            log_error("cannot read %s: %s", path, strerror(errno));
            run->missing_paths++;
        }
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return walk(run, path, fn);
    return fn(run, path);
}

int tlsrpt_cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"max-file", required_argument, NULL, 'm'},
                                         {"progress", no_argument, NULL, 'p'},
                                         {"no-progress", no_argument, NULL, 'P'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         TLSRPT_LIMIT_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    const char *db_flag = NULL;
    int json = 0, progress = -1;
    size_t max_file = TLSRPT_DEF_MAX_FILE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_flag = optarg; break;
        case 'j': json = 1; break;
        case 'm':
            if (tlsrpt_parse_size(optarg, &max_file) != 0 || max_file == 0) {
                fprintf(stderr, "invalid --max-file '%s'\n", optarg);
                return TLSRPT_EXIT_USAGE;
            }
            break;
        case 'p': progress = 1; break;
        case 'P': progress = 0; break;
        case 'q': tlsrpt_log_init(NULL, TLSRPT_LOG_WARNING); break;
        case 'h': printf(usage, tlsrpt_limit_options_help); return TLSRPT_EXIT_OK;
        default: {
            int r = tlsrpt_cli_limit_option(c, optarg, &cfg);
            if (r == 1)
                break;
            fprintf(stderr, "Try 'tlsrpt-collector import --help'.\n");
            return TLSRPT_EXIT_USAGE;
        }
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "import: no PATH given\nTry 'tlsrpt-collector import --help'.\n");
        return TLSRPT_EXIT_USAGE;
    }

    struct tlsrpt_error err = {0};
    struct tlsrpt_db *db = NULL;
    const char *db_path = tlsrpt_db_path(db_flag);
    if (tlsrpt_db_open(db_path, TLSRPT_DB_READWRITE, &db, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CANTCREAT;
    }
    struct import_run run = {.max_file = max_file};
    tlsrpt_buf_init(&run.file, max_file);
    int status = TLSRPT_EXIT_OK;
    if (tlsrpt_ingest_new(db, &cfg, &run.ing) != 0) {
        log_error("out of memory");
        tlsrpt_db_close(db);
        return TLSRPT_EXIT_OSERR;
    }

    double t0 = mono_seconds();
    tlsrpt_progress_start(&run.progress, progress, 0, "files");
    if (run.progress.enabled)
        for (int i = optind; i < argc; i++)
            import_path(&run, argv[i], count_file);
    int rc = 0;
    for (int i = optind; i < argc && rc != TLSRPT_E_NOMEM; i++)
        rc = import_path(&run, argv[i], import_file);
    if (tlsrpt_ingest_flush(run.ing) != 0)
        rc = TLSRPT_E_DB;
    tlsrpt_progress_end(&run.progress);

    struct tlsrpt_ingest_counts ic;
    tlsrpt_ingest_get_counts(run.ing, &ic);
    run.counts.imported = ic.imported;
    run.counts.duplicates = ic.duplicates;
    run.counts.rejected = ic.rejected;
    run.counts.failed = ic.failed;
    run.counts.seconds = mono_seconds() - t0;
    tlsrpt_print_summary(stdout, json, &run.counts, "files");

    if (ic.failed > 0 || rc == TLSRPT_E_DB)
        status = TLSRPT_EXIT_TEMPFAIL;
    else if (rc == TLSRPT_E_NOMEM)
        status = TLSRPT_EXIT_OSERR;
    else if (run.missing_paths > 0)
        status = TLSRPT_EXIT_NOINPUT;
    tlsrpt_ingest_free(run.ing);
    tlsrpt_buf_free(&run.file);
    tlsrpt_db_close(db);
    return status;
}
