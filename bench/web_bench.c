/* web_bench - server time of the dashboard's overview and of one domain page on a large database
 * (bench/report_gen's 1,000,000 reports), built through the router exactly as a request is, minus
 * the socket. Prints, for each page:
 *   cold   a fresh analysis (a window nothing was computed for: a custom one)
 *   warm   the analysis cache valid (every later request)
 *   bound  tlsrpt_analyze() alone for the same window: what tlsrpt-report costs, the floor of cold
 * With --presets, for the overview of each preset window, what users get with the refresher:
 *   refreshed  after the refresher's pass at start (or after a change, or at 00:00 UTC)
 *   new day    the first requests of a new UTC day before the refresher made today's window:
 *              the previous day's window, "as of"
 *   custom     a custom window never computed: the first answer (the page saying the analysis is
 *              being made, after waiting --overview-wait's default), then how long until the
 *              refresher made it, then the page with the figures
 * plus the time of the refresher's pass at start and the heap one analysis holds.
 * Not a test: it prints figures.
 *
 *   web_bench DB [--now WHEN] [--domain D] [--runs N] [--window DAYS] [--presets]
 */
#include "cache.h"
#include "queries.h"
#include "refresher.h"
#include "router.h"
#include "window.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 100
#define SECONDS_PER_DAY 86400

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_row(const char *page, const char *what, double *ms, int n, size_t bytes)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("%-34s %-6s min %9.1f ms  median %9.1f ms  max %9.1f ms  (%d runs, %zu bytes)\n", page,
           what, ms[0], ms[n / 2], ms[n - 1], n, bytes);
}

struct bench {
    struct tlsrpt_db *db;
    struct web_settings st;
    struct web_cache *cache;
    int64_t now;
    struct web_cache_seen seen;
    int runs;
    bool pending; /* the last request answered that its analysis is being made */
};

/* One request through the router at now, with the cache c and the refresher r (both may be NULL);
 * returns the body size (0 and a message when not 200). *stale: the page said "as of". */
static size_t request_at(struct bench *b, int64_t now, const char *path,
                         const struct web_param *pairs, size_t n, struct web_cache *c,
                         struct web_refresher *rf, bool *stale)
{
    struct web_request_in in = {.path = path, .pairs = pairs, .n_pairs = n, .now = now};
    if (c != NULL) {
        in.cache = c;
        in.refresher = rf;
        in.generation = web_cache_observe(c, b->db, &b->seen);
    }
    struct web_reply r = {0};
    html_init(&r.body, b->st.max_page_bytes);
    web_route(b->db, NULL, &b->st, &in, &r);
    b->pending = r.refresh_seconds > 0;
    size_t len = r.status == 200 ? r.body.buf.len : 0;
    if (r.status != 200)
        fprintf(stderr, "web_bench: %s answered %d\n", path, r.status);
    if (stale != NULL)
        *stale = r.body.buf.data != NULL &&
                 strstr((const char *)r.body.buf.data, "id=\"stale-notice\"") != NULL;
    html_free(&r.body);
    return len;
}

static size_t request(struct bench *b, const char *path, const struct web_param *pairs, size_t n,
                      bool cached)
{
    return request_at(b, b->now, path, pairs, n, cached ? b->cache : NULL, NULL, NULL);
}

static void page(struct bench *b, const char *label, const char *path,
                 const struct web_param *pairs, size_t n, const char *domain, int days)
{
    double ms[MAX_RUNS];
    size_t bytes = 0;
    for (int i = 0; i < b->runs; i++) {
        double t0 = now_ms();
        bytes = request(b, path, pairs, n, false);
        ms[i] = now_ms() - t0;
    }
    print_row(label, "cold", ms, b->runs, bytes);
    request(b, path, pairs, n, true); /* fills the cache */
    for (int i = 0; i < b->runs; i++) {
        double t0 = now_ms();
        bytes = request(b, path, pairs, n, true);
        ms[i] = now_ms() - t0;
    }
    print_row(label, "warm", ms, b->runs, bytes);
    char dur[16];
    const char *why;
    struct tlsrpt_analysis_query q = {
        .now = b->now, .until = b->now, .thresholds = b->st.thresholds};
    snprintf(dur, sizeof dur, "%dd", days);
    tlsrpt_window_parse(dur, b->now, &q.since, &why);
    q.domains = domain != NULL ? &domain : NULL;
    q.n_domains = domain != NULL ? 1 : 0;
    for (int i = 0; i < b->runs; i++) {
        struct tlsrpt_analysis *a = NULL;
        struct tlsrpt_error err = {0};
        double t0 = now_ms();
        if (tlsrpt_analyze(b->db, &q, &a, &err) != 0)
            fprintf(stderr, "web_bench: analysis failed: %s\n", err.message);
        ms[i] = now_ms() - t0;
        if (a != NULL)
            tlsrpt_analysis_free(a);
    }
    print_row(label, "bound", ms, b->runs, 0);
}

static _Atomic int64_t bench_clock; /* the refresher's clock for --presets */

static int64_t read_clock(void *arg)
{
    (void)arg;
    return atomic_load(&bench_clock);
}

/* The heap that one analysis of every domain for a preset window holds while cached (glibc's
 * count of bytes in use, after a first run has warmed SQLite's page cache). */
static double analysis_mib(struct bench *b, int days)
{
    char dur[16];
    const char *why;
    struct tlsrpt_analysis_query q = {
        .now = b->now, .until = b->now, .thresholds = b->st.thresholds};
    struct tlsrpt_analysis *a = NULL;
    struct tlsrpt_error err = {0};
    snprintf(dur, sizeof dur, "%dd", days);
    tlsrpt_window_parse(dur, b->now, &q.since, &why);
    struct mallinfo2 m0 = mallinfo2();
    if (tlsrpt_analyze(b->db, &q, &a, &err) != 0) {
        fprintf(stderr, "web_bench: analysis failed: %s\n", err.message);
        return 0;
    }
    struct mallinfo2 m1 = mallinfo2();
    tlsrpt_analysis_free(a);
    return ((double)m1.uordblks - (double)m0.uordblks) / (1024.0 * 1024.0);
}

/* b->runs overview requests of one preset window, timed and printed as a row labelled what.
 * Returns how many were answered "as of" (a previous analysis). */
static int time_preset(struct bench *b, const char *window, const char *what, struct web_cache *c,
                       struct web_refresher *rf, double *ms)
{
    struct web_param p[] = {{"window", window, strlen(window)}};
    size_t bytes = 0;
    int stale = 0;
    for (int k = 0; k < b->runs; k++) {
        bool s = false;
        double t = now_ms();
        bytes = request_at(b, b->now, "/", p, 1, c, rf, &s);
        ms[k] = now_ms() - t;
        stale += s;
    }
    char label[40];
    snprintf(label, sizeof label, "overview /?window=%s", window);
    print_row(label, what, ms, b->runs, bytes);
    return stale;
}

/* The overview of each preset window with the refresher, as the server runs it. */
static void presets(struct bench *b, const char *db_path)
{
    struct web_cache *c = web_cache_new();
    struct web_refresher *rf = NULL;
    struct tlsrpt_error err = {0};
    struct web_refresher_config cfg = {
        .db_path = db_path, .cache = c, .thresholds = b->st.thresholds, .clock = read_clock};
    /* Yesterday first (noon: its own midnight wake-up is hours away), for the "new day" row. */
    const int64_t yesterday = b->now - SECONDS_PER_DAY / 2;
    double ms[MAX_RUNS];
    char window[WEB_N_PRESETS][8];
    atomic_store(&bench_clock, yesterday);
    double t0 = now_ms();
    if (c == NULL || web_refresher_start(&cfg, &rf, &err) != 0) {
        fprintf(stderr, "web_bench: cannot start the refresher: %s\n", err.message);
        web_cache_free(c);
        return;
    }
    if (!web_refresher_wait_idle(rf, 600000))
        fprintf(stderr, "web_bench: the refresher's pass took over 10 minutes\n");
    printf("refresher pass at start: %llu analyses (every preset window) in %.1f s\n",
           (unsigned long long)web_refresher_analyses(rf), (now_ms() - t0) / 1e3);
    /* A new day: each preset's first requests, before the refresher made today's window. */
    atomic_store(&bench_clock, b->now);
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        snprintf(window[i], sizeof window[i], "%d", web_presets[i]);
        int stale = time_preset(b, window[i], "newday", c, rf, ms);
        printf("%-34s        %d of %d answered with the previous day's window, \"as of\"\n", "",
               stale, b->runs);
    }
    t0 = now_ms();
    web_refresher_wait_idle(rf, 600000);
    printf("refresher: today's preset windows %.1f s after the new day's first requests\n",
           (now_ms() - t0) / 1e3);
    /* What users get every other time. */
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        int stale = time_preset(b, window[i], "refrsh", c, rf, ms);
        if (stale > 0)
            printf("%-34s        %d of %d \"as of\" (unexpected)\n", "", stale, b->runs);
    }
    /* Custom windows nothing was computed for, each a different one (a day shorter each run). */
    double ready[MAX_RUNS] = {0}, shown[MAX_RUNS] = {0};
    size_t bytes = 0;
    int pending = 0;
    for (int k = 0; k < b->runs; k++) {
        char since[16], until[16];
        time_t a = (time_t)(b->now - (int64_t)(29 - k) * SECONDS_PER_DAY),
               e = (time_t)(b->now - 2 * SECONDS_PER_DAY);
        struct tm tm;
        strftime(since, sizeof since, "%Y-%m-%d", gmtime_r(&a, &tm));
        strftime(until, sizeof until, "%Y-%m-%d", gmtime_r(&e, &tm));
        struct web_param cp[] = {{"window", "custom", 6},
                                 {"since", since, strlen(since)},
                                 {"until", until, strlen(until)}};
        double t = now_ms();
        request_at(b, b->now, "/", cp, 3, c, rf, NULL);
        ms[k] = now_ms() - t;
        pending += b->pending;
        web_refresher_wait_idle(rf, 600000);
        ready[k] = now_ms() - t;
        t = now_ms();
        bytes = request_at(b, b->now, "/", cp, 3, c, rf, NULL);
        shown[k] = now_ms() - t;
    }
    print_row("overview, custom window", "first", ms, b->runs, 0);
    printf("%-34s        %d of %d answered \"being made\" (the page reloads itself)\n", "", pending,
           b->runs);
    print_row("overview, custom window", "ready", ready, b->runs, 0);
    print_row("overview, custom window", "shown", shown, b->runs, bytes);
    printf("analyses computed by the refresher: %llu\n",
           (unsigned long long)web_refresher_analyses(rf));
    web_refresher_stop(rf);
    web_cache_free(c);
    analysis_mib(b, WEB_DEFAULT_WINDOW); /* warms the handle */
    for (size_t i = 0; i < WEB_N_PRESETS; i++)
        printf("heap held by one cached analysis, every domain, %2d days: %.1f MiB\n",
               web_presets[i], analysis_mib(b, web_presets[i]));
}

int main(int argc, char **argv)
{
    struct bench b = {.runs = 5};
    bool with_presets = false;
    const char *path = NULL, *when = "2026-10-15", *domain = "d00042.example", *why;
    int days = 14;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
            when = argv[++i];
        else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc)
            domain = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            b.runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
            days = atoi(argv[++i]);
        else if (strcmp(argv[i], "--presets") == 0)
            with_presets = true;
        else if (path == NULL && argv[i][0] != '-')
            path = argv[i];
        else {
            path = NULL; /* unknown option: usage */
            break;
        }
    }
    if (path == NULL || b.runs < 1 || b.runs > MAX_RUNS ||
        (days != 7 && days != 14 && days != 30 && days != 90)) {
        fprintf(stderr, "usage: web_bench DB [--now WHEN] [--domain D] [--runs 1..100] "
                        "[--window 7|14|30|90] [--presets]\n");
        return 64;
    }
    struct tlsrpt_error err = {0};
    if (tlsrpt_window_parse(when, (int64_t)time(NULL), &b.now, &why) != 0 ||
        tlsrpt_db_open(path, TLSRPT_DB_READONLY, &b.db, &err) != 0) {
        fprintf(stderr, "web_bench: %s\n", err.message[0] ? err.message : why);
        return 66;
    }
    tlsrpt_thresholds_default(&b.st.thresholds);
    b.st.max_page_bytes = WEB_DEF_MAX_PAGE_BYTES;
    b.st.max_raw_bytes = WEB_DEF_MAX_RAW_BYTES;
    b.st.overview_wait_ms = WEB_DEF_OVERVIEW_WAIT_MS; /* as tlsrpt-web */
    b.cache = web_cache_new();
    char window[8];
    snprintf(window, sizeof window, "%d", days);
    struct web_param overview[] = {{"window", window, strlen(window)}};
    struct web_param dom[] = {{"window", window, strlen(window)}, {"d", domain, strlen(domain)}};
    printf("database %s, now %s, window %d days\n", path, when, days);
    page(&b, "overview /", "/", overview, 1, NULL, days);
    page(&b, "domain /domain?d=", "/domain", dom, 2, domain, days);
    if (with_presets)
        presets(&b, path);
    printf("target: under 100 ms each (issue 6)\n");
    web_cache_free(b.cache);
    tlsrpt_db_close(b.db);
    return 0;
}
