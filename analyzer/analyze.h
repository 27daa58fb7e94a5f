/* analyze.h - the readiness analysis: a window and a list of policy domains in, a struct
 * tlsrpt_analysis out. Computing is separate from printing (print.h) so the command line and the
 * web dashboard show the same numbers; tlsrpt_analysis_to_json() is the document both serve
 * (docs/report-json.md). The counting rule and every readiness rule are described in
 * docs/readiness.md. */
#ifndef TLSRPT_ANALYZE_H
#define TLSRPT_ANALYZE_H

#include "db.h"
#include "error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults of the readiness thresholds (each one is a tlsrpt-report option). */
#define TLSRPT_DEF_MIN_DAYS 7          /* --min-days: days with an sts report */
#define TLSRPT_DEF_MIN_ORGANIZATIONS 2 /* --min-organizations: organizations with an sts report */
#define TLSRPT_DEF_MIN_STS_SESSIONS 50 /* --min-sessions: sts sessions */
#define TLSRPT_DEF_MAX_FAILURE_RATE                                                                \
    0.001 /* --max-failure-rate: sts failure rate above this blocks */
#define TLSRPT_DEF_MAX_FETCH_ERROR_RATE                                                            \
    0.001                          /* --max-fetch-error-rate: share of sts sessions with           \
                                    * sts-policy-fetch-error above which it blocks */
#define TLSRPT_DEF_SILENT_DAYS 3   /* --silent-days: days without a report before "silent" */
#define TLSRPT_DEF_TOP_DETAILS 10  /* --top: rows of the top failure details */
#define TLSRPT_MAX_DOMAINS 1000000 /* cap on domains in one analysis */

struct tlsrpt_thresholds {
    int64_t min_days;
    int64_t min_organizations;
    int64_t min_sts_sessions;
    double max_failure_rate; /* a fraction: 0.001 is 0.1% */
    double max_fetch_error_rate;
    int64_t silent_days;
    int64_t top_details;
};
void tlsrpt_thresholds_default(struct tlsrpt_thresholds *t);

struct tlsrpt_analysis_query {
    int64_t since, until; /* unix seconds: a report belongs when since <= start_time < until */
    int64_t now;          /* only echoed in the output (window.now) */
    const char *const
        *domains; /* policy domains to analyse; NULL/0: every domain seen in the window */
    size_t n_domains;
    struct tlsrpt_thresholds thresholds;
};

enum tlsrpt_verdict {
    TLSRPT_VERDICT_READY = 0,
    TLSRPT_VERDICT_NOT_READY,
    TLSRPT_VERDICT_INSUFFICIENT_DATA,
    TLSRPT_VERDICT_ENFORCING,
};
const char *tlsrpt_verdict_name(enum tlsrpt_verdict v); /* "ready", "not-ready", ... */

enum tlsrpt_severity {
    TLSRPT_SEV_BLOCKING = 0, /* makes the domain not-ready (or, when enforcing, mail refused now) */
    TLSRPT_SEV_INSUFFICIENT, /* makes the domain insufficient-data */
    TLSRPT_SEV_WARNING,      /* worth acting on, verdict unchanged */
    TLSRPT_SEV_INFO,         /* context, verdict unchanged */
};
const char *tlsrpt_severity_name(enum tlsrpt_severity s); /* "blocking", "insufficient", ... */

/* Where a failure was attributed (docs/readiness.md "Grouping by MX"). */
enum tlsrpt_mx_kind { TLSRPT_MX_HOST, TLSRPT_MX_IP, TLSRPT_MX_POLICY_HOST, TLSRPT_MX_UNKNOWN };
const char *tlsrpt_mx_kind_name(enum tlsrpt_mx_kind k); /* "mx", "ip", "policy-host", "unknown" */

/* Every string and array below is owned by the analysis and lives until tlsrpt_analysis_free().
 * Times are unix seconds UTC (report start date-times); 0 means "none". */

struct tlsrpt_count {
    const char *key;
    int64_t sessions;
};

struct tlsrpt_org_stats {
    const char *organization; /* reports.organization_name, else the reporter */
    int64_t reports, successful, failed;
    int64_t first_seen, last_seen;
};

struct tlsrpt_mx_stats {
    const char *mx; /* host name, IP address, mta-sts.<domain> or "(unknown)" */
    enum tlsrpt_mx_kind kind;
    int64_t failed;                    /* sum of failed-session-count of the details */
    struct tlsrpt_count *result_types; /* sessions per result type, most first */
    size_t n_result_types;
    const char **organizations;
    size_t n_organizations;
    int64_t first_seen, last_seen;
    int matches_policy; /* 1 or 0 against the newest sts policy's mx patterns; -1 not applicable */
};

struct tlsrpt_detail_stats {
    const char *result_type;
    const char *sending_mta_ip, *receiving_mx_hostname, *receiving_ip,
        *failure_reason_code; /* or NULL */
    int64_t sessions;
    const char **organizations;
    size_t n_organizations;
};

struct tlsrpt_day_stats {
    int64_t day; /* unix time of 00:00 UTC */
    int64_t reports, successful, failed;
};

struct tlsrpt_policy_org {
    const char *organization;
    int64_t reports, first_seen, last_seen;
};

struct tlsrpt_policy_seen {   /* one distinct sts policy (mode, max_age, mx patterns) */
    const char *mode;         /* or NULL */
    int64_t max_age;          /* -1 when absent */
    const char **mx_patterns; /* sorted */
    size_t n_mx_patterns;
    bool newest; /* the policy the newest reports show (docs/readiness.md) */
    int64_t reports, first_seen, last_seen;
    struct tlsrpt_policy_org *organizations; /* who saw it, and when */
    size_t n_organizations;
};

struct tlsrpt_dane_stats { /* every tlsa entry, whether or not it stood for the sessions */
    int64_t reports, successful, failed;
    struct tlsrpt_count *result_types;
    size_t n_result_types;
    const char **organizations;
    size_t n_organizations;
};

struct tlsrpt_reason {
    const char *code; /* stable identifier, docs/readiness.md */
    enum tlsrpt_severity severity;
    const char *message;     /* one or more English sentences */
    const char *action;      /* what to do; may be NULL */
    const char *mx;          /* the MX / policy host concerned, or NULL */
    const char *result_type; /* or NULL */
    const char **organizations;
    size_t n_organizations;
    int64_t sessions; /* -1 when not applicable */
    int64_t first_seen, last_seen;
    double value, threshold; /* for threshold rules (value < 0: not applicable) */
};

struct tlsrpt_readiness {
    enum tlsrpt_verdict verdict;
    const char *newest_mode;       /* sts mode of the newest policy, or NULL */
    struct tlsrpt_reason *reasons; /* blocking first, then insufficient, warning, info */
    size_t n_reasons;
};

/* The newest stored live check of a domain (tlsrpt-check --store; docs/readiness.md "The live
 * check"), copied into the analysis. */
struct tlsrpt_live_finding {
    const char *severity; /* "error", "warning", "info" */
    const char *code, *object, *message, *fix;
};

struct tlsrpt_live_mx_cert {
    const char *host;
    int64_t days_left; /* fewest over the host's addresses; negative: expired */
};

struct tlsrpt_live_check {
    int64_t checked_at;   /* unix seconds */
    int64_t age_days;     /* whole days from checked_at to the query's now; -1 when unknown */
    const char *verdict;  /* "ok", "warnings", "errors" */
    const char *sts_mode; /* mode of the fetched policy, or NULL */
    const char *sts_id;   /* id of the _mta-sts record, or NULL */
    const char **sts_mx;  /* mx lines of the fetched policy */
    size_t n_sts_mx;
    int64_t policy_cert_days, mx_cert_days; /* days until expiry; INT64_MIN when unknown */
    struct tlsrpt_live_mx_cert *mx_certs;   /* per MX host whose certificate was seen */
    size_t n_mx_certs;
    struct tlsrpt_live_finding *findings; /* in check order */
    size_t n_findings;
};

struct tlsrpt_session_counts {
    int64_t reports, successful, failed;
};

struct tlsrpt_domain_analysis {
    const char *domain;
    int64_t reports, reporters, organizations, days_with_reports;
    int64_t first_seen, last_seen;
    int64_t successful, failed; /* from the one entry per report that stands for the sessions */
    struct tlsrpt_session_counts sts; /* sts entries */
    struct tlsrpt_session_counts
        no_policy;                       /* no-policy-found entries that stood for the sessions */
    int64_t sts_days, sts_organizations; /* evidence for the insufficient-data rule */

    struct tlsrpt_org_stats *by_organization; /* most sessions first */
    size_t n_by_organization;
    struct tlsrpt_mx_stats *by_mx; /* most failed sessions first */
    size_t n_by_mx;
    struct tlsrpt_count *by_result_type; /* most sessions first */
    size_t n_by_result_type;
    struct tlsrpt_detail_stats *top_details; /* at most thresholds.top_details */
    size_t n_top_details;
    struct tlsrpt_day_stats *daily; /* every day from the first report's day to the window's end */
    size_t n_daily;
    struct tlsrpt_policy_seen *policies; /* oldest first */
    size_t n_policies;
    struct tlsrpt_dane_stats dane;
    struct tlsrpt_readiness readiness;
    const struct tlsrpt_live_check *live_check; /* NULL: no check stored for the domain */
};

struct tlsrpt_analysis {
    int64_t since, until, now;
    struct tlsrpt_thresholds thresholds;
    struct tlsrpt_domain_analysis *domains; /* sorted by name */
    size_t n_domains;
    struct tlsrpt_arena *arena; /* owns everything above */
};

/* Runs the analysis on an open (read-only) database. Returns 0 with *out set (free with
 * tlsrpt_analysis_free), or TLSRPT_E_DB / TLSRPT_E_NOMEM / TLSRPT_E_TOO_LARGE with err set. */
int tlsrpt_analyze(struct tlsrpt_db *db, const struct tlsrpt_analysis_query *q,
                   struct tlsrpt_analysis **out, struct tlsrpt_error *err);
void tlsrpt_analysis_free(struct tlsrpt_analysis *a);
/* The memory an analysis holds, in bytes (its arena and itself): what a cache of analyses counts.
 */
size_t tlsrpt_analysis_bytes(const struct tlsrpt_analysis *a);

/* Failure rate failed / (successful + failed); -1 when there were no sessions. */
double tlsrpt_failure_rate(int64_t successful, int64_t failed);

/* The JSON document of docs/report-json.md (a new reference, NULL on allocation failure). Dump it
 * with TLSRPT_ANALYSIS_JSON_FLAGS so rates print as 0.0033, not 0.0032999999999999999. */
json_t *tlsrpt_analysis_to_json(const struct tlsrpt_analysis *a);
/* The live_check object of one domain (docs/report-json.md): a new reference, json null when c is
 * NULL, NULL on allocation failure. */
json_t *tlsrpt_live_check_to_json(const struct tlsrpt_live_check *c);
#define TLSRPT_ANALYSIS_JSON_FLAGS JSON_REAL_PRECISION(10)
#define TLSRPT_REPORT_JSON_SCHEMA 1 /* "schema_version" in the document */

/* Exit status of tlsrpt-report for this analysis (docs/readiness.md "Exit status"). */
#define TLSRPT_REPORT_EXIT_READY 0        /* every domain ready or enforcing */
#define TLSRPT_REPORT_EXIT_NOT_READY 1    /* at least one domain not-ready */
#define TLSRPT_REPORT_EXIT_INSUFFICIENT 2 /* none not-ready, at least one insufficient-data */
#define TLSRPT_REPORT_EXIT_USAGE 3        /* bad option or argument */
#define TLSRPT_REPORT_EXIT_DB 4           /* database missing, unreadable or wrong version */
#define TLSRPT_REPORT_EXIT_SOFTWARE 5     /* out of memory, output error, internal error */
int tlsrpt_analysis_exit_status(const struct tlsrpt_analysis *a);

#endif
