/* test_analyze_rules.c - every readiness rule of docs/readiness.md on a small hand-built database,
 * one test per rule and per threshold edge. The baseline (fx_healthy: 7 days, Google and Microsoft,
 * 100 sessions each a day) is ready; each test changes one thing. */
#include "analyze_fixture.h"

static void baseline_is_ready(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(d->sts.successful, 1400);
    assert_int_equal(d->sts_days, 7);
    assert_int_equal(d->sts_organizations, 2);
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        assert_true(d->readiness.reasons[i].severity >= TLSRPT_SEV_WARNING);
    assert_int_equal(tlsrpt_analysis_exit_status(F->analysis), TLSRPT_REPORT_EXIT_READY);
}

/* One MX failure of `type` on day 3 from Google; checks the reason names MX, type, who, when. */
static void check_mx_failure(const char *type)
{
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0 + 3 * FX_DAY);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 100, 4);
    fx_detail(p, type, "mx2.example.com", "192.0.2.2", 4);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    const struct tlsrpt_reason *x = fx_reason(d, "mx-tls-failure");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_BLOCKING);
    assert_string_equal(x->mx, "mx2.example.com");
    assert_string_equal(x->result_type, type);
    assert_int_equal(x->sessions, 4);
    assert_int_equal(x->n_organizations, 1);
    assert_string_equal(x->organizations[0], "Yahoo");
    assert_int_equal(x->first_seen, FX_DAY0 + 3 * FX_DAY);
    assert_int_equal(x->last_seen, FX_DAY0 + 3 * FX_DAY);
    assert_non_null(strstr(x->message, "mx2.example.com"));
    assert_non_null(strstr(x->message, type));
    assert_non_null(strstr(x->message, "4 sessions from Yahoo on 4 Oct"));
    assert_non_null(x->action);
    assert_int_equal(tlsrpt_analysis_exit_status(F->analysis), TLSRPT_REPORT_EXIT_NOT_READY);
}

static void host_mismatch_blocks(void **state)
{
    (void)state;
    check_mx_failure("certificate-host-mismatch");
}

static void expired_blocks(void **state)
{
    (void)state;
    check_mx_failure("certificate-expired");
}

static void not_trusted_blocks(void **state)
{
    (void)state;
    check_mx_failure("certificate-not-trusted");
}

static void starttls_not_supported_blocks(void **state)
{
    (void)state;
    check_mx_failure("starttls-not-supported");
}

static void validation_failure_blocks(void **state)
{
    (void)state;
    check_mx_failure("validation-failure");
}

/* The example sentence of issue 5: two organizations, a date range, "would bounce under enforce".
 */
static void mx_failure_sentence(void **state)
{
    (void)state;
    fx_healthy(F, 10, 1000);
    for (int day = 2; day <= 8; day += 6) {
        const char *orgs[] = {"Google", "Microsoft"};
        for (int o = 0; o < 2; o++) {
            struct tlsrpt_report *r = fx_report(orgs[o], FX_DAY0 + day * FX_DAY);
            r->report_id[0] = 'X'; /* another report of the same day */
            struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 0, o == 0 ? 21 : 20);
            fx_detail(p, "certificate-host-mismatch", "mx2.example.com", NULL, o == 0 ? 21 : 20);
            fx_store(F, r);
        }
    }
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    const struct tlsrpt_reason *x = fx_reason(d, "mx-tls-failure");
    assert_non_null(x);
    assert_string_equal(x->message,
                        "mx2.example.com presents a certificate that does not name it "
                        "(certificate-host-mismatch): 82 sessions from Google and Microsoft "
                        "between 3 and 9 Oct would bounce under enforce.");
}

static void check_policy_host(const char *type)
{
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *r = fx_report("Mail.ru", FX_DAY0 + 5 * FX_DAY);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 0, 3);
    fx_detail(p, type, NULL, NULL, 3);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    const struct tlsrpt_reason *x = fx_reason(d, "policy-host-failure");
    assert_non_null(x);
    assert_string_equal(x->mx, "mta-sts.example.com");
    assert_string_equal(x->result_type, type);
    assert_int_equal(x->sessions, 3);
    /* Attributed to the policy host in the MX table too. */
    assert_int_equal(d->n_by_mx, 1);
    assert_string_equal(d->by_mx[0].mx, "mta-sts.example.com");
    assert_int_equal(d->by_mx[0].kind, TLSRPT_MX_POLICY_HOST);
    assert_null(fx_reason(d, "mx-tls-failure"));
}

static void policy_fetch_error_blocks(void **state)
{
    (void)state;
    check_policy_host("sts-policy-fetch-error");
}

static void policy_invalid_blocks(void **state)
{
    (void)state;
    check_policy_host("sts-policy-invalid");
}

static void webpki_invalid_blocks(void **state)
{
    (void)state;
    check_policy_host("sts-webpki-invalid");
}

/* Fetch errors at or below --max-fetch-error-rate are a warning (transient), above it they block;
 * the other policy-host types always block (check_policy_host). */
static void policy_fetch_error_threshold(void **state)
{
    (void)state;
    fx_healthy(F, 7, 1000); /* 14,000 sessions */
    struct tlsrpt_report *r = fx_report("Mail.ru", FX_DAY0 + 2 * FX_DAY);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 0, 14);
    fx_detail(p, "sts-policy-fetch-error", NULL, NULL, 14);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY); /* 14 of 14,014: 0.0999% */
    const struct tlsrpt_reason *x = fx_reason(d, "policy-fetch-transient");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_WARNING);
    assert_int_equal(x->sessions, 14);
    assert_null(fx_reason(d, "policy-host-failure"));

    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.max_failure_rate = 1.0; /* keep the rate rule out of the way */
    t.max_fetch_error_rate = 14.0 / 14014.0;
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_READY);
    t.max_fetch_error_rate = 13.0 / 14014.0;
    a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    x = fx_reason(&a->domains[0], "policy-host-failure");
    assert_non_null(x);
    assert_string_equal(x->result_type, "sts-policy-fetch-error");
    t.max_fetch_error_rate = 0; /* every fetch error blocks */
    a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_NOT_READY);
}

/* A failing MX outside the policy's patterns; "*." covers one label only (RFC 8461 §4.1). */
static void mx_not_in_policy_blocks(void **state)
{
    (void)state;
    for (int d = 0; d < 7; d++)
        for (int o = 0; o < 2; o++) {
            struct tlsrpt_report *r = fx_report(o ? "Microsoft" : "Google", FX_DAY0 + d * FX_DAY);
            struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 100000, d == 1 ? 1 : 0);
            fx_sts(p, "testing", 604800, "*.example.com");
            if (d == 1)
                fx_detail(p, "unknown-kind-of-failure", o ? "a.mx.example.com" : "mx.example.com",
                          NULL, 1);
            fx_store(F, r);
        }
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    assert_int_equal(fx_count_reasons(d, "mx-not-in-policy"), 1);
    const struct tlsrpt_reason *x = fx_reason(d, "mx-not-in-policy");
    assert_string_equal(x->mx, "a.mx.example.com");
    assert_int_equal(x->sessions, 1);
    for (size_t i = 0; i < d->n_by_mx; i++)
        assert_int_equal(d->by_mx[i].matches_policy,
                         strcmp(d->by_mx[i].mx, "mx.example.com") == 0 ? 1 : 0);
}

/* 0.1% exactly is ready, one more failed session is not (the rule is "above"). */
static void failure_rate_edge(void **state)
{
    (void)state;
    fx_healthy(F, 7, 10000); /* 140,000 sessions */
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    /* 140 of 140,140 is 0.0999%: ready. The failures carry an unlisted result type, so only the
     * rate rule can see them. */
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 0, 140);
    fx_detail(p, "some-new-result-type", "mx1.example.com", NULL, 140);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_null(fx_reason(d, "failure-rate"));

    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.max_failure_rate = 140.0 / 140140.0; /* exactly the rate: still not above */
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_READY);
    t.max_failure_rate = 139.0 / 140140.0;
    a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    const struct tlsrpt_reason *x = fx_reason(&a->domains[0], "failure-rate");
    assert_non_null(x);
    assert_int_equal(x->sessions, 140);
}

static void failure_rate_default_threshold(void **state)
{
    (void)state;
    fx_healthy(F, 7, 10000);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    fx_sts_report(r, "example.com", 0, 141); /* 141 / 140,141 = 0.1006% */
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    assert_non_null(fx_reason(d, "failure-rate"));
    assert_int_equal(d->n_by_mx, 0); /* no details: summary counts alone */
}

static void min_days_edge(void **state)
{
    (void)state;
    fx_healthy(F, 6, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
    const struct tlsrpt_reason *x = fx_reason(d, "too-few-days");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_INSUFFICIENT);
    assert_true(x->value == 6.0 && x->threshold == 7.0);
    assert_int_equal(tlsrpt_analysis_exit_status(F->analysis), TLSRPT_REPORT_EXIT_INSUFFICIENT);

    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.min_days = 6;
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_READY);
}

static void min_organizations_edge(void **state)
{
    (void)state;
    for (int d = 0; d < 7; d++) {
        struct tlsrpt_report *r = fx_report("Google", FX_DAY0 + d * FX_DAY);
        fx_sts_report(r, "example.com", 100, 0);
        fx_store(F, r);
    }
    /* A second organization that only sent no-policy-found is no MTA-STS evidence. */
    struct tlsrpt_report *r = fx_report("Microsoft", FX_DAY0);
    fx_policy(r, "no-policy-found", "example.com", 50, 0);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->organizations, 2);
    assert_int_equal(d->sts_organizations, 1);
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
    assert_non_null(fx_reason(d, "too-few-organizations"));

    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.min_organizations = 1;
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_READY);
}

static void min_sessions_edge(void **state)
{
    (void)state;
    fx_healthy(F, 7, 3);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    int64_t n = d->sts.successful;
    assert_int_equal(n, 42);
    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.min_sts_sessions = n + 1;
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
    const struct tlsrpt_reason *x = fx_reason(&a->domains[0], "too-few-sessions");
    assert_non_null(x);
    assert_int_equal(x->sessions, n);
    t.min_sts_sessions = n;
    a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(a->domains[0].readiness.verdict, TLSRPT_VERDICT_READY);
}

static void default_min_sessions_is_50(void **state)
{
    (void)state;
    fx_healthy(F, 7, 3); /* 42 sessions */
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    fx_sts_report(r, "example.com", 7, 0); /* 49 */
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->sts.successful, 49);
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
    assert_non_null(fx_reason(d, "too-few-sessions"));
}

/* Not-ready wins over insufficient-data: a failure is evidence enough (docs/readiness.md). */
static void blocking_beats_insufficient(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 10, 2);
    fx_detail(p, "certificate-expired", "mx1.example.com", NULL, 2);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    assert_non_null(fx_reason(d, "too-few-days"));
    assert_int_equal(d->readiness.reasons[0].severity, TLSRPT_SEV_BLOCKING);
}

/* The newest reports show enforce: verdict enforcing, reasons list what enforce refused. */
static void enforcing_lists_refusals(void **state)
{
    (void)state;
    fx_healthy(F, 3, 100);
    for (int d = 3; d < 5; d++)
        for (int o = 0; o < 2; o++) {
            struct tlsrpt_report *r = fx_report(o ? "Microsoft" : "Google", FX_DAY0 + d * FX_DAY);
            struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 100, o);
            fx_sts(p, "enforce", 604800, "mx1.example.com,mx2.example.com");
            if (o == 1)
                fx_detail(p, "certificate-expired", "mx2.example.com", NULL, 1);
            fx_store(F, r);
        }
    /* A testing-era failure is not "refused now". */
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 10, 5);
    fx_detail(p, "starttls-not-supported", "mx1.example.com", NULL, 5);
    fx_store(F, r);

    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_ENFORCING);
    assert_string_equal(d->readiness.newest_mode, "enforce");
    assert_int_equal(fx_count_reasons(d, "mx-tls-failure"), 1);
    const struct tlsrpt_reason *x = fx_reason(d, "mx-tls-failure");
    assert_string_equal(x->result_type, "certificate-expired");
    assert_int_equal(x->sessions, 2);
    assert_non_null(strstr(x->message, "were refused under enforce"));
    assert_null(fx_reason(d, "too-few-days")); /* evidence rules do not apply once enforcing */
    assert_int_equal(tlsrpt_analysis_exit_status(F->analysis), TLSRPT_REPORT_EXIT_READY);
}

/* Mixed newest day: Google already sees enforce, Microsoft still the cached testing policy. The
 * policy that appeared last is the newest; Microsoft is reported as stale (RFC 8461 §8.1). */
static void stale_policy_noted(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0 + 7 * FX_DAY);
    struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 100, 0);
    fx_sts(p, "enforce", 86400, "mx2.example.com,mx1.example.com"); /* other order, same set */
    fx_store(F, r);
    r = fx_report("Microsoft", FX_DAY0 + 7 * FX_DAY);
    fx_sts_report(r, "example.com", 100, 0);
    fx_store(F, r);

    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_ENFORCING);
    assert_int_equal(d->n_policies, 2);
    assert_false(d->policies[0].newest);
    assert_true(d->policies[1].newest);
    assert_string_equal(d->policies[1].mode, "enforce");
    assert_int_equal(d->policies[1].n_mx_patterns, 2);
    assert_string_equal(d->policies[1].mx_patterns[0], "mx1.example.com");
    const struct tlsrpt_reason *x = fx_reason(d, "stale-policy");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_INFO);
    assert_string_equal(x->organizations[0], "Microsoft");
    assert_int_equal(fx_count_reasons(d, "stale-policy"), 1);
}

static void silent_reporter_noted(void **state)
{
    (void)state;
    fx_healthy(F, 10, 100);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    fx_sts_report(r, "example.com", 100, 0);
    fx_store(F, r);
    r = fx_report("Comcast", FX_DAY0 + 7 * FX_DAY); /* 2 days before the newest: not silent */
    fx_sts_report(r, "example.com", 100, 0);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(fx_count_reasons(d, "reporter-silent"), 1);
    const struct tlsrpt_reason *x = fx_reason(d, "reporter-silent");
    assert_string_equal(x->organizations[0], "Yahoo");
    assert_true(x->value == 9.0);

    struct tlsrpt_thresholds t;
    tlsrpt_thresholds_default(&t);
    t.silent_days = 2; /* Comcast's gap of 2 days now counts */
    const struct tlsrpt_analysis *a = fx_analyze_t(F, "example.com", &t);
    assert_int_equal(fx_count_reasons(&a->domains[0], "reporter-silent"), 2);
}

static void unseen_pattern_noted(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100000);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 100, 1);
    fx_detail(p, "some-new-result-type", "mx1.example.com", NULL, 1);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(fx_count_reasons(d, "mx-pattern-unseen"), 1);
    const struct tlsrpt_reason *x = fx_reason(d, "mx-pattern-unseen");
    assert_string_equal(x->mx, "mx2.example.com");
    assert_int_equal(x->severity, TLSRPT_SEV_INFO);
}

/* No MX named at all: the reports say nothing about any pattern, so no warning. */
static void unseen_pattern_needs_named_mx(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_null(fx_reason(d, "mx-pattern-unseen"));
}

static void single_reporter_failure_noted(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *r = fx_report("Mail.ru", FX_DAY0 + 2 * FX_DAY);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 10, 2);
    fx_detail(p, "certificate-not-trusted", "mx1.example.com", NULL, 2);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY); /* the note changes nothing */
    const struct tlsrpt_reason *x = fx_reason(d, "single-reporter-failure");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_INFO);
    assert_string_equal(x->organizations[0], "Mail.ru");
    assert_string_equal(x->mx, "mx1.example.com");
}

/* Many reasons at once (the reason list grows while notes refer to earlier reasons), in a stable
 * order: most sessions first, then by MX name. */
static void many_reasons(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100000);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0 + FX_DAY);
    struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 100, 17);
    fx_sts(p, "testing", 604800, "*.example.com");
    for (int i = 0; i < 12; i++) {
        char host[32];
        snprintf(host, sizeof host, "mx%02d.example.com", i);
        fx_detail(p, "certificate-expired", host, NULL, 1);
    }
    fx_detail(p, "certificate-expired", "mxaa.example.com", NULL, 5);
    fx_store(F, r);
    /* The biggest failure has two reporters, so it gets no note: notes then fall on odd places and
     * one of them is what makes the list grow. */
    r = fx_report("Comcast", FX_DAY0 + FX_DAY);
    p = fx_policy(r, "sts", "example.com", 100, 5);
    fx_sts(p, "testing", 604800, "*.example.com");
    fx_detail(p, "certificate-expired", "mxaa.example.com", NULL, 5);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(fx_count_reasons(d, "mx-tls-failure"), 13);
    assert_int_equal(fx_count_reasons(d, "single-reporter-failure"), 12);
    assert_string_equal(d->readiness.reasons[0].mx, "mxaa.example.com");
    assert_string_equal(d->readiness.reasons[1].code, "mx-tls-failure");
    size_t k = 0;
    for (size_t i = 1; i < d->readiness.n_reasons; i++) {
        const struct tlsrpt_reason *x = &d->readiness.reasons[i];
        char host[32];
        if (strcmp(x->code, "mx-tls-failure") != 0)
            continue;
        snprintf(host, sizeof host, "mx%02zu.example.com", k++);
        assert_string_equal(x->mx, host);
    }
    for (size_t i = 0; i < d->readiness.n_reasons; i++) {
        const struct tlsrpt_reason *x = &d->readiness.reasons[i];
        if (strcmp(x->code, "single-reporter-failure") == 0)
            assert_non_null(strstr(x->message, x->mx));
    }
}

/* Only the listed result types block; tlsa entries and no-policy-found never do. */
static void unlisted_and_non_sts_do_not_block(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100000);
    struct tlsrpt_report *r = fx_report("Yahoo", FX_DAY0);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 100, 1);
    fx_detail(p, "Testing", "mx1.example.com", NULL, 1); /* quirks §3.13: a made-up type */
    p = fx_policy(r, "tlsa", "example.com", 100, 5);
    fx_detail(p, "dnssec-invalid", "mx1.example.com", NULL, 5);
    fx_store(F, r);
    r = fx_report("Comcast", FX_DAY0);
    p = fx_policy(r, "no-policy-found", "example.com", 10, 3);
    fx_detail(p, "certificate-expired", "mx2.example.com", NULL, 3);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(d->no_policy.successful, 10);
    assert_int_equal(d->no_policy.failed, 3);
    assert_non_null(fx_reason(d, "no-policy-sessions"));
    /* Shown all the same. */
    bool testing = false;
    for (size_t i = 0; i < d->n_by_result_type; i++)
        testing |= strcmp(d->by_result_type[i].key, "Testing") == 0;
    assert_true(testing);
}

static void unknown_domain_is_insufficient(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "nothing.example");
    assert_int_equal(d->reports, 0);
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
    assert_non_null(fx_reason(d, "too-few-sessions"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(baseline_is_ready, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(host_mismatch_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(expired_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(not_trusted_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(starttls_not_supported_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(validation_failure_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(mx_failure_sentence, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(policy_fetch_error_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(policy_invalid_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(webpki_invalid_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(policy_fetch_error_threshold, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(mx_not_in_policy_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(failure_rate_edge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(failure_rate_default_threshold, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(min_days_edge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(min_organizations_edge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(min_sessions_edge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(default_min_sessions_is_50, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(blocking_beats_insufficient, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(enforcing_lists_refusals, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stale_policy_noted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(silent_reporter_noted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unseen_pattern_noted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unseen_pattern_needs_named_mx, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(single_reporter_failure_noted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(many_reasons, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unlisted_and_non_sts_do_not_block, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unknown_domain_is_insufficient, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
