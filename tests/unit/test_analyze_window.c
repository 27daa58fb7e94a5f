/* test_analyze_window.c - the time arguments of tlsrpt-report (window.h), table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "window.h"

#define NOW 1792069200LL      /* 2026-10-15T13:00:00Z */
#define MIDNIGHT 1792022400LL /* 2026-10-15T00:00:00Z */

struct case_ok {
    const char *in;
    int64_t want;
};

static void accepted(void **state)
{
    (void)state;
    static const struct case_ok cases[] = {
        {"14d", MIDNIGHT - 14 * 86400},
        {"1d", MIDNIGHT - 86400},
        {"0d", MIDNIGHT},
        {"2w", MIDNIGHT - 14 * 86400},
        {"36h", NOW - 36 * 3600},
        {"0h", NOW},
        {"now", NOW},
        {"2026-10-03", 1790985600LL},
        {"2024-02-29", 1709164800LL},
        {"2026-10-03T12:00:00Z", 1791028800LL},
        {"2026-10-03T14:00:00+02:00", 1791028800LL},
        {"2026-10-03T12:00:00.75Z", 1791028800LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        const char *why = NULL;
        if (tlsrpt_window_parse(cases[i].in, NOW, &t, &why) != 0)
            fail_msg("'%s' refused: %s", cases[i].in, why);
        if (t != cases[i].want)
            fail_msg("'%s' gave %lld, want %lld", cases[i].in, (long long)t,
                     (long long)cases[i].want);
    }
}

static void refused(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",
        "d",
        "14x",
        "-3d",
        "14 d",
        "1.5d",
        "999999999d",
        "2026-02-30",
        "2026-13-01",
        "2026-1-01",
        "2026-10-03T12:00",
        "yesterday",
        "14dd",
        "2025-02-29",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        const char *why = NULL;
        if (tlsrpt_window_parse(cases[i], NOW, &t, &why) == 0)
            fail_msg("'%s' accepted as %lld", cases[i], (long long)t);
        assert_non_null(why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
