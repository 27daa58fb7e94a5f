/* report_gen - builds the database behind bench/report_bench.sh: N reports (default 1,000,000) for
 * D policy domains (default 5,000) over DAYS days (default 30) ending the day before --today,
 * written through the collector's own store code (tlsrpt_store_report) in transactions of 10,000.
 * Shapes follow quirks.md: Microsoft sends an sts + tlsa twin, about one report in ten has failures
 * (one to three details), one domain in ten is already in mode enforce. Deterministic.
 *
 *   report_gen DB [--reports N] [--domains D] [--days DAYS] [--today YYYY-MM-DD]
 */
#include "db.h"
#include "store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 10000
#define DAY 86400LL

static const char *const ORGS[] = {
    "Google Inc.", "Microsoft Corporation", "Mail.ru", "Yahoo", "Comcast", "GMX",
    "Proton",      "smallmta.example"};
#define NORGS (sizeof ORGS / sizeof ORGS[0])

static const char *const FAILURES[] = {"certificate-expired",    "certificate-host-mismatch",
                                       "starttls-not-supported", "validation-failure",
                                       "sts-policy-fetch-error", "certificate-not-trusted"};

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static char *dup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL) {
        fprintf(stderr, "report_gen: out of memory\n");
        exit(71);
    }
    return p;
}

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        fprintf(stderr, "report_gen: out of memory\n");
        exit(71);
    }
    return p;
}

static void fill_policy(struct tlsrpt_policy *p, const char *type, const char *domain, int enforce,
                        int64_t ok, int64_t failed, uint64_t h)
{
    char mx[2][128];
    p->policy_type = dup(type);
    p->policy_domain = dup(domain);
    p->sts_max_age = -1;
    p->total_successful = ok;
    p->total_failure = failed;
    snprintf(mx[0], sizeof mx[0], "mx1.%s", domain);
    snprintf(mx[1], sizeof mx[1], "mx2.%s", domain);
    if (strcmp(type, "sts") == 0) {
        p->sts_mode = dup(enforce ? "enforce" : "testing");
        p->sts_max_age = 604800;
        p->n_mx_patterns = 2;
        p->mx_patterns = zalloc(2, sizeof(char *));
        p->mx_patterns[0] = dup(mx[0]);
        p->mx_patterns[1] = dup(mx[1]);
    }
    if (failed == 0)
        return;
    p->n_details = 1 + h % 3;
    p->details = zalloc(p->n_details, sizeof *p->details);
    int64_t left = failed;
    for (size_t i = 0; i < p->n_details; i++) {
        struct tlsrpt_failure_detail *d = &p->details[i];
        const char *type_i = FAILURES[(h >> (8 * i)) % (sizeof FAILURES / sizeof FAILURES[0])];
        d->result_type = dup(type_i);
        if (strcmp(type_i, "sts-policy-fetch-error") != 0) {
            char ip[64];
            d->receiving_mx_hostname = dup(mx[(h >> (4 + i)) & 1]);
            snprintf(ip, sizeof ip, "192.0.2.%u", (unsigned)((h >> (12 + i)) % 250));
            d->receiving_ip = dup(ip);
            snprintf(ip, sizeof ip, "198.51.100.%u", (unsigned)((h >> (20 + i)) % 250));
            d->sending_mta_ip = dup(ip);
        }
        d->failed_session_count = i + 1 == p->n_details ? left : left / 2;
        left -= d->failed_session_count;
    }
}

/* Report number i: domain i % domains, then days, then organizations. */
static struct tlsrpt_report *make_report(unsigned long i, unsigned domains, unsigned days,
                                         long long today)
{
    struct tlsrpt_report *r = zalloc(1, sizeof *r);
    unsigned dom = (unsigned)(i % domains);
    unsigned long rest = i / domains;
    unsigned age = 1 + (unsigned)(rest % days);
    unsigned org = (unsigned)((rest / days) % NORGS);
    uint64_t h = mix(i);
    char domain[64], id[128];

    snprintf(domain, sizeof domain, "d%05u.example", dom);
    r->organization_name = dup(ORGS[org]);
    r->start_time = today - (long long)age * DAY;
    r->end_time = r->start_time + DAY;
    snprintf(id, sizeof id, "%s-%lu", ORGS[org], i);
    r->report_id = dup(id);
    int enforce = mix(dom) % 10 == 0;
    int64_t ok = (int64_t)(h % 2000);
    int64_t failed = (h >> 32) % 10 == 0 ? (int64_t)(1 + (h >> 40) % 50) : 0;
    bool twin = org == 1;
    r->n_policies = twin ? 2 : 1;
    r->policies = zalloc(r->n_policies, sizeof *r->policies);
    fill_policy(&r->policies[0], "sts", domain, enforce, ok, failed, h);
    if (twin)
        fill_policy(&r->policies[1], "tlsa", domain, enforce, ok, failed, h);
    return r;
}

int main(int argc, char **argv)
{
    unsigned long reports = 1000000;
    unsigned domains = 5000, days = 30;
    long long today = (long long)time(NULL) / DAY * DAY;
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    int rc = 1;

    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: report_gen DB [--reports N] [--domains D] [--days DAYS] "
                        "[--today YYYY-MM-DD]\n");
        return 64;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--reports") == 0)
            reports = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--domains") == 0)
            domains = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--days") == 0)
            days = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--today") == 0) {
            struct tm tm = {0};
            if (strptime(argv[i + 1], "%Y-%m-%d", &tm) == NULL)
                return 64;
            today = (long long)timegm(&tm);
        } else {
            fprintf(stderr, "report_gen: unknown option %s\n", argv[i]);
            return 64;
        }
    }
    if (domains == 0 || days == 0 || reports > (unsigned long)domains * days * NORGS) {
        fprintf(stderr, "report_gen: at most domains x days x %zu reports\n", NORGS);
        return 64;
    }
    if (tlsrpt_db_open(argv[1], TLSRPT_DB_READWRITE, &db, &err) != 0)
        goto fail;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long i = 0; i < reports; i++) {
        struct tlsrpt_source_info src = {
            .kind = "file", .reference = "report_gen", .received_at = today};
        enum tlsrpt_store_outcome outcome;
        char raw[64];
        int n = snprintf(raw, sizeof raw, "{\"report_gen\": %lu}", i);
        if (i % BATCH == 0 && tlsrpt_db_begin(db, &err) != 0)
            goto fail;
        struct tlsrpt_report *r = make_report(i, domains, days, today);
        int src_rc =
            tlsrpt_store_report(db, (const uint8_t *)raw, (size_t)n, &src, r, &outcome, NULL, &err);
        tlsrpt_report_free(r);
        if (src_rc != 0)
            goto fail;
        if ((i + 1) % BATCH == 0 || i + 1 == reports) {
            if (tlsrpt_db_commit(db, &err) != 0)
                goto fail;
            if ((i + 1) % 100000 == 0)
                fprintf(stderr, "report_gen: %lu reports\n", i + 1);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("report_gen: %lu reports, %u domains, %u days in %.1f s\n", reports, domains, days,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "report_gen: %s\n", err.message);
out:
    tlsrpt_db_close(db);
    return rc;
}
