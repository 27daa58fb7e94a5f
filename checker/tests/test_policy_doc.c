/* test_policy_doc.c - the policy file against RFC 8461 §3.2: a table of policy texts and the exact
 * finding codes each gives, plus the values extracted. */
#include "policy_doc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct pcase {
    const char *text;
    const char *codes; /* sorted, joined by "," ("" none) */
    const char *mode;  /* expected mode name ("" unset) */
    long long max_age; /* expected, -1 unknown */
    size_t n_mx;
    int usable;
};

#define GOOD_TAIL "mx: mx1.example.com\r\nmax_age: 604800\r\n"

static const struct pcase cases[] = {
    {"version: STSv1\r\nmode: enforce\r\n" GOOD_TAIL, "", "enforce", 604800, 1, 1},
    /* LF only, no final terminator */
    {"version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800", "", "enforce", 604800,
     1, 1},
    /* no space after the colon, trailing WSP, tabs */
    {"version:STSv1\nmode:\tenforce \nmx:*.example.com\t\nmax_age:604800  \n", "", "enforce",
     604800, 1, 1},
    /* unknown keys ignored, also with - _ . in the name */
    {"version: STSv1\nmode: enforce\nfoo-bar_1.x: any thing\n" GOOD_TAIL, "", "enforce", 604800, 1,
     1},
    /* first of a duplicated key wins (and is reported) */
    {"version: STSv1\nmode: enforce\nmode: none\n" GOOD_TAIL, "policy-duplicate-key", "enforce",
     604800, 1, 1},
    /* max_age: 10 digits parse; above 31557600 is flagged; 11 digits are invalid */
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 9999999999\n",
     "policy-max-age-too-large", "enforce", 9999999999LL, 1, 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557600\n", "", "enforce", 31557600,
     1, 1},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
     "policy-max-age-too-large", "enforce", 31557601, 1, 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n",
     "policy-max-age-invalid", "enforce", -1, 1, 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "policy-max-age-invalid",
     "enforce", -1, 1, 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\n", "policy-max-age-missing", "enforce", -1, 1,
     0},
    /* advice: long max_age while testing, short under enforce */
    {"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 604800\n",
     "max-age-long-while-testing,mode-testing", "testing", 604800, 1, 1},
    {"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 86400\n", "mode-testing", "testing",
     86400, 1, 1},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\n", "max-age-short", "enforce",
     86400, 1, 1},
    /* mode */
    {"version: STSv1\nmode: Enforce\n" GOOD_TAIL, "policy-mode-invalid", "invalid", 604800, 1, 0},
    {"version: STSv1\n" GOOD_TAIL, "policy-mode-missing", "", 604800, 1, 0},
    {"version: STSv1\nmode: none\nmax_age: 86400\n", "mode-none", "none", 86400, 0, 1},
    /* mx */
    {"version: STSv1\nmode: enforce\nmax_age: 604800\n", "policy-no-mx", "enforce", 604800, 0, 0},
    {"version: STSv1\nmode: enforce\nmx: bad_host!\nmax_age: 604800\n",
     "policy-mx-invalid,policy-no-mx", "enforce", 604800, 0, 0},
    {"version: STSv1\nmode: enforce\nmx: mail.*.example.com\nmax_age: 604800\n",
     "policy-mx-invalid,policy-no-mx", "enforce", 604800, 0, 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmx: *.b.example\nmx: C.Example.\n"
     "max_age: 604800\n",
     "", "enforce", 604800, 3, 1},
    /* version */
    {"version: STSv2\nmode: enforce\n" GOOD_TAIL, "policy-version", "enforce", 604800, 1, 0},
    {"mode: enforce\n" GOOD_TAIL, "policy-version", "enforce", 604800, 1, 0},
    /* syntax: space before the colon, no colon, empty value, blank lines */
    {"version : STSv1\nmode: enforce\n" GOOD_TAIL, "policy-syntax,policy-version", "enforce",
     604800, 1, 0},
    {"version: STSv1\nmode enforce\n" GOOD_TAIL, "policy-mode-missing,policy-syntax", "", 604800, 1,
     0},
    {"version: STSv1\nmode:\n" GOOD_TAIL, "policy-mode-missing,policy-syntax", "", 604800, 1, 0},
    {"version: STSv1\r\n\r\nmode: enforce\r\n" GOOD_TAIL "\r\n", "policy-blank-line", "enforce",
     604800, 1, 1},
    /* keys are case-sensitive: "Mode" is an unknown extension */
    {"version: STSv1\nMode: enforce\n" GOOD_TAIL, "policy-mode-missing", "", 604800, 1, 0},
    /* HTML served by mistake */
    {"<html><body>hello</body></html>\n",
     "policy-max-age-missing,policy-mode-missing,policy-no-mx,policy-syntax,policy-version", "", -1,
     0, 0},
    {"", "policy-max-age-missing,policy-mode-missing,policy-no-mx,policy-version", "", -1, 0, 0},
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sorted_codes(const struct tlsrpt_findings *f, char *out, size_t cap)
{
    const char *v[64] = {0};
    size_t n = 0;
    for (; n < f->n && n < 64; n++)
        v[n] = f->v[n].code;
    qsort(v, n, sizeof v[0], cmp);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, v[i], cap - strlen(out) - 1);
    }
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pcase *c = &cases[i];
        struct tlsrpt_findings f = {0};
        struct tlsrpt_policy_doc p;
        char codes[512];
        assert_int_equal(tlsrpt_policy_doc_check(c->text, strlen(c->text), "U", &p, &f), 0);
        sorted_codes(&f, codes, sizeof codes);
        if (strcmp(codes, c->codes) != 0)
            print_error("case %zu: got \"%s\"\n", i, codes);
        assert_string_equal(codes, c->codes);
        assert_string_equal(tlsrpt_sts_mode_name(p.mode), c->mode);
        assert_int_equal(p.max_age, c->max_age);
        assert_int_equal(p.n_mx, c->n_mx);
        assert_int_equal(p.usable, c->usable);
        tlsrpt_policy_doc_free(&p);
        tlsrpt_findings_free(&f);
    }
}

static void test_values(void **state)
{
    const char *t = "version: STSv1\nmode: testing\nmx: MX1.Example.COM.\nmx: *.example.net\n"
                    "max_age: 86400\n";
    struct tlsrpt_findings f = {0};
    struct tlsrpt_policy_doc p;
    (void)state;
    assert_int_equal(tlsrpt_policy_doc_check(t, strlen(t), "U", &p, &f), 0);
    assert_int_equal(p.n_mx, 2);
    assert_string_equal(p.mx[0], "mx1.example.com"); /* lower-cased, trailing dot dropped */
    assert_string_equal(p.mx[1], "*.example.net");
    assert_true(p.version_ok);
    tlsrpt_policy_doc_free(&p);
    tlsrpt_findings_free(&f);
}

static void test_nul_and_binary(void **state)
{
    const char t[] = "version: STSv1\nmo\0de: enforce\n";
    struct tlsrpt_findings f = {0};
    struct tlsrpt_policy_doc p;
    (void)state;
    /* a NUL byte inside a key must not be read past or crash; the line is a syntax error */
    assert_int_equal(tlsrpt_policy_doc_check(t, sizeof t - 1, "U", &p, &f), 0);
    assert_true(f.n > 0);
    assert_false(p.usable);
    tlsrpt_policy_doc_free(&p);
    tlsrpt_findings_free(&f);
}

static void test_mx_pattern_valid(void **state)
{
    (void)state;
    assert_true(tlsrpt_mx_pattern_valid("mx.example.com", 14));
    assert_true(tlsrpt_mx_pattern_valid("*.example.com", 13));
    assert_true(tlsrpt_mx_pattern_valid("a-b.c", 5));
    assert_false(tlsrpt_mx_pattern_valid("-a.c", 4));
    assert_false(tlsrpt_mx_pattern_valid("a-.c", 4));
    assert_false(tlsrpt_mx_pattern_valid("a..c", 4));
    assert_false(tlsrpt_mx_pattern_valid("*", 1));
    assert_false(tlsrpt_mx_pattern_valid("*.", 2));
    assert_false(tlsrpt_mx_pattern_valid("a.*.c", 5));
    assert_false(tlsrpt_mx_pattern_valid("", 0));
    char label[70];
    memset(label, 'a', 64);
    memcpy(label + 64, ".com", 5);
    assert_false(tlsrpt_mx_pattern_valid(label, 68)); /* 64-byte label */
    assert_true(tlsrpt_mx_pattern_valid(label + 1, 67));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_nul_and_binary),
        cmocka_unit_test(test_mx_pattern_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
