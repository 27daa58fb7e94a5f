/* aggregate.c - tallies of one policy domain, fed row by row from queries.c.
 * The counting rule (docs/readiness.md): the rows of one report arrive together; of its entries for
 * the domain, the sts entry (else the entry with the most sessions) stands for the sessions.
 * Totals, organizations, days, MXes and result types count that entry only; tlsa entries also feed
 * the DANE section. Nothing here decides readiness (readiness.c) or prints (print_*.c). */
#include "analyze_internal.h"

#include "buf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SEP "\x1f"
#define KEY_NULL "\x01" /* stands for an absent field inside a composite key */

/* Joins parts with KEY_SEP into a->key, absent parts as KEY_NULL. NULL when past the buffer cap. */
static const char *make_key(struct dom_acc *a, const char *const *parts, size_t n)
{
    tlsrpt_buf_reset(&a->key);
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i] != NULL ? parts[i] : KEY_NULL;
        if ((i > 0 && tlsrpt_buf_append(&a->key, KEY_SEP, 1) != 0) ||
            tlsrpt_buf_append(&a->key, p, strlen(p) + (i + 1 == n)) != 0)
            return NULL;
    }
    return (const char *)a->key.data;
}

static int64_t day_of(int64_t t)
{
    int64_t d = t / SECONDS_PER_DAY;
    if (t < 0 && t % SECONDS_PER_DAY != 0)
        d--;
    return d * SECONDS_PER_DAY;
}

int idxset_add(struct vec *v, size_t idx)
{
    for (size_t i = 0; i < v->len; i++)
        if (*VEC_AT(v, size_t, i) == idx)
            return 0;
    size_t *slot = vec_push(v);
    if (slot == NULL)
        return -1;
    *slot = idx;
    return 0;
}

static void fail_table_init(struct fail_table *t)
{
    strmap_init(&t->map);
    vec_init(&t->items, sizeof(struct fail_acc));
}

static void fail_table_clear(struct fail_table *t)
{
    for (size_t i = 0; i < t->items.len; i++)
        vec_free(&VEC_AT(&t->items, struct fail_acc, i)->orgs);
    t->items.len = 0;
    strmap_clear(&t->map);
}

void names_init(struct names *n)
{
    strmap_init(&n->map);
    vec_init(&n->list, sizeof(const char *));
}

void names_free(struct names *n)
{
    strmap_free(&n->map);
    vec_free(&n->list);
}

size_t names_id(struct names *n, const char *s, const char **stored)
{
    size_t id;
    const char *key;
    int r = strmap_intern(&n->map, s, n->list.len, &id, &key);
    if (r < 0)
        return SIZE_MAX;
    if (r == 1) {
        const char **slot = vec_push(&n->list);
        if (slot == NULL)
            return SIZE_MAX;
        *slot = key;
    }
    if (stored != NULL)
        *stored = key;
    return id;
}

void dom_acc_init(struct dom_acc *a, struct names *names)
{
    memset(a, 0, sizeof *a);
    a->names = names;
    a->checks_stored = -1;
    vec_init(&a->org_of, sizeof(size_t));
    vec_init(&a->reporter_seen, sizeof(unsigned char));
    strmap_init(&a->pol_map);
    strmap_init(&a->pol_raw_map);
    strmap_init(&a->rt_map);
    strmap_init(&a->mx_map);
    strmap_init(&a->detail_map);
    vec_init(&a->orgs, sizeof(struct org_acc));
    vec_init(&a->pols, sizeof(struct pol_acc));
    vec_init(&a->rts, sizeof(struct rt_acc));
    vec_init(&a->mxs, sizeof(struct mx_acc));
    vec_init(&a->details, sizeof(struct detail_acc));
    vec_init(&a->days, sizeof(struct day_acc));
    vec_init(&a->entries, sizeof(struct entry));
    vec_init(&a->dane_orgs, sizeof(size_t));
    vec_init(&a->cands, sizeof(struct candidate));
    fail_table_init(&a->fail_all);
    fail_table_init(&a->fail_enforce);
    tlsrpt_buf_init(&a->key, TLSRPT_MAX_KEY);
    a->last_pol = SIZE_MAX;
}

/* Frees what the elements own and empties every table, keeping the allocations for the next domain.
 */
static void clear_tables(struct dom_acc *a)
{
    for (size_t i = 0; i < a->pols.len; i++) {
        struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, i);
        free(p->mode);
        for (size_t j = 0; j < p->n_patterns; j++)
            free(p->patterns[j]);
        free(p->patterns);
        vec_free(&p->orgs);
    }
    for (size_t i = 0; i < a->mxs.len; i++) {
        struct mx_acc *m = VEC_AT(&a->mxs, struct mx_acc, i);
        vec_free(&m->rts);
        vec_free(&m->orgs);
    }
    for (size_t i = 0; i < a->details.len; i++) {
        struct detail_acc *d = VEC_AT(&a->details, struct detail_acc, i);
        for (size_t j = 0; j < 5; j++)
            free(d->fields[j]);
        vec_free(&d->orgs);
    }
    fail_table_clear(&a->fail_all);
    fail_table_clear(&a->fail_enforce);
    a->org_of.len = a->reporter_seen.len = 0;
    a->reporters = 0;
    strmap_clear(&a->pol_map);
    strmap_clear(&a->pol_raw_map);
    strmap_clear(&a->rt_map);
    strmap_clear(&a->mx_map);
    strmap_clear(&a->detail_map);
    a->orgs.len = a->pols.len = a->rts.len = a->mxs.len = a->details.len = 0;
    a->days.len = a->entries.len = a->dane_orgs.len = a->cands.len = 0;
    a->last_pol = SIZE_MAX;
}

void dom_acc_reset(struct dom_acc *a, const char *domain)
{
    clear_tables(a);
    a->domain = domain;
    a->reports = a->first = a->last = a->successful = a->failed = 0;
    memset(&a->sts, 0, sizeof a->sts);
    memset(&a->no_policy, 0, sizeof a->no_policy);
    memset(&a->dane, 0, sizeof a->dane);
    a->sts_days = 0;
    a->last_sts_day = INT64_MIN;
    a->cur_report = 0;
    a->cur_start = 0;
    a->cur_org = 0;
    a->cur_dane = false;
}

void dom_acc_free(struct dom_acc *a)
{
    clear_tables(a);
    vec_free(&a->org_of);
    vec_free(&a->reporter_seen);
    strmap_free(&a->pol_map);
    strmap_free(&a->pol_raw_map);
    strmap_free(&a->rt_map);
    strmap_free(&a->mx_map);
    strmap_free(&a->detail_map);
    strmap_free(&a->fail_all.map);
    strmap_free(&a->fail_enforce.map);
    vec_free(&a->orgs);
    vec_free(&a->pols);
    vec_free(&a->rts);
    vec_free(&a->mxs);
    vec_free(&a->details);
    vec_free(&a->days);
    vec_free(&a->entries);
    vec_free(&a->dane_orgs);
    vec_free(&a->cands);
    vec_free(&a->fail_all.items);
    vec_free(&a->fail_enforce.items);
    tlsrpt_buf_free(&a->key);
    free(a->last_mode);
    free(a->last_json);
}

/* ---- policies ---- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Reads the stored JSON array of mx patterns, sorted so the same policy from two reporters (who
 * list the mx lines in different orders, quirks.md §3.5) compares equal. */
static int load_patterns(const char *text, char ***out, size_t *n)
{
    json_t *arr = text != NULL ? json_loads(text, 0, NULL) : NULL;
    int rc = -1;
    *out = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        rc = 0;
        goto out;
    }
    *out = calloc(json_array_size(arr), sizeof(char *));
    if (*out == NULL)
        goto out;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s == NULL)
            continue;
        if (((*out)[*n] = strdup(s)) == NULL)
            goto out;
        (*n)++;
    }
    qsort(*out, *n, sizeof(char *), cmp_str);
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

static char *policy_key(const char *mode, int64_t max_age, char **patterns, size_t n)
{
    size_t len = (mode ? strlen(mode) : 1) + 32;
    for (size_t i = 0; i < n; i++)
        len += strlen(patterns[i]) + 1;
    char *key = malloc(len);
    if (key == NULL)
        return NULL;
    int off = snprintf(key, len, "%s" KEY_SEP "%lld", mode ? mode : KEY_NULL, (long long)max_age);
    for (size_t i = 0; i < n && off >= 0 && (size_t)off < len; i++)
        off += snprintf(key + off, len - (size_t)off, KEY_SEP "%s", patterns[i]);
    return key;
}

static bool opt_equal(const char *x, const char *y)
{
    return x == NULL || y == NULL ? x == y : strcmp(x, y) == 0;
}

static int set_opt(char **dst, const char *src)
{
    free(*dst);
    *dst = NULL;
    return src != NULL && (*dst = strdup(src)) == NULL ? -1 : 0;
}

static int remember(struct dom_acc *a, const struct policy_row *row, size_t idx)
{
    a->last_pol = SIZE_MAX;
    if (set_opt(&a->last_mode, row->mode) != 0 ||
        set_opt(&a->last_json, row->mx_patterns_json) != 0)
        return -1;
    a->last_max_age = row->max_age;
    a->last_pol = idx;
    return 0;
}

/* The policy version of an sts row: rows repeat the same few policies, so the raw text is looked up
 * first and the JSON parsed once per distinct text. Returns the index in a->pols, or SIZE_MAX. */
static size_t policy_version(struct dom_acc *a, const struct policy_row *row)
{
    size_t idx = SIZE_MAX, found;
    char **pats = NULL;
    size_t n = 0;
    char *key = NULL;

    /* Rows in a row mostly repeat the policy before them. */
    if (a->last_pol != SIZE_MAX && a->last_max_age == row->max_age &&
        opt_equal(a->last_mode, row->mode) && opt_equal(a->last_json, row->mx_patterns_json))
        return a->last_pol;
    char age[24];
    snprintf(age, sizeof age, "%lld", (long long)row->max_age);
    const char *parts[3] = {row->mode, age, row->mx_patterns_json};
    const char *raw = make_key(a, parts, 3); /* valid until the next make_key */
    if (raw == NULL)
        goto out;
    if (strmap_find(&a->pol_raw_map, raw, &idx))
        goto out;
    if (load_patterns(row->mx_patterns_json, &pats, &n) != 0 ||
        (key = policy_key(row->mode, row->max_age, pats, n)) == NULL)
        goto out;
    int r = strmap_intern(&a->pol_map, key, a->pols.len, &found, NULL);
    if (r < 0)
        goto out;
    if (r == 1) {
        struct pol_acc *p = vec_push(&a->pols);
        if (p == NULL)
            goto out;
        vec_init(&p->orgs, sizeof(struct pol_org));
        p->max_age = row->max_age;
        p->patterns = pats;
        p->n_patterns = n;
        pats = NULL;
        n = 0;
        if (row->mode != NULL && (p->mode = strdup(row->mode)) == NULL)
            goto out;
    }
    if (strmap_intern(&a->pol_raw_map, raw, found, &found, NULL) < 0)
        goto out;
    idx = found;
out:
    if (idx != SIZE_MAX && remember(a, row, idx) != 0)
        idx = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        free(pats[i]);
    free(pats);
    free(key);
    return idx;
}

static int count_policy(struct dom_acc *a, size_t pol, int64_t start, size_t org)
{
    struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, pol);
    p->reports++;
    if (p->first == 0 || start < p->first)
        p->first = start;
    if (start > p->last)
        p->last = start;
    struct pol_org *po = NULL;
    for (size_t i = 0; i < p->orgs.len; i++)
        if (VEC_AT(&p->orgs, struct pol_org, i)->org == org)
            po = VEC_AT(&p->orgs, struct pol_org, i);
    if (po == NULL) {
        if ((po = vec_push(&p->orgs)) == NULL)
            return -1;
        po->org = org;
        po->first = start;
    }
    po->reports++;
    if (start > po->last)
        po->last = start;
    struct org_acc *o = VEC_AT(&a->orgs, struct org_acc, org);
    if (start >= o->last_sts) {
        o->last_sts = start;
        o->last_policy = pol;
    }
    return 0;
}

/* ---- reports ---- */

/* Grows v (elements of elem bytes) to hold index id, new elements set to fill's bytes. */
static void *id_slot(struct vec *v, size_t id, const void *fill)
{
    while (v->len <= id) {
        void *p = vec_push(v);
        if (p == NULL)
            return NULL;
        memcpy(p, fill, v->elem);
    }
    return (char *)v->data + id * v->elem;
}

static int open_report(struct dom_acc *a, const struct policy_row *row)
{
    static const size_t none = SIZE_MAX;
    static const unsigned char unseen = 0;
    const char *name = NULL; /* set by names_id() unless it fails */
    size_t org_id = names_id(a->names, row->organization, &name);
    size_t rep_id = names_id(a->names, row->reporter, NULL);
    size_t *org_slot = org_id != SIZE_MAX ? id_slot(&a->org_of, org_id, &none) : NULL;
    unsigned char *rep_slot =
        rep_id != SIZE_MAX ? id_slot(&a->reporter_seen, rep_id, &unseen) : NULL;
    if (org_slot == NULL || rep_slot == NULL)
        return -1;
    if (*org_slot == SIZE_MAX) {
        struct org_acc *o = vec_push(&a->orgs);
        if (o == NULL)
            return -1;
        o->name = name;
        o->first = row->start;
        o->last_policy = SIZE_MAX;
        *org_slot = a->orgs.len - 1;
    }
    if (!*rep_slot) {
        *rep_slot = 1;
        a->reporters++;
    }
    size_t org = *org_slot;

    struct org_acc *o = VEC_AT(&a->orgs, struct org_acc, org);
    o->reports++;
    if (row->start > o->last)
        o->last = row->start;

    int64_t day = day_of(row->start);
    struct day_acc *d = a->days.len ? VEC_AT(&a->days, struct day_acc, a->days.len - 1) : NULL;
    if (d == NULL || d->day != day) {
        if ((d = vec_push(&a->days)) == NULL)
            return -1;
        d->day = day;
    }
    d->reports++;

    a->reports++;
    if (a->first == 0 || row->start < a->first)
        a->first = row->start;
    if (row->start > a->last)
        a->last = row->start;
    a->cur_report = row->report;
    a->cur_start = row->start;
    a->cur_org = org;
    a->cur_dane = false;
    a->cands.len = 0;
    return 0;
}

static bool better(const struct candidate *c, const struct candidate *best)
{
    bool c_sts = c->kind == PK_STS, b_sts = best->kind == PK_STS;
    if (c_sts != b_sts)
        return c_sts;
    if (c->total != best->total)
        return c->total > best->total;
    return c->failed > best->failed; /* ties keep the earlier entry */
}

/* Applies the counting rule to the report just read. */
static int close_report(struct dom_acc *a)
{
    if (a->cands.len == 0)
        return 0;
    size_t best = 0;
    for (size_t i = 1; i < a->cands.len; i++)
        if (better(VEC_AT(&a->cands, struct candidate, i),
                   VEC_AT(&a->cands, struct candidate, best)))
            best = i;
    const struct candidate *rep = VEC_AT(&a->cands, struct candidate, best);
    struct org_acc *o = VEC_AT(&a->orgs, struct org_acc, a->cur_org);
    struct day_acc *d = VEC_AT(&a->days, struct day_acc, a->days.len - 1);

    a->successful += rep->successful;
    a->failed += rep->failed;
    o->successful += rep->successful;
    o->failed += rep->failed;
    d->successful += rep->successful;
    d->failed += rep->failed;
    if (rep->kind == PK_STS) {
        a->sts.reports++;
        a->sts.successful += rep->successful;
        a->sts.failed += rep->failed;
        o->sts_reports++;
        if (d->day != a->last_sts_day) {
            a->sts_days++;
            a->last_sts_day = d->day;
        }
    } else if (rep->kind == PK_NO_POLICY) {
        a->no_policy.reports++;
        a->no_policy.successful += rep->successful;
        a->no_policy.failed += rep->failed;
    }
    if (a->cur_dane)
        a->dane.reports++;

    /* Only entries with failures have details worth looking up later. */
    for (size_t i = 0; i < a->cands.len; i++) {
        const struct candidate *c = VEC_AT(&a->cands, struct candidate, i);
        bool representative = i == best;
        if (c->failed <= 0 || (!representative && c->kind != PK_TLSA))
            continue;
        struct entry *e = vec_push(&a->entries);
        if (e == NULL)
            return -1;
        e->policy_id = c->id;
        e->start = a->cur_start;
        e->org = a->cur_org;
        e->kind = c->kind;
        e->representative = representative;
        e->enforce = c->enforce;
    }
    a->cands.len = 0;
    return 0;
}

int dom_acc_add_policy(struct dom_acc *a, const struct policy_row *row)
{
    if (a->cur_report != row->report || a->cands.len == 0) {
        if (close_report(a) != 0 || open_report(a, row) != 0)
            return -1;
    }
    if (a->cands.len >= TLSRPT_MAX_REPORT_ENTRIES)
        return 0; /* a pathological report: its extra entries are ignored */
    struct candidate *c = vec_push(&a->cands);
    if (c == NULL)
        return -1;
    c->id = row->id;
    c->kind = row->kind;
    c->successful = row->successful;
    c->failed = row->failed;
    c->total = row->successful + row->failed;
    c->enforce = row->kind == PK_STS && row->mode != NULL && strcmp(row->mode, "enforce") == 0;

    if (row->kind == PK_STS) {
        size_t pol = policy_version(a, row);
        if (pol == SIZE_MAX || count_policy(a, pol, row->start, a->cur_org) != 0)
            return -1;
    } else if (row->kind == PK_TLSA) {
        a->dane.successful += row->successful;
        a->dane.failed += row->failed;
        a->cur_dane = true;
        if (idxset_add(&a->dane_orgs, a->cur_org) != 0)
            return -1;
    }
    return 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    return (a->policy_id > b->policy_id) - (a->policy_id < b->policy_id);
}

int dom_acc_end_policies(struct dom_acc *a)
{
    if (close_report(a) != 0)
        return -1;
    if (a->entries.len > 1)
        qsort(a->entries.data, a->entries.len, sizeof(struct entry), cmp_entry);
    return 0;
}

/* ---- failure details ---- */

static int intern_rt(struct dom_acc *a, const char *name, size_t *idx)
{
    const char *stored;
    int r = strmap_intern(&a->rt_map, name, a->rts.len, idx, &stored);
    if (r < 0)
        return -1;
    if (r == 1) {
        struct rt_acc *rt = vec_push(&a->rts);
        if (rt == NULL)
            return -1;
        rt->name = stored;
    }
    return 0;
}

/* docs/readiness.md "Grouping by MX": host name, else IP, else the policy host for the sts-* types.
 */
static int intern_mx(struct dom_acc *a, const struct detail_row *row, size_t *idx)
{
    enum tlsrpt_mx_kind kind;
    char policy_host[300];
    const char *key, *stored;

    if (row->receiving_mx_hostname != NULL) {
        kind = TLSRPT_MX_HOST;
        key = row->receiving_mx_hostname;
    } else if (row->receiving_ip != NULL) {
        kind = TLSRPT_MX_IP;
        key = row->receiving_ip;
    } else if (strncmp(row->result_type, "sts-", 4) == 0) {
        kind = TLSRPT_MX_POLICY_HOST;
        int n = snprintf(policy_host, sizeof policy_host, "mta-sts.%s", a->domain);
        if (n < 0 || (size_t)n >= sizeof policy_host)
            return -1;
        key = policy_host;
    } else {
        kind = TLSRPT_MX_UNKNOWN;
        key = "(unknown)";
    }
    int r = strmap_intern(&a->mx_map, key, a->mxs.len, idx, &stored);
    if (r < 0)
        return -1;
    if (r == 1) {
        struct mx_acc *m = vec_push(&a->mxs);
        if (m == NULL)
            return -1;
        m->key = stored;
        m->kind = kind;
        vec_init(&m->rts, sizeof(struct rt_count));
        vec_init(&m->orgs, sizeof(size_t));
    }
    return 0;
}

static void seen(int64_t *first, int64_t *last, int64_t t)
{
    if (*first == 0 || t < *first)
        *first = t;
    if (t > *last)
        *last = t;
}

static int count_mx(struct dom_acc *a, size_t mx, size_t rt, const struct entry *e, int64_t n)
{
    struct mx_acc *m = VEC_AT(&a->mxs, struct mx_acc, mx);
    m->failed += n;
    seen(&m->first, &m->last, e->start);
    if (idxset_add(&m->orgs, e->org) != 0)
        return -1;
    for (size_t i = 0; i < m->rts.len; i++) {
        struct rt_count *c = VEC_AT(&m->rts, struct rt_count, i);
        if (c->rt == rt) {
            c->sessions += n;
            return 0;
        }
    }
    struct rt_count *c = vec_push(&m->rts);
    if (c == NULL)
        return -1;
    c->rt = rt;
    c->sessions = n;
    return 0;
}

static int count_detail(struct dom_acc *a, const struct detail_row *row, const struct entry *e)
{
    const char *f[5] = {row->result_type, row->sending_mta_ip, row->receiving_mx_hostname,
                        row->receiving_ip, row->failure_reason_code};
    size_t idx;
    int rc = -1;

    const char *key = make_key(a, f, 5);
    if (key == NULL)
        goto out;
    int r = strmap_intern(&a->detail_map, key, a->details.len, &idx, NULL);
    if (r < 0)
        goto out;
    if (r == 1) {
        struct detail_acc *d = vec_push(&a->details);
        if (d == NULL)
            goto out;
        vec_init(&d->orgs, sizeof(size_t));
        for (size_t i = 0; i < 5; i++)
            if (f[i] != NULL && (d->fields[i] = strdup(f[i])) == NULL)
                goto out;
    }
    struct detail_acc *d = VEC_AT(&a->details, struct detail_acc, idx);
    d->sessions += row->sessions;
    rc = idxset_add(&d->orgs, e->org);
out:
    return rc;
}

static int count_fail(struct dom_acc *a, struct fail_table *t, size_t mx, size_t rt,
                      const struct entry *e, int64_t n)
{
    char key[64];
    size_t idx;
    snprintf(key, sizeof key, "%zu/%zu", mx, rt);
    int r = strmap_intern(&t->map, key, t->items.len, &idx, NULL);
    if (r < 0)
        return -1;
    if (r == 1) {
        struct fail_acc *f = vec_push(&t->items);
        if (f == NULL)
            return -1;
        f->mx = mx;
        f->rt = rt;
        f->mx_name = VEC_AT(&a->mxs, struct mx_acc, mx)->key;
        f->rt_name = VEC_AT(&a->rts, struct rt_acc, rt)->name;
        vec_init(&f->orgs, sizeof(size_t));
    }
    struct fail_acc *f = VEC_AT(&t->items, struct fail_acc, idx);
    f->sessions += n;
    seen(&f->first, &f->last, e->start);
    return idxset_add(&f->orgs, e->org);
}

int dom_acc_add_detail(struct dom_acc *a, const struct detail_row *row)
{
    struct entry probe = {.policy_id = row->policy};
    const struct entry *e = a->entries.len == 0 ? NULL
                                                : bsearch(&probe, a->entries.data, a->entries.len,
                                                          sizeof(struct entry), cmp_entry);
    size_t rt, mx;
    int64_t n = row->sessions > 0 ? row->sessions : 0;

    if (e == NULL)
        return 0; /* an entry that did not stand for the sessions (and is no tlsa entry) */
    if (intern_rt(a, row->result_type, &rt) != 0)
        return -1;
    struct rt_acc *r = VEC_AT(&a->rts, struct rt_acc, rt);
    if (e->kind == PK_TLSA) {
        r->dane_sessions += n;
        r->in_dane = true;
    }
    if (!e->representative)
        return 0;
    r->sessions += n;
    r->in_main = true;
    if (intern_mx(a, row, &mx) != 0 || count_mx(a, mx, rt, e, n) != 0 ||
        count_detail(a, row, e) != 0)
        return -1;
    if (e->kind == PK_STS) {
        if (count_fail(a, &a->fail_all, mx, rt, e, n) != 0)
            return -1;
        if (e->enforce && count_fail(a, &a->fail_enforce, mx, rt, e, n) != 0)
            return -1;
    }
    return 0;
}
