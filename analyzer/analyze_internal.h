/* analyze_internal.h - what analyze.c, queries.c, aggregate.c and readiness.c share: the rows the
 * queries return and the per-domain tallies built from them. Not installed, not for the dashboard.
 */
#ifndef TLSRPT_ANALYZE_INTERNAL_H
#define TLSRPT_ANALYZE_INTERNAL_H

#include "analyze.h"
#include "arena.h"
#include "buf.h"
#include "strmap.h"
#include "vec.h"

#include <sqlite3.h>
#include <stdio.h>

#define SECONDS_PER_DAY 86400
#define TLSRPT_MAX_DAILY_DAYS 3660     /* daily series keeps at most the last ten years */
#define TLSRPT_MAX_REPORT_ENTRIES 4096 /* policy entries of one report for one domain */
#define TLSRPT_MAX_KEY (1024 * 1024)   /* a composite tally key (policy text, detail fields) */

/* ---- queries.c: the statements of an analysis ---- */

enum policy_kind { PK_STS, PK_TLSA, PK_NO_POLICY, PK_OTHER };

struct policy_row { /* borrowed from SQLite: valid until the next q_policies_next() */
    int64_t id, report, idx;
    enum policy_kind kind;
    const char *mode, *mx_patterns_json; /* or NULL */
    int64_t max_age;                     /* -1 when NULL */
    int64_t successful, failed, start;
    const char *reporter, *organization; /* organization falls back to reporter */
    const char *domain;
};

struct detail_row { /* borrowed, like policy_row */
    int64_t policy;
    const char *result_type, *sending_mta_ip, *receiving_mx_hostname, *receiving_ip,
        *failure_reason_code;
    int64_t sessions;
    const char *domain;
};

struct queries {
    struct tlsrpt_db *db;
    sqlite3_stmt *policies, *details;
};

/* Prepares the statements for one domain at a time (all == false) or for every domain at once. */
int q_prepare(struct tlsrpt_db *db, bool all, struct queries *q, struct tlsrpt_error *err);
void q_finalize(struct queries *q);
/* domain is NULL for the every-domain statements. */
int q_policies_start(struct queries *q, const char *domain, int64_t since, int64_t until,
                     struct tlsrpt_error *err);
/* 1 with *row set, 0 at the end, TLSRPT_E_DB on failure. Rows come by start_time, then id. */
int q_policies_next(struct queries *q, struct policy_row *row, struct tlsrpt_error *err);
int q_details_start(struct queries *q, const char *domain, int64_t since, int64_t until,
                    struct tlsrpt_error *err);
/* Every-domain statements: the details of policy ids first_id..last_id (domain left NULL). */
int q_details_range_start(struct queries *q, int64_t first_id, int64_t last_id,
                          struct tlsrpt_error *err);
int q_details_next(struct queries *q, struct detail_row *row, struct tlsrpt_error *err);
/* Prints each statement and its EXPLAIN QUERY PLAN (bench/report_bench.sh). */
int q_explain(struct tlsrpt_db *db, FILE *f, struct tlsrpt_error *err);

/* ---- aggregate.c: tallies of one domain ---- */

/* Organization names and reporters of a whole analysis get small ids once, so the per-domain
 * tallies index arrays instead of hashing the same few strings again for every report. */
struct names {
    struct strmap map;
    struct vec list; /* const char *, the map's keys */
};
void names_init(struct names *n);
void names_free(struct names *n);
/* The id of s (added when new), SIZE_MAX when out of memory. *stored: the kept copy. */
size_t names_id(struct names *n, const char *s, const char **stored);

struct org_acc {
    const char *name; /* key of dom_acc.orgs */
    int64_t reports, successful, failed, first, last;
    int64_t sts_reports, last_sts;
    size_t last_policy; /* policy version of its newest sts entry */
};

struct entry { /* a policy entry whose failure details matter */
    int64_t policy_id, start;
    size_t org;
    enum policy_kind kind;
    bool representative; /* stood for the report's sessions (counting rule) */
    bool enforce;        /* sts entry with mode enforce */
};

struct pol_org {
    size_t org;
    int64_t reports, first, last;
};

struct pol_acc { /* one distinct sts policy */
    char *mode;
    int64_t max_age;
    char **patterns; /* sorted */
    size_t n_patterns;
    int64_t reports, first, last;
    struct vec orgs; /* struct pol_org */
};

struct rt_acc {
    const char *name;
    int64_t sessions, dane_sessions;
    bool in_main, in_dane;
};

struct rt_count {
    size_t rt;
    int64_t sessions;
};

struct mx_acc {
    const char *key;
    enum tlsrpt_mx_kind kind;
    int64_t failed, first, last;
    struct vec rts;  /* struct rt_count */
    struct vec orgs; /* size_t */
};

struct detail_acc {
    char *fields[5]; /* result type, sending ip, mx, receiving ip, reason code; NULL when absent */
    int64_t sessions;
    struct vec orgs; /* size_t */
};

struct fail_acc { /* sts failures by (MX, result type): what the readiness rules look at */
    size_t mx;    /* index into dom_acc.mxs */
    size_t rt;    /* index into dom_acc.rts */
    const char *mx_name, *rt_name; /* their names (keys of the maps), for a stable order */
    int64_t sessions, first, last;
    struct vec orgs; /* size_t */
};

struct fail_table {
    struct strmap map;
    struct vec items; /* struct fail_acc */
};

struct day_acc {
    int64_t day, reports, successful, failed;
};

struct candidate { /* an entry of the report being grouped */
    int64_t id, total, failed, successful;
    enum policy_kind kind;
    bool enforce;
};

struct dom_acc {
    const char *domain;
    int64_t reports, first, last, successful, failed;
    struct tlsrpt_session_counts sts, no_policy, dane;
    int64_t sts_days, last_sts_day;
    struct names *names;      /* shared by every domain of the analysis */
    struct vec org_of;        /* size_t per name id: index into orgs, or SIZE_MAX */
    struct vec reporter_seen; /* unsigned char per name id */
    int64_t reporters;
    struct strmap pol_map, pol_raw_map, rt_map, mx_map, detail_map;
    struct vec orgs, pols, rts, mxs, details, days, entries; /* the *_acc structs above */
    struct vec dane_orgs;                                    /* size_t */
    struct fail_table fail_all, fail_enforce;
    /* The report being grouped (rows of one report arrive together). */
    int64_t cur_report, cur_start;
    size_t cur_org;
    bool cur_dane;
    struct vec cands;      /* struct candidate */
    struct tlsrpt_buf key; /* scratch for composite keys */
    /* The sts policy of the previous row and its version: the common case needs no lookup. */
    char *last_mode, *last_json;
    int64_t last_max_age;
    size_t last_pol;
    /* Whether the checks table holds any row: looked up once per analysis (live_check.c), so a
     * database without stored checks costs no query per domain. -1: not looked up yet. */
    int checks_stored;
};

void dom_acc_init(struct dom_acc *a, struct names *names);
void dom_acc_reset(struct dom_acc *a, const char *domain); /* forget the previous domain */
void dom_acc_free(struct dom_acc *a);
int dom_acc_add_policy(struct dom_acc *a, const struct policy_row *row);
int dom_acc_end_policies(struct dom_acc *a); /* closes the last report, indexes entries */
int dom_acc_add_detail(struct dom_acc *a, const struct detail_row *row);
/* Sorted, arena-owned figures of the domain (readiness excluded). Returns 0 or TLSRPT_E_NOMEM. */
int dom_acc_finish(struct dom_acc *a, const struct tlsrpt_analysis_query *q,
                   struct tlsrpt_arena *arena, struct tlsrpt_domain_analysis *out,
                   size_t *newest_policy);

/* figures.c: organization names of a vec of org indices, sorted, arena-owned (NULL and 0 when the
 * set is empty). 0, or -1 when out of memory. */
int acc_org_names(const struct dom_acc *a, const struct vec *set, struct tlsrpt_arena *arena,
                  const char ***out, size_t *n);
/* figures.c: 1 when host matches an mx pattern of policy version pol, 0 when none, -1 when there is
 * no such policy or it has no patterns. */
int acc_mx_matches(const struct dom_acc *a, size_t pol, const char *host);

/* Adds idx to a vec of size_t unless present. 0, or -1 when out of memory. */
int idxset_add(struct vec *v, size_t idx);

/* ---- collect.c ---- */

/* Fills a->domains with every domain that has a report in the window, sorted by name. */
int analyze_every_domain(struct tlsrpt_db *db, const struct tlsrpt_analysis_query *q,
                         struct tlsrpt_analysis *a, struct tlsrpt_error *err);

/* ---- readiness.c ---- */

struct tlsrpt_check_latest; /* checker/check_store.h */

/* Fills out->readiness from the tallies; newest_policy is an index into a->pols or SIZE_MAX.
 * live is the newest stored check of the domain (live->found 0: none); now is the query's now. */
int readiness_evaluate(const struct dom_acc *a, size_t newest_policy,
                       const struct tlsrpt_thresholds *t, const struct tlsrpt_check_latest *live,
                       int64_t now, struct tlsrpt_arena *arena, struct tlsrpt_domain_analysis *out);

/* ---- live_check.c ---- */

/* Reads the newest stored check of the domain, applies the readiness rules with it and copies it
 * into out->live_check. Returns 0, TLSRPT_E_DB or TLSRPT_E_NOMEM (err set). */
int live_readiness(struct tlsrpt_db *db, struct dom_acc *a, size_t newest_policy,
                   const struct tlsrpt_analysis_query *q, struct tlsrpt_arena *arena,
                   struct tlsrpt_domain_analysis *out, struct tlsrpt_error *err);

/* ---- live_rules.c ---- */

/* The reasons the newest stored check adds (docs/readiness.md "The live check"), pushed onto
 * reasons (struct tlsrpt_reason). enforcing: the newest reported policy has mode enforce.
 * Returns 0, or -1 when out of memory. */
int live_rules(const struct dom_acc *a, bool enforcing, const struct tlsrpt_check_latest *live,
               int64_t now, struct tlsrpt_arena *arena, struct vec *reasons);

/* ---- messages.c: the words of the reasons ---- */

/* printf into the arena; NULL when out of memory. */
const char *arena_printf(struct tlsrpt_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "Google", "Google and Microsoft", "A, B and C", "A, B and 3 other organizations". */
const char *words_organizations(struct tlsrpt_arena *arena, const char *const *names, size_t n);
/* "on 3 Oct", "between 3 and 9 Oct", "between 28 Sep and 4 Oct", years added across a new year. */
const char *words_date_range(struct tlsrpt_arena *arena, int64_t first, int64_t last);
/* "1 session" / "41 sessions". */
const char *words_sessions(struct tlsrpt_arena *arena, int64_t n);
/* "9 Oct". */
const char *words_day(struct tlsrpt_arena *arena, int64_t t);
/* 0.0033 -> "0.33%", 0.001 -> "0.1%". */
const char *words_percent(struct tlsrpt_arena *arena, double fraction);

#endif
