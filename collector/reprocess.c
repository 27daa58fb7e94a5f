/* reprocess.c - `tlsrpt-collector reprocess`: runs every stored raw input through the current
 * decoder and parser again. Old rejects that now parse become reports (deduplicated, so a report
 * that arrived meanwhile is not counted twice); reports already stored are refreshed with the new
 * normalisation. Running it twice changes nothing the second time. */
#include "cli_limits.h"
#include "commands.h"
#include "db.h"
#include "ingest.h"
#include "exit_codes.h"
#include "log.h"
#include "progress.h"
#include "report_parse.h"
#include "store.h"
#include "summary.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct reprocess_run {
    struct tlsrpt_db *db;
    struct tlsrpt_ingest_config cfg;
    struct tlsrpt_buf json;
    struct tlsrpt_run_counts counts;
    struct tlsrpt_progress progress;
    int db_failed;
};

static const char usage[] =
    "Usage: tlsrpt-collector reprocess [OPTIONS]\n"
    "\n"
    "Parses every stored input again with this version's decoder and parser. Inputs that were\n"
    "rejected before (kept with their raw bytes) become reports once a fix has landed; stored\n"
    "reports are refreshed. Idempotent: running it again changes nothing.\n"
    "\n"
    "Options:\n"
    "      --db=PATH   database file (default: $TLSRPT_DB, else " TLSRPT_DEFAULT_DB ")\n"
    "      --json      print the summary as one JSON object\n"
    "  -q, --quiet     log only warnings and errors\n"
    "  -h, --help      show this help\n"
    "\n"
    "%s"
    "\n"
    "Summary keys: imported (rejects that became new reports), duplicates (inputs whose report\n"
    "was already stored, refreshed), rejected (still failing), resolved, inputs.\n"
    "Exit status: 0 done, 64 usage, 73 database cannot be opened, 75 a write failed.\n";

/* The report domain the envelope named (mail TLS-Report-Domain), the parser's fallback for a report
 * without policy-domain. The meta JSON is written by the sources; several spellings are accepted.
 */
static const char *meta_report_domain(json_t *meta)
{
    static const char *const keys[] = {"tls_report_domain", "TLS-Report-Domain",
                                       "tls-report-domain"};
    for (size_t i = 0; meta && i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = json_string_value(json_object_get(meta, keys[i]));
        if (v && *v)
            return v;
    }
    json_t *headers = json_object_get(meta, "headers");
    return headers ? meta_report_domain(headers) : NULL;
}

static int visit(void *ctx, int64_t raw_id, const uint8_t *raw, size_t len, const char *meta_json,
                 int64_t report_id, int open_reject)
{
    struct reprocess_run *run = ctx;
    struct tlsrpt_error why = {0}, dberr = {0};
    run->counts.inputs++;
    tlsrpt_progress_step(&run->progress, 1);

    json_t *meta = meta_json ? json_loads(meta_json, 0, NULL) : NULL;
    struct tlsrpt_parse_hints hints = {.report_domain = meta_report_domain(meta)};
    /* The same decode + parse as every arrival (ingest's pure half), so a fix lands in both. */
    struct tlsrpt_report *report =
        tlsrpt_ingest_prepare(&run->cfg, raw, len, &hints, &run->json, &why);
    int bad = report == NULL;
    /* A mail refused whole (a cap) is kept as the message's bytes with the cap as its reason; the
     * decoder's view of those bytes ("not gzip, zip or JSON") must not replace that reason. */
    int whole_mail = meta != NULL && json_object_get(meta, "mail_error") != NULL;
    int rc = tlsrpt_db_begin(run->db, &dberr);
    if (rc == 0 && bad) {
        if (report_id > 0)
            log_warning("input %lld produced a report before but fails now (kept as it was): %s",
                        (long long)raw_id, why.message);
        else if (whole_mail)
            log_info("input %lld is a whole mail message refused by a mail cap (kept as it was); "
                     "import the message file again to retry it",
                     (long long)raw_id);
        else
            rc = tlsrpt_store_rereject(run->db, raw_id, &why, &dberr);
        run->counts.rejected++;
    } else if (rc == 0) {
        enum tlsrpt_store_outcome o;
        rc = tlsrpt_store_reparse(run->db, raw_id, report_id, report, &o, &dberr);
        if (rc == 0 && o == TLSRPT_STORE_IMPORTED)
            run->counts.imported++;
        else if (rc == 0)
            run->counts.duplicates++;
        if (rc == 0 && open_reject)
            run->counts.resolved++;
    }
    if (rc == 0)
        rc = tlsrpt_db_commit(run->db, &dberr);
    if (rc != 0) {
        tlsrpt_db_rollback(run->db);
        log_error("input %lld: %s", (long long)raw_id, dberr.message);
        run->counts.failed++;
        run->db_failed = 1;
    }
    tlsrpt_report_free(report);
    json_decref(meta);
    return 0;
}

int tlsrpt_cmd_reprocess(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         TLSRPT_LIMIT_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    struct reprocess_run run = {0};
    tlsrpt_ingest_config_default(&run.cfg);
    const char *db_flag = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_flag = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'q':
            tlsrpt_log_init(NULL, TLSRPT_LOG_WARNING);
            break;
        case 'h':
            printf(usage, tlsrpt_limit_options_help);
            return TLSRPT_EXIT_OK;
        default:
            if (tlsrpt_cli_limit_option(c, optarg, &run.cfg) == 1)
                break;
            fprintf(stderr, "Try 'tlsrpt-collector reprocess --help'.\n");
            return TLSRPT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "reprocess: unexpected argument '%s'\n", argv[optind]);
        return TLSRPT_EXIT_USAGE;
    }
    struct tlsrpt_error err = {0};
    if (tlsrpt_db_open(tlsrpt_db_path(db_flag), TLSRPT_DB_READWRITE, &run.db, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CANTCREAT;
    }
    tlsrpt_buf_init(&run.json, run.cfg.decode.max_decompressed);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tlsrpt_progress_start(&run.progress, -1, 0, "inputs");
    int rc = tlsrpt_store_each_raw(run.db, visit, &run, &err);
    tlsrpt_progress_end(&run.progress);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    run.counts.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc != 0) {
        log_error("reading stored inputs: %s", err.message);
        run.db_failed = 1;
    }
    tlsrpt_print_summary(stdout, json, &run.counts, "inputs");
    tlsrpt_buf_free(&run.json);
    tlsrpt_db_close(run.db);
    return run.db_failed ? TLSRPT_EXIT_TEMPFAIL : TLSRPT_EXIT_OK;
}
