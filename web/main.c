/* main.c - tlsrpt-web: options (flags and the [web] section of the config file), start-up checks,
 * then the signal loop (SIGHUP re-reads the TLS certificate, SIGINT/SIGTERM stop). */
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "exit_codes.h"
#include "log.h"
#include "web_server.h"
#include "tls.h"
#include "window.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PROG "tlsrpt-web"
#define NOPTS 27

struct web_opts {
    const char *config, *db, *listen, *tls_cert, *tls_key, *auth_user, *auth_hash, *now;
    const char *max_rate, *max_fetch_rate, *log_level;
    uint64_t threads, max_connections, idle_timeout, max_page, max_raw, cache_size, overview_wait;
    uint64_t min_days, min_orgs, min_sessions, silent_days, top;
    bool insecure_no_auth, hash_password, help;
};

static void make_table(struct web_opts *o, struct tlsrpt_option *t, struct tlsrpt_options *opts)
{
    const uint64_t K = 1024, M = K * K, G = K * M, BIG = 1000000000;
    const struct tlsrpt_option rows[NOPTS] = {
        {"config", 'c', TLSRPT_OPT_STRING, &o->config, 0, 0, "FILE",
         "configuration file; keys of its [web] section are these option names"},
        {"db", 0, TLSRPT_OPT_STRING, &o->db, 0, 0, "PATH",
         "SQLite database, opened read-only (else $TLSRPT_DB, else " TLSRPT_DEFAULT_DB ")"},
        {"listen", 'l', TLSRPT_OPT_STRING, &o->listen, 0, 0, "HOST:PORT",
         "numeric address and port ([::1]:8080 for IPv6; port 0 picks a free one)"},
        {"tls-cert", 0, TLSRPT_OPT_STRING, &o->tls_cert, 0, 0, "FILE",
         "PEM certificate chain: serve HTTPS (re-read on SIGHUP)"},
        {"tls-key", 0, TLSRPT_OPT_STRING, &o->tls_key, 0, 0, "FILE", "PEM private key"},
        {"auth-user", 0, TLSRPT_OPT_STRING, &o->auth_user, 0, 0, "NAME",
         "require HTTP basic authentication as this user"},
        {"auth-password-hash", 0, TLSRPT_OPT_STRING, &o->auth_hash, 0, 0, "HASH",
         "crypt(3) hash of the password (put it in the config file, not on the "
         "command line; make one with --hash-password)"},
        {"insecure-no-auth", 0, TLSRPT_OPT_BOOL, &o->insecure_no_auth, 0, 0, NULL,
         "allow a non-loopback listen address without authentication"},
        {"threads", 0, TLSRPT_OPT_UINT, &o->threads, 1, 64, "N", "worker threads"},
        {"max-connections", 0, TLSRPT_OPT_UINT, &o->max_connections, 1, 100000, "N",
         "open connections in all"},
        {"idle-timeout", 0, TLSRPT_OPT_UINT, &o->idle_timeout, 1, 3600, "SECONDS",
         "close an idle connection after this long"},
        {"max-page", 0, TLSRPT_OPT_SIZE, &o->max_page, 64 * K, G, "SIZE",
         "largest page or JSON document built for one request"},
        {"max-raw", 0, TLSRPT_OPT_SIZE, &o->max_raw, 4 * K, 256 * M, "SIZE",
         "largest raw report shown on the report page"},
        {"cache-size", 0, TLSRPT_OPT_SIZE, &o->cache_size, 0, 64 * G, "SIZE",
         "memory the kept analyses may hold together, least recently used dropped first (0: no "
         "limit)"},
        {"overview-wait", 0, TLSRPT_OPT_UINT, &o->overview_wait, 0, 600000, "MS",
         "how long the overview waits for an analysis being made before it answers that it is "
         "being made and reloads itself (0: never waits)"},
        {"now", 0, TLSRPT_OPT_STRING, &o->now, 0, 0, "WHEN",
         "pretend the time is WHEN, as tlsrpt-report --now (also env TLSRPT_NOW)"},
        {"min-days", 0, TLSRPT_OPT_UINT, &o->min_days, 0, BIG, "N",
         "readiness: days with an MTA-STS report needed"},
        {"min-organizations", 0, TLSRPT_OPT_UINT, &o->min_orgs, 0, BIG, "N",
         "readiness: reporting organizations needed"},
        {"min-sessions", 0, TLSRPT_OPT_UINT, &o->min_sessions, 0, BIG, "N",
         "readiness: MTA-STS sessions needed"},
        {"max-failure-rate", 0, TLSRPT_OPT_STRING, &o->max_rate, 0, 0, "R",
         "readiness: highest failure rate still ready, 0.001 or 0.1%"},
        {"max-fetch-error-rate", 0, TLSRPT_OPT_STRING, &o->max_fetch_rate, 0, 0, "R",
         "readiness: share of MTA-STS sessions with sts-policy-fetch-error above "
         "which it blocks, 0.001 or 0.1%"},
        {"silent-days", 0, TLSRPT_OPT_UINT, &o->silent_days, 0, BIG, "N",
         "readiness: days without a report before a reporter counts as silent"},
        {"top", 0, TLSRPT_OPT_UINT, &o->top, 0, 100000, "N", "rows of top failure details"},
        {"log-level", 0, TLSRPT_OPT_STRING, &o->log_level, 0, 0, "LEVEL",
         "debug (one line per request), info, warning or error"},
        {"hash-password", 0, TLSRPT_OPT_BOOL, &o->hash_password, 0, 0, NULL,
         "read a password on standard input, print its yescrypt hash, exit"},
        {"help", 'h', TLSRPT_OPT_BOOL, &o->help, 0, 0, NULL, "show this help and exit"},
    };
    size_t n = 0;
    while (n < NOPTS && rows[n].name != NULL)
        n++;
    memcpy(t, rows, n * sizeof *t);
    opts->opts = t;
    opts->n = n;
    opts->fallback = NULL;
    opts->fallback_ctx = NULL;
    opts->fallback_takes_value = false;
}

static void defaults(struct web_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = WEB_DEF_LISTEN;
    o->threads = WEB_DEF_THREADS;
    o->max_connections = WEB_DEF_MAX_CONNECTIONS;
    o->idle_timeout = WEB_DEF_IDLE_TIMEOUT;
    o->max_page = WEB_DEF_MAX_PAGE_BYTES;
    o->max_raw = WEB_DEF_MAX_RAW_BYTES;
    o->cache_size = WEB_CACHE_DEF_BYTES;
    o->overview_wait = WEB_DEF_OVERVIEW_WAIT_MS;
    o->min_days = TLSRPT_DEF_MIN_DAYS;
    o->min_orgs = TLSRPT_DEF_MIN_ORGANIZATIONS;
    o->min_sessions = TLSRPT_DEF_MIN_STS_SESSIONS;
    /* Shown by --help and parsed like a flag: the analyzer's own defaults, as percentages. */
    static char rate_def[32], fetch_def[32];
    snprintf(rate_def, sizeof rate_def, "%g%%", TLSRPT_DEF_MAX_FAILURE_RATE * 100.0);
    snprintf(fetch_def, sizeof fetch_def, "%g%%", TLSRPT_DEF_MAX_FETCH_ERROR_RATE * 100.0);
    o->max_rate = rate_def;
    o->max_fetch_rate = fetch_def;
    o->silent_days = TLSRPT_DEF_SILENT_DAYS;
    o->top = TLSRPT_DEF_TOP_DETAILS;
    o->log_level = "info";
}

static void usage(FILE *f, const struct tlsrpt_options *opts)
{
    fprintf(f,
            "Usage: " PROG " [OPTIONS]\n"
            "\n"
            "A read-only web dashboard over the tlsrpt database: per policy domain the\n"
            "readiness verdict of tlsrpt-report, daily charts, the tables behind the verdict,\n"
            "every report and every rejected input. JSON under /api/analysis is the document of\n"
            "tlsrpt-report --format json for the same window and domains.\n"
            "\n"
            "Options (each is also a key of the [web] section of the config file, "
            "default\n" TLSRPT_DEFAULT_CONFIG " when it exists; flags win over the file):\n");
    tlsrpt_options_print_help(f, opts);
    fprintf(f, "\n"
               "Pages: /  /domain?d=D  /reports  /report?id=N  /rejects  /api/analysis?d=D\n"
               "Every page takes window=7|14|30|90 (days before today, plus today) or\n"
               "window=custom&since=YYYY-MM-DD&until=YYYY-MM-DD (both days included).\n"
               "\n"
               "Listening beyond loopback needs --auth-user and --auth-password-hash (or\n"
               "--insecure-no-auth); use --tls-cert/--tls-key too, or basic auth sends the\n"
               "password in clear.\n"
               "\n"
               "Exit status: 0 stopped by SIGINT/SIGTERM; 64 bad option; 78 bad config file,\n"
               "certificate or password hash; 73 database cannot be opened; 71 cannot listen.\n"
               "\n"
               "Examples:\n"
               "  " PROG " --db ./tlsrpt.db                  # then open http://127.0.0.1:8080/\n"
               "  " PROG " --hash-password < password.txt   # for auth-password-hash\n"
               "See tlsrpt-web(1) and docs/web.md.\n");
}

static int level_of(const char *s, enum tlsrpt_log_level *out)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum tlsrpt_log_level)i;
            return 0;
        }
    return -1;
}

/* "0.001" or "0.1%", as tlsrpt-report reads it. */
static int parse_rate(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == '%' && end[1] == '\0') {
        v /= 100.0;
        end++;
    }
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

/* Config file then flags. Returns -1 to go on, else the exit status. */
static int parse(struct web_opts *o, int argc, char **argv, struct tlsrpt_config **cfg)
{
    struct tlsrpt_option table[NOPTS];
    struct tlsrpt_options opts;
    struct tlsrpt_error err = {0};
    make_table(o, table, &opts);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, &opts);
            return TLSRPT_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf(PROG " %s\n", TLSRPT_VERSION);
            return TLSRPT_EXIT_OK;
        }
    }
    const char *path = tlsrpt_options_peek(argc, argv, "config");
    if (path == NULL && access(TLSRPT_DEFAULT_CONFIG, F_OK) == 0)
        path = TLSRPT_DEFAULT_CONFIG;
    if (path != NULL && tlsrpt_config_load(path, cfg, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CONFIG;
    }
    if (*cfg != NULL && tlsrpt_options_from_config(&opts, *cfg, "web", &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CONFIG;
    }
    int first = 0;
    if (tlsrpt_options_from_argv(&opts, argc, argv, &first, &err) != 0 || first < argc) {
        if (first < argc && err.message[0] == '\0')
            snprintf(err.message, sizeof err.message, "unexpected argument '%s'", argv[first]);
        fprintf(stderr, PROG ": %s\nTry '" PROG " --help'.\n", err.message);
        return TLSRPT_EXIT_USAGE;
    }
    enum tlsrpt_log_level lvl;
    if (level_of(o->log_level, &lvl) != 0) {
        log_error("log-level: '%s' is not debug, info, warning or error", o->log_level);
        return TLSRPT_EXIT_USAGE;
    }
    tlsrpt_log_init(PROG, lvl);
    return -1;
}

/* Reads one line from stdin (echo off on a terminal) and prints its hash. */
static int hash_password(void)
{
    char line[WEB_AUTH_MAX_PASSWORD + 2], hash[256];
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "Password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(line, sizeof line, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (got == NULL) {
        log_error("no password on standard input");
        return TLSRPT_EXIT_USAGE;
    }
    line[strcspn(line, "\r\n")] = '\0';
    struct tlsrpt_error err = {0};
    int rc = web_auth_make_hash(line, hash, sizeof hash, &err);
    explicit_bzero(line, sizeof line);
    if (rc != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_USAGE;
    }
    printf("%s\n", hash);
    return TLSRPT_EXIT_OK;
}

struct running {
    struct web_server_config sc;
    struct tlsrpt_tls *tls;
    struct web_auth auth;
    bool auth_on;
    struct web_server *server;
};

/* Everything that can be wrong with the configuration, checked before listening. */
static int prepare(const struct web_opts *o, struct running *r)
{
    struct tlsrpt_error err = {0};
    char host[64], why[160];
    unsigned port;
    const char *when = o->now != NULL ? o->now : getenv("TLSRPT_NOW");
    const char *wwhy = NULL;
    struct web_server_config *sc = &r->sc;
    tlsrpt_thresholds_default(&sc->settings.thresholds);
    sc->settings.thresholds.min_days = (int64_t)o->min_days;
    sc->settings.thresholds.min_organizations = (int64_t)o->min_orgs;
    sc->settings.thresholds.min_sts_sessions = (int64_t)o->min_sessions;
    sc->settings.thresholds.silent_days = (int64_t)o->silent_days;
    sc->settings.thresholds.top_details = (int64_t)o->top;
    if (parse_rate(o->max_rate, &sc->settings.thresholds.max_failure_rate) != 0) {
        log_error("max-failure-rate: '%s' is not a fraction (0.001) or percentage (0.1%%)",
                  o->max_rate);
        return TLSRPT_EXIT_USAGE;
    }
    if (parse_rate(o->max_fetch_rate, &sc->settings.thresholds.max_fetch_error_rate) != 0) {
        log_error("max-fetch-error-rate: '%s' is not a fraction (0.001) or percentage (0.1%%)",
                  o->max_fetch_rate);
        return TLSRPT_EXIT_USAGE;
    }
    sc->settings.max_page_bytes = (size_t)o->max_page;
    sc->settings.max_raw_bytes = (size_t)o->max_raw;
    sc->cache_bytes = (size_t)o->cache_size;
    sc->settings.overview_wait_ms = (int64_t)o->overview_wait;
    if (when != NULL && when[0] != '\0' &&
        tlsrpt_window_parse(when, (int64_t)time(NULL), &sc->fixed_now, &wwhy) != 0) {
        log_error("now: '%s': %s", when, wwhy);
        return TLSRPT_EXIT_USAGE;
    }
    if (web_parse_listen(o->listen, host, sizeof host, &port, why, sizeof why) != 0) {
        log_error("listen: %s", why);
        return TLSRPT_EXIT_USAGE;
    }
    if ((o->auth_user != NULL) != (o->auth_hash != NULL)) {
        log_error("auth-user and auth-password-hash go together");
        return TLSRPT_EXIT_USAGE;
    }
    if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
        log_error("tls-cert and tls-key go together");
        return TLSRPT_EXIT_USAGE;
    }
    bool loopback = web_host_is_loopback(host);
    if (!loopback && o->auth_user == NULL && !o->insecure_no_auth) {
        log_error("listen %s is not a loopback address: set auth-user and auth-password-hash "
                  "(or --insecure-no-auth)",
                  o->listen);
        return TLSRPT_EXIT_USAGE;
    }
    if (o->auth_user != NULL) {
        if (web_auth_init(&r->auth, o->auth_user, o->auth_hash, &err) != 0) {
            log_error("%s", err.message);
            return TLSRPT_EXIT_CONFIG;
        }
        r->auth_on = true;
        sc->auth = &r->auth;
    }
    if (o->tls_cert != NULL) {
        if (tlsrpt_tls_load(o->tls_cert, o->tls_key, &r->tls, &err) != 0) {
            log_error("TLS: %s", err.message);
            return TLSRPT_EXIT_CONFIG;
        }
        sc->tls = r->tls;
    } else if (!loopback) {
        log_warning("listening beyond loopback without TLS: pages%s travel in clear",
                    r->auth_on ? " and the password" : "");
    }
    sc->db_path = tlsrpt_db_path(o->db);
    sc->listen = o->listen;
    sc->threads = (unsigned)o->threads;
    sc->max_connections = (unsigned)o->max_connections;
    sc->idle_timeout = (unsigned)o->idle_timeout;
    struct tlsrpt_db *db = NULL;
    if (tlsrpt_db_open(sc->db_path, TLSRPT_DB_READONLY, &db, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CANTCREAT;
    }
    tlsrpt_db_close(db);
    return -1;
}

/* Waits for signals; the MHD threads were started with them blocked, so only sigwait sees them. */
static void signal_loop(struct running *r, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig != SIGHUP) {
            log_info("signal %d: stopping", sig);
            return;
        }
        struct tlsrpt_error err = {0};
        if (r->tls == NULL)
            log_info("SIGHUP: no certificate to reload");
        else if (tlsrpt_tls_reload(r->tls, &err) != 0)
            log_warning("SIGHUP: certificate not reloaded, keeping the old one: %s", err.message);
        else
            log_info("SIGHUP: certificate reloaded");
    }
}

int main(int argc, char **argv)
{
    struct web_opts o;
    struct tlsrpt_config *cfg = NULL;
    struct running r;
    int rc;
    memset(&r, 0, sizeof r);
    tlsrpt_log_init(PROG, TLSRPT_LOG_INFO);
    defaults(&o);
    rc = parse(&o, argc, argv, &cfg);
    if (rc < 0 && o.hash_password)
        rc = hash_password();
    if (rc < 0)
        rc = prepare(&o, &r);
    if (rc < 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        struct tlsrpt_error err = {0};
        if (web_server_start(&r.sc, &r.server, &err) != 0) {
            log_error("%s", err.message);
            rc = TLSRPT_EXIT_OSERR;
        } else {
            char host[64], why[16];
            unsigned port;
            web_parse_listen(o.listen, host, sizeof host, &port, why, sizeof why);
            bool v6 = strchr(host, ':') != NULL;
            log_info("listening on %s://%s%s%s:%u/ (database %s, read-only)",
                     r.tls != NULL ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
                     web_server_port(r.server), r.sc.db_path);
            signal_loop(&r, &set);
            web_server_stop(r.server);
            rc = TLSRPT_EXIT_OK;
        }
    }
    if (r.auth_on)
        web_auth_free(&r.auth);
    tlsrpt_tls_free(r.tls);
    tlsrpt_config_free(cfg);
    return rc;
}
