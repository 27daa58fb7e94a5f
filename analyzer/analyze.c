/* analyze.c - runs the analysis (analyze.h): one read transaction, then per domain the policies
 * query, the failure details query, the figures and the readiness rules. */
#include "analyze_internal.h"

#include "domain.h"

#include <stdlib.h>
#include <string.h>

void tlsrpt_thresholds_default(struct tlsrpt_thresholds *t)
{
    t->min_days = TLSRPT_DEF_MIN_DAYS;
    t->min_organizations = TLSRPT_DEF_MIN_ORGANIZATIONS;
    t->min_sts_sessions = TLSRPT_DEF_MIN_STS_SESSIONS;
    t->max_failure_rate = TLSRPT_DEF_MAX_FAILURE_RATE;
    t->max_fetch_error_rate = TLSRPT_DEF_MAX_FETCH_ERROR_RATE;
    t->silent_days = TLSRPT_DEF_SILENT_DAYS;
    t->top_details = TLSRPT_DEF_TOP_DETAILS;
}

const char *tlsrpt_verdict_name(enum tlsrpt_verdict v)
{
    switch (v) {
    case TLSRPT_VERDICT_READY:
        return "ready";
    case TLSRPT_VERDICT_NOT_READY:
        return "not-ready";
    case TLSRPT_VERDICT_INSUFFICIENT_DATA:
        return "insufficient-data";
    case TLSRPT_VERDICT_ENFORCING:
        return "enforcing";
    }
    return "unknown";
}

const char *tlsrpt_severity_name(enum tlsrpt_severity s)
{
    switch (s) {
    case TLSRPT_SEV_BLOCKING:
        return "blocking";
    case TLSRPT_SEV_INSUFFICIENT:
        return "insufficient";
    case TLSRPT_SEV_WARNING:
        return "warning";
    case TLSRPT_SEV_INFO:
        return "info";
    }
    return "unknown";
}

const char *tlsrpt_mx_kind_name(enum tlsrpt_mx_kind k)
{
    switch (k) {
    case TLSRPT_MX_HOST:
        return "mx";
    case TLSRPT_MX_IP:
        return "ip";
    case TLSRPT_MX_POLICY_HOST:
        return "policy-host";
    case TLSRPT_MX_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

double tlsrpt_failure_rate(int64_t successful, int64_t failed)
{
    int64_t total = successful + failed;
    if (total <= 0)
        return -1;
    return (double)failed / (double)total;
}

int tlsrpt_analysis_exit_status(const struct tlsrpt_analysis *a)
{
    bool insufficient = false;
    for (size_t i = 0; i < a->n_domains; i++) {
        enum tlsrpt_verdict v = a->domains[i].readiness.verdict;
        if (v == TLSRPT_VERDICT_NOT_READY)
            return TLSRPT_REPORT_EXIT_NOT_READY;
        insufficient |= v == TLSRPT_VERDICT_INSUFFICIENT_DATA;
    }
    /* No domain at all is no evidence either. */
    if (insufficient || a->n_domains == 0)
        return TLSRPT_REPORT_EXIT_INSUFFICIENT;
    return TLSRPT_REPORT_EXIT_READY;
}

size_t tlsrpt_analysis_bytes(const struct tlsrpt_analysis *a)
{
    return a != NULL ? sizeof *a + tlsrpt_arena_total(a->arena) : 0;
}

void tlsrpt_analysis_free(struct tlsrpt_analysis *a)
{
    if (a != NULL)
        tlsrpt_arena_free(a->arena); /* the analysis itself lives in its arena */
}

static int cmp_domain(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The --domain list normalised as the parser stores policy domains, sorted, without repeats. */
static int requested_domains(const struct tlsrpt_analysis_query *q, struct tlsrpt_arena *arena,
                             const char ***out, size_t *n)
{
    char **v = tlsrpt_arena_array(arena, q->n_domains, sizeof *v);
    size_t k = 0;
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < q->n_domains; i++) {
        if ((v[i] = (char *)tlsrpt_arena_strdup(arena, q->domains[i])) == NULL)
            return -1;
        tlsrpt_domain_normalize(v[i]);
    }
    qsort(v, q->n_domains, sizeof *v, cmp_domain);
    for (size_t i = 0; i < q->n_domains; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    *out = (const char **)v;
    *n = k;
    return 0;
}

static int nomem(struct tlsrpt_error *err, const char *domain)
{
    return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL,
                            "out of memory (or past a size cap) analysing %s", domain);
}

/* Figures and verdict of one domain whose rows are all in acc. */
static int finish_domain(struct tlsrpt_db *db, struct dom_acc *acc,
                         const struct tlsrpt_analysis_query *q, struct tlsrpt_arena *arena,
                         struct tlsrpt_domain_analysis *out, struct tlsrpt_error *err)
{
    size_t newest;
    if (dom_acc_finish(acc, q, arena, out, &newest) != 0)
        return nomem(err, acc->domain);
    return live_readiness(db, acc, newest, q, arena, out, err);
}

/* --domain: each domain through its own index range. */
static int analyze_one(struct tlsrpt_db *db, struct queries *qs, struct dom_acc *acc,
                       const char *domain, const struct tlsrpt_analysis_query *q,
                       struct tlsrpt_arena *arena, struct tlsrpt_domain_analysis *out,
                       struct tlsrpt_error *err)
{
    struct policy_row prow;
    struct detail_row drow;
    int r;

    dom_acc_reset(acc, domain);
    if (q_policies_start(qs, domain, q->since, q->until, err) != 0)
        return TLSRPT_E_DB;
    while ((r = q_policies_next(qs, &prow, err)) == 1)
        if (dom_acc_add_policy(acc, &prow) != 0)
            return nomem(err, domain);
    if (r != 0)
        return TLSRPT_E_DB;
    if (dom_acc_end_policies(acc) != 0)
        return nomem(err, domain);
    if (acc->entries.len > 0) { /* no entry with failures: no details to read */
        if (q_details_start(qs, domain, q->since, q->until, err) != 0)
            return TLSRPT_E_DB;
        while ((r = q_details_next(qs, &drow, err)) == 1)
            if (dom_acc_add_detail(acc, &drow) != 0)
                return nomem(err, domain);
        if (r != 0)
            return TLSRPT_E_DB;
    }
    return finish_domain(db, acc, q, arena, out, err);
}

static int analyze_listed(struct tlsrpt_db *db, const struct tlsrpt_analysis_query *q,
                          struct tlsrpt_analysis *a, struct tlsrpt_error *err)
{
    struct queries qs;
    struct dom_acc acc;
    struct names ids;
    const char **names = NULL;
    size_t n = 0;
    int rc;

    names_init(&ids);
    dom_acc_init(&acc, &ids);
    if ((rc = q_prepare(db, false, &qs, err)) != 0)
        goto out;
    if (requested_domains(q, a->arena, &names, &n) != 0 ||
        (a->domains = tlsrpt_arena_array(a->arena, n, sizeof *a->domains)) == NULL) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    a->n_domains = n;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = analyze_one(db, &qs, &acc, names[i], q, a->arena, &a->domains[i], err);
out:
    q_finalize(&qs);
    dom_acc_free(&acc);
    names_free(&ids);
    return rc;
}

int tlsrpt_analyze(struct tlsrpt_db *db, const struct tlsrpt_analysis_query *q,
                   struct tlsrpt_analysis **out, struct tlsrpt_error *err)
{
    struct tlsrpt_arena *arena = tlsrpt_arena_new(TLSRPT_ARENA_MAX);
    struct tlsrpt_analysis *a = NULL;
    bool in_tx = false;
    int rc = TLSRPT_E_NOMEM;

    *out = NULL;
    if (arena == NULL || (a = tlsrpt_arena_alloc(arena, sizeof *a)) == NULL) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    a->arena = arena;
    a->since = q->since;
    a->until = q->until;
    a->now = q->now;
    a->thresholds = q->thresholds;

    /* One snapshot for every query, even while the collector writes (WAL). */
    if ((rc = tlsrpt_db_exec(db, "BEGIN", err)) != 0)
        goto out;
    in_tx = true;
    rc = q->n_domains > 0 ? analyze_listed(db, q, a, err) : analyze_every_domain(db, q, a, err);
    if (rc != 0)
        goto out;
    *out = a;
    arena = NULL;
out:
    if (in_tx)
        tlsrpt_db_exec(db, "COMMIT", NULL);
    tlsrpt_arena_free(arena);
    return rc;
}
