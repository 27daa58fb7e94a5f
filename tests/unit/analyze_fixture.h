/* analyze_fixture.h - hand-built databases for the analyzer tests (test_analyze_*.c).
 * Reports are filled by hand as struct tlsrpt_report and written with the collector's own
 * tlsrpt_store_report inside one transaction, then the database is reopened read-only, as
 * tlsrpt-report does. Header-only (static inline) because tests/CMakeLists.txt builds each test
 * from its own file. Allocation failures abort the test: they are not what these tests are about.
 */
#ifndef TLSRPT_ANALYZE_FIXTURE_H
#define TLSRPT_ANALYZE_FIXTURE_H

#include "analyze.h"
#include "db.h"
#include "store.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FX_DAY0 1790812800LL /* 2026-10-01T00:00:00Z */
#define FX_DAY 86400LL

struct fx {
    char dir[4096];
    char path[4200];
    struct tlsrpt_db *db;
    int seq; /* makes every raw input unique, so none is taken for a resend */
    struct tlsrpt_analysis *analysis;
};

static inline char *fx_strdup(const char *s)
{
    char *p = s != NULL ? strdup(s) : NULL;
    assert_true(s == NULL || p != NULL);
    return p;
}

static inline void *fx_grow(void *v, size_t n, size_t size)
{
    void *p = realloc(v, (n + 1) * size);
    assert_non_null(p);
    memset((char *)p + n * size, 0, size);
    return p;
}

static inline struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof *f);
    struct tlsrpt_error err = {0};
    assert_non_null(f);
    const char *dir = tu_tmpdir();
    assert_non_null(dir);
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    snprintf(f->path, sizeof f->path, "%s/tlsrpt.db", f->dir);
    assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READWRITE, &f->db, &err), 0);
    assert_int_equal(tlsrpt_db_begin(f->db, &err), 0);
    return f;
}

static inline void fx_free(struct fx *f)
{
    if (f == NULL)
        return;
    tlsrpt_analysis_free(f->analysis);
    tlsrpt_db_close(f->db);
    tu_rmtree(f->dir);
    free(f);
}

/* A report from `org` (reporter identity: the lower-cased name) for the UTC day starting at start.
 */
/* The database every test of a file works on, made fresh for each test by fx_setup and freed by
 * fx_teardown (cmocka_unit_test_setup_teardown(test, fx_setup, fx_teardown)). */
static struct fx *F;

static inline int fx_setup(void **state)
{
    (void)state;
    F = fx_new();
    return 0;
}

static inline int fx_teardown(void **state)
{
    (void)state;
    fx_free(F);
    F = NULL;
    return 0;
}

static inline struct tlsrpt_report *fx_report(const char *org, int64_t start)
{
    struct tlsrpt_report *r = calloc(1, sizeof *r);
    char id[64];
    assert_non_null(r);
    r->organization_name = fx_strdup(org);
    snprintf(id, sizeof id, "%s-%lld", org, (long long)start);
    r->report_id = fx_strdup(id);
    r->start_time = start;
    r->end_time = start + FX_DAY;
    return r;
}

/* Adds a policy entry; patterns is a comma-separated list of mx patterns or NULL. */
static inline struct tlsrpt_policy *fx_policy(struct tlsrpt_report *r, const char *type,
                                              const char *domain, int64_t successful,
                                              int64_t failed)
{
    r->policies = fx_grow(r->policies, r->n_policies, sizeof *r->policies);
    struct tlsrpt_policy *p = &r->policies[r->n_policies++];
    p->policy_type = fx_strdup(type);
    p->policy_domain = fx_strdup(domain);
    p->sts_max_age = -1;
    p->total_successful = successful;
    p->total_failure = failed;
    return p;
}

static inline void fx_sts(struct tlsrpt_policy *p, const char *mode, int64_t max_age,
                          const char *patterns)
{
    p->sts_mode = fx_strdup(mode);
    p->sts_max_age = max_age;
    char *list = fx_strdup(patterns);
    for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL; tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        p->mx_patterns = fx_grow(p->mx_patterns, p->n_mx_patterns, sizeof(char *));
        p->mx_patterns[p->n_mx_patterns++] = fx_strdup(tok);
    }
    free(list);
}

static inline struct tlsrpt_failure_detail *fx_detail(struct tlsrpt_policy *p, const char *type,
                                                      const char *mx, const char *ip, int64_t n)
{
    p->details = fx_grow(p->details, p->n_details, sizeof *p->details);
    struct tlsrpt_failure_detail *d = &p->details[p->n_details++];
    d->result_type = fx_strdup(type);
    d->receiving_mx_hostname = fx_strdup(mx);
    d->receiving_ip = fx_strdup(ip);
    d->failed_session_count = n;
    return d;
}

/* Stores and frees r. */
static inline void fx_store(struct fx *f, struct tlsrpt_report *r)
{
    struct tlsrpt_source_info src = {.kind = "file", .reference = "test", .received_at = FX_DAY0};
    struct tlsrpt_error err = {0};
    enum tlsrpt_store_outcome outcome;
    char raw[64];
    int n = snprintf(raw, sizeof raw, "{\"fixture\": %d}", ++f->seq);
    assert_int_equal(
        tlsrpt_store_report(f->db, (const uint8_t *)raw, (size_t)n, &src, r, &outcome, NULL, &err),
        0);
    assert_int_equal(outcome, TLSRPT_STORE_IMPORTED);
    tlsrpt_report_free(r);
}

/* One sts report: org, day index from FX_DAY0, counts, mode testing, the two MX patterns. */
static inline struct tlsrpt_policy *fx_sts_report(struct tlsrpt_report *r, const char *domain,
                                                  int64_t ok, int64_t failed)
{
    struct tlsrpt_policy *p = fx_policy(r, "sts", domain, ok, failed);
    fx_sts(p, "testing", 604800, "mx1.example.com,mx2.example.com");
    return p;
}

/* The baseline that is ready: `days` days, Google and Microsoft each reporting `ok` successful
 * sts sessions a day for example.com under mode testing. */
static inline void fx_healthy(struct fx *f, int days, int64_t ok)
{
    static const char *const orgs[] = {"Google", "Microsoft"};
    for (int d = 0; d < days; d++)
        for (size_t o = 0; o < 2; o++) {
            struct tlsrpt_report *r = fx_report(orgs[o], FX_DAY0 + d * FX_DAY);
            fx_sts_report(r, "example.com", ok, 0);
            fx_store(f, r);
        }
}

/* Commits, reopens read-only and analyses [FX_DAY0, FX_DAY0 + 30 days) for domain (NULL: all)
 * with thresholds t (NULL: defaults). The analysis stays owned by f. */
static inline const struct tlsrpt_analysis *fx_analyze_t(struct fx *f, const char *domain,
                                                         const struct tlsrpt_thresholds *t)
{
    struct tlsrpt_error err = {0};
    struct tlsrpt_analysis_query q = {0};
    const char *domains[1] = {domain};
    if (f->db->mode == TLSRPT_DB_READWRITE) {
        assert_int_equal(tlsrpt_db_commit(f->db, &err), 0);
        tlsrpt_db_close(f->db);
        f->db = NULL;
        assert_int_equal(tlsrpt_db_open(f->path, TLSRPT_DB_READONLY, &f->db, &err), 0);
    }
    if (t != NULL)
        q.thresholds = *t;
    else
        tlsrpt_thresholds_default(&q.thresholds);
    q.since = FX_DAY0;
    q.until = FX_DAY0 + 30 * FX_DAY;
    q.now = q.until;
    q.domains = domain != NULL ? domains : NULL;
    q.n_domains = domain != NULL ? 1 : 0;
    tlsrpt_analysis_free(f->analysis);
    f->analysis = NULL;
    int rc = tlsrpt_analyze(f->db, &q, &f->analysis, &err);
    if (rc != 0)
        fail_msg("tlsrpt_analyze: %s", err.message);
    return f->analysis;
}

static inline const struct tlsrpt_domain_analysis *fx_domain(struct fx *f, const char *domain)
{
    const struct tlsrpt_analysis *a = fx_analyze_t(f, domain, NULL);
    assert_int_equal(a->n_domains, 1);
    return &a->domains[0];
}

/* The first reason with this code, or NULL. */
static inline const struct tlsrpt_reason *fx_reason(const struct tlsrpt_domain_analysis *d,
                                                    const char *code)
{
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        if (strcmp(d->readiness.reasons[i].code, code) == 0)
            return &d->readiness.reasons[i];
    return NULL;
}

static inline size_t fx_count_reasons(const struct tlsrpt_domain_analysis *d, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        n += strcmp(d->readiness.reasons[i].code, code) == 0;
    return n;
}

#endif
