/* readiness.c - the rules of docs/readiness.md: from the tallies of one domain to a verdict and a
 * list of structured reasons, each with a sentence a postmaster understands and the fix.
 * Only sts entries count (quirks.md §6.1); no-policy-found and tlsa entries never block. */
#include "analyze_internal.h"

#include "sts_policy.h"

#include <stdlib.h>
#include <string.h>

struct rules {
    const struct dom_acc *a;
    const struct tlsrpt_thresholds *t;
    struct tlsrpt_arena *arena;
    struct tlsrpt_domain_analysis *out;
    size_t newest;      /* policy version the newest reports show, or SIZE_MAX */
    bool enforcing;     /* newest policy has mode enforce: reasons say what is refused now */
    struct vec reasons; /* struct tlsrpt_reason */
    bool oom;
};

/* RFC 8460 §4.3 result types that stop delivery to an MX under enforce (quirks.md §6.5). */
static const char *const MX_BLOCKING[] = {"certificate-host-mismatch", "certificate-expired",
                                          "certificate-not-trusted", "starttls-not-supported",
                                          "validation-failure"};
/* Result types that say the policy itself could not be fetched or trusted. */
static const char *const HOST_BLOCKING[] = {"sts-policy-fetch-error", "sts-policy-invalid",
                                            "sts-webpki-invalid"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

static const char *A(struct rules *r, const char *s)
{
    if (s == NULL)
        r->oom = true;
    return s;
}

static struct tlsrpt_reason *add(struct rules *r, const char *code, enum tlsrpt_severity sev)
{
    struct tlsrpt_reason *x = vec_push(&r->reasons);
    if (x == NULL) {
        r->oom = true;
        return NULL;
    }
    x->code = code;
    x->severity = sev;
    x->sessions = -1;
    x->value = -1;
    x->threshold = -1;
    return x;
}

static const struct org_acc *org(const struct rules *r, size_t i)
{
    return VEC_AT(&r->a->orgs, struct org_acc, i);
}

static const char *rt_name(const struct rules *r, size_t i)
{
    return VEC_AT(&r->a->rts, struct rt_acc, i)->name;
}

static const struct mx_acc *mx(const struct rules *r, size_t i)
{
    return VEC_AT(&r->a->mxs, struct mx_acc, i);
}

/* Fills the who/when/how-many fields of a reason and returns "N sessions from X between ...". */
static const char *evidence(struct rules *r, struct tlsrpt_reason *x, const struct vec *orgs,
                            int64_t sessions, int64_t first, int64_t last)
{
    if (acc_org_names(r->a, orgs, r->arena, &x->organizations, &x->n_organizations) != 0) {
        r->oom = true;
        return "";
    }
    x->sessions = sessions;
    x->first_seen = first;
    x->last_seen = last;
    const char *who = A(r, words_organizations(r->arena, x->organizations, x->n_organizations));
    const char *when = A(r, words_date_range(r->arena, first, last));
    const char *n = A(r, words_sessions(r->arena, sessions));
    if (r->oom)
        return "";
    return A(r, arena_printf(r->arena, "%s from %s %s", n, who, when));
}

/* What a result type says about an MX, as the subject of a sentence. */
static const char *mx_subject(struct rules *r, const char *type, const char *host)
{
    struct tlsrpt_arena *ar = r->arena;
    if (strcmp(type, "certificate-host-mismatch") == 0)
        return arena_printf(ar, "%s presents a certificate that does not name it", host);
    if (strcmp(type, "certificate-expired") == 0)
        return arena_printf(ar, "%s presents an expired certificate", host);
    if (strcmp(type, "certificate-not-trusted") == 0)
        return arena_printf(ar, "%s presents a certificate that senders do not trust", host);
    if (strcmp(type, "starttls-not-supported") == 0)
        return arena_printf(ar, "%s does not offer STARTTLS", host);
    return arena_printf(ar, "%s fails TLS validation", host);
}

static const char *mx_action(struct rules *r, const char *type, const char *host)
{
    struct tlsrpt_arena *ar = r->arena;
    if (strcmp(type, "certificate-host-mismatch") == 0)
        return arena_printf(ar,
                            "install a certificate on %s whose subjectAltName lists %s (or a "
                            "wildcard that covers it).",
                            host, host);
    if (strcmp(type, "certificate-expired") == 0)
        return arena_printf(ar, "renew the certificate on %s and automate its renewal.", host);
    if (strcmp(type, "certificate-not-trusted") == 0)
        return arena_printf(ar,
                            "use a certificate from a publicly trusted CA on %s and send the full "
                            "chain (leaf and intermediates).",
                            host);
    if (strcmp(type, "starttls-not-supported") == 0)
        return arena_printf(ar,
                            "enable STARTTLS on %s, or remove it from the MX records and the "
                            "policy.",
                            host);
    return arena_printf(ar,
                        "test %s with 'openssl s_client -starttls smtp -connect %s:25' and read "
                        "the failure reason codes in the top failure details.",
                        host, host);
}

static const char *host_subject(struct rules *r, const char *type, const char *host)
{
    if (strcmp(type, "sts-policy-fetch-error") == 0)
        return arena_printf(r->arena, "Senders could not fetch your MTA-STS policy from %s", host);
    if (strcmp(type, "sts-policy-invalid") == 0)
        return arena_printf(r->arena, "Senders found your MTA-STS policy on %s invalid", host);
    return arena_printf(r->arena, "%s presents a certificate that senders cannot validate", host);
}

static const char *host_action(struct rules *r, const char *type, const char *host)
{
    if (strcmp(type, "sts-policy-fetch-error") == 0)
        return arena_printf(r->arena,
                            "make https://%s/.well-known/mta-sts.txt answer 200 with the policy "
                            "from every address of %s, without redirects.",
                            host, host);
    if (strcmp(type, "sts-policy-invalid") == 0)
        return arena_printf(r->arena,
                            "check the policy file on %s: version: STSv1, mode, max_age and one "
                            "mx: line per MX, served as text/plain.",
                            host);
    return arena_printf(r->arena,
                        "install a publicly trusted certificate valid for %s, with the full "
                        "chain.",
                        host);
}

static const struct fail_table *failures(const struct rules *r)
{
    return r->enforcing ? &r->a->fail_enforce : &r->a->fail_all;
}

/* Most sessions first, then by MX and result type names: the same data gives the same order. */
static int cmp_fail(const void *x, const void *y)
{
    const struct fail_acc *a = *(const struct fail_acc *const *)x;
    const struct fail_acc *b = *(const struct fail_acc *const *)y;
    if (a->sessions != b->sessions)
        return a->sessions > b->sessions ? -1 : 1;
    int c = strcmp(a->mx_name, b->mx_name);
    return c ? c : strcmp(a->rt_name, b->rt_name);
}

/* Blocking result types on an MX, one reason per (MX, result type), most sessions first; and the
 * note when a single organization saw the failure while others reported too. */
static void rule_mx_failures(struct rules *r)
{
    const struct fail_table *t = failures(r);
    const struct fail_acc **sorted = NULL;
    size_t n = 0;

    if (t->items.len == 0)
        return;
    if ((sorted = calloc(t->items.len, sizeof *sorted)) == NULL) {
        r->oom = true;
        return;
    }
    for (size_t i = 0; i < t->items.len; i++) {
        const struct fail_acc *f = VEC_AT(&t->items, struct fail_acc, i);
        if (IN(rt_name(r, f->rt), MX_BLOCKING))
            sorted[n++] = f;
    }
    qsort(sorted, n, sizeof *sorted, cmp_fail);
    for (size_t i = 0; i < n && !r->oom; i++) {
        const struct fail_acc *f = sorted[i];
        const struct mx_acc *m = mx(r, f->mx);
        const char *type = rt_name(r, f->rt);
        const char *host = m->kind == TLSRPT_MX_UNKNOWN ? "An MX the reports do not name" : m->key;
        struct tlsrpt_reason *x = add(r, "mx-tls-failure", TLSRPT_SEV_BLOCKING);
        if (x == NULL)
            break;
        x->mx = A(r, tlsrpt_arena_strdup(r->arena, m->key));
        x->result_type = A(r, tlsrpt_arena_strdup(r->arena, type));
        const char *ev = evidence(r, x, &f->orgs, f->sessions, f->first, f->last);
        const char *subject = A(r, mx_subject(r, type, host));
        if (r->oom)
            break;
        x->message = A(r, arena_printf(r->arena, "%s (%s): %s %s.", subject, type, ev,
                                       r->enforcing ? "were refused under enforce"
                                                    : "would bounce under enforce"));
        x->action = A(r, mx_action(r, type, m->key));

        if (f->orgs.len == 1 && r->out->sts_organizations >= 2) {
            const char *who = org(r, *VEC_AT(&f->orgs, size_t, 0))->name;
            const char *mx_copy = x->mx, *type_copy = x->result_type;
            struct tlsrpt_reason *s = add(r, "single-reporter-failure", TLSRPT_SEV_INFO);
            if (s == NULL) /* x is invalid from here: add() may move the vector */
                break;
            s->mx = mx_copy;
            s->result_type = type_copy;
            evidence(r, s, &f->orgs, f->sessions, f->first, f->last);
            s->message = A(r, arena_printf(r->arena,
                                           "Only %s reported the %s failures on %s; %lld other "
                                           "organizations sent MTA-STS reports without them, so "
                                           "the cause may be on %s's side.",
                                           who, type, m->key,
                                           (long long)(r->out->sts_organizations - 1), who));
            s->action = "check the failure reason codes; if your side is fine, nothing to do.";
        }
    }
    free(sorted);
}

/* Policy hosting failures, one reason per result type whatever address they were attributed to. */
static void rule_policy_host(struct rules *r)
{
    const struct fail_table *t = failures(r);
    const char *host = A(r, arena_printf(r->arena, "mta-sts.%s", r->a->domain));
    for (size_t k = 0; k < sizeof HOST_BLOCKING / sizeof HOST_BLOCKING[0] && !r->oom; k++) {
        const char *type = HOST_BLOCKING[k];
        struct vec orgs;
        int64_t sessions = 0, first = 0, last = 0;
        bool any = false;
        vec_init(&orgs, sizeof(size_t));
        for (size_t i = 0; i < t->items.len && !r->oom; i++) {
            const struct fail_acc *f = VEC_AT(&t->items, struct fail_acc, i);
            if (strcmp(rt_name(r, f->rt), type) != 0)
                continue;
            any = true;
            sessions += f->sessions;
            if (first == 0 || f->first < first)
                first = f->first;
            if (f->last > last)
                last = f->last;
            for (size_t j = 0; j < f->orgs.len; j++)
                if (idxset_add(&orgs, *VEC_AT(&f->orgs, size_t, j)) != 0)
                    r->oom = true;
        }
        /* Fetch errors are often transient (a timeout) and under enforce a sender keeps its
         * cached policy: they block only above their own threshold. */
        int64_t sts_sessions = r->a->sts.successful + r->a->sts.failed;
        double share = sts_sessions > 0 ? (double)sessions / (double)sts_sessions : 1.0;
        bool transient =
            strcmp(type, "sts-policy-fetch-error") == 0 && share <= r->t->max_fetch_error_rate;
        struct tlsrpt_reason *x = NULL;
        if (any)
            x = transient ? add(r, "policy-fetch-transient", TLSRPT_SEV_WARNING)
                          : add(r, "policy-host-failure", TLSRPT_SEV_BLOCKING);
        if (x != NULL && !r->oom) {
            x->mx = host;
            x->result_type = type;
            const char *ev = evidence(r, x, &orgs, sessions, first, last);
            const char *subject = A(r, host_subject(r, type, host));
            if (transient) {
                x->value = share;
                x->threshold = r->t->max_fetch_error_rate;
            }
            if (!r->oom && transient)
                x->message =
                    A(r, arena_printf(r->arena,
                                      "%s (%s): %s, %s of the MTA-STS sessions, not above "
                                      "the %s threshold (--max-fetch-error-rate): most "
                                      "likely transient.",
                                      subject, type, ev, A(r, words_percent(r->arena, share)),
                                      A(r, words_percent(r->arena, r->t->max_fetch_error_rate))));
            else if (!r->oom)
                x->message = A(r, arena_printf(r->arena, "%s (%s): %s.", subject, type, ev));
            x->action = transient ? "nothing to do if it does not recur; a sender that cannot "
                                    "refresh the policy keeps its cached copy (RFC 8461)."
                                  : A(r, host_action(r, type, host));
        }
        vec_free(&orgs);
    }
}

/* Insertion sort of MX indices by name: a domain has few MXes. */
static void sort_mx_by_name(const struct rules *r, size_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(mx(r, v[j - 1])->key, mx(r, v[j])->key) > 0; j--) {
            size_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* A failing MX that none of the newest policy's mx patterns matches (RFC 8461 §4.1). */
static void rule_mx_not_in_policy(struct rules *r)
{
    const struct fail_table *t = failures(r);
    const struct pol_acc *p =
        r->newest != SIZE_MAX ? VEC_AT(&r->a->pols, struct pol_acc, r->newest) : NULL;
    if (p == NULL || p->n_patterns == 0)
        return;
    size_t *order = calloc(r->a->mxs.len ? r->a->mxs.len : 1, sizeof *order);
    if (order == NULL) {
        r->oom = true;
        return;
    }
    for (size_t m = 0; m < r->a->mxs.len; m++)
        order[m] = m;
    sort_mx_by_name(r, order, r->a->mxs.len);
    for (size_t k = 0; k < r->a->mxs.len && !r->oom; k++) {
        size_t m = order[k];
        const struct mx_acc *ma = mx(r, m);
        if (ma->kind != TLSRPT_MX_HOST || acc_mx_matches(r->a, r->newest, ma->key) != 0)
            continue;
        struct vec orgs;
        int64_t sessions = 0, first = 0, last = 0;
        vec_init(&orgs, sizeof(size_t));
        for (size_t i = 0; i < t->items.len; i++) {
            const struct fail_acc *f = VEC_AT(&t->items, struct fail_acc, i);
            if (f->mx != m)
                continue;
            sessions += f->sessions;
            if (first == 0 || f->first < first)
                first = f->first;
            if (f->last > last)
                last = f->last;
            for (size_t j = 0; j < f->orgs.len; j++)
                if (idxset_add(&orgs, *VEC_AT(&f->orgs, size_t, j)) != 0)
                    r->oom = true;
        }
        if (orgs.len > 0 && !r->oom) {
            struct tlsrpt_reason *x = add(r, "mx-not-in-policy", TLSRPT_SEV_BLOCKING);
            if (x != NULL) {
                x->mx = A(r, tlsrpt_arena_strdup(r->arena, ma->key));
                const char *ev = evidence(r, x, &orgs, sessions, first, last);
                if (!r->oom)
                    x->message = A(r, arena_printf(r->arena,
                                                   "%s matches none of the mx patterns of your "
                                                   "policy: %s to it %s.",
                                                   ma->key, ev,
                                                   r->enforcing ? "were refused under enforce"
                                                                : "would bounce under enforce"));
                x->action = A(r, arena_printf(r->arena,
                                              "add an 'mx: %s' line (or a matching wildcard) to "
                                              "the policy and change the id in the _mta-sts TXT "
                                              "record, or remove %s from the MX records.",
                                              ma->key, ma->key));
            }
        }
        vec_free(&orgs);
    }
    free(order);
}

static void rule_failure_rate(struct rules *r)
{
    double rate = tlsrpt_failure_rate(r->a->sts.successful, r->a->sts.failed);
    if (rate < 0 || rate <= r->t->max_failure_rate)
        return;
    struct tlsrpt_reason *x = add(r, "failure-rate", TLSRPT_SEV_BLOCKING);
    if (x == NULL)
        return;
    x->value = rate;
    x->threshold = r->t->max_failure_rate;
    x->sessions = r->a->sts.failed;
    x->message = A(r, arena_printf(r->arena,
                                   "%s of the MTA-STS sessions failed (%lld of %lld), above the %s "
                                   "threshold (--max-failure-rate).",
                                   A(r, words_percent(r->arena, rate)), (long long)r->a->sts.failed,
                                   (long long)(r->a->sts.successful + r->a->sts.failed),
                                   A(r, words_percent(r->arena, r->t->max_failure_rate))));
    x->action = "fix the failures listed by MX and result type; every failed session would be a "
                "refused delivery under enforce.";
}

static void rule_evidence(struct rules *r)
{
    const struct tlsrpt_domain_analysis *o = r->out;
    struct tlsrpt_reason *x;
    if (o->sts_days < r->t->min_days && (x = add(r, "too-few-days", TLSRPT_SEV_INSUFFICIENT))) {
        x->value = (double)o->sts_days;
        x->threshold = (double)r->t->min_days;
        x->message =
            A(r, arena_printf(r->arena,
                              "Only %lld day%s in the window %s an MTA-STS report; the "
                              "verdict needs %lld (--min-days).",
                              (long long)o->sts_days, o->sts_days == 1 ? "" : "s",
                              o->sts_days == 1 ? "has" : "have", (long long)r->t->min_days));
        x->action = "wait for more daily reports, or widen the window with --since.";
    }
    if (o->sts_organizations < r->t->min_organizations &&
        (x = add(r, "too-few-organizations", TLSRPT_SEV_INSUFFICIENT))) {
        x->value = (double)o->sts_organizations;
        x->threshold = (double)r->t->min_organizations;
        x->message =
            A(r, arena_printf(r->arena,
                              "Only %lld organization%s sent MTA-STS reports; the verdict "
                              "needs %lld (--min-organizations).",
                              (long long)o->sts_organizations, o->sts_organizations == 1 ? "" : "s",
                              (long long)r->t->min_organizations));
        x->action = A(r, arena_printf(r->arena,
                                      "wait for reports from more senders; check that "
                                      "_smtp._tls.%s publishes your rua address.",
                                      r->a->domain));
    }
    int64_t sessions = o->sts.successful + o->sts.failed;
    if (sessions < r->t->min_sts_sessions &&
        (x = add(r, "too-few-sessions", TLSRPT_SEV_INSUFFICIENT))) {
        x->value = (double)sessions;
        x->threshold = (double)r->t->min_sts_sessions;
        x->sessions = sessions;
        if (o->sts.reports == 0)
            x->message = A(r, arena_printf(r->arena,
                                           "No report in the window shows an MTA-STS policy for "
                                           "%s; the verdict needs %lld sessions "
                                           "(--min-sessions).",
                                           r->a->domain, (long long)r->t->min_sts_sessions));
        else
            x->message = A(r, arena_printf(r->arena,
                                           "Only %s were reported under MTA-STS; the verdict needs "
                                           "%lld (--min-sessions).",
                                           A(r, words_sessions(r->arena, sessions)),
                                           (long long)r->t->min_sts_sessions));
        x->action = A(r, arena_printf(r->arena,
                                      "wait for more mail; check that _mta-sts.%s and the policy "
                                      "at https://mta-sts.%s/.well-known/mta-sts.txt are "
                                      "published.",
                                      r->a->domain, r->a->domain));
    }
}

static int cmp_org_name(const void *x, const void *y)
{
    return strcmp((*(const struct org_acc *const *)x)->name,
                  (*(const struct org_acc *const *)y)->name);
}

/* Organizations by name, for reproducible order of the per-organization notes. */
static const struct org_acc **orgs_by_name(struct rules *r)
{
    const struct org_acc **v = calloc(r->a->orgs.len ? r->a->orgs.len : 1, sizeof *v);
    if (v == NULL) {
        r->oom = true;
        return NULL;
    }
    for (size_t i = 0; i < r->a->orgs.len; i++)
        v[i] = org(r, i);
    qsort(v, r->a->orgs.len, sizeof *v, cmp_org_name);
    return v;
}

static const char **one_name(struct rules *r, const char *name, struct tlsrpt_reason *x)
{
    const char **names = tlsrpt_arena_array(r->arena, 1, sizeof *names);
    if (names == NULL || (names[0] = tlsrpt_arena_strdup(r->arena, name)) == NULL) {
        r->oom = true;
        return NULL;
    }
    x->organizations = names;
    x->n_organizations = 1;
    return names;
}

static void rule_silent(struct rules *r, const struct org_acc **by_name)
{
    int64_t gap = r->t->silent_days * SECONDS_PER_DAY;
    if (r->t->silent_days <= 0)
        return;
    for (size_t i = 0; i < r->a->orgs.len && !r->oom; i++) {
        const struct org_acc *o = by_name[i];
        if (r->a->last - o->last < gap)
            continue;
        struct tlsrpt_reason *x = add(r, "reporter-silent", TLSRPT_SEV_INFO);
        if (x == NULL || one_name(r, o->name, x) == NULL)
            return;
        x->first_seen = o->first;
        x->last_seen = o->last;
        x->value = (double)((r->a->last - o->last) / SECONDS_PER_DAY);
        x->threshold = (double)r->t->silent_days;
        x->message = A(r, arena_printf(r->arena,
                                       "%s sent no report after %s, %lld days before the newest "
                                       "report (%s).",
                                       o->name, A(r, words_day(r->arena, o->last)),
                                       (long long)((r->a->last - o->last) / SECONDS_PER_DAY),
                                       A(r, words_day(r->arena, r->a->last))));
        x->action = A(r, arena_printf(r->arena,
                                      "nothing to do if %s sent you no mail since; otherwise "
                                      "check that its reports still reach you.",
                                      o->name));
    }
}

static const char *policy_words(struct rules *r, size_t pol)
{
    const struct pol_acc *p = VEC_AT(&r->a->pols, struct pol_acc, pol);
    if (p->max_age >= 0)
        return arena_printf(r->arena, "mode %s, max_age %lld", p->mode ? p->mode : "unknown",
                            (long long)p->max_age);
    return arena_printf(r->arena, "mode %s", p->mode ? p->mode : "unknown");
}

/* Reporters whose newest sts entry shows another policy than the newest one (RFC 8461 §8.1). */
static void rule_stale_policy(struct rules *r, const struct org_acc **by_name)
{
    if (r->newest == SIZE_MAX)
        return;
    for (size_t i = 0; i < r->a->orgs.len && !r->oom; i++) {
        const struct org_acc *o = by_name[i];
        if (o->last_policy == SIZE_MAX || o->last_policy == r->newest)
            continue;
        struct tlsrpt_reason *x = add(r, "stale-policy", TLSRPT_SEV_INFO);
        if (x == NULL || one_name(r, o->name, x) == NULL)
            return;
        x->last_seen = o->last_sts;
        x->message = A(r, arena_printf(r->arena,
                                       "%s still used an older policy (%s) on %s; the newest "
                                       "reports show %s.",
                                       o->name, A(r, policy_words(r, o->last_policy)),
                                       A(r, words_day(r->arena, o->last_sts)),
                                       A(r, policy_words(r, r->newest))));
        x->action = "nothing to do: senders refresh a cached policy within its max_age (RFC 8461 "
                    "§8.1); if it lasts longer, check that the id in the _mta-sts TXT record "
                    "changed.";
    }
}

/* Patterns of the newest policy that no reported MX matches, when reports do name MXes: a backup MX
 * may never be tried (RFC 8461 §8.4). Without any named MX the reports say nothing either way. */
static void rule_unseen_patterns(struct rules *r)
{
    if (r->newest == SIZE_MAX)
        return;
    const struct pol_acc *p = VEC_AT(&r->a->pols, struct pol_acc, r->newest);
    bool *hit = calloc(p->n_patterns ? p->n_patterns : 1, sizeof *hit);
    bool any = false;
    if (hit == NULL) {
        r->oom = true;
        return;
    }
    for (size_t m = 0; m < r->a->mxs.len; m++) {
        const struct mx_acc *ma = mx(r, m);
        if (ma->kind != TLSRPT_MX_HOST)
            continue;
        for (size_t i = 0; i < p->n_patterns; i++) {
            bool match = tlsrpt_mx_pattern_match(p->patterns[i], ma->key);
            if (match) {
                hit[i] = true;
                any = true;
            }
        }
    }
    for (size_t i = 0; any && i < p->n_patterns && !r->oom; i++) {
        if (hit[i])
            continue;
        struct tlsrpt_reason *x = add(r, "mx-pattern-unseen", TLSRPT_SEV_INFO);
        if (x == NULL)
            break;
        x->mx = A(r, tlsrpt_arena_strdup(r->arena, p->patterns[i]));
        x->message = A(r, arena_printf(r->arena,
                                       "No report mentions an MX matching 'mx: %s'. Reports name "
                                       "an MX only when sessions to it fail, so it either works or "
                                       "was never tried: a backup MX may never be (RFC 8461 "
                                       "§8.4).",
                                       p->patterns[i]));
        x->action = A(r, arena_printf(r->arena,
                                      "check yourself that %s offers STARTTLS with a certificate "
                                      "that names it before switching to enforce.",
                                      p->patterns[i]));
    }
    free(hit);
}

static void rule_no_policy(struct rules *r)
{
    int64_t n = r->a->no_policy.successful + r->a->no_policy.failed;
    if (n == 0 || r->a->sts.reports == 0)
        return;
    struct tlsrpt_reason *x = add(r, "no-policy-sessions", TLSRPT_SEV_INFO);
    if (x == NULL)
        return;
    x->sessions = n;
    x->message =
        A(r, arena_printf(r->arena,
                          "%s in %lld report%s came with no-policy-found: those senders "
                          "found no MTA-STS policy for %s and are not counted as "
                          "MTA-STS sessions.",
                          A(r, words_sessions(r->arena, n)), (long long)r->a->no_policy.reports,
                          r->a->no_policy.reports == 1 ? "" : "s", r->a->domain));
    x->action = A(r, arena_printf(r->arena,
                                  "if this lasts, check the _mta-sts.%s TXT record and that "
                                  "mta-sts.%s answers.",
                                  r->a->domain, r->a->domain));
}

int readiness_evaluate(const struct dom_acc *a, size_t newest, const struct tlsrpt_thresholds *t,
                       const struct tlsrpt_check_latest *live, int64_t now,
                       struct tlsrpt_arena *arena, struct tlsrpt_domain_analysis *out)
{
    struct rules r = {.a = a, .t = t, .arena = arena, .out = out, .newest = newest};
    const struct org_acc **by_name = NULL;
    struct tlsrpt_readiness *rd = &out->readiness;
    int rc = TLSRPT_E_NOMEM;

    vec_init(&r.reasons, sizeof(struct tlsrpt_reason));
    if (newest != SIZE_MAX) {
        const struct pol_acc *p = VEC_AT(&a->pols, struct pol_acc, newest);
        rd->newest_mode = p->mode ? A(&r, tlsrpt_arena_strdup(arena, p->mode)) : NULL;
        r.enforcing = p->mode != NULL && strcmp(p->mode, "enforce") == 0;
    }
    rule_mx_failures(&r);
    rule_policy_host(&r);
    rule_mx_not_in_policy(&r);
    if (live_rules(a, r.enforcing, live, now, arena, &r.reasons) != 0)
        r.oom = true;
    if (!r.enforcing) {
        rule_failure_rate(&r);
        rule_evidence(&r);
    }
    if ((by_name = orgs_by_name(&r)) == NULL)
        goto out;
    rule_silent(&r, by_name);
    rule_stale_policy(&r, by_name);
    rule_unseen_patterns(&r);
    rule_no_policy(&r);
    if (r.oom)
        goto out;

    bool blocking = false, insufficient = false;
    for (size_t i = 0; i < r.reasons.len; i++) {
        enum tlsrpt_severity s = VEC_AT(&r.reasons, struct tlsrpt_reason, i)->severity;
        blocking |= s == TLSRPT_SEV_BLOCKING;
        insufficient |= s == TLSRPT_SEV_INSUFFICIENT;
    }
    if (r.enforcing)
        rd->verdict = TLSRPT_VERDICT_ENFORCING;
    else if (blocking)
        rd->verdict = TLSRPT_VERDICT_NOT_READY;
    else if (insufficient)
        rd->verdict = TLSRPT_VERDICT_INSUFFICIENT_DATA;
    else
        rd->verdict = TLSRPT_VERDICT_READY;

    /* Blocking first, then insufficient, warning, info; the rules' own order within a severity. */
    if (r.reasons.len > 0) {
        rd->reasons = tlsrpt_arena_array(arena, r.reasons.len, sizeof *rd->reasons);
        if (rd->reasons == NULL)
            goto out;
        size_t k = 0;
        for (int sev = TLSRPT_SEV_BLOCKING; sev <= TLSRPT_SEV_INFO; sev++)
            for (size_t i = 0; i < r.reasons.len; i++)
                if ((int)VEC_AT(&r.reasons, struct tlsrpt_reason, i)->severity == sev)
                    rd->reasons[k++] = *VEC_AT(&r.reasons, struct tlsrpt_reason, i);
        rd->n_reasons = k;
    }
    rc = 0;
out:
    free(by_name);
    vec_free(&r.reasons);
    return rc;
}
