/* test_sts_policy.c - RFC 8461 §3.2 policy lines and §4.1 MX pattern matching, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sts_policy.h"

#define MAX_LINES 6
#define MAX_MX 4

struct parse_case {
    const char *name;
    const char *lines[MAX_LINES]; /* NULL-terminated */
    const char *version, *mode;   /* NULL = want absent */
    int64_t max_age;
    const char *mx[MAX_MX]; /* NULL-terminated */
};

static const struct parse_case parse_cases[] = {
    {"google order",
     {"version: STSv1", "mode: testing", "max_age: 86400", "mx: *.example.com"},
     "STSv1",
     "testing",
     86400,
     {"*.example.com"}},
    {"microsoft order: mx before max_age",
     {"version: STSv1", "mode: enforce", "mx: mx1.example.com", "mx: mx2.example.com",
      "max_age: 604800"},
     "STSv1",
     "enforce",
     604800,
     {"mx1.example.com", "mx2.example.com"}},
    {"whole file in one element, LF",
     {"version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 3600\n"},
     "STSv1",
     "testing",
     3600,
     {"mail.example.com"}},
    {"whole file in one element, CRLF",
     {"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 3600\r\n"},
     "STSv1",
     "enforce",
     3600,
     {"mail.example.com"}},
    {"whitespace around keys and values",
     {"  version:STSv1  ", "mode:\t testing\t", "\tmax_age :   42 ", " mx :  MX.Example.COM. "},
     "STSv1",
     "testing",
     42,
     {"mx.example.com"}},
    {"duplicated keys: first wins, every mx kept",
     {"mode: testing", "mode: enforce", "max_age: 1", "max_age: 2", "mx: a.example",
      "mx: b.example"},
     NULL,
     "testing",
     1,
     {"a.example", "b.example"}},
    {"first max_age wins even if it is bad",
     {"max_age: soon", "max_age: 5"},
     NULL,
     NULL,
     -1,
     {NULL}},
    {"10-digit max_age", {"max_age: 9999999999"}, NULL, NULL, 9999999999LL, {NULL}},
    {"leading zeros", {"max_age: 0000000001"}, NULL, NULL, 1, {NULL}},
    {"over-long max_age", {"max_age: 12345678901"}, NULL, NULL, -1, {NULL}},
    {"negative max_age", {"max_age: -1"}, NULL, NULL, -1, {NULL}},
    {"max_age with trailing text", {"max_age: 86400s"}, NULL, NULL, -1, {NULL}},
    {"empty max_age", {"max_age:"}, NULL, NULL, -1, {NULL}},
    {"keys are case-sensitive",
     {"Mode: enforce", "MX: mx.example.com", "Version: STSv1"},
     NULL,
     NULL,
     -1,
     {NULL}},
    {"unknown keys and junk lines ignored",
     {"", "no colon here", "foo: bar", "mode: none", "# comment: yes"},
     NULL,
     "none",
     -1,
     {NULL}},
    {"empty mx value skipped",
     {"mx:", "mx:   ", "mx: .", "mx: ok.example"},
     NULL,
     NULL,
     -1,
     {"ok.example"}},
    {"unknown mode kept verbatim", {"mode: Enforce"}, NULL, "Enforce", -1, {NULL}},
    {"empty input", {NULL}, NULL, NULL, -1, {NULL}},
    {"value with colons", {"mode: a:b:c"}, NULL, "a:b:c", -1, {NULL}},
};

static size_t count(const char *const *v, size_t max)
{
    size_t n = 0;
    while (n < max && v[n] != NULL)
        n++;
    return n;
}

static void check_str(const char *name, const char *what, const char *got, const char *want)
{
    if (want == NULL && got == NULL)
        return;
    if (want == NULL || got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: %s = '%s', want '%s'", name, what, got ? got : "(null)",
                 want ? want : "(null)");
}

static void test_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
        const struct parse_case *c = &parse_cases[i];
        struct tlsrpt_sts_policy p;
        assert_int_equal(tlsrpt_sts_policy_parse_lines(c->lines, count(c->lines, MAX_LINES), &p),
                         0);
        check_str(c->name, "version", p.version, c->version);
        check_str(c->name, "mode", p.mode, c->mode);
        if (p.max_age != c->max_age)
            fail_msg("%s: max_age %lld, want %lld", c->name, (long long)p.max_age,
                     (long long)c->max_age);
        size_t want_mx = count(c->mx, MAX_MX);
        if (p.n_mx != want_mx)
            fail_msg("%s: %zu mx, want %zu", c->name, p.n_mx, want_mx);
        for (size_t k = 0; k < want_mx; k++)
            check_str(c->name, "mx", p.mx[k], c->mx[k]);
        tlsrpt_sts_policy_free(&p);
        assert_null(p.mx);
        assert_int_equal(p.max_age, -1);
    }
}

/* A NULL element (defensive) is skipped, not dereferenced. */
static void test_null_element(void **state)
{
    (void)state;
    const char *lines[] = {"mode: testing", NULL, "mx: a.example"};
    struct tlsrpt_sts_policy p;
    assert_int_equal(tlsrpt_sts_policy_parse_lines(lines, 3, &p), 0);
    assert_string_equal(p.mode, "testing");
    assert_int_equal(p.n_mx, 1);
    tlsrpt_sts_policy_free(&p);
}

struct match_case {
    const char *pattern, *host;
    bool want;
};

static const struct match_case match_cases[] = {
    {"*.example.com", "mail.example.com", true},
    {"*.example.com", "example.com", false},
    {"*.example.com", "a.b.example.com", false},
    {"*.example.com", "MAIL.EXAMPLE.COM", true},
    {"*.EXAMPLE.com", "mail.example.com", true},
    {"*.example.com", "mail.example.com.", true},
    {"*.example.com.", "mail.example.com", true},
    {"*.example.com", ".example.com", false},
    {"*.example.com", "mailexample.com", false},
    {"*.example.com", "mail.example.co", false},
    {"*.example.com", "mail.example.com.evil", false},
    {"mail.example.com", "mail.example.com", true},
    {"mail.example.com", "MAIL.example.COM.", true},
    {"mail.example.com", "mx.mail.example.com", false},
    {"mail.example.com", "example.com", false},
    {"example.com", "mail.example.com", false},
    {"*", "example.com", false},
    {"*", "com", false},
    {"*.", "a.", false},
    {"*.*.example.com", "a.b.example.com", false},
    {"mx*.example.com", "mx1.example.com", false},
    {"a.*.example.com", "a.b.example.com", false},
    {"", "", false},
    {"", "example.com", false},
    {"example.com", "", false},
    {".", ".", false},
    {NULL, "example.com", false},
    {"example.com", NULL, false},
};

static void test_match(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof match_cases / sizeof *match_cases; i++) {
        const struct match_case *c = &match_cases[i];
        if (tlsrpt_mx_pattern_match(c->pattern, c->host) != c->want)
            fail_msg("match('%s', '%s') != %s", c->pattern ? c->pattern : "(null)",
                     c->host ? c->host : "(null)", c->want ? "true" : "false");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_null_element),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
