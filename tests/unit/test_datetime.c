/* test_datetime.c - RFC 3339 parsing with the quirks of quirks.md §3.1, and the UTC formatter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "datetime.h"
#include "report.h"

struct ok_case {
    const char *in;
    int64_t want; /* unix seconds, computed independently (date -u -d ... +%s) */
    uint32_t flags;
};

static const struct ok_case ok_cases[] = {
    {"2024-09-03T00:00:00Z", 1725321600, 0},
    {"2024-09-03T23:59:59Z", 1725407999, 0},
    {"2024-09-03t23:59:59z", 1725407999, 0}, /* RFC 3339 §5.6 note: lower case allowed */
    {"1970-01-01T00:00:00Z", 0, 0},
    {"1969-12-31T23:59:59Z", -1, 0},
    {"2000-02-29T12:00:00Z", 951825600, 0}, /* leap year divisible by 400 */
    {"2024-02-29T00:00:00Z", 1709164800, 0},
    {"2016-12-31T23:59:60Z", 1483228800, 0}, /* leap second: the next instant */
    /* Microsoft 2023: no zone, read as UTC */
    {"2023-01-10T00:00:00", 1673308800, TLSRPT_F_DATETIME_NO_ZONE},
    {"2023-01-10T23:59:59", 1673395199, TLSRPT_F_DATETIME_NO_ZONE},
    /* offsets converted to UTC */
    {"2024-09-03T02:00:00+02:00", 1725321600, TLSRPT_F_DATETIME_OFFSET},
    {"2024-09-02T19:00:00-05:00", 1725321600, TLSRPT_F_DATETIME_OFFSET},
    {"2024-09-03T05:30:00+05:30", 1725321600, TLSRPT_F_DATETIME_OFFSET},
    {"2024-09-03T00:00:00+00:00", 1725321600, 0}, /* an offset of zero converts nothing */
    {"2024-09-03T00:00:00-00:00", 1725321600, 0},
    /* fractions dropped */
    {"2024-09-03T00:00:00.5Z", 1725321600, TLSRPT_F_DATETIME_FRACTION},
    {"2024-09-03T23:59:59.999999999Z", 1725407999, TLSRPT_F_DATETIME_FRACTION},
    {"2024-09-03T00:00:00.123", 1725321600, TLSRPT_F_DATETIME_FRACTION | TLSRPT_F_DATETIME_NO_ZONE},
    {"2024-09-03T01:00:00.250+01:00", 1725321600,
     TLSRPT_F_DATETIME_FRACTION | TLSRPT_F_DATETIME_OFFSET},
    {"0000-01-01T00:00:00Z", -62167219200, 0},
    {"9999-12-31T23:59:59Z", 253402300799, 0},
};

static void test_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ok_cases / sizeof *ok_cases; i++) {
        const struct ok_case *c = &ok_cases[i];
        struct tlsrpt_datetime dt;
        const char *why = "unset";
        int rc = tlsrpt_datetime_parse(c->in, strlen(c->in), &dt, &why);
        if (rc != 0)
            fail_msg("%s: rejected (%s)", c->in, why);
        if (dt.t != c->want)
            fail_msg("%s: got %lld, want %lld", c->in, (long long)dt.t, (long long)c->want);
        if (dt.flags != c->flags)
            fail_msg("%s: flags 0x%x, want 0x%x", c->in, dt.flags, c->flags);
        assert_null(why);
    }
}

static const char *const bad_cases[] = {
    "",
    "2024-09-03",
    "2024-09-03T00:00Z",
    "2024-09-03 00:00:00Z", /* space separator: not RFC 3339 §5.6 */
    "2024-9-03T00:00:00Z",
    "24-09-03T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-01T00:00:00Z",
    "2023-02-29T00:00:00Z", /* not a leap year */
    "1900-02-29T00:00:00Z", /* divisible by 100, not 400 */
    "2024-04-31T00:00:00Z",
    "2024-09-00T00:00:00Z",
    "2024-09-03T24:00:00Z",
    "2024-09-03T00:60:00Z",
    "2024-09-03T00:00:61Z",
    "2024-09-03T00:00:00.Z",
    "2024-09-03T00:00:00+2:00",
    "2024-09-03T00:00:00+0200",
    "2024-09-03T00:00:00+24:00",
    "2024-09-03T00:00:00+02:60",
    "2024-09-03T00:00:00ZZ",
    "2024-09-03T00:00:00Z ",
    " 2024-09-03T00:00:00Z",
    "2024-09-03T00:00:00UTC",
    "2024-09-03T00:00:00+02:00x",
    "0000-01-01T00:00:00+01:00", /* before year 0 once converted */
    "2024-09-03T0a:00:00Z",
    "-024-09-03T00:00:00Z",
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        struct tlsrpt_datetime dt;
        const char *why = NULL;
        if (tlsrpt_datetime_parse(bad_cases[i], strlen(bad_cases[i]), &dt, &why) == 0)
            fail_msg("'%s' accepted as %lld", bad_cases[i], (long long)dt.t);
        assert_non_null(why);
    }
}

/* len bounds the parse: bytes after it (or a NUL inside) must not be read as part of the value. */
static void test_len_bounds(void **state)
{
    (void)state;
    struct tlsrpt_datetime dt;
    const char *why;
    const char s[] = "2024-09-03T00:00:00Zjunk";
    assert_int_equal(tlsrpt_datetime_parse(s, 20, &dt, &why), 0);
    assert_int_equal(dt.t, 1725321600);
    assert_int_equal(tlsrpt_datetime_parse(s, 19, &dt, &why), 0); /* cut before Z: no zone */
    assert_int_equal(dt.flags, TLSRPT_F_DATETIME_NO_ZONE);
    assert_int_not_equal(tlsrpt_datetime_parse(s, 18, &dt, &why), 0);
}

/* minute/second are those written, before offset conversion: the inclusive-end rule reads them. */
static void test_written_fields(void **state)
{
    (void)state;
    struct tlsrpt_datetime dt;
    const char *why;
    const char *s = "2024-09-03T23:59:59+05:30";
    assert_int_equal(tlsrpt_datetime_parse(s, strlen(s), &dt, &why), 0);
    assert_int_equal(dt.minute, 59);
    assert_int_equal(dt.second, 59);
    assert_int_equal(dt.t, 1725388199); /* 18:29:59Z */
}

static void test_format(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(tlsrpt_datetime_format(1725321600, buf, sizeof buf), 0);
    assert_string_equal(buf, "2024-09-03T00:00:00Z");
    assert_int_equal(tlsrpt_datetime_format(-1, buf, sizeof buf), 0);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(tlsrpt_datetime_format(1725407999 + 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "2024-09-04T00:00:00Z");
    assert_int_not_equal(tlsrpt_datetime_format(0, buf, 20), 0); /* needs 21 bytes */
    assert_int_not_equal(tlsrpt_datetime_format(INT64_MAX, buf, sizeof buf), 0);

    /* round trip of every accepted case that has a zone */
    for (size_t i = 0; i < sizeof ok_cases / sizeof *ok_cases; i++) {
        struct tlsrpt_datetime dt, back;
        const char *why;
        assert_int_equal(tlsrpt_datetime_parse(ok_cases[i].in, strlen(ok_cases[i].in), &dt, &why),
                         0);
        assert_int_equal(tlsrpt_datetime_format(dt.t, buf, sizeof buf), 0);
        assert_int_equal(tlsrpt_datetime_parse(buf, strlen(buf), &back, &why), 0);
        assert_int_equal(back.t, dt.t);
        assert_int_equal(back.flags, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),         cmocka_unit_test(test_bad),
        cmocka_unit_test(test_len_bounds), cmocka_unit_test(test_written_fields),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
