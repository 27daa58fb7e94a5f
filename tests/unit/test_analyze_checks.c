/* test_analyze_checks.c - the newest stored live check in the readiness analysis (docs/readiness.md
 * "The live check"). The reports come from the fixture (fx_healthy: ready on its own); the checks
 * are written with the checker's own tlsrpt_check_store from a result built here. Each test
 * analyses the same database before and after storing the check, so the change is the check's. */
#include "analyze_fixture.h"

#include "check_store.h"

#define CHECK_TIME (FX_DAY0 + 27 * FX_DAY) /* 3 days before the fixture's now (day 30) */

/* A check result for example.com: the live policy has mode and the mx lines of the
 * comma-separated list mx; the MX certificate has days_left. Findings are added by the test. */
static void result_init(struct tlsrpt_check_result *r, const char *mode, const char *mx,
                        int days_left)
{
    memset(r, 0, sizeof *r);
    snprintf(r->domain, sizeof r->domain, "example.com");
    r->checked_at = (time_t)CHECK_TIME;
    r->duration_ms = 1200;
    json_t *lines = json_array();
    char *list = fx_strdup(mx);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save))
        json_array_append_new(lines, json_string(tok));
    free(list);
    /* mx2 on two addresses (days_left and one day more), mx1 with a good certificate */
    r->doc = json_pack("{s:s, s:{s:s}, s:{s:s, s:i, s:o, s:{s:i}}, s:[{s:s, s:{s:i}}, {s:s, "
                       "s:{s:i}}, {s:s, s:{s:i}}]}",
                       "domain", "example.com", "mta_sts_record", "id", "20261027", "policy",
                       "mode", mode, "max_age", 604800, "mx", lines, "certificate", "days_left", 60,
                       "smtp", "host", "mx2.example.com", "certificate", "days_left", days_left + 1,
                       "host", "mx2.example.com", "certificate", "days_left", days_left, "host",
                       "mx1.example.com", "certificate", "days_left", 90);
    assert_non_null(r->doc);
}

/* Reopens the fixture database read-write (after an analysis) and stores r in it. */
static void store_check(struct tlsrpt_check_result *r)
{
    struct tlsrpt_error err = {0};
    if (F->db->mode != TLSRPT_DB_READWRITE) {
        tlsrpt_db_close(F->db);
        F->db = NULL;
        assert_int_equal(tlsrpt_db_open(F->path, TLSRPT_DB_READWRITE, &F->db, &err), 0);
    } else {
        assert_int_equal(tlsrpt_db_commit(F->db, &err), 0); /* the fixture's open transaction */
    }
    assert_false(r->findings.nomem);
    assert_int_equal(tlsrpt_check_store(F->db, r, NULL, &err), 0);
    tlsrpt_check_result_free(r);
    assert_int_equal(tlsrpt_db_begin(F->db, &err), 0); /* fx_analyze_t commits it */
}

static bool any_blocking(const struct tlsrpt_domain_analysis *d)
{
    for (size_t i = 0; i < d->readiness.n_reasons; i++)
        if (d->readiness.reasons[i].severity == TLSRPT_SEV_BLOCKING)
            return true;
    return false;
}

/* Reports alone: ready, and mx2 is never named (no failures). The live check finds mx2's
 * certificate expired (on two addresses: one reason): not-ready, naming mx2 as never reported. */
static void expired_unreported_mx_blocks(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_null(d->live_check);

    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com", -3);
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_ERROR, "mx-cert-expired",
                        "mx2.example.com (192.0.2.2)", "renew the certificate of mx2.example.com.",
                        "the certificate expired 3 days ago");
    tlsrpt_findings_add(
        &r.findings, TLSRPT_FINDING_ERROR, "mx-cert-expired", "mx2.example.com (2001:db8::2)",
        "renew the certificate of mx2.example.com.", "the certificate expired 3 days ago");
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_WARNING, "mode-testing",
                        "https://mta-sts.example.com/.well-known/mta-sts.txt",
                        "switch to enforce when ready.", "the policy is in mode testing");
    store_check(&r);

    d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    assert_int_equal(tlsrpt_analysis_exit_status(F->analysis), TLSRPT_REPORT_EXIT_NOT_READY);
    assert_int_equal(fx_count_reasons(d, "live-mx-failure"), 1);
    const struct tlsrpt_reason *x = fx_reason(d, "live-mx-failure");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_BLOCKING);
    assert_string_equal(x->mx, "mx2.example.com");
    assert_non_null(strstr(x->message, "mx2.example.com was never reported on"));
    assert_non_null(strstr(x->message, "mx-cert-expired"));
    assert_non_null(strstr(x->message, "28 Oct (3 days old)"));
    assert_string_equal(x->action, "renew the certificate of mx2.example.com.");
    assert_null(fx_reason(d, "live-policy-failure")); /* a warning finding blocks nothing */

    /* The check itself, for the JSON document and the web page. */
    assert_non_null(d->live_check);
    assert_int_equal(d->live_check->checked_at, CHECK_TIME);
    assert_int_equal(d->live_check->age_days, 3);
    assert_string_equal(d->live_check->verdict, "errors");
    assert_int_equal(d->live_check->mx_cert_days, -3);
    assert_int_equal(d->live_check->policy_cert_days, 60);
    assert_int_equal(d->live_check->n_mx_certs, 2); /* per host, the fewest days of its addresses */
    assert_string_equal(d->live_check->mx_certs[0].host, "mx2.example.com");
    assert_int_equal(d->live_check->mx_certs[0].days_left, -3);
    assert_string_equal(d->live_check->mx_certs[1].host, "mx1.example.com");
    assert_int_equal(d->live_check->mx_certs[1].days_left, 90);
    assert_int_equal(d->live_check->n_findings, 3);
    assert_string_equal(d->live_check->findings[0].code, "mx-cert-expired");
    assert_string_equal(d->live_check->findings[0].severity, "error");

    /* The same without --domain (every domain of the window, the other read path). */
    const struct tlsrpt_analysis *all = fx_analyze_t(F, NULL, NULL);
    assert_int_equal(all->n_domains, 1);
    assert_int_equal(all->domains[0].readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    assert_non_null(fx_reason(&all->domains[0], "live-mx-failure"));
}

/* An MX the reports already name: the live reason says what the check found on it, without
 * "never reported on". */
static void expired_reported_mx(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *y = fx_report("Yahoo", FX_DAY0 + 3 * FX_DAY);
    fx_detail(fx_sts_report(y, "example.com", 100, 2), "certificate-expired", "mx1.example.com",
              "192.0.2.1", 2);
    fx_store(F, y);
    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com", -3);
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_ERROR, "mx-cert-expired",
                        "mx1.example.com (192.0.2.1)", "renew it.", "expired");
    store_check(&r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    const struct tlsrpt_reason *x = fx_reason(d, "live-mx-failure");
    assert_non_null(x);
    assert_string_equal(x->mx, "mx1.example.com");
    assert_null(strstr(x->message, "never reported on"));
    assert_non_null(strstr(x->message, "The live check of 28 Oct (3 days old) found on "
                                       "mx1.example.com: expired (mx-cert-expired)"));
}

/* The policy host answers nothing: a published policy senders cannot fetch is a not-ready reason.
 */
static void unreachable_policy_blocks(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com", 80);
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_ERROR, "policy-unreachable",
                        "https://mta-sts.example.com/.well-known/mta-sts.txt",
                        "serve the policy over HTTPS on mta-sts.example.com.",
                        "connection refused");
    store_check(&r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_NOT_READY);
    const struct tlsrpt_reason *x = fx_reason(d, "live-policy-failure");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_BLOCKING);
    assert_string_equal(x->mx, "mta-sts.example.com");
    assert_non_null(strstr(x->message, "policy-unreachable"));
    assert_null(fx_reason(d, "live-mx-failure"));
}

/* Google and Microsoft last reported mode testing; Yahoo (on day 2) already saw enforce. The live
 * policy is enforce: Google and Microsoft are named as stale caches, Yahoo is not, and the verdict
 * stays ready. */
static void stale_cache_named_verdict_unchanged(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_report *y = fx_report("Yahoo", FX_DAY0 + 2 * FX_DAY);
    fx_sts(fx_policy(y, "sts", "example.com", 100, 0), "enforce", 604800,
           "mx1.example.com,mx2.example.com");
    fx_store(F, y);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_null(fx_reason(d, "stale-cache"));

    struct tlsrpt_check_result r;
    result_init(&r, "enforce", "mx2.example.com,mx1.example.com", 80); /* another order: same set */
    store_check(&r);
    d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_false(any_blocking(d));
    assert_int_equal(fx_count_reasons(d, "stale-cache"), 2);
    for (size_t i = 0; i < d->readiness.n_reasons; i++) {
        const struct tlsrpt_reason *x = &d->readiness.reasons[i];
        if (strcmp(x->code, "stale-cache") != 0)
            continue;
        assert_int_equal(x->severity, TLSRPT_SEV_INFO);
        assert_int_equal(x->n_organizations, 1);
        assert_string_not_equal(x->organizations[0], "Yahoo");
        assert_non_null(strstr(x->message, "stale cache (RFC 8461 §8.1)"));
        assert_non_null(strstr(x->message, "mode testing"));
        assert_non_null(strstr(x->message, "found mode enforce"));
    }
    const struct tlsrpt_reason *first = fx_reason(d, "stale-cache");
    assert_string_equal(first->organizations[0], "Google");
    assert_int_equal(first->last_seen, FX_DAY0 + 6 * FX_DAY);
}

/* Same mode, but the live policy has an mx line the reporters' cached copy lacks: stale too. */
static void stale_cache_by_mx_lines(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com,mx3.example.com", 80);
    store_check(&r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(fx_count_reasons(d, "stale-cache"), 2);
    assert_non_null(strstr(fx_reason(d, "stale-cache")->message, "mx3.example.com"));
}

/* No stored check: the verdict and the reasons are those of the reports alone. A clean check
 * changes no verdict either; it adds only the note with its age. */
static void no_check_no_change(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_null(d->live_check);
    assert_null(fx_reason(d, "live-check"));
    assert_null(fx_reason(d, "stale-cache"));
    size_t before = d->readiness.n_reasons;

    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com", 80);
    store_check(&r);
    d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_int_equal(d->readiness.n_reasons, before + 1);
    const struct tlsrpt_reason *x = fx_reason(d, "live-check");
    assert_non_null(x);
    assert_int_equal(x->severity, TLSRPT_SEV_INFO);
    assert_non_null(strstr(x->message, "3 days old"));
    assert_non_null(d->live_check);
    assert_string_equal(d->live_check->sts_mode, "testing");
    assert_int_equal(d->live_check->n_sts_mx, 2);
}

/* A check from another domain is not this domain's. */
static void other_domain_check_ignored(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com", 80);
    snprintf(r.domain, sizeof r.domain, "example.net");
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_ERROR, "mx-cert-expired",
                        "mx2.example.com (192.0.2.2)", "renew it.", "expired");
    store_check(&r);
    const struct tlsrpt_domain_analysis *d = fx_domain(F, "example.com");
    assert_int_equal(d->readiness.verdict, TLSRPT_VERDICT_READY);
    assert_null(d->live_check);
}

/* The live_check object of the JSON document. */
static void live_check_in_json(void **state)
{
    (void)state;
    fx_healthy(F, 7, 100);
    struct tlsrpt_check_result r;
    result_init(&r, "testing", "mx1.example.com,mx2.example.com", -3);
    tlsrpt_findings_add(&r.findings, TLSRPT_FINDING_ERROR, "mx-cert-expired",
                        "mx2.example.com (192.0.2.2)", "renew it.", "expired");
    store_check(&r);
    fx_domain(F, "example.com");
    json_t *doc = tlsrpt_analysis_to_json(F->analysis);
    assert_non_null(doc);
    json_t *lc = json_object_get(json_array_get(json_object_get(doc, "domains"), 0), "live_check");
    assert_true(json_is_object(lc));
    assert_string_equal(json_string_value(json_object_get(lc, "checked_at")),
                        "2026-10-28T00:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(lc, "age_days")), 3);
    assert_string_equal(json_string_value(json_object_get(lc, "verdict")), "errors");
    assert_int_equal(json_integer_value(json_object_get(lc, "mx_cert_days")), -3);
    json_t *f0 = json_array_get(json_object_get(lc, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "code")), "mx-cert-expired");
    assert_string_equal(json_string_value(json_object_get(f0, "fix")), "renew it.");
    json_t *c0 = json_array_get(json_object_get(lc, "mx_certs"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "host")), "mx2.example.com");
    assert_int_equal(json_integer_value(json_object_get(c0, "days_left")), -3);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(expired_unreported_mx_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(expired_reported_mx, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unreachable_policy_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stale_cache_named_verdict_unchanged, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stale_cache_by_mx_lines, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(no_check_no_change, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(other_domain_check_ignored, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(live_check_in_json, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
