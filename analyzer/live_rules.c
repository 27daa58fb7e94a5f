/* live_rules.c - the reasons the newest stored live check adds to the report-based rules
 * (docs/readiness.md "The live check"): MX and policy problems found by tlsrpt-check, reporters
 * whose cached policy differs from the live one, and the age of the check. */
#include "analyze_internal.h"

#include "check_store.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIVE_CHECK_OLD_DAYS 7 /* a check older than this is a warning: run it again */

/* Checker finding codes (docs/checker.md) that make an MX refuse mail under enforce. */
static const char *const LIVE_MX_BLOCKING[] = {
    "mx-cert-expired",       "mx-cert-not-yet-valid",     "mx-cert-untrusted",
    "mx-cert-name-mismatch", "mx-cert-wildcard-mismatch", "mx-cert-no-dns-san",
    "mx-no-starttls",        "mx-starttls-refused",       "mx-tls-failed",
    "mx-not-in-policy"};
/* Checker finding codes that say the published policy cannot be fetched or is invalid. */
static const char *const LIVE_POLICY_BLOCKING[] = {"policy-host-missing",
                                                   "policy-unreachable",
                                                   "policy-timeout",
                                                   "policy-tls-failed",
                                                   "policy-redirect",
                                                   "policy-http-status",
                                                   "policy-content-type",
                                                   "policy-too-large",
                                                   "policy-cert-expired",
                                                   "policy-cert-not-yet-valid",
                                                   "policy-cert-untrusted",
                                                   "policy-cert-name-mismatch",
                                                   "policy-cert-wildcard-mismatch",
                                                   "policy-cert-no-dns-san",
                                                   "policy-syntax",
                                                   "policy-version",
                                                   "policy-mode-missing",
                                                   "policy-mode-invalid",
                                                   "policy-max-age-missing",
                                                   "policy-max-age-invalid",
                                                   "policy-no-mx",
                                                   "policy-mx-invalid"};

struct live {
    const struct dom_acc *a;
    const struct tlsrpt_check_latest *c;
    struct tlsrpt_arena *arena;
    struct vec *reasons;
    const char *stamp;       /* "28 Nov (3 days old)" */
    const char *when, *When; /* "the live check of 28 Nov (3 days old)", "The live ..." */
    bool enforcing, oom;
};

static bool listed(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

#define LISTED(s, list) listed((s), (list), sizeof(list) / sizeof((list)[0]))

static const char *L(struct live *l, const char *s)
{
    if (s == NULL)
        l->oom = true;
    return s;
}

static struct tlsrpt_reason *push(struct live *l, const char *code, enum tlsrpt_severity sev)
{
    struct tlsrpt_reason *x = vec_push(l->reasons);
    if (x == NULL) {
        l->oom = true;
        return NULL;
    }
    memset(x, 0, sizeof *x);
    x->code = code;
    x->severity = sev;
    x->sessions = -1;
    x->value = -1;
    x->threshold = -1;
    x->first_seen = x->last_seen = l->c->checked_at;
    return x;
}

/* The host of a finding's object: "mx.example.com (192.0.2.1)" -> "mx.example.com". */
static const char *object_host(struct live *l, const char *object)
{
    const char *sp = strchr(object, ' ');
    size_t n = sp ? (size_t)(sp - object) : strlen(object);
    char *h = tlsrpt_arena_alloc(l->arena, n + 1);
    if (h == NULL) {
        l->oom = true;
        return "";
    }
    memcpy(h, object, n);
    h[n] = '\0';
    return h;
}

/* True when a report names host as the MX of a failure. */
static bool reported(const struct live *l, const char *host)
{
    for (size_t m = 0; m < l->a->mxs.len; m++) {
        const struct mx_acc *x = VEC_AT(&l->a->mxs, struct mx_acc, m);
        if (x->kind == TLSRPT_MX_HOST && strcasecmp(x->key, host) == 0)
            return true;
    }
    return false;
}

/* True when object ("host (address)" or "host") concerns host. */
static bool object_is_host(const char *object, const char *host)
{
    size_t n = strlen(host);
    return strncasecmp(object, host, n) == 0 && (object[n] == '\0' || object[n] == ' ');
}

/* An earlier finding with the same code on the same host (one per address): one reason each. */
static bool seen_before(const struct live *l, size_t i, const char *host)
{
    const struct tlsrpt_finding *f = l->c->findings;
    for (size_t j = 0; j < i; j++)
        if (strcmp(f[j].code, f[i].code) == 0 && object_is_host(f[j].object, host))
            return true;
    return false;
}

static void rule_live_mx(struct live *l)
{
    const char *effect =
        l->enforcing ? "it refuses mail now (mode enforce)" : "it would refuse mail under enforce";
    for (size_t i = 0; i < l->c->n_findings && !l->oom; i++) {
        const struct tlsrpt_finding *f = &l->c->findings[i];
        if (!LISTED(f->code, LIVE_MX_BLOCKING))
            continue;
        const char *host = object_host(l, f->object);
        if (l->oom || seen_before(l, i, host))
            continue;
        struct tlsrpt_reason *x = push(l, "live-mx-failure", TLSRPT_SEV_BLOCKING);
        if (x == NULL)
            return;
        x->mx = host;
        if (reported(l, host))
            x->message = L(l, arena_printf(l->arena, "%s found on %s: %s (%s): %s.", l->When, host,
                                           f->message, f->code, effect));
        else
            x->message =
                L(l, arena_printf(l->arena, "%s was never reported on, and %s found: %s (%s): %s.",
                                  host, l->when, f->message, f->code, effect));
        x->action = L(l, tlsrpt_arena_strdup(l->arena, f->fix));
    }
}

static void rule_live_policy(struct live *l)
{
    const char *host = L(l, arena_printf(l->arena, "mta-sts.%s", l->a->domain));
    for (size_t i = 0; i < l->c->n_findings && !l->oom; i++) {
        const struct tlsrpt_finding *f = &l->c->findings[i];
        if (!LISTED(f->code, LIVE_POLICY_BLOCKING))
            continue;
        struct tlsrpt_reason *x = push(l, "live-policy-failure", TLSRPT_SEV_BLOCKING);
        if (x == NULL)
            return;
        x->mx = host;
        x->message = L(l, arena_printf(l->arena,
                                       "%s found the published MTA-STS policy unusable: %s (%s) "
                                       "on %s; senders cannot apply it, so enforce is not safe.",
                                       l->When, f->message, f->code, f->object));
        x->action = L(l, tlsrpt_arena_strdup(l->arena, f->fix));
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

/* True when the reported policy's (sorted) patterns are the live policy's mx lines as a set. */
static bool same_mx(struct live *l, const struct pol_acc *p)
{
    size_t n = l->c->n_sts_mx;
    if (n != p->n_patterns)
        return false;
    if (n == 0)
        return true;
    const char **v = calloc(n, sizeof *v);
    if (v == NULL) {
        l->oom = true;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = l->c->sts_mx[i];
    qsort(v, n, sizeof *v, cmp_str);
    bool same = true;
    for (size_t i = 0; i < n && same; i++)
        same = strcasecmp(v[i], p->patterns[i]) == 0;
    free(v);
    return same;
}

static const char *mx_words(struct live *l, const char *const *mx, size_t n)
{
    const char *s = "no mx lines";
    for (size_t i = 0; i < n && !l->oom; i++)
        s = L(l, i == 0 ? arena_printf(l->arena, "mx: %s", mx[i])
                        : arena_printf(l->arena, "%s, %s", s, mx[i]));
    return s;
}

static int cmp_org(const void *x, const void *y)
{
    return strcmp((*(const struct org_acc *const *)x)->name,
                  (*(const struct org_acc *const *)y)->name);
}

/* Reporters whose newest sts entry shows a policy (mode or mx lines) other than the live one:
 * they still use a cached copy (RFC 8461 §8.1), they are not broken. */
static void rule_stale_cache(struct live *l)
{
    const char *mode = l->c->sts_mode;
    if (mode[0] == '\0' || strcmp(mode, "invalid") == 0 || l->a->orgs.len == 0)
        return;
    const struct org_acc **v = calloc(l->a->orgs.len, sizeof *v);
    if (v == NULL) {
        l->oom = true;
        return;
    }
    for (size_t i = 0; i < l->a->orgs.len; i++)
        v[i] = VEC_AT(&l->a->orgs, struct org_acc, i);
    qsort(v, l->a->orgs.len, sizeof *v, cmp_org);
    for (size_t i = 0; i < l->a->orgs.len && !l->oom; i++) {
        const struct org_acc *o = v[i];
        if (o->last_policy == SIZE_MAX)
            continue;
        const struct pol_acc *p = VEC_AT(&l->a->pols, struct pol_acc, o->last_policy);
        bool mode_differs = p->mode == NULL || strcmp(p->mode, mode) != 0;
        if (!mode_differs && same_mx(l, p))
            continue;
        struct tlsrpt_reason *x = push(l, "stale-cache", TLSRPT_SEV_INFO);
        const char **names = tlsrpt_arena_array(l->arena, 1, sizeof *names);
        if (x == NULL || names == NULL ||
            (names[0] = tlsrpt_arena_strdup(l->arena, o->name)) == NULL) {
            l->oom = true;
            break;
        }
        x->organizations = names;
        x->n_organizations = 1;
        x->first_seen = x->last_seen = o->last_sts;
        x->message =
            L(l, arena_printf(
                     l->arena,
                     "%s's newest report (%s) shows a cached policy (mode %s, %s) while "
                     "%s found mode %s, %s: a stale cache (RFC 8461 §8.1), not a broken "
                     "sender.",
                     o->name, L(l, words_day(l->arena, o->last_sts)), p->mode ? p->mode : "unknown",
                     mx_words(l, (const char *const *)p->patterns, p->n_patterns), l->when, mode,
                     mx_words(l, (const char *const *)l->c->sts_mx, l->c->n_sts_mx)));
        x->action = "nothing to do: the sender refreshes its copy within the old max_age; if it "
                    "lasts longer, check that the id in the _mta-sts TXT record changed.";
    }
    free(v);
}

static void rule_check_age(struct live *l, int64_t age)
{
    bool old = age > LIVE_CHECK_OLD_DAYS;
    struct tlsrpt_reason *x = push(l, "live-check", old ? TLSRPT_SEV_WARNING : TLSRPT_SEV_INFO);
    if (x == NULL)
        return;
    x->value = (double)age;
    x->threshold = LIVE_CHECK_OLD_DAYS;
    x->message = L(l, arena_printf(l->arena,
                                   "The newest stored live check of %s is from %s: verdict %s, %d "
                                   "error%s, %d warning%s.",
                                   l->a->domain, l->stamp, l->c->verdict, l->c->errors,
                                   l->c->errors == 1 ? "" : "s", l->c->warnings,
                                   l->c->warnings == 1 ? "" : "s"));
    x->action =
        L(l, old ? arena_printf(l->arena,
                                "the check is older than %d days: run 'tlsrpt-check "
                                "--store %s' again.",
                                LIVE_CHECK_OLD_DAYS, l->a->domain)
                 : arena_printf(l->arena, "run 'tlsrpt-check --store %s' again after each change.",
                                l->a->domain));
}

int live_rules(const struct dom_acc *a, bool enforcing, const struct tlsrpt_check_latest *live,
               int64_t now, struct tlsrpt_arena *arena, struct vec *reasons)
{
    if (live == NULL || !live->found)
        return 0;
    struct live l = {.a = a, .c = live, .arena = arena, .reasons = reasons, .enforcing = enforcing};
    int64_t age =
        now > 0 && now >= live->checked_at ? (now - live->checked_at) / SECONDS_PER_DAY : -1;
    const char *day = L(&l, words_day(arena, live->checked_at));
    if (age < 0)
        l.stamp = day;
    else
        l.stamp = L(&l, arena_printf(arena, "%s (%lld day%s old)", day, (long long)age,
                                     age == 1 ? "" : "s"));
    l.when = L(&l, arena_printf(arena, "the live check of %s", l.stamp));
    if (l.oom)
        return -1;
    char *cap = (char *)tlsrpt_arena_strdup(arena, l.when);
    if (cap == NULL)
        return -1;
    cap[0] = 'T';
    l.When = cap;
    rule_live_mx(&l);
    rule_live_policy(&l);
    rule_stale_cache(&l);
    rule_check_age(&l, age);
    return l.oom ? -1 : 0;
}
