/* tlsrpt-gen - writes realistic TLS-RPT (RFC 8460) aggregate reports for demos, tests and
 * benchmarks.
 *
 * README
 *   tlsrpt-gen --out DIR [--domains N] [--days D] [--seed S] [--format F] [--scenarios]
 *              [--reports N] [--today YYYY-MM-DD]
 *
 *   Reports imitate the real senders of quirks.md §1, one shape each:
 *     google     "Google Inc.", report-id "<day>T00:00:00Z_<dom>", end 23:59:59Z, mx-host array,
 *                Subject Report-ID <YYYY.MM.DDT00.00.00Z+dom@google.com> (differs from the JSON)
 *     microsoft  sts + tlsa twin with identical counts, TLSA RRs as JSON inside one string, no
 * mx-host, report-id "<18-digit FILETIME>+<dom>", policy lines version/mode/mx/max_age, HTML human
 * part, no name= on the attachment, Subject folded mailru     end next midnight, "<uuid>@mail.ru",
 * fetch errors without IPs and with Go error text, Subject folded at every keyword stalwart
 * contact-info null, failure-details [], mx-host [], nulls in details, next midnight sys4 Postfix +
 * sys4 tlsrpt-reporter: "<day>T00:00:00Z_idx1_<dom>", failure-details [], OpenSSL-style reason
 * codes, multi-line receiving-mx-helo Output, under DIR: json/ (plain), json.gz/ (RFC file names),
 * eml/ (RFC 8460 §5.3 multipart/report, LF line endings) and maildir/{tmp,new,cur} (messages in
 * new/ as <time>.<n>.tlsrpt-gen).
 *
 *   --scenarios (the default unless --domains or --reports is given) writes four domains whose
 *   verdicts are known in advance:
 *     ready.example      testing, every reporter, ~1500 Google sessions a day, one transient
 *                        fetch error in the whole period (< 0.1 %): ready to enforce
 *     broken-mx.example  testing, mx2 fails (certificate-expired, earlier
 * certificate-host-mismatch) for Google, Microsoft and the small MTAs on six days: not ready
 *     sparse.example     Google only, the last two days, a handful of sessions: too little data
 *     enforcing.example  mode enforce in the newest reports (Microsoft still caches testing one day
 *                        longer), starttls-not-supported on backup.enforcing.example
 *   --domains N adds N random but plausible domains (names <word>-<word>.example).
 *   --reports N writes exactly N distinct reports, cycling domains, then reporters, then days
 *   (going further back than --days when needed); with no --domains it uses 100 random domains.
 *
 *   The newest report covers yesterday (the last complete UTC day). Everything follows from --seed
 *   (default 1) and the date, so two runs on the same day write identical files; --today pins the
 * date.
 */
#include "exit_codes.h"
#include "gen.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DOMAINS 1000000u
#define MAX_DAYS 3650u
#define MAX_REPORTS 100000000ul
#define DEFAULT_DAYS 14u
#define DEFAULT_BENCH_DOMAINS 100u

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: tlsrpt-gen --out DIR [options]\n"
        "Writes realistic TLS-RPT aggregate reports (Google, Microsoft, Mail.ru, a Stalwart-based\n"
        "MTA, Postfix+sys4 shapes) for demos, tests and benchmarks.\n"
        "\n"
        "  --out DIR        where to write: DIR/json, DIR/json.gz, DIR/eml, "
        "DIR/maildir/{tmp,new,cur}\n"
        "  --format F       json, json.gz, eml, maildir or all (default: json.gz); may be "
        "repeated\n"
        "                   or comma-separated\n"
        "  --scenarios      the four fixed-role domains: ready.example, broken-mx.example,\n"
        "                   sparse.example, enforcing.example (default without "
        "--domains/--reports)\n"
        "  --domains N      N random domains (added to the scenarios if --scenarios is also "
        "given)\n"
        "  --days D         days of reports, the newest covering yesterday (default %u)\n"
        "  --reports N      exactly N distinct reports, cycling domains, reporters, then days\n"
        "                   (older than --days when needed); default domains: %u random ones\n"
        "  --seed S         64-bit seed; same seed and date, same files (default 1)\n"
        "  --today DATE     pretend today is DATE (YYYY-MM-DD, UTC) for reproducible output\n"
        "  --quiet          print nothing on success\n"
        "  --help           this text\n"
        "\n"
        "Examples:\n"
        "  tlsrpt-gen --out /tmp/demo --format all                 # the four scenarios, 14 days\n"
        "  tlsrpt-gen --out /tmp/r --format json.gz --reports 100000   # benchmark input\n"
        "  tlsrpt-gen --out /tmp/m --format maildir --domains 50 --days 30 --seed 7\n"
        "\n"
        "Exit status: 0 success, 64 bad usage, 73 cannot create output, 74 write error,\n"
        "71 out of memory.\n",
        DEFAULT_DAYS, DEFAULT_BENCH_DOMAINS);
}

static int parse_ulong(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                       unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "tlsrpt-gen: %s wants a number from %lu to %lu, not '%s'\n", opt, lo, hi,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_formats(const char *s, unsigned *bits)
{
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        goto bad;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "json") == 0)
            *bits |= GEN_FMT_JSON;
        else if (strcmp(tok, "json.gz") == 0)
            *bits |= GEN_FMT_JSONGZ;
        else if (strcmp(tok, "eml") == 0)
            *bits |= GEN_FMT_EML;
        else if (strcmp(tok, "maildir") == 0)
            *bits |= GEN_FMT_MAILDIR;
        else if (strcmp(tok, "all") == 0)
            *bits |= GEN_FMT_JSON | GEN_FMT_JSONGZ | GEN_FMT_EML | GEN_FMT_MAILDIR;
        else
            goto bad;
    }
    return 0;
bad:
    fprintf(stderr, "tlsrpt-gen: --format wants json, json.gz, eml, maildir or all, not '%s'\n", s);
    return -1;
}

static int parse_date(const char *s, long long *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char *end = strptime(s, "%Y-%m-%d", &tm);
    if (end == NULL || *end != '\0' || tm.tm_year < 70 || tm.tm_year > 1100) {
        fprintf(stderr, "tlsrpt-gen: --today wants YYYY-MM-DD, not '%s'\n", s);
        return -1;
    }
    *out = (long long)timegm(&tm);
    return 0;
}

struct opts {
    struct gen_config cfg;
    const char *out;
    unsigned formats;
    bool domains_given;
    bool scenarios_given;
    bool quiet;
};

/* Returns -1 to exit 0 (--help), 0 to run, or an exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"domains", required_argument, NULL, 'n'},
        {"days", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},
        {"reports", required_argument, NULL, 'r'},
        {"today", required_argument, NULL, 't'},
        {"scenarios", no_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned long v;
    int c;
    while ((c = getopt_long(argc, argv, "o:f:n:d:s:r:t:Sqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'f':
            if (parse_formats(optarg, &o->formats) != 0)
                return TLSRPT_EXIT_USAGE;
            break;
        case 'n':
            if (parse_ulong("--domains", optarg, 1, MAX_DOMAINS, &v) != 0)
                return TLSRPT_EXIT_USAGE;
            o->cfg.ndomains = (unsigned)v;
            o->domains_given = true;
            break;
        case 'd':
            if (parse_ulong("--days", optarg, 1, MAX_DAYS, &v) != 0)
                return TLSRPT_EXIT_USAGE;
            o->cfg.days = (unsigned)v;
            break;
        case 's': {
            char *end = NULL;
            errno = 0;
            o->cfg.seed = strtoull(optarg, &end, 0);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
                fprintf(stderr, "tlsrpt-gen: --seed wants an unsigned 64-bit number\n");
                return TLSRPT_EXIT_USAGE;
            }
            break;
        }
        case 'r':
            if (parse_ulong("--reports", optarg, 1, MAX_REPORTS, &v) != 0)
                return TLSRPT_EXIT_USAGE;
            o->cfg.reports = v;
            break;
        case 't':
            if (parse_date(optarg, &o->cfg.today) != 0)
                return TLSRPT_EXIT_USAGE;
            break;
        case 'S':
            o->scenarios_given = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return TLSRPT_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tlsrpt-gen: unexpected argument '%s'\n", argv[optind]);
        return TLSRPT_EXIT_USAGE;
    }
    if (o->out == NULL || o->out[0] == '\0') {
        fprintf(stderr, "tlsrpt-gen: --out DIR is required (try --help)\n");
        return TLSRPT_EXIT_USAGE;
    }
    if (o->formats == 0)
        o->formats = GEN_FMT_JSONGZ;
    o->cfg.scenarios = o->scenarios_given || (!o->domains_given && o->cfg.reports == 0);
    if (!o->domains_given && !o->scenarios_given && o->cfg.reports > 0)
        o->cfg.ndomains = DEFAULT_BENCH_DOMAINS;
    return 0;
}

static const char *role_text(enum gen_role r)
{
    switch (r) {
    case GEN_ROLE_READY:
        return "testing, clean: ready to enforce";
    case GEN_ROLE_BROKEN_MX:
        return "testing, mx2 certificate failures: not ready";
    case GEN_ROLE_SPARSE:
        return "two days, one reporter: too little data";
    case GEN_ROLE_ENFORCING:
        return "enforce; backup MX without STARTTLS";
    default:
        return "random";
    }
}

/* Writes one item; 0, or an exit status. */
static int emit(const struct gen_config *cfg, struct gen_output *out, const struct gen_item *it,
                unsigned long per_rep[])
{
    struct gen_report r;
    if (gen_report_build(cfg, it, &r) != 0) {
        fprintf(stderr, "tlsrpt-gen: out of memory building a report\n");
        return TLSRPT_EXIT_OSERR;
    }
    int rc = gen_output_write(out, it, &r);
    gen_report_free(&r);
    if (rc != 0)
        return TLSRPT_EXIT_IOERR;
    per_rep[it->rep]++;
    return 0;
}

static int run(const struct opts *o, const struct gen_domain *doms, unsigned ndoms,
               struct gen_output *out, unsigned long per_rep[])
{
    const struct gen_config *cfg = &o->cfg;
    if (cfg->reports > 0) {
        unsigned long per_day = (unsigned long)ndoms * GEN_NREPORTERS;
        for (unsigned long k = 0; k < cfg->reports; k++) {
            struct gen_item it;
            it.dom_index = (unsigned)(k % ndoms);
            it.dom = &doms[it.dom_index];
            it.rep = (enum gen_reporter)((k / ndoms) % GEN_NREPORTERS);
            it.age = (unsigned)(1 + k / per_day);
            it.start = cfg->today - (long long)it.age * GEN_DAY;
            int rc = emit(cfg, out, &it, per_rep);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    for (unsigned age = cfg->days; age >= 1; age--) {
        for (unsigned i = 0; i < ndoms; i++) {
            for (unsigned rep = 0; rep < GEN_NREPORTERS; rep++) {
                struct gen_item it = {&doms[i], i, (enum gen_reporter)rep, age,
                                      cfg->today - (long long)age * GEN_DAY};
                if (!gen_plan_sends(cfg, &it))
                    continue;
                int rc = emit(cfg, out, &it, per_rep);
                if (rc != 0)
                    return rc;
            }
        }
    }
    return 0;
}

static void print_summary(const struct opts *o, const struct gen_domain *doms, unsigned ndoms,
                          const struct gen_output *out, const unsigned long per_rep[])
{
    unsigned long total = 0;
    for (unsigned r = 0; r < GEN_NREPORTERS; r++)
        total += per_rep[r];
    char first[40], last[40];
    unsigned span = o->cfg.reports ? (unsigned)((total + ndoms * GEN_NREPORTERS - 1) /
                                                ((unsigned long)ndoms * GEN_NREPORTERS))
                                   : o->cfg.days;
    gen_fmt_time(o->cfg.today - (long long)span * GEN_DAY, GEN_T_DATE, first, sizeof first);
    gen_fmt_time(o->cfg.today - GEN_DAY, GEN_T_DATE, last, sizeof last);
    printf("tlsrpt-gen: %lu reports, %u domains, %s .. %s, seed %" PRIu64 ", into %s\n", total,
           ndoms, first, last, o->cfg.seed, o->out);
    printf("  by reporter:");
    for (unsigned r = 0; r < GEN_NREPORTERS; r++)
        printf(" %s %lu", gen_reporter_info((enum gen_reporter)r)->key, per_rep[r]);
    printf("\n  files: %lu (%llu bytes)\n", out->files, out->bytes);
    for (unsigned i = 0; i < ndoms && doms[i].role != GEN_ROLE_RANDOM; i++)
        printf("  %-18s %s\n", doms[i].name, role_text(doms[i].role));
}

int main(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    o.cfg.seed = 1;
    o.cfg.days = DEFAULT_DAYS;
    o.cfg.today = (long long)time(NULL) / GEN_DAY * GEN_DAY;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TLSRPT_EXIT_OK : rc;

    struct gen_domain *doms = NULL;
    unsigned ndoms = 0;
    unsigned long per_rep[GEN_NREPORTERS] = {0};
    struct gen_output out = {o.out, o.formats, 0, 0, 0};
    if (gen_plan_domains(&o.cfg, &doms, &ndoms) != 0) {
        fprintf(stderr, "tlsrpt-gen: out of memory\n");
        rc = TLSRPT_EXIT_OSERR;
        goto out;
    }
    if (gen_output_open(&out) != 0) {
        rc = TLSRPT_EXIT_CANTCREAT;
        goto out;
    }
    rc = run(&o, doms, ndoms, &out, per_rep);
    if (rc == 0 && !o.quiet)
        print_summary(&o, doms, ndoms, &out, per_rep);
out:
    free(doms);
    return rc;
}
