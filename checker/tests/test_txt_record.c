/* test_txt_record.c - the _mta-sts and _smtp._tls TXT checks against their ABNF (RFC 8461 §3.1,
 * RFC 8460 §3): table of records -> expected finding code (or "" for none) and extracted values. */
#include "txt_record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct sts_case {
    const char *rec[3]; /* up to 3 TXT records at the name */
    const char *code;   /* the one expected finding, "" for none */
    const char *id;     /* expected id when usable */
};

static const struct sts_case sts_cases[] = {
    {{"v=STSv1; id=20240101T000000;"}, "", "20240101T000000"},
    {{"v=STSv1;id=abc"}, "", "abc"},                     /* no spaces, no trailing ; */
    {{"v=STSv1;  id=abc  ;  "}, "", "abc"},              /* WSP around ; and at the end */
    {{"v=STSv1;\tid=abc;\t"}, "", "abc"},                /* tabs are WSP too */
    {{"v=STSv1; id=abc; ext_1.x-y=val!ue;"}, "", "abc"}, /* extension ignored */
    {{"v=STSv1; foo=bar; id=X1"}, "", "X1"},             /* id after an extension */
    {{"v=STSv1; id=first; id=second;"}, "", "first"},    /* first id wins */
    {{"v=STSv1; id=12345678901234567890123456789012"}, "", "12345678901234567890123456789012"},
    {{"v=STSv1; id=123456789012345678901234567890123"}, "sts-id-invalid", NULL}, /* 33 */
    {{"v=STSv1; id=2024-01-01;"}, "sts-id-invalid", NULL},
    {{"v=STSv1; id=;"}, "sts-record-syntax", NULL}, /* empty value */
    {{"v=STSv1; ID=abc;"}, "sts-id-missing", NULL}, /* %s"id=": case-sensitive */
    {{"v=STSv1; foo=bar"}, "sts-id-missing", NULL},
    {{"v=STSv1;"}, "sts-record-syntax", NULL},           /* at least one field */
    {{"v=STSv1; id=abc;; "}, "sts-record-syntax", NULL}, /* empty field */
    {{"v=STSv1; id abc"}, "sts-record-syntax", NULL},
    {{"v=STSv1; id=abc; x=a b"}, "sts-record-syntax", NULL}, /* SP inside an ext-value */
    {{"v=STSv1; id=abc; =x"}, "sts-record-syntax", NULL},
    {{"v=STSv1 ; id=abc"}, "sts-record-syntax", NULL}, /* does not begin "v=STSv1;" */
    {{"v=STSv1"}, "sts-record-syntax", NULL},
    {{"v=STSv2; id=abc"}, "sts-record-missing", NULL},
    {{"V=STSv1; id=abc"}, "sts-record-missing", NULL},
    {{"some other text", "v=spf1 -all"}, "sts-record-missing", NULL},
    {{NULL}, "sts-record-missing", NULL},
    {{"v=STSv1; id=1;", "v=STSv1; id=2;"}, "sts-record-multiple", NULL},
    {{"v=STSv1; id=1;", "v=spf1 -all"}, "", "1"}, /* other records are discarded */
};

static void test_sts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sts_cases / sizeof sts_cases[0]; i++) {
        const struct sts_case *c = &sts_cases[i];
        struct tlsrpt_findings f = {0};
        struct tlsrpt_sts_txt out;
        size_t n = 0;
        while (n < 3 && c->rec[n] != NULL)
            n++;
        assert_int_equal(tlsrpt_sts_txt_check(c->rec, n, "_mta-sts.example.com", &out, &f), 0);
        if (c->code[0] == '\0') {
            if (f.n != 0)
                print_error("case %zu: unexpected %s\n", i, f.v[0].code);
            assert_int_equal(f.n, 0);
            assert_true(out.usable);
            assert_string_equal(out.id, c->id);
        } else {
            if (f.n != 1)
                print_error("case %zu: %zu findings\n", i, f.n);
            assert_int_equal(f.n, 1);
            assert_string_equal(f.v[0].code, c->code);
            assert_string_equal(f.v[0].object, "_mta-sts.example.com");
            assert_int_equal(f.v[0].severity, TLSRPT_FINDING_ERROR);
            assert_false(out.usable);
        }
        tlsrpt_findings_free(&f);
    }
}

struct rpt_case {
    const char *rec[3];
    const char *codes; /* expected codes joined by ",", "" for none */
    size_t n_rua;
    const char *rua0;
};

static const struct rpt_case rpt_cases[] = {
    {{"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"}, "", 1, "mailto:tlsrpt@example.com"},
    {{"v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/v1"},
     "",
     2,
     "mailto:a@example.com"},
    {{"v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/ ;"},
     "",
     2,
     "mailto:a@example.com"}, /* WSP around the comma and a trailing ; */
    {{"v=TLSRPTv1; rua=https://r.example.com/x; ext=1"}, "", 1, "https://r.example.com/x"},
    {{"v=TLSRPTv1; rua=MAILTO:a@example.com"}, "", 1, "MAILTO:a@example.com"}, /* scheme case */
    {{"v=TLSRPTv1; rua=http://r.example.com/"}, "tlsrpt-rua-invalid", 0, NULL},
    {{"v=TLSRPTv1; rua=mailto:nobody"}, "tlsrpt-rua-invalid", 0, NULL},
    {{"v=TLSRPTv1; rua=mailto:a@example.com,ftp://x"},
     "tlsrpt-rua-invalid",
     1,
     "mailto:a@example.com"},
    {{"v=TLSRPTv1; ruf=mailto:a@example.com"}, "tlsrpt-no-rua", 0, NULL},
    {{"v=TLSRPTv1;"}, "tlsrpt-record-syntax", 0, NULL},
    {{"v=TLSRPTv1"}, "tlsrpt-record-syntax", 0, NULL},
    {{"v=TLSRPTv1 ; rua=mailto:a@example.com"}, "tlsrpt-record-syntax", 0, NULL},
    {{NULL}, "tlsrpt-record-missing", 0, NULL},
    {{"v=STSv1; id=1"}, "tlsrpt-record-missing", 0, NULL},
    {{"v=TLSRPTv1; rua=mailto:a@x.com", "v=TLSRPTv1; rua=mailto:b@x.com"},
     "tlsrpt-record-multiple",
     0,
     NULL},
};

static void codes_of(const struct tlsrpt_findings *f, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < f->n; i++) {
        if (i)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, f->v[i].code, cap - strlen(out) - 1);
    }
}

static void test_rpt(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rpt_cases / sizeof rpt_cases[0]; i++) {
        const struct rpt_case *c = &rpt_cases[i];
        struct tlsrpt_findings f = {0};
        struct tlsrpt_rpt_txt out;
        char codes[256];
        size_t n = 0;
        while (n < 3 && c->rec[n] != NULL)
            n++;
        assert_int_equal(tlsrpt_rpt_txt_check(c->rec, n, "_smtp._tls.example.com", &out, &f), 0);
        codes_of(&f, codes, sizeof codes);
        if (strcmp(codes, c->codes) != 0)
            print_error("case %zu: got \"%s\"\n", i, codes);
        assert_string_equal(codes, c->codes);
        assert_int_equal(out.n_rua, c->n_rua);
        if (c->rua0 != NULL)
            assert_string_equal(out.rua[0], c->rua0);
        tlsrpt_rpt_txt_free(&out);
        tlsrpt_findings_free(&f);
    }
}

static void test_split_positions(void **state)
{
    struct tlsrpt_txt_field fl[4];
    size_t n = 0, pos = 0;
    (void)state;
    assert_int_equal(tlsrpt_txt_split("v=STSv1; a=1; b=2", 7, fl, 4, &n, &pos), 0);
    assert_int_equal(n, 2);
    assert_int_equal(fl[1].name_len, 1);
    assert_memory_equal(fl[1].value, "2", 1);
    /* more fields than the caller's array: an error, not an overflow */
    assert_int_equal(tlsrpt_txt_split("v=STSv1; a=1; b=2; c=3", 7, fl, 2, &n, &pos), -1);
    assert_int_equal(tlsrpt_txt_split("v=STSv1; a=1 x", 7, fl, 4, &n, &pos), 0); /* value "1 x" */
    assert_int_equal(fl[0].value_len, 3);
    assert_int_equal(tlsrpt_txt_split("v=STSv1 id=1", 7, fl, 4, &n, &pos), -1);
    assert_int_equal(pos, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sts),
        cmocka_unit_test(test_rpt),
        cmocka_unit_test(test_split_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
