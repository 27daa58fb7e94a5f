/* figures.c - turns the tallies of one domain (aggregate.c) into the sorted, arena-owned figures of
 * struct tlsrpt_domain_analysis. Orders are total (ties broken by name) so outputs are
 * reproducible. */
#include "analyze_internal.h"

#include "sts_policy.h"

#include <stdlib.h>
#include <string.h>

static int cmp_i64_desc(int64_t a, int64_t b)
{
    return (a < b) - (a > b);
}

static int cmp_opt_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_count(const void *x, const void *y)
{
    const struct tlsrpt_count *a = x, *b = y;
    int c = cmp_i64_desc(a->sessions, b->sessions);
    return c ? c : strcmp(a->key, b->key);
}

static int cmp_org(const void *x, const void *y)
{
    const struct tlsrpt_org_stats *a = x, *b = y;
    int c = cmp_i64_desc(a->successful + a->failed, b->successful + b->failed);
    if (c == 0)
        c = cmp_i64_desc(a->reports, b->reports);
    return c ? c : strcmp(a->organization, b->organization);
}

static int cmp_mx(const void *x, const void *y)
{
    const struct tlsrpt_mx_stats *a = x, *b = y;
    int c = cmp_i64_desc(a->failed, b->failed);
    return c ? c : strcmp(a->mx, b->mx);
}

static int cmp_detail(const void *x, const void *y)
{
    const struct tlsrpt_detail_stats *a = x, *b = y;
    int c = cmp_i64_desc(a->sessions, b->sessions);
    if (c == 0)
        c = strcmp(a->result_type, b->result_type);
    if (c == 0)
        c = cmp_opt_str(a->receiving_mx_hostname, b->receiving_mx_hostname);
    if (c == 0)
        c = cmp_opt_str(a->receiving_ip, b->receiving_ip);
    if (c == 0)
        c = cmp_opt_str(a->sending_mta_ip, b->sending_mta_ip);
    return c ? c : cmp_opt_str(a->failure_reason_code, b->failure_reason_code);
}

static int cmp_policy(const void *x, const void *y)
{
    const struct tlsrpt_policy_seen *a = x, *b = y;
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    if (a->last_seen != b->last_seen)
        return a->last_seen < b->last_seen ? -1 : 1;
    int c = cmp_opt_str(a->mode, b->mode);
    if (c == 0 && a->max_age != b->max_age)
        c = a->max_age < b->max_age ? -1 : 1;
    for (size_t i = 0; c == 0 && i < a->n_mx_patterns && i < b->n_mx_patterns; i++)
        c = strcmp(a->mx_patterns[i], b->mx_patterns[i]);
    if (c == 0 && a->n_mx_patterns != b->n_mx_patterns)
        c = a->n_mx_patterns < b->n_mx_patterns ? -1 : 1;
    return c;
}

static int cmp_policy_org(const void *x, const void *y)
{
    const struct tlsrpt_policy_org *a = x, *b = y;
    return strcmp(a->organization, b->organization);
}

struct named_volume {
    const char *name;
    int64_t volume;
};

static int cmp_volume(const void *x, const void *y)
{
    const struct named_volume *a = x, *b = y;
    int c = cmp_i64_desc(a->volume, b->volume);
    return c ? c : strcmp(a->name, b->name);
}

/* Biggest reporters of the domain first (by sessions), so sentences name them first. */
int acc_org_names(const struct dom_acc *a, const struct vec *set, struct tlsrpt_arena *arena,
                  const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (set->len == 0)
        return 0;
    const char **names = tlsrpt_arena_array(arena, set->len, sizeof *names);
    struct named_volume *v = calloc(set->len, sizeof *v);
    if (names == NULL || v == NULL) {
        free(v);
        return -1;
    }
    for (size_t i = 0; i < set->len; i++) {
        const struct org_acc *o = VEC_AT(&a->orgs, struct org_acc, *VEC_AT(set, size_t, i));
        v[i].name = o->name;
        v[i].volume = o->successful + o->failed;
    }
    qsort(v, set->len, sizeof *v, cmp_volume);
    for (size_t i = 0; i < set->len; i++)
        if ((names[i] = tlsrpt_arena_strdup(arena, v[i].name)) == NULL) {
            free(v);
            return -1;
        }
    free(v);
    *out = names;
    *n = set->len;
    return 0;
}

/* The policy the newest reports show: among the versions seen on the newest sts report's start, the
 * one that appeared last (a change reaches reporters one by one, RFC 8461 §8.1). SIZE_MAX if none.
 */
static size_t newest_policy(const struct dom_acc *a)
{
    int64_t newest = 0;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < a->pols.len; i++) {
        const struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, i);
        if (p->last > newest)
            newest = p->last;
    }
    for (size_t i = 0; i < a->pols.len; i++) {
        const struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, i);
        if (p->last != newest)
            continue;
        if (best == SIZE_MAX || p->first > VEC_AT(&a->pols, struct pol_acc, best)->first)
            best = i;
    }
    return best;
}

static int fill_orgs(const struct dom_acc *a, struct tlsrpt_arena *arena,
                     struct tlsrpt_domain_analysis *out)
{
    out->n_by_organization = a->orgs.len;
    if (a->orgs.len == 0)
        return 0;
    out->by_organization = tlsrpt_arena_array(arena, a->orgs.len, sizeof *out->by_organization);
    if (out->by_organization == NULL)
        return -1;
    for (size_t i = 0; i < a->orgs.len; i++) {
        const struct org_acc *o = VEC_AT(&a->orgs, struct org_acc, i);
        struct tlsrpt_org_stats *s = &out->by_organization[i];
        if ((s->organization = tlsrpt_arena_strdup(arena, o->name)) == NULL)
            return -1;
        s->reports = o->reports;
        s->successful = o->successful;
        s->failed = o->failed;
        s->first_seen = o->first;
        s->last_seen = o->last;
        if (o->sts_reports > 0)
            out->sts_organizations++;
    }
    qsort(out->by_organization, a->orgs.len, sizeof *out->by_organization, cmp_org);
    return 0;
}

int acc_mx_matches(const struct dom_acc *a, size_t pol, const char *host)
{
    if (pol == SIZE_MAX)
        return -1;
    const struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, pol);
    if (p->n_patterns == 0)
        return -1;
    for (size_t i = 0; i < p->n_patterns; i++)
        if (tlsrpt_mx_pattern_match(p->patterns[i], host))
            return 1;
    return 0;
}

static int fill_mx(const struct dom_acc *a, size_t pol, struct tlsrpt_arena *arena,
                   struct tlsrpt_domain_analysis *out)
{
    out->n_by_mx = a->mxs.len;
    if (a->mxs.len == 0)
        return 0;
    out->by_mx = tlsrpt_arena_array(arena, a->mxs.len, sizeof *out->by_mx);
    if (out->by_mx == NULL)
        return -1;
    for (size_t i = 0; i < a->mxs.len; i++) {
        const struct mx_acc *m = VEC_AT(&a->mxs, struct mx_acc, i);
        struct tlsrpt_mx_stats *s = &out->by_mx[i];
        if ((s->mx = tlsrpt_arena_strdup(arena, m->key)) == NULL)
            return -1;
        s->kind = m->kind;
        s->failed = m->failed;
        s->first_seen = m->first;
        s->last_seen = m->last;
        s->matches_policy = m->kind == TLSRPT_MX_HOST ? acc_mx_matches(a, pol, m->key) : -1;
        if (acc_org_names(a, &m->orgs, arena, &s->organizations, &s->n_organizations) != 0)
            return -1;
        s->n_result_types = m->rts.len;
        s->result_types = tlsrpt_arena_array(arena, m->rts.len, sizeof *s->result_types);
        if (m->rts.len > 0 && s->result_types == NULL)
            return -1;
        for (size_t j = 0; j < m->rts.len; j++) {
            const struct rt_count *c = VEC_AT(&m->rts, struct rt_count, j);
            s->result_types[j].key = VEC_AT(&a->rts, struct rt_acc, c->rt)->name;
            s->result_types[j].sessions = c->sessions;
            if ((s->result_types[j].key = tlsrpt_arena_strdup(arena, s->result_types[j].key)) ==
                NULL)
                return -1;
        }
        qsort(s->result_types, s->n_result_types, sizeof *s->result_types, cmp_count);
    }
    qsort(out->by_mx, out->n_by_mx, sizeof *out->by_mx, cmp_mx);
    return 0;
}

/* Result types with sessions in the main figures (dane == false) or in tlsa entries (dane == true).
 */
static int fill_result_types(const struct dom_acc *a, bool dane, struct tlsrpt_arena *arena,
                             struct tlsrpt_count **out, size_t *n)
{
    size_t k = 0;
    *out = NULL;
    *n = 0;
    if (a->rts.len == 0)
        return 0;
    struct tlsrpt_count *c = tlsrpt_arena_array(arena, a->rts.len, sizeof *c);
    if (c == NULL)
        return -1;
    for (size_t i = 0; i < a->rts.len; i++) {
        const struct rt_acc *r = VEC_AT(&a->rts, struct rt_acc, i);
        if (!(dane ? r->in_dane : r->in_main))
            continue;
        if ((c[k].key = tlsrpt_arena_strdup(arena, r->name)) == NULL)
            return -1;
        c[k++].sessions = dane ? r->dane_sessions : r->sessions;
    }
    qsort(c, k, sizeof *c, cmp_count);
    *out = k ? c : NULL;
    *n = k;
    return 0;
}

struct detail_sort {
    struct tlsrpt_detail_stats s;
    const struct vec *orgs;
};

static int cmp_detail_sort(const void *x, const void *y)
{
    return cmp_detail(&((const struct detail_sort *)x)->s, &((const struct detail_sort *)y)->s);
}

static int fill_details(const struct dom_acc *a, int64_t top, struct tlsrpt_arena *arena,
                        struct tlsrpt_domain_analysis *out)
{
    struct detail_sort *all = NULL;
    int rc = -1;

    if (a->details.len == 0 || top <= 0)
        return 0;
    if ((all = calloc(a->details.len, sizeof *all)) == NULL)
        goto out;
    for (size_t i = 0; i < a->details.len; i++) {
        const struct detail_acc *d = VEC_AT(&a->details, struct detail_acc, i);
        all[i].s.result_type = d->fields[0];
        all[i].s.sending_mta_ip = d->fields[1];
        all[i].s.receiving_mx_hostname = d->fields[2];
        all[i].s.receiving_ip = d->fields[3];
        all[i].s.failure_reason_code = d->fields[4];
        all[i].s.sessions = d->sessions;
        all[i].orgs = &d->orgs;
    }
    qsort(all, a->details.len, sizeof *all, cmp_detail_sort);
    size_t n = a->details.len < (size_t)top ? a->details.len : (size_t)top;
    out->top_details = tlsrpt_arena_array(arena, n, sizeof *out->top_details);
    if (out->top_details == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct tlsrpt_detail_stats *src = &all[i].s;
        struct tlsrpt_detail_stats *s = &out->top_details[i];
        const char *f[5] = {src->result_type, src->sending_mta_ip, src->receiving_mx_hostname,
                            src->receiving_ip, src->failure_reason_code};
        const char **dst[5] = {&s->result_type, &s->sending_mta_ip, &s->receiving_mx_hostname,
                               &s->receiving_ip, &s->failure_reason_code};
        for (size_t j = 0; j < 5; j++)
            if (f[j] != NULL && (*dst[j] = tlsrpt_arena_strdup(arena, f[j])) == NULL)
                goto out;
        s->sessions = src->sessions;
        if (acc_org_names(a, all[i].orgs, arena, &s->organizations, &s->n_organizations) != 0)
            goto out;
    }
    out->n_top_details = n;
    rc = 0;
out:
    free(all);
    return rc;
}

static int fill_daily(const struct dom_acc *a, int64_t until, struct tlsrpt_arena *arena,
                      struct tlsrpt_domain_analysis *out)
{
    if (a->days.len == 0)
        return 0;
    int64_t first = VEC_AT(&a->days, struct day_acc, 0)->day;
    int64_t last = until - 1;
    last -= ((last % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
    int64_t newest = VEC_AT(&a->days, struct day_acc, a->days.len - 1)->day;
    if (last < newest)
        last = newest;
    if ((last - first) / SECONDS_PER_DAY >= TLSRPT_MAX_DAILY_DAYS)
        first = last - (int64_t)(TLSRPT_MAX_DAILY_DAYS - 1) * SECONDS_PER_DAY;
    size_t n = (size_t)((last - first) / SECONDS_PER_DAY) + 1;
    out->daily = tlsrpt_arena_array(arena, n, sizeof *out->daily);
    if (out->daily == NULL)
        return -1;
    out->n_daily = n;
    for (size_t i = 0; i < n; i++)
        out->daily[i].day = first + (int64_t)i * SECONDS_PER_DAY;
    for (size_t i = 0; i < a->days.len; i++) {
        const struct day_acc *d = VEC_AT(&a->days, struct day_acc, i);
        if (d->day < first)
            continue;
        struct tlsrpt_day_stats *s = &out->daily[(d->day - first) / SECONDS_PER_DAY];
        s->reports += d->reports;
        s->successful += d->successful;
        s->failed += d->failed;
    }
    return 0;
}

static int fill_policies(const struct dom_acc *a, size_t newest, struct tlsrpt_arena *arena,
                         struct tlsrpt_domain_analysis *out)
{
    out->n_policies = a->pols.len;
    if (a->pols.len == 0)
        return 0;
    out->policies = tlsrpt_arena_array(arena, a->pols.len, sizeof *out->policies);
    if (out->policies == NULL)
        return -1;
    for (size_t i = 0; i < a->pols.len; i++) {
        const struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, i);
        struct tlsrpt_policy_seen *s = &out->policies[i];
        if (p->mode != NULL && (s->mode = tlsrpt_arena_strdup(arena, p->mode)) == NULL)
            return -1;
        s->max_age = p->max_age;
        s->newest = i == newest;
        s->reports = p->reports;
        s->first_seen = p->first;
        s->last_seen = p->last;
        s->n_mx_patterns = p->n_patterns;
        if (p->n_patterns > 0) {
            s->mx_patterns = tlsrpt_arena_array(arena, p->n_patterns, sizeof(char *));
            if (s->mx_patterns == NULL)
                return -1;
            for (size_t j = 0; j < p->n_patterns; j++)
                if ((s->mx_patterns[j] = tlsrpt_arena_strdup(arena, p->patterns[j])) == NULL)
                    return -1;
        }
        s->n_organizations = p->orgs.len;
        s->organizations = tlsrpt_arena_array(arena, p->orgs.len, sizeof *s->organizations);
        if (p->orgs.len > 0 && s->organizations == NULL)
            return -1;
        for (size_t j = 0; j < p->orgs.len; j++) {
            const struct pol_org *po = VEC_AT(&p->orgs, struct pol_org, j);
            struct tlsrpt_policy_org *so = &s->organizations[j];
            so->organization =
                tlsrpt_arena_strdup(arena, VEC_AT(&a->orgs, struct org_acc, po->org)->name);
            if (so->organization == NULL)
                return -1;
            so->reports = po->reports;
            so->first_seen = po->first;
            so->last_seen = po->last;
        }
        qsort(s->organizations, s->n_organizations, sizeof *s->organizations, cmp_policy_org);
    }
    qsort(out->policies, out->n_policies, sizeof *out->policies, cmp_policy);
    return 0;
}

int dom_acc_finish(struct dom_acc *a, const struct tlsrpt_analysis_query *q,
                   struct tlsrpt_arena *arena, struct tlsrpt_domain_analysis *out, size_t *newest)
{
    if ((out->domain = tlsrpt_arena_strdup(arena, a->domain)) == NULL)
        return TLSRPT_E_NOMEM;
    out->reports = a->reports;
    out->reporters = a->reporters;
    out->organizations = (int64_t)a->orgs.len;
    out->first_seen = a->first;
    out->last_seen = a->last;
    out->successful = a->successful;
    out->failed = a->failed;
    out->sts = a->sts;
    out->no_policy = a->no_policy;
    out->sts_days = a->sts_days;
    out->days_with_reports = (int64_t)a->days.len;
    out->dane.reports = a->dane.reports;
    out->dane.successful = a->dane.successful;
    out->dane.failed = a->dane.failed;

    *newest = newest_policy(a);
    if (fill_orgs(a, arena, out) != 0 || fill_mx(a, *newest, arena, out) != 0 ||
        fill_result_types(a, false, arena, &out->by_result_type, &out->n_by_result_type) != 0 ||
        fill_details(a, q->thresholds.top_details, arena, out) != 0 ||
        fill_daily(a, q->until, arena, out) != 0 || fill_policies(a, *newest, arena, out) != 0 ||
        fill_result_types(a, true, arena, &out->dane.result_types, &out->dane.n_result_types) !=
            0 ||
        acc_org_names(a, &a->dane_orgs, arena, &out->dane.organizations,
                      &out->dane.n_organizations) != 0)
        return TLSRPT_E_NOMEM;
    return 0;
}
