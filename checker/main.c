/* main.c - tlsrpt-check: live MTA-STS / TLS-RPT check of domains (usage in usage() and
 * docs/man/tlsrpt-check.1). */
#include "check.h"
#include "cert.h"
#include "check_exit.h"
#include "check_store.h"
#include "db.h"
#include "exit_codes.h"
#include "fetch.h"
#include "log.h"
#include "output.h"
#include "suggest.h"
#include "units.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MAX_MS 600000 /* ten minutes: anything longer is a typo */
#define DOMAIN_BUF 256        /* a domain from the command line, normalised */

enum fmt { FMT_TEXT, FMT_JSON };

struct args {
    struct tlsrpt_check_opts o;
    enum fmt format;
    int store, suggest, brief;
    const char *db;
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: tlsrpt-check [OPTIONS] DOMAIN...\n"
            "       tlsrpt-check --suggest DOMAIN...\n"
            "\n"
            "Checks what senders see of a domain's MTA-STS (RFC 8461) and TLS-RPT (RFC 8460)\n"
            "set-up, live: the _mta-sts and _smtp._tls TXT records, the policy file at\n"
            "https://mta-sts.DOMAIN/.well-known/mta-sts.txt and its certificate, and for every\n"
            "MX host: whether the policy covers it, STARTTLS on port 25, and its certificate.\n"
            "Each problem is a finding with a severity, a code and the fix in one sentence.\n"
            "\n"
            "Output:\n"
            "  -f, --format=text|json   text for people (default), json for programs\n"
            "      --brief              text: findings only, without the facts seen\n"
            "  -s, --store              also save each result in the database, with its time\n"
            "      --db=PATH            database (default: $TLSRPT_DB, else %s)\n"
            "      --suggest            print the records and policy file to publish for a\n"
            "                           domain starting out (mode testing, from its MX records)\n"
            "\n"
            "Limits:\n"
            "      --timeout=TIME       DNS, policy fetch and each SMTP conversation (below)\n"
            "      --dns-timeout=TIME   one round of DNS queries (default 5s)\n"
            "      --fetch-timeout=TIME the policy fetch (default 20s)\n"
            "      --smtp-timeout=TIME  one MX address, connect to certificate (default 15s)\n"
            "      --expiry-warn=DAYS   warn when a certificate expires this soon (default %d)\n"
            "      --ehlo=NAME          name given in EHLO (default localhost)\n"
            "  TIME is seconds (\"5\", \"5s\") or milliseconds (\"500ms\").\n"
            "\n"
            "Test set-ups (production uses the system resolver and CA store):\n"
            "      --dns-server=ADDR[@PORT]  ask this DNS server (forwarder) instead of the\n"
            "                                ones in /etc/resolv.conf\n"
            "      --trust-anchor=FILE       validate DNSSEC with these DS/DNSKEY records\n"
            "      --ca-file=FILE            trust these CA certificates (PEM) instead\n"
            "      --smtp-port=PORT          connect to MX hosts on PORT instead of 25\n"
            "      --policy-connect-to=[ADDR]:PORT\n"
            "                                fetch the policy from ADDR:PORT (ADDR empty: the\n"
            "                                resolved address); URL, Host and SNI are unchanged\n"
            "\n"
            "Exit status: 0 all good (notes allowed), 1 warnings only, 2 errors found,\n"
            "64 usage error, 71 out of memory, 73 database error (--store),\n"
            "74 resolver or trust store could not be set up.\n"
            "\n"
            "Examples:\n"
            "  tlsrpt-check example.com\n"
            "  tlsrpt-check --format json --store example.com example.org\n"
            "  tlsrpt-check --suggest example.com > mta-sts-setup.txt\n"
            "Finding codes and their fixes: man tlsrpt-check.\n",
            TLSRPT_DEFAULT_DB, TLSRPT_CERT_WARN_DAYS);
}

static int parse_time(const char *s, int *ms)
{
    char num[32];
    size_t n = strlen(s);
    long long mult = 1000, v;
    if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
        n -= 2;
        mult = 1;
    } else if (n > 1 && s[n - 1] == 's') {
        n -= 1;
    }
    if (n == 0 || n >= sizeof num)
        return -1;
    memcpy(num, s, n);
    num[n] = '\0';
    if (tlsrpt_parse_int(num, 1, TIMEOUT_MAX_MS, &v) != 0 || v * mult > TIMEOUT_MAX_MS)
        return -1;
    *ms = (int)(v * mult);
    return 0;
}

static int parse_port(const char *s, int *port)
{
    long long v;
    if (tlsrpt_parse_int(s, 1, 65535, &v) != 0)
        return -1;
    *port = (int)v;
    return 0;
}

/* "[ADDR]:PORT", "ADDR:PORT" or ":PORT"; addr_buf receives ADDR without brackets. */
static int parse_connect_to(const char *s, char *addr_buf, size_t cap, struct tlsrpt_check_opts *o)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || parse_port(colon + 1, &o->policy_port) != 0)
        return -1;
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n >= cap)
        return -1;
    memcpy(addr_buf, s, n);
    addr_buf[n] = '\0';
    o->policy_addr = n > 0 ? addr_buf : NULL;
    return 0;
}

enum {
    OPT_BRIEF = 256,
    OPT_DB,
    OPT_SUGGEST,
    OPT_TIMEOUT,
    OPT_DNS_TIMEOUT,
    OPT_FETCH_TIMEOUT,
    OPT_SMTP_TIMEOUT,
    OPT_EXPIRY,
    OPT_EHLO,
    OPT_DNS_SERVER,
    OPT_TA,
    OPT_CA,
    OPT_SMTP_PORT,
    OPT_CONNECT_TO,
};

static const struct option longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"brief", no_argument, NULL, OPT_BRIEF},
    {"store", no_argument, NULL, 's'},
    {"db", required_argument, NULL, OPT_DB},
    {"suggest", no_argument, NULL, OPT_SUGGEST},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
    {"fetch-timeout", required_argument, NULL, OPT_FETCH_TIMEOUT},
    {"smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT},
    {"expiry-warn", required_argument, NULL, OPT_EXPIRY},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"trust-anchor", required_argument, NULL, OPT_TA},
    {"ca-file", required_argument, NULL, OPT_CA},
    {"smtp-port", required_argument, NULL, OPT_SMTP_PORT},
    {"policy-connect-to", required_argument, NULL, OPT_CONNECT_TO},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* One option; returns 0, or -1 with a message printed. */
static int one_option(int c, const char *v, struct args *a, char *addr_buf, size_t cap)
{
    long long n = 0;
    int t, bad = 0;
    struct tlsrpt_check_opts *o = &a->o;
    switch (c) {
    case 'f':
        a->format = strcmp(v, "json") == 0 ? FMT_JSON : FMT_TEXT;
        bad = strcmp(v, "json") != 0 && strcmp(v, "text") != 0;
        break;
    case OPT_BRIEF:
        a->brief = 1;
        break;
    case 's':
        a->store = 1;
        break;
    case OPT_DB:
        a->db = v;
        break;
    case OPT_SUGGEST:
        a->suggest = 1;
        break;
    case OPT_TIMEOUT:
        bad = parse_time(v, &t) != 0;
        o->dns_timeout_ms = o->fetch_timeout_ms = o->smtp_timeout_ms = t;
        break;
    case OPT_DNS_TIMEOUT:
        bad = parse_time(v, &o->dns_timeout_ms) != 0;
        break;
    case OPT_FETCH_TIMEOUT:
        bad = parse_time(v, &o->fetch_timeout_ms) != 0;
        break;
    case OPT_SMTP_TIMEOUT:
        bad = parse_time(v, &o->smtp_timeout_ms) != 0;
        break;
    case OPT_EXPIRY:
        bad = tlsrpt_parse_int(v, 0, 3650, &n) != 0;
        o->warn_days = (int)n;
        break;
    case OPT_EHLO:
        o->ehlo = v;
        bad = strpbrk(v, " \r\n") != NULL || v[0] == '\0';
        break;
    case OPT_DNS_SERVER:
        o->dns_server = v;
        break;
    case OPT_TA:
        o->trust_anchor = v;
        break;
    case OPT_CA:
        o->ca_file = v;
        break;
    case OPT_SMTP_PORT:
        bad = parse_port(v, &o->smtp_port) != 0;
        break;
    case OPT_CONNECT_TO:
        bad = parse_connect_to(v, addr_buf, cap, o) != 0;
        break;
    default:
        return -1;
    }
    if (bad)
        fprintf(stderr, "tlsrpt-check: invalid value \"%s\" (see --help)\n", v);
    return bad ? -1 : 0;
}

static int worst(int a, int b)
{
    return a > b ? a : b;
}

static int exit_for(const struct tlsrpt_findings *f)
{
    if (tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR) > 0)
        return TLSRPT_CHECK_EXIT_ERRORS;
    return tlsrpt_findings_count(f, TLSRPT_FINDING_WARNING) > 0 ? TLSRPT_CHECK_EXIT_WARNINGS
                                                                : TLSRPT_EXIT_OK;
}

/* Checks one domain, prints or collects it, stores it. Returns its exit status. */
static int run_check(struct tlsrpt_checker *ck, const struct args *a, struct tlsrpt_db *db,
                     const char *domain, json_t *results)
{
    struct tlsrpt_check_result r;
    struct tlsrpt_error err = {0};
    int status;
    if (tlsrpt_check_domain(ck, domain, &r, &err) != 0) {
        log_error("%s: check failed: %s", domain, err.message);
        tlsrpt_check_result_free(&r);
        return err.code == TLSRPT_E_NOMEM ? TLSRPT_EXIT_OSERR : TLSRPT_EXIT_IOERR;
    }
    status = exit_for(&r.findings);
    if (a->format == FMT_JSON)
        json_array_append(results, r.doc);
    else
        tlsrpt_check_print_text(stdout, &r, !a->brief);
    if (db != NULL && tlsrpt_check_store(db, &r, NULL, &err) != 0) {
        log_error("%s: result not stored: %s", domain, err.message);
        status = worst(status, TLSRPT_EXIT_CANTCREAT);
    }
    tlsrpt_check_result_free(&r);
    return status;
}

static int run_suggest(struct tlsrpt_checker *ck, const struct args *a, const char *domain,
                       json_t *results)
{
    json_t *s = NULL;
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_check_suggest(ck, domain, time(NULL), &s, &err);
    if (rc > 1 || s == NULL) {
        log_error("%s: %s", domain, err.message);
        return rc == TLSRPT_E_NOMEM ? TLSRPT_EXIT_OSERR : TLSRPT_EXIT_IOERR;
    }
    if (a->format == FMT_JSON)
        json_array_append(results, s);
    else
        tlsrpt_suggest_print_text(stdout, s);
    json_decref(s);
    return rc == 1 ? TLSRPT_CHECK_EXIT_ERRORS : TLSRPT_EXIT_OK;
}

static int run(const struct args *a, char **domains, int n)
{
    struct tlsrpt_checker *ck = NULL;
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    json_t *results = json_array();
    int status = TLSRPT_EXIT_OK;

    if (results == NULL) {
        status = TLSRPT_EXIT_OSERR;
        goto out;
    }
    if (tlsrpt_checker_new(&a->o, &ck, &err) != 0) {
        log_error("%s", err.message);
        status = err.code == TLSRPT_E_NOMEM ? TLSRPT_EXIT_OSERR : TLSRPT_EXIT_IOERR;
        goto out;
    }
    if (a->store && !a->suggest &&
        tlsrpt_db_open(tlsrpt_db_path(a->db), TLSRPT_DB_READWRITE, &db, &err) != 0) {
        log_error("%s", err.message);
        status = TLSRPT_EXIT_CANTCREAT;
        goto out;
    }
    for (int i = 0; i < n; i++)
        status = worst(status, a->suggest ? run_suggest(ck, a, domains[i], results)
                                          : run_check(ck, a, db, domains[i], results));
    if (a->format == FMT_JSON) {
        json_t *top = json_pack("{s:s, s:s, s:s, s:O, s:i}", "tool", "tlsrpt-check", "version",
                                TLSRPT_VERSION, "kind", a->suggest ? "suggest" : "check", "results",
                                results, "exit_status", status);
        if (top == NULL || json_dumpf(top, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
            status = TLSRPT_EXIT_OSERR;
        fputc('\n', stdout);
        json_decref(top);
    }
out:
    json_decref(results);
    tlsrpt_db_close(db);
    tlsrpt_checker_free(ck);
    return status;
}

int main(int argc, char **argv)
{
    struct args a = {.format = FMT_TEXT};
    char addr_buf[64];
    char(*domains)[DOMAIN_BUF] = NULL;
    char **names = NULL;
    int c, status = TLSRPT_EXIT_USAGE;

    tlsrpt_log_init("tlsrpt-check", TLSRPT_LOG_INFO);
    tlsrpt_check_opts_default(&a.o);
    while ((c = getopt_long(argc, argv, "f:shV", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return TLSRPT_EXIT_OK;
        }
        if (c == 'V') {
            printf("tlsrpt-check %s\n", TLSRPT_VERSION);
            return TLSRPT_EXIT_OK;
        }
        if (c == '?' || one_option(c, optarg, &a, addr_buf, sizeof addr_buf) != 0) {
            fprintf(stderr, "Try 'tlsrpt-check --help'.\n");
            return TLSRPT_EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (n == 0) {
        usage(stderr);
        return TLSRPT_EXIT_USAGE;
    }
    domains = calloc((size_t)n, sizeof *domains);
    names = calloc((size_t)n, sizeof *names);
    if (domains == NULL || names == NULL) {
        status = TLSRPT_EXIT_OSERR;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (tlsrpt_check_domain_arg(argv[optind + i], domains[i], sizeof domains[i]) != 0) {
            fprintf(stderr,
                    "tlsrpt-check: \"%s\" is not a domain name (IDNs: give the xn-- form)\n",
                    argv[optind + i]);
            goto out;
        }
        names[i] = domains[i];
    }
    if (tlsrpt_fetch_global_init() != 0) {
        log_error("libcurl could not be initialised");
        status = TLSRPT_EXIT_IOERR;
        goto out;
    }
    status = run(&a, names, n);
    tlsrpt_fetch_global_cleanup();
out:
    free(domains);
    free(names);
    return status;
}
