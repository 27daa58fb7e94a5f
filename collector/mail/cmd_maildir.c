/* cmd_maildir.c - `tlsrpt-collector maildir [--json] [--watch] DIR`: the command line around
 * maildir_run.c (one pass) and maildir_watch.c (keep running). */
#include "cli_limits.h"
#include "commands.h"
#include "db.h"
#include "exit_codes.h"
#include "ingest.h"
#include "log.h"
#include "maildir.h"
#include "maildir_run.h"
#include "maildir_watch.h"
#include "summary.h"
#include "units.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "Usage: tlsrpt-collector maildir [OPTIONS] DIR\n"
    "\n"
    "Takes TLS-RPT report mails (RFC 8460) out of the Maildir DIR, the mailbox your MTA\n"
    "delivers the rua=mailto: address into, and stores their reports in the database.\n"
    "It reads new/ and the messages of cur/ without the S (seen) flag, and moves each\n"
    "message only after its reports are committed:\n"
    "  - reports stored (new or duplicates)  -> cur/NAME:2,S (other flags kept)\n"
    "  - a report part that does not decode or parse -> the Maildir++ folder\n"
    "    DIR/.tlsrpt-rejected (created if missing); the part is kept in the database with\n"
    "    the reason, and `tlsrpt-collector reprocess` brings it in once the parser is fixed\n"
    "  - no report in the message (cron mail, bounces, people) -> left where it is\n"
    "Nothing is ever deleted. If tlsrpt is killed between the commit and the move, the\n"
    "message is read again next time and counted as a duplicate: nothing is lost or\n"
    "counted twice. tmp/ is never read. Run it from cron, or keep it running with --watch.\n"
    "\n"
    "Options:\n"
    "      --db=PATH             database file (default: $TLSRPT_DB, else " TLSRPT_DEFAULT_DB ")\n"
    "      --json                print the summary as one JSON object\n"
    "      --watch               keep running: inotify on new/ and cur/, a full rescan every\n"
    "                            --rescan seconds; SIGTERM or SIGINT finish the current batch\n"
    "                            and exit 0. Logs one line per batch and one per reject.\n"
    "      --rescan=SECONDS      full rescan interval with --watch (default 300)\n"
    "      --recursive           also read the Maildir++ subfolders DIR/.Name (never the\n"
    "                            reject or skipped folder); default: DIR only\n"
    "      --reject-folder=.NAME folder for rejected messages (default .tlsrpt-rejected)\n"
    "      --skipped-folder=.NAME move messages with no report there (default: leave them)\n"
    "  -q, --quiet               log only warnings and errors\n"
    "  -h, --help                show this help\n"
    "\n"
    "Mail caps (sizes take K, M, G; a message over any cap but the first is rejected whole\n"
    "and kept):\n"
    "      --max-message=SIZE    largest message file read (default 32M); larger files are\n"
    "                            skipped with a logged reason and left in place\n"
    "      --max-parts=N         MIME parts per message (default 256)\n"
    "      --max-nesting=N       multipart/message nesting depth (default 8)\n"
    "      --max-header=SIZE     any one header field (default 64K)\n"
    "      --max-headers=N       header fields per part (default 1000)\n"
    "      --max-reports=N       report parts per message (default 64)\n"
    "\n"
    "%s"
    "\n"
    "Output: one summary line, as for import: \"imported 12, duplicates 0, rejected 1,\n"
    "skipped 2, failed 0 (15 messages in 0.21 s)\" (reports imported/duplicates/rejected/\n"
    "failed, messages skipped); with --json the keys imported, duplicates, rejected,\n"
    "skipped, failed, inputs, seconds.\n"
    "\n"
    "Exit status: 0 when the run completed (even if some reports were rejected), 64 usage\n"
    "error, 66 DIR is not a Maildir, 73 the database cannot be opened, 75 a database write\n"
    "failed (those messages stay in place; run again), 74 inotify failed (--watch).\n"
    "\n"
    "Examples:\n"
    "  tlsrpt-collector maildir --db /var/lib/tlsrpt/tlsrpt.db /home/tlsrpt/Maildir\n"
    "  tlsrpt-collector maildir --watch --recursive ~/Maildir\n";

static volatile sig_atomic_t stop_flag;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void install_handlers(sigset_t *set)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum {
    OPT_DB = 2000,
    OPT_JSON,
    OPT_WATCH,
    OPT_RESCAN,
    OPT_RECURSIVE,
    OPT_REJECT_FOLDER,
    OPT_SKIPPED_FOLDER,
    OPT_MAX_MESSAGE,
    OPT_MAX_PARTS,
    OPT_MAX_NESTING,
    OPT_MAX_HEADER,
    OPT_MAX_HEADERS,
    OPT_MAX_REPORTS,
};

struct cli {
    const char *db_flag;
    int json, watch;
    long long rescan;
    struct tlsrpt_maildir_opts md;
    struct tlsrpt_ingest_config cfg;
};

/* A size (max-message, max-header) or a count; 0 or -1 after printing why. */
static int set_cap(const char *name, const char *arg, int is_size, size_t *out)
{
    long long n = 0;
    if (is_size ? tlsrpt_parse_size(arg, out) != 0 || *out == 0
                : tlsrpt_parse_int(arg, 1, 1000000000LL, &n) != 0) {
        fprintf(stderr, "invalid value for --%s: '%s' (expected %s)\n", name, arg,
                is_size ? "a size such as 65536, 64K or 32M" : "a whole number");
        return -1;
    }
    if (!is_size)
        *out = (size_t)n;
    return 0;
}

static int set_folder(const char *name, const char *arg, const char **out)
{
    if (!tlsrpt_maildir_valid_folder(arg)) {
        fprintf(stderr,
                "invalid --%s '%s': a Maildir++ folder name starts with '.', e.g. .Rejected\n",
                name, arg);
        return -1;
    }
    *out = arg;
    return 0;
}

/* One option; 0 handled, -1 invalid (message printed), 1 help printed. */
static int apply_option(struct cli *c, int opt, const char *arg)
{
    struct tlsrpt_mail_limits *l = &c->md.limits;
    switch (opt) {
    case OPT_DB:
        c->db_flag = arg;
        return 0;
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_WATCH:
        c->watch = 1;
        return 0;
    case OPT_RECURSIVE:
        c->md.recursive = 1;
        return 0;
    case OPT_RESCAN:
        if (tlsrpt_parse_int(arg, 1, 86400, &c->rescan) != 0) {
            fprintf(stderr, "invalid --rescan '%s' (seconds, 1 to 86400)\n", arg);
            return -1;
        }
        return 0;
    case OPT_REJECT_FOLDER:
        return set_folder("reject-folder", arg, &c->md.reject_folder);
    case OPT_SKIPPED_FOLDER:
        return set_folder("skipped-folder", arg, &c->md.skipped_folder);
    case OPT_MAX_MESSAGE:
        return set_cap("max-message", arg, 1, &l->max_message);
    case OPT_MAX_PARTS:
        return set_cap("max-parts", arg, 0, &l->max_parts);
    case OPT_MAX_NESTING:
        return set_cap("max-nesting", arg, 0, &l->max_depth);
    case OPT_MAX_HEADER:
        return set_cap("max-header", arg, 1, &l->max_header);
    case OPT_MAX_HEADERS:
        return set_cap("max-headers", arg, 0, &l->max_headers);
    case OPT_MAX_REPORTS:
        return set_cap("max-reports", arg, 0, &l->max_reports);
    case 'q':
        tlsrpt_log_init(NULL, TLSRPT_LOG_WARNING);
        return 0;
    case 'h':
        printf(usage, tlsrpt_limit_options_help);
        return 1;
    default:
        return tlsrpt_cli_limit_option(opt, arg, &c->cfg) == 1 ? 0 : -1;
    }
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"json", no_argument, NULL, OPT_JSON},
        {"watch", no_argument, NULL, OPT_WATCH},
        {"rescan", required_argument, NULL, OPT_RESCAN},
        {"recursive", no_argument, NULL, OPT_RECURSIVE},
        {"reject-folder", required_argument, NULL, OPT_REJECT_FOLDER},
        {"skipped-folder", required_argument, NULL, OPT_SKIPPED_FOLDER},
        {"max-message", required_argument, NULL, OPT_MAX_MESSAGE},
        {"max-parts", required_argument, NULL, OPT_MAX_PARTS},
        {"max-nesting", required_argument, NULL, OPT_MAX_NESTING},
        {"max-header", required_argument, NULL, OPT_MAX_HEADER},
        {"max-headers", required_argument, NULL, OPT_MAX_HEADERS},
        {"max-reports", required_argument, NULL, OPT_MAX_REPORTS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        TLSRPT_LIMIT_OPTIONS,
        {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        int r = opt == '?' ? -1 : apply_option(c, opt, optarg);
        if (r != 0)
            return r;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "maildir: %s\n", optind >= argc ? "no DIR given" : "only one DIR, please");
        return -1;
    }
    if (c->md.skipped_folder && strcmp(c->md.skipped_folder, c->md.reject_folder) == 0) {
        fprintf(stderr, "maildir: --skipped-folder must differ from --reject-folder\n");
        return -1;
    }
    c->md.dir = argv[optind];
    c->md.batch_messages = c->cfg.batch_max_items;
    return 0;
}

int tlsrpt_cmd_maildir(int argc, char **argv)
{
    struct cli c = {.rescan = TLSRPT_MAILDIR_DEF_RESCAN};
    tlsrpt_maildir_opts_default(&c.md);
    tlsrpt_ingest_config_default(&c.cfg);
    c.cfg.batch_max_items = TLSRPT_MAILDIR_DEF_BATCH; /* before the options: --batch-size wins */
    int r = parse_args(&c, argc, argv);
    if (r != 0) {
        if (r < 0)
            fprintf(stderr, "Try 'tlsrpt-collector maildir --help'.\n");
        return r > 0 ? TLSRPT_EXIT_OK : TLSRPT_EXIT_USAGE;
    }

    /* Before anything slow: a SIGTERM while the database opens already means "stop cleanly". */
    sigset_t stopsigs;
    install_handlers(&stopsigs);
    int status = TLSRPT_EXIT_OK;
    struct tlsrpt_error err = {0};
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_ingest *ing = NULL;
    struct tlsrpt_maildir *md = NULL;
    if (!tlsrpt_maildir_is_maildir(c.md.dir)) {
        log_error("%s is not a Maildir (it needs cur/, new/ and tmp/ directories)", c.md.dir);
        return TLSRPT_EXIT_NOINPUT;
    }
    if (tlsrpt_db_open(tlsrpt_db_path(c.db_flag), TLSRPT_DB_READWRITE, &db, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CANTCREAT;
    }
    if (tlsrpt_ingest_new(db, &c.cfg, &ing) != 0 || tlsrpt_maildir_open(ing, &c.md, &md, &err)) {
        log_error("%s", err.message[0] ? err.message : "out of memory");
        status = err.code == TLSRPT_E_IO ? TLSRPT_EXIT_NOINPUT : TLSRPT_EXIT_OSERR;
        goto out;
    }
    double t0 = mono_seconds();
    int rc;
    if (c.watch)
        rc = tlsrpt_maildir_watch(md, (int)c.rescan, c.cfg.batch_max_ms, &stop_flag, &stopsigs,
                                  &err);
    else
        rc = tlsrpt_maildir_scan(md, &stop_flag);
    if (tlsrpt_maildir_commit(md) != 0 && rc == 0) /* the last batch: its callbacks run here */
        rc = TLSRPT_E_DB;
    if (rc != 0 && rc != TLSRPT_E_DB)
        log_error("%s", err.message);
    struct tlsrpt_run_counts counts;
    tlsrpt_maildir_counts(md, &counts);
    counts.seconds = mono_seconds() - t0;
    tlsrpt_print_summary(stdout, c.json, &counts, "messages");
    /* --watch stopped by a signal exits 0: failures meanwhile were logged, their messages kept. */
    if (rc == TLSRPT_E_DB || (!c.watch && counts.failed > 0))
        status = TLSRPT_EXIT_TEMPFAIL;
    else if (rc == TLSRPT_E_IO)
        status = TLSRPT_EXIT_IOERR;
    else if (rc != 0)
        status = TLSRPT_EXIT_OSERR;
out:
    tlsrpt_maildir_close(md);
    tlsrpt_ingest_free(ing);
    tlsrpt_db_close(db);
    return status;
}
