/* test_analyze_paths.c - the two ways the analysis reads the database give the same figures:
 * --domain (one index range per domain) and every domain at once (one pass over the window, rows
 * grouped by domain in memory, details read by id range and filtered). */
#include "analyze_fixture.h"

#include <jansson.h>

/* A mixed database: twins, failures on several MXes and the policy host, a report naming two
 * domains, and out-of-window reports with failures whose ids lie between in-window ones. */
static void fill(struct fx *f)
{
    static const char *const orgs[] = {"Google", "Microsoft", "Mail.ru"};
    for (int day = -2; day < 9; day++)
        for (int o = 0; o < 3; o++) {
            struct tlsrpt_report *r = fx_report(orgs[o], FX_DAY0 + day * FX_DAY);
            for (int d = 0; d < 3; d++) {
                char domain[32];
                snprintf(domain, sizeof domain, "d%d.example", d);
                if ((day + d + o) % 4 == 0 && d > 0)
                    continue; /* not every domain every day */
                struct tlsrpt_policy *p =
                    fx_sts_report(r, domain, 100 + day * 10 + o, (day + o + d) % 3);
                if ((day + o + d) % 3 != 0)
                    fx_detail(p, o == 2 ? "sts-policy-fetch-error" : "certificate-expired",
                              o == 2 ? NULL : "mx2.example.com", NULL, (day + o + d) % 3);
                if (o == 1) { /* Microsoft's twin */
                    p = fx_policy(r, "tlsa", domain, 100 + day * 10 + o, (day + o + d) % 3);
                    if ((day + o + d) % 3 != 0)
                        fx_detail(p, "tlsa-invalid", "mx2.example.com", NULL, (day + o + d) % 3);
                }
            }
            fx_store(f, r);
        }
}

static void paths_agree(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    fill(f);
    const struct tlsrpt_analysis *all = fx_analyze_t(f, NULL, NULL);
    assert_int_equal(all->n_domains, 3);
    json_t *every = tlsrpt_analysis_to_json(all);
    assert_non_null(every);
    json_t *domains = json_object_get(every, "domains");
    for (size_t i = 0; i < json_array_size(domains); i++) {
        json_t *d = json_array_get(domains, i);
        const char *name = json_string_value(json_object_get(d, "domain"));
        const struct tlsrpt_analysis *one = fx_analyze_t(f, name, NULL);
        json_t *alone = tlsrpt_analysis_to_json(one);
        json_t *d1 = json_array_get(json_object_get(alone, "domains"), 0);
        if (!json_equal(d, d1)) {
            char *a = json_dumps(d, JSON_INDENT(1)), *b = json_dumps(d1, JSON_INDENT(1));
            fail_msg("%s differs:\n%s\n--- alone ---\n%s", name, a, b);
        }
        json_decref(alone);
    }
    json_decref(every);
    fx_free(f);
}

/* Failures of a report outside the window, stored between two inside it, are not counted. */
static void details_outside_window_skipped(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    int64_t days[3] = {FX_DAY0 + FX_DAY, FX_DAY0 - 5 * FX_DAY, FX_DAY0 + 2 * FX_DAY};
    for (int i = 0; i < 3; i++) {
        struct tlsrpt_report *r = fx_report("Google", days[i]);
        struct tlsrpt_policy *p = fx_sts_report(r, "example.com", 10, 1 + i);
        fx_detail(p, "certificate-expired", "mx1.example.com", NULL, 1 + i);
        fx_store(f, r);
    }
    const struct tlsrpt_analysis *a = fx_analyze_t(f, NULL, NULL);
    assert_int_equal(a->n_domains, 1);
    assert_int_equal(a->domains[0].failed, 1 + 3);
    assert_int_equal(a->domains[0].n_by_mx, 1);
    assert_int_equal(a->domains[0].by_mx[0].failed, 1 + 3);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_agree),
        cmocka_unit_test(details_outside_window_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
