/* plan.c - which domains exist, which reporter writes on which day, and how many sessions
 * succeeded or failed. Volumes follow quirks.md §4 and §6.6: Google daily and largest, Microsoft
 * about half and with gaps, small MTAs with tiny counts. */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT(r) (1u << (r))
#define ALL_REPORTERS ((1u << GEN_NREPORTERS) - 1)

/* Days (before today) on which broken-mx.example's mx2 fails, and with what. */
static const unsigned broken_expired_ages[] = {1, 2, 3, 5};
static const unsigned broken_mismatch_ages[] = {8, 11};
#define ENFORCE_SINCE_AGE 5 /* enforcing.example switched to enforce five days ago */

static const char *const words[] = {
    "amber",  "birch",   "cobalt",  "delta",  "ember", "fjord",  "granite", "harbor",
    "indigo", "juniper", "kestrel", "lumen",  "maple", "nimbus", "orchid",  "pebble",
    "quartz", "raven",   "sierra",  "tundra", "umber", "velvet", "willow",  "yonder",
};
#define NWORDS (sizeof words / sizeof words[0])

static void set_mx(struct gen_domain *d, unsigned i, const char *host)
{
    char name[sizeof d->name];
    memcpy(name, d->name, sizeof name); /* d->mx and d->name share d: no overlapping snprintf */
    snprintf(d->mx[i], sizeof d->mx[i], "%s.%s", host, name);
}

static void scenario(struct gen_domain *d, const char *name, enum gen_role role)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->role = role;
    switch (role) {
    case GEN_ROLE_READY:
        d->nmx = 2;
        set_mx(d, 0, "mx1");
        set_mx(d, 1, "mx2");
        d->max_age = 604800;
        d->volume = 1500;
        d->reporters = ALL_REPORTERS;
        break;
    case GEN_ROLE_BROKEN_MX:
        d->nmx = 2;
        set_mx(d, 0, "mx1");
        set_mx(d, 1, "mx2");
        d->max_age = 86400;
        d->max_age_first = true;
        d->volume = 900;
        d->reporters = BIT(GEN_GOOGLE) | BIT(GEN_MICROSOFT) | BIT(GEN_STALWART) | BIT(GEN_SYS4);
        break;
    case GEN_ROLE_SPARSE:
        d->nmx = 1;
        set_mx(d, 0, "mail");
        d->max_age = 86400;
        d->volume = 6;
        d->reporters = BIT(GEN_GOOGLE);
        break;
    case GEN_ROLE_ENFORCING:
        d->nmx = 3;
        set_mx(d, 0, "mx1");
        set_mx(d, 1, "mx2");
        set_mx(d, 2, "backup");
        d->max_age = 1209600;
        d->max_age_first = true;
        d->volume = 1200;
        d->reporters = BIT(GEN_GOOGLE) | BIT(GEN_MICROSOFT) | BIT(GEN_MAILRU);
        break;
    case GEN_ROLE_RANDOM:
        break;
    }
}

/* Distinct "<word>-<word>.example" names for i < NWORDS^2, shuffled by the seed; a number after. */
static void random_domain(struct gen_domain *d, uint64_t seed, unsigned i)
{
    struct gen_rng r;
    gen_rng_seed(&r, seed, 0xd0, i, 0);
    memset(d, 0, sizeof *d);
    d->role = GEN_ROLE_RANDOM;
    unsigned k = (unsigned)((i + seed % (NWORDS * NWORDS)) % (NWORDS * NWORDS));
    unsigned a = k % NWORDS, b = (k / NWORDS + a) % NWORDS;
    if (i < NWORDS * NWORDS)
        snprintf(d->name, sizeof d->name, "%s-%s.example", words[a], words[b]);
    else
        snprintf(d->name, sizeof d->name, "%s-%s%u.example", words[a], words[b],
                 i / (unsigned)(NWORDS * NWORDS));
    d->nmx = gen_rng_range(&r, 1, GEN_MAX_MX);
    for (unsigned m = 0; m < d->nmx; m++) {
        char host[16];
        snprintf(host, sizeof host, "mx%u", m + 1);
        set_mx(d, m, host);
    }
    d->wildcard = gen_rng_permille(&r, 250);
    d->max_age_first = gen_rng_permille(&r, 500);
    static const unsigned long ages[] = {86400, 604800, 1209600, 2592000, 31557600};
    d->max_age = ages[gen_rng_range(&r, 0, 4)];
    /* log-uniform 20..5000 sessions a day from Google */
    unsigned decade = gen_rng_range(&r, 0, 2);
    d->volume = (decade == 0 ? 20 : decade == 1 ? 200 : 1000) * gen_rng_range(&r, 1, 5);
    d->reporters = BIT(GEN_GOOGLE);
    if (gen_rng_permille(&r, 800))
        d->reporters |= BIT(GEN_MICROSOFT);
    for (unsigned rep = GEN_MAILRU; rep < GEN_NREPORTERS; rep++)
        if (gen_rng_permille(&r, 300))
            d->reporters |= BIT(rep);
    d->enforce = gen_rng_permille(&r, 250);
    unsigned roll = gen_rng_range(&r, 0, 9);
    d->bad_mx = roll < 7 ? 0 : roll < 9 ? 1 : 2;
}

int gen_plan_domains(const struct gen_config *cfg, struct gen_domain **out, unsigned *n)
{
    unsigned total = (cfg->scenarios ? 4u : 0u) + cfg->ndomains;
    struct gen_domain *d = calloc(total ? total : 1, sizeof *d);
    if (d == NULL)
        return -1;
    unsigned i = 0;
    if (cfg->scenarios) {
        scenario(&d[i++], "ready.example", GEN_ROLE_READY);
        scenario(&d[i++], "broken-mx.example", GEN_ROLE_BROKEN_MX);
        scenario(&d[i++], "sparse.example", GEN_ROLE_SPARSE);
        scenario(&d[i++], "enforcing.example", GEN_ROLE_ENFORCING);
    }
    for (unsigned k = 0; k < cfg->ndomains; k++)
        random_domain(&d[i++], cfg->seed, k);
    *out = d;
    *n = total;
    return 0;
}

static bool age_in(unsigned age, const unsigned *ages, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ages[i] == age)
            return true;
    return false;
}

bool gen_plan_sends(const struct gen_config *cfg, const struct gen_item *it)
{
    if ((it->dom->reporters & BIT(it->rep)) == 0)
        return false;
    if (it->dom->role == GEN_ROLE_SPARSE)
        return it->age <= 2;
    if (it->dom->role == GEN_ROLE_READY && it->rep == GEN_MAILRU && it->age == 3)
        return true; /* the day with the one transient fetch error */
    struct gen_rng r;
    gen_rng_seed(&r, cfg->seed, it->dom_index, it->rep, (uint64_t)it->start ^ 0x5e4d5ULL);
    switch (it->rep) {
    case GEN_GOOGLE:
        return true; /* daily, even for success-only days */
    case GEN_MICROSOFT:
        return gen_rng_permille(&r, 850); /* only on days it sent mail */
    default:
        return gen_rng_permille(&r, it->dom->role == GEN_ROLE_RANDOM ? 300 : 450);
    }
}

/* Sessions this reporter saw that day. */
static unsigned sessions(struct gen_rng *r, const struct gen_item *it)
{
    unsigned v = it->dom->volume;
    switch (it->rep) {
    case GEN_GOOGLE:
        break;
    case GEN_MICROSOFT:
        v = v * 55 / 100;
        break;
    case GEN_MAILRU:
        v = v * 4 / 100;
        break;
    case GEN_STALWART:
        return gen_rng_range(r, 1, 15);
    case GEN_SYS4:
        return gen_rng_range(r, 1, 40);
    default:
        break;
    }
    unsigned wday = (unsigned)((it->start / GEN_DAY + 4) % 7); /* 1970-01-01 was a Thursday */
    unsigned long long s = (unsigned long long)v * gen_rng_range(r, 850, 1150) / 1000;
    if (wday == 0 || wday == 6)
        s = s * 55 / 100;
    return s ? (unsigned)s : 1;
}

static void add_fail(struct gen_traffic *t, const char *type, int mx, unsigned count,
                     unsigned variant)
{
    if (t->nfail >= GEN_MAX_FAIL || count == 0)
        return;
    t->fail[t->nfail++] = (struct gen_failure){type, mx, count, variant};
}

static const char *const random_types[] = {
    "certificate-expired",    "certificate-host-mismatch", "certificate-not-trusted",
    "starttls-not-supported", "validation-failure",        "sts-policy-fetch-error",
};

static void random_failures(struct gen_rng *r, const struct gen_item *it, unsigned total,
                            struct gen_traffic *t)
{
    const struct gen_domain *d = it->dom;
    if (d->bad_mx == 1 && gen_rng_permille(r, 100)) {
        unsigned k = gen_rng_range(r, 0, 5);
        int mx = k == 5 ? -1 : (int)gen_rng_range(r, 0, d->nmx - 1);
        add_fail(t, random_types[k], mx, gen_rng_range(r, 1, 3), gen_rng_range(r, 0, 3));
    } else if (d->bad_mx == 2) {
        unsigned k = (unsigned)(it->dom_index % 5); /* the same fault every day */
        unsigned share = gen_rng_range(r, 100, 400);
        add_fail(t, random_types[k], (int)d->nmx - 1, total * share / 1000 + 1, 0);
    }
}

void gen_plan_traffic(const struct gen_config *cfg, const struct gen_item *it,
                      struct gen_traffic *t)
{
    struct gen_rng r;
    gen_rng_seed(&r, cfg->seed, it->dom_index, it->rep, (uint64_t)it->start);
    memset(t, 0, sizeof *t);
    unsigned total = sessions(&r, it);
    const struct gen_domain *d = it->dom;

    switch (d->role) {
    case GEN_ROLE_READY:
        if (it->rep == GEN_MAILRU && it->age == 3)
            add_fail(t, "sts-policy-fetch-error", -1, 1, 0); /* one timeout: noise */
        break;
    case GEN_ROLE_BROKEN_MX: {
        unsigned share = gen_rng_range(&r, 300, 450); /* mx2 takes about half, retries go to mx1 */
        unsigned n = total * share / 1000 + 1;
        if (age_in(it->age, broken_expired_ages, sizeof broken_expired_ages / sizeof(unsigned)))
            add_fail(t, "certificate-expired", 1, n, 0);
        else if (age_in(it->age, broken_mismatch_ages,
                        sizeof broken_mismatch_ages / sizeof(unsigned)))
            add_fail(t, "certificate-host-mismatch", 1, n, 0);
        break;
    }
    case GEN_ROLE_SPARSE:
        break;
    case GEN_ROLE_ENFORCING:
        t->enforce =
            it->age <= (it->rep == GEN_MICROSOFT ? ENFORCE_SINCE_AGE - 1 : ENFORCE_SINCE_AGE);
        if (it->rep != GEN_MAILRU && gen_rng_permille(&r, 700))
            add_fail(t, "starttls-not-supported", 2, gen_rng_range(&r, 1, 8), 0);
        break;
    case GEN_ROLE_RANDOM:
        t->enforce = d->enforce;
        random_failures(&r, it, total, t);
        break;
    }
    unsigned failed = 0;
    for (unsigned i = 0; i < t->nfail; i++)
        failed += t->fail[i].count;
    if (failed > total)
        total = failed;
    t->success = total - failed;
}
