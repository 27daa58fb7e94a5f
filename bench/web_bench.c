/* web_bench - server time of the dashboard's overview and of one domain page on a large database
 * (bench/report_gen's 1,000,000 reports), built through the router exactly as a request is, minus
 * the socket. Prints, for each page:
 *   cold   a fresh analysis (the first request after the collector wrote)
 *   warm   the analysis cache valid (every later request)
 *   bound  tlsrpt_analyze() alone for the same window: what tlsrpt-report costs, the floor of cold
 * Not a test: it prints figures.
 *
 *   web_bench DB [--now WHEN] [--domain D] [--runs N] [--window DAYS]
 */
#include "cache.h"
#include "queries.h"
#include "router.h"
#include "window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 100

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
};

/* One request through the router; returns the body size (0 and a message when not 200). */
static size_t request(struct bench *b, const char *path, const struct web_param *pairs, size_t n,
                      bool cached)
{
    struct web_request_in in = {.path = path, .pairs = pairs, .n_pairs = n, .now = b->now};
    if (cached) {
        in.cache = b->cache;
        in.generation = web_cache_observe(b->cache, b->db, &b->seen);
    }
    struct web_reply r = {0};
    html_init(&r.body, b->st.max_page_bytes);
    web_route(b->db, NULL, &b->st, &in, &r);
    size_t len = r.status == 200 ? r.body.buf.len : 0;
    if (r.status != 200)
        fprintf(stderr, "web_bench: %s answered %d\n", path, r.status);
    html_free(&r.body);
    return len;
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

int main(int argc, char **argv)
{
    struct bench b = {.runs = 5};
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
                        "[--window 7|14|30|90]\n");
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
    b.cache = web_cache_new();
    char window[8];
    snprintf(window, sizeof window, "%d", days);
    struct web_param overview[] = {{"window", window, strlen(window)}};
    struct web_param dom[] = {{"window", window, strlen(window)}, {"d", domain, strlen(domain)}};
    printf("database %s, now %s, window %d days\n", path, when, days);
    page(&b, "overview /", "/", overview, 1, NULL, days);
    page(&b, "domain /domain?d=", "/domain", dom, 2, domain, days);
    printf("target: under 100 ms each (issue 6)\n");
    web_cache_free(b.cache);
    tlsrpt_db_close(b.db);
    return 0;
}
