/* collect.c - the analysis of every domain of the window at once.
 * One pass over the window in time order (cheap for SQLite: rows are stored in roughly that order)
 * copies each row into a compact record with its strings interned; the records are then grouped by
 * domain (a counting sort) and each domain is tallied on its own, with one set of tallies that
 * stays in the CPU caches. Routing every row straight to one of thousands of live tallies instead
 * costs about 40% more CPU time (measured with bench/report_bench.sh). */
#include "analyze_internal.h"

#include <stdlib.h>
#include <string.h>

#define NO_ID UINT32_MAX /* an absent (NULL) string */

struct prec {                                               /* a policies row */
    int64_t id, report, successful, failed, start, max_age; /* no idx: arrival order serves */
    uint32_t domain, org, reporter, mode, patterns;
    enum policy_kind kind;
};

struct drec { /* a failure_details row */
    int64_t policy, sessions;
    uint32_t domain, fields[5]; /* result type, sending IP, MX, receiving IP, reason code */
};

struct collect {
    struct names domains; /* dense ids: the grouping key */
    struct names who;     /* organizations and reporters: few, shared with the tallies */
    struct names strs;    /* every other string */
    struct vec precs, drecs;
};

/* The previous value of a column: organization, reporter and mode repeat from row to row, and a
 * string compare is cheaper than a hash lookup. */
struct recent {
    uint32_t id;
    const char *s; /* a key of the names map, or NULL */
};

static int intern(struct names *n, const char *s, uint32_t *id)
{
    if (s == NULL) {
        *id = NO_ID;
        return 0;
    }
    size_t v = names_id(n, s, NULL);
    if (v == SIZE_MAX || v >= NO_ID)
        return -1;
    *id = (uint32_t)v;
    return 0;
}

static int intern_recent(struct names *n, struct recent *r, const char *s, uint32_t *id)
{
    if (s != NULL && r->s != NULL && strcmp(s, r->s) == 0) {
        *id = r->id;
        return 0;
    }
    if (intern(n, s, id) != 0)
        return -1;
    r->id = *id;
    r->s = *id == NO_ID ? NULL : *VEC_AT(&n->list, const char *, *id);
    return 0;
}

/* The struct recent of domain id (vector grown with zeroed elements), or NULL. */
static struct recent *recent_of(struct vec *v, uint32_t id)
{
    while (v->len <= id)
        if (vec_push(v) == NULL)
            return NULL;
    return VEC_AT(v, struct recent, id);
}

static const char *str(const struct names *n, uint32_t id)
{
    return id == NO_ID ? NULL : *VEC_AT(&n->list, const char *, id);
}

struct failing {
    int64_t id;
    uint32_t domain;
};

static int cmp_failing(const void *x, const void *y)
{
    int64_t a = ((const struct failing *)x)->id, b = ((const struct failing *)y)->id;
    return (a > b) - (a < b);
}

static int read_rows(struct queries *qs, const struct tlsrpt_analysis_query *q, struct collect *c,
                     struct tlsrpt_error *err)
{
    struct policy_row p;
    struct detail_row d;
    struct recent org = {0}, reporter = {0}, mode = {0};
    struct vec patterns; /* struct recent per domain id: a domain's policy rarely changes */
    int r;

    if (q_policies_start(qs, NULL, q->since, q->until, err) != 0)
        return TLSRPT_E_DB;
    vec_init(&patterns, sizeof(struct recent));
    while ((r = q_policies_next(qs, &p, err)) == 1) {
        struct prec *x = vec_push(&c->precs);
        struct recent *last = NULL;
        if (x != NULL && intern(&c->domains, p.domain, &x->domain) == 0)
            last = recent_of(&patterns, x->domain);
        if (last == NULL || intern_recent(&c->who, &org, p.organization, &x->org) != 0 ||
            intern_recent(&c->who, &reporter, p.reporter, &x->reporter) != 0 ||
            intern_recent(&c->strs, &mode, p.mode, &x->mode) != 0 ||
            intern_recent(&c->strs, last, p.mx_patterns_json, &x->patterns) != 0) {
            vec_free(&patterns);
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory reading the window");
        }
        x->id = p.id;
        x->report = p.report;
        x->successful = p.successful;
        x->failed = p.failed;
        x->start = p.start;
        x->max_age = p.max_age;
        x->kind = p.kind;
    }
    vec_free(&patterns);
    if (r != 0)
        return TLSRPT_E_DB;

    /* The entries with failures, by id, to find each detail's domain (and skip the details of
     * entries outside the window that share the id range). */
    struct failing *f = NULL;
    size_t nf = 0;
    for (size_t i = 0; i < c->precs.len; i++)
        nf += VEC_AT(&c->precs, struct prec, i)->failed > 0;
    if (nf == 0)
        return 0;
    if ((f = malloc(nf * sizeof *f)) == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory reading the window");
    nf = 0;
    for (size_t i = 0; i < c->precs.len; i++) {
        const struct prec *x = VEC_AT(&c->precs, struct prec, i);
        if (x->failed > 0)
            f[nf++] = (struct failing){x->id, x->domain};
    }
    qsort(f, nf, sizeof *f, cmp_failing);
    if (q_details_range_start(qs, f[0].id, f[nf - 1].id, err) != 0) {
        free(f);
        return TLSRPT_E_DB;
    }
    while ((r = q_details_next(qs, &d, err)) == 1) {
        struct failing key = {.id = d.policy};
        const struct failing *hit = bsearch(&key, f, nf, sizeof *f, cmp_failing);
        if (hit == NULL)
            continue;
        const char *fields[5] = {d.result_type, d.sending_mta_ip, d.receiving_mx_hostname,
                                 d.receiving_ip, d.failure_reason_code};
        struct drec *x = vec_push(&c->drecs);
        bool ok = x != NULL;
        for (size_t i = 0; ok && i < 5; i++)
            ok = intern(&c->strs, fields[i], &x->fields[i]) == 0;
        if (!ok) {
            free(f);
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory reading the window");
        }
        x->domain = hit->domain;
        x->policy = d.policy;
        x->sessions = d.sessions;
    }
    free(f);
    return r == 0 ? 0 : TLSRPT_E_DB;
}

/* Stable counting sort: start[d]..start[d + 1] in the returned index list are domain d's records,
 * in their original (time) order. domain_of reads the key of record i. */
static uint32_t *group(const struct vec *recs, size_t ndomains, size_t **start,
                       uint32_t (*domain_of)(const struct vec *, size_t))
{
    uint32_t *order = malloc((recs->len ? recs->len : 1) * sizeof *order);
    size_t *pos = calloc(ndomains + 1, sizeof *pos);
    if (order == NULL || pos == NULL) {
        free(order);
        free(pos);
        return NULL;
    }
    for (size_t i = 0; i < recs->len; i++)
        pos[domain_of(recs, i) + 1]++;
    for (size_t d = 0; d < ndomains; d++)
        pos[d + 1] += pos[d];
    size_t *fill = malloc((ndomains ? ndomains : 1) * sizeof *fill);
    if (fill == NULL) {
        free(order);
        free(pos);
        return NULL;
    }
    memcpy(fill, pos, ndomains * sizeof *fill);
    for (size_t i = 0; i < recs->len; i++)
        order[fill[domain_of(recs, i)]++] = (uint32_t)i;
    free(fill);
    *start = pos;
    return order;
}

static uint32_t prec_domain(const struct vec *v, size_t i)
{
    return VEC_AT(v, struct prec, i)->domain;
}

static uint32_t drec_domain(const struct vec *v, size_t i)
{
    return VEC_AT(v, struct drec, i)->domain;
}

struct named_id {
    const char *name;
    uint32_t id;
};

static int cmp_named_id(const void *x, const void *y)
{
    return strcmp(((const struct named_id *)x)->name, ((const struct named_id *)y)->name);
}

/* Feeds one domain's records to acc. */
static int tally(struct collect *c, struct dom_acc *acc, uint32_t dom, const uint32_t *porder,
                 const size_t *pstart, const uint32_t *dorder, const size_t *dstart)
{
    dom_acc_reset(acc, *VEC_AT(&c->domains.list, const char *, dom));
    for (size_t k = pstart[dom]; k < pstart[dom + 1]; k++) {
        const struct prec *x = VEC_AT(&c->precs, struct prec, porder[k]);
        struct policy_row row = {
            .id = x->id,
            .report = x->report,
            .kind = x->kind,
            .mode = str(&c->strs, x->mode),
            .mx_patterns_json = str(&c->strs, x->patterns),
            .max_age = x->max_age,
            .successful = x->successful,
            .failed = x->failed,
            .start = x->start,
            .reporter = str(&c->who, x->reporter),
            .organization = str(&c->who, x->org),
            .domain = acc->domain,
        };
        if (dom_acc_add_policy(acc, &row) != 0)
            return -1;
    }
    if (dom_acc_end_policies(acc) != 0)
        return -1;
    for (size_t k = dstart[dom]; k < dstart[dom + 1]; k++) {
        const struct drec *x = VEC_AT(&c->drecs, struct drec, dorder[k]);
        struct detail_row row = {
            .policy = x->policy,
            .result_type = str(&c->strs, x->fields[0]),
            .sending_mta_ip = str(&c->strs, x->fields[1]),
            .receiving_mx_hostname = str(&c->strs, x->fields[2]),
            .receiving_ip = str(&c->strs, x->fields[3]),
            .failure_reason_code = str(&c->strs, x->fields[4]),
            .sessions = x->sessions,
            .domain = acc->domain,
        };
        if (dom_acc_add_detail(acc, &row) != 0)
            return -1;
    }
    return 0;
}

static int nomem(struct tlsrpt_error *err)
{
    return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL,
                            "out of memory (or past a size cap) analysing the window");
}

int analyze_every_domain(struct tlsrpt_db *db, const struct tlsrpt_analysis_query *q,
                         struct tlsrpt_analysis *a, struct tlsrpt_error *err)
{
    struct collect c;
    struct queries qs;
    struct dom_acc acc;
    uint32_t *porder = NULL, *dorder = NULL;
    struct named_id *names = NULL;
    size_t *pstart = NULL, *dstart = NULL;
    int rc;

    names_init(&c.domains);
    names_init(&c.who);
    names_init(&c.strs);
    vec_init(&c.precs, sizeof(struct prec));
    vec_init(&c.drecs, sizeof(struct drec));
    dom_acc_init(&acc, &c.who);
    if ((rc = q_prepare(db, true, &qs, err)) != 0 || (rc = read_rows(&qs, q, &c, err)) != 0)
        goto out;

    size_t n = c.domains.list.len;
    if (n > TLSRPT_MAX_DOMAINS || (porder = group(&c.precs, n, &pstart, prec_domain)) == NULL ||
        (dorder = group(&c.drecs, n, &dstart, drec_domain)) == NULL ||
        (names = malloc((n ? n : 1) * sizeof *names)) == NULL ||
        (n > 0 && (a->domains = tlsrpt_arena_array(a->arena, n, sizeof *a->domains)) == NULL)) {
        rc = nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        names[i].name = *VEC_AT(&c.domains.list, const char *, i);
        names[i].id = (uint32_t)i;
    }
    qsort(names, n, sizeof *names, cmp_named_id);
    for (size_t i = 0; i < n; i++) {
        size_t newest;
        if (tally(&c, &acc, names[i].id, porder, pstart, dorder, dstart) != 0 ||
            dom_acc_finish(&acc, q, a->arena, &a->domains[i], &newest) != 0) {
            rc = nomem(err);
            goto out;
        }
        if ((rc = live_readiness(db, &acc, newest, q, a->arena, &a->domains[i], err)) != 0)
            goto out;
        a->n_domains = i + 1;
    }
    rc = 0;
out:
    q_finalize(&qs);
    dom_acc_free(&acc);
    free(porder);
    free(dorder);
    free(pstart);
    free(dstart);
    free(names);
    vec_free(&c.precs);
    vec_free(&c.drecs);
    names_free(&c.domains);
    names_free(&c.who);
    names_free(&c.strs);
    return rc;
}
