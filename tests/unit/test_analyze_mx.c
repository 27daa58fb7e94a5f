/* test_analyze_mx.c - MX pattern matching (RFC 8461 §4.1) as the analyzer uses it: the function
 * itself on a table, then through an analysis (by_mx[].matches_policy and mx-not-in-policy). */
#include "analyze_fixture.h"
#include "sts_policy.h"

struct mx_case {
    const char *pattern, *host;
    bool want;
};

static void pattern_table(void **state)
{
    (void)state;
    static const struct mx_case cases[] = {
        {"mx1.example.com", "mx1.example.com", true},
        {"mx1.example.com", "MX1.Example.COM", true},
        {"mx1.example.com.", "mx1.example.com", true},
        {"mx1.example.com", "mx1.example.com.", true},
        {"mx1.example.com", "mx2.example.com", false},
        {"mx1.example.com", "a.mx1.example.com", false},
        {"*.example.com", "mail.example.com", true},
        {"*.example.com", "example.com", false},
        {"*.example.com", "a.b.example.com", false},
        {"*.example.com", "mailexample.com", false},
        {"*.example.com", ".example.com", false},
        {"*.mail.example.com", "mx.mail.example.com", true},
        {"mx*.example.com", "mx1.example.com", false},
        {"*", "example.com", false},
        {"", "example.com", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (tlsrpt_mx_pattern_match(cases[i].pattern, cases[i].host) != cases[i].want)
            fail_msg("pattern '%s' host '%s': want %s", cases[i].pattern, cases[i].host,
                     cases[i].want ? "match" : "no match");
}

/* Patterns of the newest policy decide; an IP or the policy host is not checked. */
static void matches_policy_in_analysis(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 1000, 4);
    fx_sts(p, "testing", 86400, "*.example.com,backup.example.net");
    fx_detail(p, "some-type", "in.example.com", NULL, 1);
    fx_detail(p, "some-type", "deep.in.example.com", NULL, 1);
    fx_detail(p, "some-type", "backup.example.net", NULL, 1);
    fx_detail(p, "some-type", NULL, "192.0.2.7", 1);
    fx_store(f, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(f, "example.com");
    assert_int_equal(d->n_by_mx, 4);
    for (size_t i = 0; i < d->n_by_mx; i++) {
        const struct tlsrpt_mx_stats *m = &d->by_mx[i];
        if (strcmp(m->mx, "in.example.com") == 0 || strcmp(m->mx, "backup.example.net") == 0)
            assert_int_equal(m->matches_policy, 1);
        else if (strcmp(m->mx, "deep.in.example.com") == 0)
            assert_int_equal(m->matches_policy, 0);
        else {
            assert_string_equal(m->mx, "192.0.2.7");
            assert_int_equal(m->kind, TLSRPT_MX_IP);
            assert_int_equal(m->matches_policy, -1);
        }
    }
    assert_int_equal(fx_count_reasons(d, "mx-not-in-policy"), 1);
    assert_string_equal(fx_reason(d, "mx-not-in-policy")->mx, "deep.in.example.com");
    fx_free(f);
}

/* A policy without mx patterns (mode none, or a reporter that sent none) checks nothing. */
static void no_patterns_no_check(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    struct tlsrpt_report *r = fx_report("Google", FX_DAY0);
    struct tlsrpt_policy *p = fx_policy(r, "sts", "example.com", 1000, 1);
    fx_sts(p, "testing", 86400, NULL);
    fx_detail(p, "some-type", "anything.example.org", NULL, 1);
    fx_store(f, r);
    const struct tlsrpt_domain_analysis *d = fx_domain(f, "example.com");
    assert_int_equal(d->by_mx[0].matches_policy, -1);
    assert_null(fx_reason(d, "mx-not-in-policy"));
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pattern_table),
        cmocka_unit_test(matches_policy_in_analysis),
        cmocka_unit_test(no_patterns_no_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
