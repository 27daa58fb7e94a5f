/* main.c - tlsrpt-report: options in, analysis (analyze.h), printing (print.h), exit status out.
 * Exit statuses are all below 64 so scripts can test readiness without clashing with sysexits. */
#include "analyze.h"
#include "print.h"
#include "window.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "tlsrpt-report"
#define MAX_DOMAIN_ARGS 10000 /* --domain may be repeated up to this many times */
#define OUTPUT_BUFFER (1024 * 1024)

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };
enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

enum {
    OPT_DB = 256,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_NOW,
    OPT_DOMAIN,
    OPT_FORMAT,
    OPT_COLOR,
    OPT_MIN_DAYS,
    OPT_MIN_ORGS,
    OPT_MIN_SESSIONS,
    OPT_MAX_RATE,
    OPT_MAX_FETCH,
    OPT_SILENT_DAYS,
    OPT_TOP,
    OPT_VERSION,
};

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: " PROG " [OPTION]...\n"
        "Tell, per policy domain, whether switching MTA-STS from mode: testing to mode: enforce\n"
        "would bounce mail, from the TLS-RPT (RFC 8460) reports tlsrpt-collector stored.\n"
        "\n"
        "Window (a report belongs to it when its start time falls in [since, until)):\n"
        "  --since WHEN     start; default %s (the 14 days before today, plus today)\n"
        "  --until WHEN     end, excluded; default now\n"
        "  --now WHEN       pretend the time is WHEN (also env TLSRPT_NOW), for reproducible runs\n"
        "  WHEN is a duration back from now (36h; 14d and 2w count whole UTC days), a date\n"
        "  (2026-10-03, 00:00 UTC), a date-time (2026-10-03T12:00:00Z or with +02:00) or now.\n"
        "\n"
        "Selection and output:\n"
        "  --db PATH        database (default: $TLSRPT_DB, else %s)\n"
        "  --domain D       only this policy domain; repeat for several (default: all seen)\n"
        "  --format F       text (default), json (docs/report-json.md) or csv (one row per\n"
        "                   domain and organization)\n"
        "  --color WHEN     auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
        "\n"
        "Readiness thresholds (docs/readiness.md):\n"
        "  --min-days N          days with an MTA-STS report needed (default %d)\n"
        "  --min-organizations N reporting organizations needed (default %d)\n"
        "  --min-sessions N      MTA-STS sessions needed (default %d)\n"
        "  --max-failure-rate R  highest MTA-STS failure rate still ready, as 0.001 or 0.1%%\n"
        "                        (default 0.1%%)\n"
        "  --max-fetch-error-rate R  share of MTA-STS sessions with sts-policy-fetch-error\n"
        "                        still taken as transient (default 0.1%%; 0: any blocks)\n"
        "  --silent-days N       days without a report before a reporter counts as silent\n"
        "                        (default %d; 0 turns the note off)\n"
        "  --top N               rows of top failure details (default %d)\n"
        "\n"
        "Verdicts: enforcing (the newest reports show mode: enforce; lists what is refused),\n"
        "not-ready (an MX or the policy host fails, an MX is missing from the policy, or too many\n"
        "sessions fail), insufficient-data (too few days, organizations or sessions), ready.\n"
        "\n"
        "Exit status: 0 every domain ready or enforcing; 1 some domain not ready; 2 none not\n"
        "ready but some with insufficient data (or no domain at all); 3 usage error; 4 database\n"
        "error; 5 internal error (out of memory, output failed).\n"
        "\n"
        "Examples:\n"
        "  " PROG " --domain example.com\n"
        "  " PROG " --since 2026-10-01 --until 2026-10-15 --format json | jq '.domains[].verdict'\n"
        "  " PROG " --since 30d --format csv > readiness.csv\n"
        "\n"
        "See tlsrpt-report(1).\n",
        TLSRPT_DEF_WINDOW, TLSRPT_DEFAULT_DB, TLSRPT_DEF_MIN_DAYS, TLSRPT_DEF_MIN_ORGANIZATIONS,
        TLSRPT_DEF_MIN_STS_SESSIONS, TLSRPT_DEF_SILENT_DAYS, TLSRPT_DEF_TOP_DETAILS);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: one line saying what is wrong, one pointing at --help. */
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '" PROG " --help'.\n");
    va_end(ap);
    return TLSRPT_REPORT_EXIT_USAGE;
}

static int parse_count(const char *opt, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000000LL)
        return bad("%s wants a whole number from 0 to 1000000000, not '%s'", opt, s);
    *out = v;
    return 0;
}

/* "0.001" or "0.1%". */
static int parse_rate(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == '%' && end[1] == '\0') {
        v /= 100.0;
        end++;
    }
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0))
        return bad("%s wants a fraction (0.001) or a percentage (0.1%%), not '%s'", opt, s);
    *out = v;
    return 0;
}

static int parse_when(const char *opt, const char *s, int64_t now, int64_t *out)
{
    const char *why = NULL;
    if (tlsrpt_window_parse(s, now, out, &why) != 0) {
        fprintf(stderr, PROG ": %s '%s': %s\nTry '" PROG " --help'.\n", opt, s, why);
        return TLSRPT_REPORT_EXIT_USAGE;
    }
    return 0;
}

static bool want_color(enum color c)
{
    if (c != COLOR_AUTO)
        return c == COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no != NULL && no[0] != '\0')
        return false;
    if (term != NULL && strcmp(term, "dumb") == 0)
        return false;
    return isatty(STDOUT_FILENO) == 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"since", required_argument, NULL, OPT_SINCE},
        {"until", required_argument, NULL, OPT_UNTIL},
        {"now", required_argument, NULL, OPT_NOW},
        {"domain", required_argument, NULL, OPT_DOMAIN},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"color", required_argument, NULL, OPT_COLOR},
        {"colour", required_argument, NULL, OPT_COLOR},
        {"min-days", required_argument, NULL, OPT_MIN_DAYS},
        {"min-organizations", required_argument, NULL, OPT_MIN_ORGS},
        {"min-sessions", required_argument, NULL, OPT_MIN_SESSIONS},
        {"max-failure-rate", required_argument, NULL, OPT_MAX_RATE},
        {"max-fetch-error-rate", required_argument, NULL, OPT_MAX_FETCH},
        {"silent-days", required_argument, NULL, OPT_SILENT_DAYS},
        {"top", required_argument, NULL, OPT_TOP},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct tlsrpt_analysis_query q = {0};
    struct tlsrpt_analysis *a = NULL;
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    const char *db_flag = NULL, *since_s = TLSRPT_DEF_WINDOW, *until_s = NULL, *now_s = NULL;
    const char **domains = NULL;
    size_t n_domains = 0;
    enum format format = FORMAT_TEXT;
    enum color color = COLOR_AUTO;
    int rc = TLSRPT_REPORT_EXIT_USAGE;
    int c;

    tlsrpt_thresholds_default(&q.thresholds);
    domains = calloc(MAX_DOMAIN_ARGS, sizeof *domains);
    if (domains == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return TLSRPT_REPORT_EXIT_SOFTWARE;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db_flag = optarg;
            break;
        case OPT_SINCE:
            since_s = optarg;
            break;
        case OPT_UNTIL:
            until_s = optarg;
            break;
        case OPT_NOW:
            now_s = optarg;
            break;
        case OPT_DOMAIN:
            if (n_domains == MAX_DOMAIN_ARGS || optarg[0] == '\0') {
                rc = bad("--domain: empty, or given more than %d times", MAX_DOMAIN_ARGS);
                goto out;
            }
            domains[n_domains++] = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                format = FORMAT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                format = FORMAT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = FORMAT_CSV;
            else {
                rc = bad("--format is text, json or csv, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                color = COLOR_AUTO;
            else if (strcmp(optarg, "always") == 0)
                color = COLOR_ALWAYS;
            else if (strcmp(optarg, "never") == 0)
                color = COLOR_NEVER;
            else {
                rc = bad("--color is auto, always or never, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_MIN_DAYS:
            if ((rc = parse_count("--min-days", optarg, &q.thresholds.min_days)) != 0)
                goto out;
            break;
        case OPT_MIN_ORGS:
            if ((rc = parse_count("--min-organizations", optarg,
                                  &q.thresholds.min_organizations)) != 0)
                goto out;
            break;
        case OPT_MIN_SESSIONS:
            if ((rc = parse_count("--min-sessions", optarg, &q.thresholds.min_sts_sessions)) != 0)
                goto out;
            break;
        case OPT_MAX_RATE:
            if ((rc = parse_rate("--max-failure-rate", optarg, &q.thresholds.max_failure_rate)) !=
                0)
                goto out;
            break;
        case OPT_MAX_FETCH:
            if ((rc = parse_rate("--max-fetch-error-rate", optarg,
                                 &q.thresholds.max_fetch_error_rate)) != 0)
                goto out;
            break;
        case OPT_SILENT_DAYS:
            if ((rc = parse_count("--silent-days", optarg, &q.thresholds.silent_days)) != 0)
                goto out;
            break;
        case OPT_TOP:
            if ((rc = parse_count("--top", optarg, &q.thresholds.top_details)) != 0)
                goto out;
            break;
        case 'h':
            usage(stdout);
            rc = fflush(stdout) == 0 ? 0 : TLSRPT_REPORT_EXIT_SOFTWARE;
            goto out;
        case OPT_VERSION:
            printf(PROG " " TLSRPT_VERSION "\n");
            rc = 0;
            goto out;
        default:
            rc = bad("unknown option or missing argument: '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (optind < argc) {
        rc = bad("unexpected argument '%s' (use --domain to pick domains)", argv[optind]);
        goto out;
    }

    /* "now" first: every relative time counts from it. */
    int64_t real_now = (int64_t)time(NULL);
    if (now_s == NULL && getenv("TLSRPT_NOW") != NULL && getenv("TLSRPT_NOW")[0] != '\0')
        now_s = getenv("TLSRPT_NOW");
    q.now = real_now;
    if (now_s != NULL && (rc = parse_when("--now/TLSRPT_NOW", now_s, real_now, &q.now)) != 0)
        goto out;
    if ((rc = parse_when("--since", since_s, q.now, &q.since)) != 0)
        goto out;
    q.until = q.now;
    if (until_s != NULL && (rc = parse_when("--until", until_s, q.now, &q.until)) != 0)
        goto out;
    if (q.since >= q.until) {
        rc = bad("the window is empty: --since must be before --until");
        goto out;
    }
    q.domains = domains;
    q.n_domains = n_domains;

    /* Reports for thousands of domains run to tens of megabytes: write them in large blocks, and
     * without stdio's per-call lock (one thread writes; the lock was 4% of an all-domain run). */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, OUTPUT_BUFFER);
    __fsetlocking(stdout, FSETLOCKING_BYCALLER);
    if (tlsrpt_db_open(tlsrpt_db_path(db_flag), TLSRPT_DB_READONLY, &db, &err) != 0) {
        fprintf(stderr, PROG ": %s\n", err.message);
        rc = TLSRPT_REPORT_EXIT_DB;
        goto out;
    }
    if (tlsrpt_analyze(db, &q, &a, &err) != 0) {
        fprintf(stderr, PROG ": %s\n", err.message);
        rc = err.code == TLSRPT_E_DB ? TLSRPT_REPORT_EXIT_DB : TLSRPT_REPORT_EXIT_SOFTWARE;
        goto out;
    }
    int prc = format == FORMAT_JSON  ? tlsrpt_print_json(stdout, a)
              : format == FORMAT_CSV ? tlsrpt_print_csv(stdout, a)
                                     : tlsrpt_print_text(stdout, a, want_color(color));
    if (prc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, PROG ": writing the report failed: %s\n", strerror(errno));
        rc = TLSRPT_REPORT_EXIT_SOFTWARE;
        goto out;
    }
    rc = tlsrpt_analysis_exit_status(a);
out:
    tlsrpt_analysis_free(a);
    tlsrpt_db_close(db);
    free(domains);
    return rc;
}
