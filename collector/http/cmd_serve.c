/* cmd_serve.c - `tlsrpt-collector serve`: options and config file, start-up checks, the signal loop
 * (SIGHUP reloads the certificate, SIGTERM/SIGINT stop gracefully) and the ordered shutdown. The
 * endpoint may run two more threads: the Maildir watcher (serve_maildir.h) and the periodic live
 * check of check-domains (serve_check.h). */
#include "cli_limits.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "exit_codes.h"
#include "fetch.h"
#include "log.h"
#include "request.h"
#include "serve_check.h"
#include "serve_maildir.h"
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEF_SHUTDOWN_TIMEOUT 30 /* seconds to let in-flight requests finish on SIGTERM */

struct serve_opts {
    const char *config, *db, *listen, *tls_cert, *tls_key, *tls_priorities, *trusted_proxies;
    const char *path, *allowed_domains, *maildir, *log_level;
    const char *check_domains, *check_dns_server, *check_trust_anchor, *check_ca_file;
    const char *check_connect_to;
    uint64_t check_interval, check_smtp_port;
    uint64_t port, max_body, max_drain, max_headers, max_connections, max_per_ip;
    uint64_t idle_timeout, request_timeout, rate, burst, rate_clients, queue, threads;
    uint64_t retry_after, shutdown_timeout;
    bool plain_http, check_config, help;
    struct tlsrpt_ingest_config ingest;
};

static int limits_fallback(void *ctx, const char *name, const char *value, char *why, size_t n)
{
    struct serve_opts *o = ctx;
    int r = tlsrpt_cli_limit_by_name(name, value, &o->ingest);
    if (r < 0)
        snprintf(why, n, "invalid value '%.64s'", value);
    return r;
}

#define NOPTS 36

static void make_table(struct serve_opts *o, struct tlsrpt_option *t, struct tlsrpt_options *opts)
{
    const uint64_t K = 1024, M = K * K, G = K * M;
    const struct tlsrpt_option rows[NOPTS] = {
        {"config", 'c', TLSRPT_OPT_STRING, &o->config, 0, 0, "FILE",
         "configuration file; keys of its [serve] section are these option names"},
        {"db", 0, TLSRPT_OPT_STRING, &o->db, 0, 0, "PATH",
         "SQLite database (else $TLSRPT_DB, else " TLSRPT_DEFAULT_DB ")"},
        {"listen", 'l', TLSRPT_OPT_STRING, &o->listen, 0, 0, "ADDR",
         "numeric address to listen on; \"::\" takes IPv6 and IPv4 clients"},
        {"port", 'p', TLSRPT_OPT_UINT, &o->port, 0, 65535, "N", "TCP port; 0 picks a free one"},
        {"tls-cert", 0, TLSRPT_OPT_STRING, &o->tls_cert, 0, 0, "FILE",
         "PEM certificate chain, leaf first (re-read on SIGHUP)"},
        {"tls-key", 0, TLSRPT_OPT_STRING, &o->tls_key, 0, 0, "FILE",
         "PEM private key of the certificate (re-read on SIGHUP)"},
        {"tls-priorities", 0, TLSRPT_OPT_STRING, &o->tls_priorities, 0, 0, "STR",
         "GnuTLS priority string (default: libmicrohttpd's)"},
        {"plain-http", 0, TLSRPT_OPT_BOOL, &o->plain_http, 0, 0, NULL,
         "serve plain HTTP, for use behind a TLS-terminating reverse proxy"},
        {"trusted-proxies", 0, TLSRPT_OPT_STRING, &o->trusted_proxies, 0, 0, "LIST",
         "addresses/prefixes whose X-Forwarded-For is believed (e.g. \"127.0.0.1, ::1\")"},
        {"path", 0, TLSRPT_OPT_STRING, &o->path, 0, 0, "PATH",
         "accept POST only on this path (default: any path)"},
        {"allowed-domains", 0, TLSRPT_OPT_STRING, &o->allowed_domains, 0, 0, "LIST",
         "accept only reports for these policy domains or their subdomains;\n"
         "others get 403 and are counted, not stored (default: all)"},
        {"maildir", 0, TLSRPT_OPT_STRING, &o->maildir, 0, 0, "DIR",
         "also watch this Maildir for report mail, in the same process"},
        {"check-domains", 0, TLSRPT_OPT_STRING, &o->check_domains, 0, 0, "LIST",
         "also run the live check of tlsrpt-check on these domains (commas and/or "
         "blanks) every check-interval, and keep each result in the database (default: none)"},
        {"check-interval", 0, TLSRPT_OPT_DURATION, &o->check_interval,
         TLSRPT_SERVE_CHECK_MIN_INTERVAL, TLSRPT_SERVE_CHECK_MAX_INTERVAL, "TIME",
         "time between the starts of two rounds of check-domains: seconds, or with "
         "s, m, h, d or w (below 1h a warning is logged)"},
        {"check-dns-server", 0, TLSRPT_OPT_STRING, &o->check_dns_server, 0, 0, "ADDR[@PORT]",
         "check-domains: ask this DNS server (as a forwarder) instead of the ones in "
         "/etc/resolv.conf"},
        {"check-trust-anchor", 0, TLSRPT_OPT_STRING, &o->check_trust_anchor, 0, 0, "FILE",
         "check-domains: validate DNSSEC with these DS/DNSKEY records"},
        {"check-ca-file", 0, TLSRPT_OPT_STRING, &o->check_ca_file, 0, 0, "FILE",
         "check-domains: trust these CA certificates (PEM) instead of the system store"},
        {"check-smtp-port", 0, TLSRPT_OPT_UINT, &o->check_smtp_port, 1, 65535, "PORT",
         "check-domains: connect to MX hosts on this port (test set-ups)"},
        {"check-policy-connect-to", 0, TLSRPT_OPT_STRING, &o->check_connect_to, 0, 0, "[ADDR]:PORT",
         "check-domains: fetch the policy from ADDR:PORT (ADDR empty: the resolved "
         "address); URL, Host and SNI are unchanged (test set-ups)"},
        {"max-body", 0, TLSRPT_OPT_SIZE, &o->max_body, K, G, "SIZE",
         "largest request body; checked against Content-Length and while reading (413)"},
        {"max-drain", 0, TLSRPT_OPT_SIZE, &o->max_drain, 0, G, "SIZE",
         "body bytes read and dropped after 413 before the connection is closed"},
        {"max-headers", 0, TLSRPT_OPT_SIZE, &o->max_headers, 8 * K, 16 * M, "SIZE",
         "memory per connection for the request line and headers"},
        {"max-connections", 0, TLSRPT_OPT_UINT, &o->max_connections, 1, 1000000, "N",
         "open connections in all; more are refused at accept"},
        {"max-connections-per-ip", 0, TLSRPT_OPT_UINT, &o->max_per_ip, 0, 1000000, "N",
         "open connections from one TCP peer address, 0 = no limit"},
        {"idle-timeout", 0, TLSRPT_OPT_UINT, &o->idle_timeout, 1, 86400, "SECONDS",
         "close a connection after this long without receiving a byte"},
        {"request-timeout", 0, TLSRPT_OPT_UINT, &o->request_timeout, 1, 86400, "SECONDS",
         "close a connection whose request (handshake, headers, body) is not\n"
         "complete this long after the connection or its previous request (slowloris)"},
        {"rate-limit", 0, TLSRPT_OPT_UINT, &o->rate, 0, 1000000000, "N",
         "requests per minute per client address (IPv6: per /64), 0 = off; 429 past it"},
        {"rate-burst", 0, TLSRPT_OPT_UINT, &o->burst, 1, 1000000000, "N",
         "requests a client may make at once before rate-limit applies"},
        {"rate-limit-clients", 0, TLSRPT_OPT_UINT, &o->rate_clients, 16, 100000000, "N",
         "client addresses the rate limiter remembers (fixed memory)"},
        {"max-queue", 0, TLSRPT_OPT_UINT, &o->queue, 1, 1000000, "N",
         "reports waiting for the database writer; more get 503"},
        {"threads", 0, TLSRPT_OPT_UINT, &o->threads, 1, 256, "N",
         "event threads (TLS handshakes, reading, inflating)"},
        {"retry-after", 0, TLSRPT_OPT_UINT, &o->retry_after, 1, 86400, "SECONDS",
         "Retry-After sent with 503 (database unavailable, server saturated)"},
        {"shutdown-timeout", 0, TLSRPT_OPT_UINT, &o->shutdown_timeout, 0, 3600, "SECONDS",
         "on SIGTERM, how long requests in progress may take to finish"},
        {"log-level", 0, TLSRPT_OPT_STRING, &o->log_level, 0, 0, "LEVEL",
         "debug, info (one line per request), warning or error"},
        {"check-config", 0, TLSRPT_OPT_BOOL, &o->check_config, 0, 0, NULL,
         "check the configuration and certificate, then exit"},
        {"help", 'h', TLSRPT_OPT_BOOL, &o->help, 0, 0, NULL, "show this help and exit"},
    };
    size_t n = 0;
    while (n < NOPTS && rows[n].name)
        n++;
    memcpy(t, rows, n * sizeof *t);
    opts->opts = t;
    opts->n = n;
    opts->fallback = limits_fallback;
    opts->fallback_ctx = o;
    opts->fallback_takes_value = true;
}

static void defaults(struct serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "::";
    o->port = 443;
    o->max_body = TLSRPT_HTTP_DEF_MAX_BODY;
    o->max_drain = TLSRPT_HTTP_DEF_MAX_DRAIN;
    o->max_headers = TLSRPT_HTTP_DEF_MAX_HEADERS;
    o->max_connections = TLSRPT_HTTP_DEF_MAX_CONNECTIONS;
    o->max_per_ip = TLSRPT_HTTP_DEF_MAX_PER_IP;
    o->idle_timeout = TLSRPT_HTTP_DEF_IDLE_TIMEOUT;
    o->request_timeout = TLSRPT_HTTP_DEF_REQUEST_TIMEOUT;
    o->rate = TLSRPT_HTTP_DEF_RATE;
    o->burst = TLSRPT_HTTP_DEF_BURST;
    o->rate_clients = TLSRPT_HTTP_DEF_MAX_CLIENTS;
    o->queue = TLSRPT_HTTP_DEF_QUEUE;
    o->threads = TLSRPT_HTTP_DEF_THREADS;
    o->retry_after = TLSRPT_HTTP_DEF_RETRY_AFTER;
    o->shutdown_timeout = DEF_SHUTDOWN_TIMEOUT;
    o->log_level = "info";
    o->check_interval = TLSRPT_SERVE_CHECK_DEF_INTERVAL;
    o->check_smtp_port = 25;
    tlsrpt_ingest_config_default(&o->ingest);
}

static void usage(FILE *f, const struct tlsrpt_options *opts)
{
    fprintf(
        f,
        "Usage: tlsrpt-collector serve [OPTIONS]\n"
        "\n"
        "Receives TLS-RPT reports (RFC 8460 §3: rua=https://...) by HTTPS POST and stores\n"
        "them in the database. The body is the report: application/tlsrpt+gzip or +json\n"
        "(also application/json, application/gzip, application/octet-stream or none: the\n"
        "body is sniffed; Content-Encoding: gzip is undone). A sender gets 200 only once the\n"
        "report is committed, and 200 again for a duplicate (counted once). Other answers:\n"
        "  400 body is not a report (kept as a reject with the reason)   403 domain not allowed\n"
        "  405 not POST   413 over a size cap   415 media type or coding never accepted\n"
        "  429 rate limit (Retry-After)   503 database unavailable or saturated (Retry-After)\n"
        "\n"
        "Options (each is also a key of the [serve] section of the config file: --config,\n"
        "else $TLSRPT_CONFIG, else " TLSRPT_DEFAULT_CONFIG " when it exists; flags win):\n");
    tlsrpt_options_print_help(f, opts);
    fprintf(f, "\n%s", tlsrpt_limit_options_help);
    fprintf(
        f,
        "\n"
        "Live check: with --check-domains, a thread checks each listed domain as\n"
        "'tlsrpt-check --store' does (DNS records, policy file, MX certificates) a few seconds\n"
        "after start and then every --check-interval, and stores each result with its time\n"
        "(history is kept; tlsrpt-report uses the newest). One log line per domain: verdict,\n"
        "error and warning counts, duration. A check that cannot run or be stored is logged.\n"
        "\n"
        "Signals: SIGHUP re-reads --tls-cert/--tls-key (a bad pair is logged and the old one\n"
        "kept); SIGTERM or SIGINT stop accepting, finish requests in progress (and the domain\n"
        "being checked), commit, exit 0.\n"
        "\n"
        "Exit status: 0 stopped by a signal or --check-config passed; 64 bad option;\n"
        "78 bad config file, certificate, check-domains or check-* set-up; 66 --maildir is\n"
        "not a Maildir; 73 database cannot be opened; 71 cannot listen (address in use, port\n"
        "needs privileges).\n"
        "\n"
        "Examples:\n"
        "  tlsrpt-collector serve --tls-cert /etc/tlsrpt/cert.pem --tls-key /etc/tlsrpt/key.pem\n"
        "  tlsrpt-collector serve --plain-http --listen 127.0.0.1 --port 8080 \\\n"
        "      --trusted-proxies 127.0.0.1 --path /tlsrpt --maildir /var/mail/tlsrpt\n"
        "  tlsrpt-collector serve --config /etc/tlsrpt/tlsrpt.conf \\\n"
        "      --check-domains \"example.com example.org\" --check-interval 1d\n"
        "See docs/http.md, docs/checker.md and contrib/tlsrpt.conf.example.\n");
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

/* Reads the config file and the flags. Returns -1 to go on, else the exit status. */
static int parse(struct serve_opts *o, int argc, char **argv, struct tlsrpt_config **cfg)
{
    struct tlsrpt_option table[NOPTS];
    struct tlsrpt_options opts;
    struct tlsrpt_error err = {0};
    make_table(o, table, &opts);
    /* --config, else $TLSRPT_CONFIG (empty: no file), else the default file when it exists. */
    const char *path = tlsrpt_options_peek(argc, argv, "config");
    const char *env = getenv("TLSRPT_CONFIG");
    if (!path && env)
        path = env[0] ? env : NULL;
    else if (!path && access(TLSRPT_DEFAULT_CONFIG, F_OK) == 0)
        path = TLSRPT_DEFAULT_CONFIG;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, &opts); /* before the file is applied: defaults shown are the built-in */
            return TLSRPT_EXIT_OK;
        }
    if (path && tlsrpt_config_load(path, cfg, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CONFIG;
    }
    if (*cfg && tlsrpt_options_from_config(&opts, *cfg, "serve", &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_CONFIG;
    }
    int first = 0;
    if (tlsrpt_options_from_argv(&opts, argc, argv, &first, &err) != 0 || first < argc) {
        if (first < argc && !err.message[0])
            snprintf(err.message, sizeof err.message, "unexpected argument '%s'", argv[first]);
        fprintf(stderr, "tlsrpt-collector serve: %s\nTry 'tlsrpt-collector serve --help'.\n",
                err.message);
        return TLSRPT_EXIT_USAGE;
    }
    enum tlsrpt_log_level lvl;
    if (level_of(o->log_level, &lvl) != 0) {
        log_error("log-level: '%s' is not debug, info, warning or error", o->log_level);
        return TLSRPT_EXIT_USAGE;
    }
    tlsrpt_log_init("tlsrpt-collector", lvl);
    if (!o->plain_http && (!o->tls_cert || !o->tls_key)) {
        log_error("serve needs --tls-cert and --tls-key, or --plain-http behind a proxy");
        return TLSRPT_EXIT_USAGE;
    }
    if (o->plain_http && (o->tls_cert || o->tls_key))
        log_warning("--plain-http: --tls-cert and --tls-key are ignored");
    if (o->trusted_proxies && o->trusted_proxies[0] && !o->plain_http)
        log_warning("trusted-proxies is set without --plain-http: a TLS client connecting from "
                    "a listed address may set its own X-Forwarded-For");
    return -1;
}

struct running {
    struct tlsrpt_cidr_list proxies;
    struct tlsrpt_domain_list allowed;
    struct tlsrpt_tls *tls;
    struct tlsrpt_ratelimit *rl;
    struct tlsrpt_writer *writer;
    struct tlsrpt_serve_maildir *maildir;
    struct tlsrpt_server *server;
    struct tlsrpt_domain_list check_domains; /* empty: no periodic check */
    struct tlsrpt_check_opts check_opts;
    char check_addr[64]; /* ADDR of check-policy-connect-to */
    bool curl_ready;     /* tlsrpt_fetch_global_init done */
    struct tlsrpt_serve_check *check;
};

/* check-domains and the check-* options. Returns -1 to go on, else the exit status. */
static int prepare_check(const struct serve_opts *o, struct running *r)
{
    char why[200];
    struct tlsrpt_error err = {0};
    if (tlsrpt_serve_check_parse_domains(o->check_domains, &r->check_domains, why, sizeof why)) {
        log_error("check-domains: %s", why);
        return TLSRPT_EXIT_CONFIG;
    }
    if (r->check_domains.n == 0) {
        if (o->check_dns_server || o->check_trust_anchor || o->check_ca_file ||
            o->check_connect_to || o->check_smtp_port != 25 ||
            o->check_interval != TLSRPT_SERVE_CHECK_DEF_INTERVAL)
            log_warning("check-* options are ignored without check-domains");
        return -1;
    }
    struct tlsrpt_check_opts *c = &r->check_opts;
    tlsrpt_check_opts_default(c);
    c->dns_server = o->check_dns_server && o->check_dns_server[0] ? o->check_dns_server : NULL;
    c->trust_anchor =
        o->check_trust_anchor && o->check_trust_anchor[0] ? o->check_trust_anchor : NULL;
    c->ca_file = o->check_ca_file && o->check_ca_file[0] ? o->check_ca_file : NULL;
    c->smtp_port = (int)o->check_smtp_port;
    if (o->check_connect_to && o->check_connect_to[0] &&
        tlsrpt_serve_check_parse_connect_to(o->check_connect_to, r->check_addr,
                                            sizeof r->check_addr, c) != 0) {
        log_error("check-policy-connect-to: '%.64s' is not [ADDR]:PORT", o->check_connect_to);
        return TLSRPT_EXIT_CONFIG;
    }
    /* The resolver and the trust store are set up once here to find a bad DNS server, trust
     * anchor or CA file now; the check thread makes its own. */
    struct tlsrpt_checker *ck = NULL;
    if (tlsrpt_checker_new(c, &ck, &err) != 0) {
        log_error("check: %s", err.message);
        return err.code == TLSRPT_E_NOMEM ? TLSRPT_EXIT_OSERR : TLSRPT_EXIT_CONFIG;
    }
    tlsrpt_checker_free(ck);
    if (o->check_interval < TLSRPT_SERVE_CHECK_WARN_INTERVAL)
        log_warning("check-interval is %llu s, under an hour: every round queries DNS and "
                    "connects to the policy host and every MX of %zu domain(s)",
                    (unsigned long long)o->check_interval, r->check_domains.n);
    return -1;
}

/* Everything that can fail on the configuration, before anything listens. */
static int prepare(const struct serve_opts *o, struct running *r)
{
    char why[200];
    struct tlsrpt_error err = {0};
    if (tlsrpt_cidr_list_parse(o->trusted_proxies, &r->proxies, why, sizeof why) != 0) {
        log_error("trusted-proxies: %s", why);
        return TLSRPT_EXIT_CONFIG;
    }
    if (tlsrpt_domain_list_parse(o->allowed_domains, &r->allowed, why, sizeof why) != 0) {
        log_error("allowed-domains: %s", why);
        return TLSRPT_EXIT_CONFIG;
    }
    if (!o->plain_http) {
        if (tlsrpt_tls_load(o->tls_cert, o->tls_key, &r->tls, &err) != 0) {
            log_error("TLS: %s", err.message);
            return TLSRPT_EXIT_CONFIG;
        }
        char desc[256];
        tlsrpt_tls_describe(r->tls, desc, sizeof desc);
        log_info("TLS: certificate %s", desc);
    }
    int status = prepare_check(o, r);
    if (status >= 0)
        return status;
    struct tlsrpt_ratelimit_config rc = {o->rate, o->burst, o->rate_clients};
    if (tlsrpt_ratelimit_new(&rc, &r->rl) != 0) {
        log_error("out of memory for %llu rate-limit entries", (unsigned long long)o->rate_clients);
        return TLSRPT_EXIT_OSERR;
    }
    return -1;
}

static int start(const struct serve_opts *o, struct running *r)
{
    struct tlsrpt_error err = {0};
    const char *dbpath = tlsrpt_db_path(o->db);
    struct tlsrpt_writer_config wc = {
        .db_path = dbpath, .queue_max = o->queue, .ingest = o->ingest};
    if (tlsrpt_writer_start(&wc, &r->writer, &err) != 0) {
        log_error("database %s: %s", dbpath, err.message);
        return TLSRPT_EXIT_CANTCREAT;
    }
    if (o->maildir &&
        tlsrpt_serve_maildir_start(o->maildir, dbpath, &o->ingest, &r->maildir, &err) != 0) {
        log_error("maildir: %s", err.message);
        return err.code == TLSRPT_E_IO ? TLSRPT_EXIT_NOINPUT : TLSRPT_EXIT_CANTCREAT;
    }
    struct tlsrpt_server_config sc = {
        .listen = o->listen,
        .port = (uint16_t)o->port,
        .tls = r->tls,
        .tls_priorities = o->tls_priorities,
        .path = o->path && o->path[0] ? o->path : NULL,
        .max_body = o->max_body,
        .max_drain = o->max_drain,
        .max_headers = o->max_headers,
        .max_connections = o->max_connections,
        .max_per_ip = o->max_per_ip,
        .idle_timeout = o->idle_timeout,
        .request_timeout = o->request_timeout,
        .threads = o->threads,
        .retry_after = (unsigned)o->retry_after,
        .decode = o->ingest.decode,
        .parse = o->ingest.parse,
        .trusted_proxies = &r->proxies,
        .allowed = &r->allowed,
        .ratelimit = r->rl,
        .writer = r->writer,
    };
    /* The decoder's input cap must not refuse what the endpoint accepted. */
    if (sc.decode.max_compressed < sc.max_body)
        log_warning("max-body (%llu) is above max-compressed (%zu): larger bodies will be rejects",
                    (unsigned long long)sc.max_body, sc.decode.max_compressed);
    if (tlsrpt_server_start(&sc, &r->server, &err) != 0) {
        log_error("%s", err.message);
        return TLSRPT_EXIT_OSERR;
    }
    bool v6 = strchr(o->listen, ':') != NULL;
    log_info("listening on %s://%s%s%s:%u%s (database %s%s%s)", r->tls ? "https" : "http",
             v6 ? "[" : "", o->listen, v6 ? "]" : "", (unsigned)tlsrpt_server_port(r->server),
             sc.path ? sc.path : "/ (any path)", dbpath, o->maildir ? ", maildir " : "",
             o->maildir ? o->maildir : "");
    if (r->check_domains.n > 0) {
        struct tlsrpt_serve_check_config cc = {.db_path = dbpath,
                                               .domains = &r->check_domains,
                                               .interval = o->check_interval,
                                               .check = r->check_opts};
        if (tlsrpt_serve_check_start(&cc, &r->check, &err) != 0) {
            if (err.code == TLSRPT_E_DB)
                log_error("check: database %s: %s", dbpath, err.message);
            else
                log_error("check: %s", err.message);
            return err.code == TLSRPT_E_NOMEM ? TLSRPT_EXIT_OSERR : TLSRPT_EXIT_CANTCREAT;
        }
        char names[512];
        size_t used = 0, shown = 0;
        names[0] = '\0';
        for (; shown < r->check_domains.n; shown++) {
            const char *d = r->check_domains.v[shown];
            if (used + strlen(d) + 2 >= sizeof names - 16)
                break;
            used +=
                (size_t)snprintf(names + used, sizeof names - used, "%s%s", shown ? ", " : "", d);
        }
        if (shown < r->check_domains.n)
            snprintf(names + used, sizeof names - used, " and %zu more",
                     r->check_domains.n - shown);
        log_info("check: %zu domain(s) every %llu s, the first round in %llu s: %s",
                 r->check_domains.n, (unsigned long long)o->check_interval,
                 (unsigned long long)(o->check_interval < TLSRPT_SERVE_CHECK_FIRST_DELAY
                                          ? o->check_interval
                                          : TLSRPT_SERVE_CHECK_FIRST_DELAY),
                 names);
    }
    return -1;
}

/* Waits up to secs until no request has been in progress for 4 ticks in a row (200 ms): a request
 * whose bytes had arrived but were not yet read when the wait began still counts. */
static void wait_in_flight(struct tlsrpt_server *s, uint64_t secs)
{
    struct timespec tick = {0, 50 * 1000 * 1000};
    int quiet = 0;
    for (uint64_t i = 0; i < secs * 20 && quiet < 4; i++) {
        quiet = tlsrpt_server_in_flight(s) > 0 ? 0 : quiet + 1;
        nanosleep(&tick, NULL);
        if (i % 20 == 0)
            tlsrpt_server_sweep(s);
    }
}

/* SIGTERM order: tell the check thread to stop (it finishes the domain under way meanwhile); stop
 * accepting; let requests finish (each answered after its commit); wait for the check thread; stop
 * the writer (it commits what is queued, answering those too); stop the Maildir watcher; close. */
static void shut_down(const struct serve_opts *o, struct running *r)
{
    struct tlsrpt_writer_stats ws = {0};
    struct tlsrpt_server_stats ss = {0};
    tlsrpt_serve_check_request_stop(r->check);
    if (r->server) {
        tlsrpt_server_quiesce(r->server);
        log_info("stopping: no new connections; %zu request(s) in progress",
                 tlsrpt_server_in_flight(r->server));
        wait_in_flight(r->server, o->shutdown_timeout);
        if (tlsrpt_server_in_flight(r->server) > 0)
            log_warning("stopping: %zu request(s) still in progress after %llu s, dropped",
                        tlsrpt_server_in_flight(r->server),
                        (unsigned long long)o->shutdown_timeout);
    }
    tlsrpt_serve_check_stop(r->check);
    r->check = NULL;
    /* From here a request that still completes gets 503 from the stopped writer. */
    tlsrpt_writer_stop(r->writer, &ws);
    if (r->server) {
        wait_in_flight(r->server, 2); /* answers to what the writer just committed */
        tlsrpt_server_get_stats(r->server, &ss);
        tlsrpt_server_stop(r->server);
        log_info("stopped: %llu requests (2xx %llu, 4xx %llu, 5xx %llu; rate-limited %llu, "
                 "refused domain %llu, timed out %llu, queue full %llu); reports imported %llu, "
                 "duplicates %llu, rejected %llu, failed %llu in %llu commits (largest %llu); "
                 "checkpoints %llu in the background, %llu in a commit",
                 (unsigned long long)ss.requests, (unsigned long long)ss.status[2],
                 (unsigned long long)ss.status[4], (unsigned long long)ss.status[5],
                 (unsigned long long)ss.rate_limited, (unsigned long long)ss.refused_domain,
                 (unsigned long long)ss.timed_out, (unsigned long long)ss.queue_full,
                 (unsigned long long)ws.counts.imported, (unsigned long long)ws.counts.duplicates,
                 (unsigned long long)ws.counts.rejected, (unsigned long long)ws.counts.failed,
                 (unsigned long long)ws.batches, (unsigned long long)ws.max_batch,
                 (unsigned long long)ws.counts.checkpoints_background,
                 (unsigned long long)ws.counts.checkpoints_inline);
    }
    tlsrpt_writer_free(r->writer); /* only now: nothing can submit to it any more */
    tlsrpt_serve_maildir_stop(r->maildir);
    tlsrpt_ratelimit_free(r->rl);
    tlsrpt_tls_free(r->tls);
    tlsrpt_cidr_list_free(&r->proxies);
    tlsrpt_domain_list_free(&r->allowed);
    tlsrpt_domain_list_free(&r->check_domains);
    if (r->curl_ready)
        tlsrpt_fetch_global_cleanup();
}

static void signal_loop(struct running *r, const sigset_t *set)
{
    for (;;) {
        struct timespec one = {1, 0};
        siginfo_t si;
        int sig = sigtimedwait(set, &si, &one);
        if (sig == SIGTERM || sig == SIGINT) {
            log_info("%s received: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
        if (sig == SIGHUP) {
            struct tlsrpt_error err = {0};
            char desc[256];
            if (!r->tls) {
                log_info("SIGHUP: plain HTTP, no certificate to reload");
            } else if (tlsrpt_tls_reload(r->tls, &err) != 0) {
                log_error("SIGHUP: certificate not reloaded, the old one stays: %s", err.message);
            } else {
                tlsrpt_tls_describe(r->tls, desc, sizeof desc);
                log_info("SIGHUP: certificate reloaded: %s", desc);
            }
        }
        tlsrpt_server_sweep(r->server);
    }
}

int tlsrpt_cmd_serve(int argc, char **argv)
{
    struct serve_opts o;
    struct tlsrpt_config *cfg = NULL;
    struct running r = {0};
    sigset_t set;
    defaults(&o);
    int status = parse(&o, argc, argv, &cfg);
    if (status >= 0)
        goto out;
    status = prepare(&o, &r);
    if (status >= 0)
        goto out;
    if (o.check_config) {
        printf("configuration OK\n");
        status = TLSRPT_EXIT_OK;
        goto out;
    }
    /* Every thread started from here inherits this mask: the signals are taken only by
     * sigtimedwait below (SIGUSR2 only by the Maildir thread, which unblocks it). */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigset_t blocked = set;
    sigaddset(&blocked, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* libcurl's global set-up (the check's policy fetch) must precede every thread. */
    if (r.check_domains.n > 0) {
        if (tlsrpt_fetch_global_init() != 0) {
            log_error("check: libcurl could not be initialised");
            status = TLSRPT_EXIT_OSERR;
            goto out;
        }
        r.curl_ready = true;
    }
    status = start(&o, &r);
    if (status < 0) {
        signal_loop(&r, &set);
        status = TLSRPT_EXIT_OK;
    }
out:
    shut_down(&o, &r);
    tlsrpt_config_free(cfg);
    return status;
}
