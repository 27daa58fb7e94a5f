/* test_analyze_counting.c - the counting rule of docs/readiness.md: per report and policy domain
 * one entry stands for the sessions (the sts entry, else the one with the most sessions); summary
 * counts are the totals, failure details only the breakdown; tlsa entries feed the DANE section. */
#include "analyze_fixture.h"

static int64_t result_type(const struct tlsrpt_count *c, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].key, key) == 0)
            return c[i].sessions;
    return -1;
}

/* Microsoft's twins (quirks §3.7): an sts and a tlsa entry with the same counts. */
static void sts_tlsa_twins_count_once(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Microsoft", FX_DAY0);
    struct tlsrpt_policy *p = fx_policy(r, "tlsa", "example.com", 100, 4);
    fx_detail(p, "certificate-host-mismatch", "mx2.example.com", NULL, 4);
    p = fx_sts_report(r, "example.com", 100, 4);
    fx_detail(p, "certificate-host-mismatch", "mx2.example.com", NULL, 4);
    fx_store(F, r);

    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->reports, 1);
    assert_int_equal(d->successful, 100);
    assert_int_equal(d->failed, 4);
    assert_int_equal(d->sts.successful, 100);
    assert_int_equal(d->sts.failed, 4);
    assert_int_equal(d->n_by_organization, 1);
    assert_int_equal(d->by_organization[0].successful, 100);
    assert_int_equal(d->by_organization[0].failed, 4);
    assert_int_equal(d->n_by_mx, 1);
    assert_int_equal(d->by_mx[0].failed, 4);
    assert_int_equal(
        result_type(d->by_result_type, d->n_by_result_type, "certificate-host-mismatch"), 4);
    assert_int_equal(d->n_daily >= 1, 1);
    assert_int_equal(d->daily[0].successful, 100);
    assert_int_equal(d->daily[0].failed, 4);
    /* The readiness rule sees 4 sessions, not 8. */
    const struct tlsrpt_reason *x = fx_reason(d, "mx-tls-failure");
    assert_non_null(x);
    assert_int_equal(x->sessions, 4);
    /* DANE section: the tlsa entry on its own. */
    assert_int_equal(d->dane.reports, 1);
    assert_int_equal(d->dane.successful, 100);
    assert_int_equal(d->dane.failed, 4);
    assert_int_equal(
        result_type(d->dane.result_types, d->dane.n_result_types, "certificate-host-mismatch"), 4);
    assert_int_equal(d->dane.n_organizations, 1);
}

/* Without an sts entry the entry with the most sessions stands; tlsa-only types stay out of the
 * readiness rules. */
static void largest_entry_without_sts(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Postfix", FX_DAY0);
    fx_policy(r, "tlsa", "example.com", 50, 0);
    fx_policy(r, "no-policy-found", "example.com", 80, 2);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->successful, 80);
    assert_int_equal(d->failed, 2);
    assert_int_equal(d->no_policy.reports, 1);
    assert_int_equal(d->no_policy.successful, 80);
    assert_int_equal(d->sts.reports, 0);
    assert_int_equal(d->dane.successful, 50);
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_INSUFFICIENT_DATA);
}

/* Equal sizes: more failures win, then the earlier entry. */
static void ties(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("A", FX_DAY0);
    fx_policy(r, "tlsa", "example.com", 10, 0);
    fx_policy(r, "no-policy-found", "example.com", 9, 1);
    fx_store(F, r);
    r = fx_report("B", FX_DAY0);
    fx_policy(r, "tlsa", "example.com", 7, 3);
    fx_policy(r, "no-policy-found", "example.com", 7, 3);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->successful, 9 + 7);
    assert_int_equal(d->failed, 1 + 3);
    assert_int_equal(d->no_policy.reports, 1); /* A's; B's tie went to its first entry, tlsa */
}

/* Two sts entries for one domain in one report: the larger stands. */
static void two_sts_entries(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    fx_sts_report(r, "example.com", 5, 0);
    fx_sts_report(r, "example.com", 500, 1);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->sts.successful, 500);
    assert_int_equal(d->sts.failed, 1);
    assert_int_equal(d->sts.reports, 1);
}

/* Mail.ru (quirks §3.9): details add up to more than the summary; the summary is the total. */
static void summary_is_the_truth(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Mail.ru", FX_DAY0);
    struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 10, 1);
    fx_detail(p, "sts-policy-fetch-error", NULL, NULL, 1);
    fx_detail(p, "sts-webpki-invalid", NULL, NULL, 1);
    fx_store(F, r);
    /* Details under a summary without failures are not counted at all. */
    r = fx_report("Other", FX_DAY0);
    p = fx_sts_report(r, "example.com", 10, 0);
    fx_detail(p, "certificate-expired", "mx1.example.com", NULL, 9);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->failed, 1);
    assert_int_equal(d->n_by_result_type, 2);
    assert_int_equal(d->n_by_mx, 1);
    assert_int_equal(d->by_mx[0].failed, 2);
    assert_null(fx_reason(d, "mx-tls-failure"));
}

/* One report naming two domains counts once for each. */
static void report_with_two_domains(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    fx_sts_report(r, "a.example", 10, 0);
    fx_sts_report(r, "b.example", 20, 0);
    fx_store(F, r);
    const struct tlsrpt_analysis *a = fx_analyze_t(F, NULL, NULL);
    assert_int_equal(a->n_domains, 2);
    assert_string_equal(a->domains[0].domain, "a.example");
    assert_int_equal(a->domains[0].reports, 1);
    assert_int_equal(a->domains[0].successful, 10);
    assert_string_equal(a->domains[1].domain, "b.example");
    assert_int_equal(a->domains[1].successful, 20);
}

/* The organization is organization-name, else the reporter identity (contact-info's domain). */
static void organization_fallback(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Stalwart", FX_DAY0);
    free(r->organization_name);
    r->organization_name = NULL;
    r->contact_info = fx_strdup("postmaster@mx.egressif.io");
    fx_sts_report(r, "example.com", 10, 0);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->n_by_organization, 1);
    assert_string_equal(d->by_organization[0].organization, "mx.egressif.io");
}

/* The window is [since, until): a report starting at until is out, one at since is in. */
static void window_bounds(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    fx_sts_report(r, "example.com", 1, 0);
    fx_store(F, r);
    r = fx_report("Google", FX_DAY0 + 30 * FX_DAY); /* == until of fx_analyze_t */
    fx_sts_report(r, "example.com", 1000, 0);
    fx_store(F, r);
    r = fx_report("Google", FX_DAY0 - FX_DAY);
    fx_sts_report(r, "example.com", 1000, 0);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->reports, 1);
    assert_int_equal(d->successful, 1);
}

/* The daily series runs from the first report's day to the window's last day, gaps included. */
static void daily_series(void **state)
{
    (void)state;
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0 + 2 * FX_DAY);
    fx_sts_report(r, "example.com", 5, 1);
    fx_store(F, r);
    r = fx_report("Google", FX_DAY0 + 4 * FX_DAY);
    fx_sts_report(r, "example.com", 7, 0);
    fx_store(F, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->n_daily, 28); /* day 2 to day 29 */
    assert_int_equal(d->daily[0].day, FX_DAY0 + 2 * FX_DAY);
    assert_int_equal(d->daily[0].reports, 1);
    assert_int_equal(d->daily[0].failed, 1);
    assert_int_equal(d->daily[1].reports, 0);
    assert_int_equal(d->daily[2].successful, 7);
    assert_int_equal(d->days_with_reports, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sts_tlsa_twins_count_once, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(largest_entry_without_sts, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ties, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(two_sts_entries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(summary_is_the_truth, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(report_with_two_domains, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(organization_fallback, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(window_bounds, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(daily_series, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
