/* test_pure_helpers.c - the small pure pieces around the network code: TXT/MX RDATA decoding, SMTP
 * reply recognition (incl. the STARTTLS injection leftover), the certificate judgement, the
 * media-type test, the domain argument and --suggest's id and policy. */
#include "cert.h"
#include "check.h"
#include "dns_rdata.h"
#include "fetch.h"
#include "policy_doc.h"
#include "smtp_reply.h"
#include "suggest.h"

#include <gnutls/gnutls.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_txt_rdata(void **state)
{
    int bad;
    char *s;
    (void)state;
    static const uint8_t two[] = "\x08v=STSv1;\x04 id=\x01x";
    s = tlsrpt_txt_rdata_join(two, sizeof two - 1, &bad);
    assert_non_null(s);
    assert_string_equal(s, "v=STSv1; id=x"); /* strings joined with nothing in between */
    free(s);
    static const uint8_t empty_string[] = "\x00";
    s = tlsrpt_txt_rdata_join(empty_string, 1, &bad);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    static const uint8_t overrun[] = "\x09short";
    assert_null(tlsrpt_txt_rdata_join(overrun, sizeof overrun - 1, &bad));
    assert_true(bad);
    static const uint8_t nul[] = "\x03"
                                 "a\0b";
    assert_null(tlsrpt_txt_rdata_join(nul, 4, &bad));
    assert_true(bad);
}

static void test_mx_rdata(void **state)
{
    char host[TLSRPT_DNS_NAME_MAX];
    uint16_t pref;
    (void)state;
    static const uint8_t mx[] = "\x00\x0a\x03MX1\x07"
                                "example\x03"
                                "com\x00";
    assert_int_equal(tlsrpt_mx_rdata(mx, sizeof mx - 1, &pref, host), 0);
    assert_int_equal(pref, 10);
    assert_string_equal(host, "mx1.example.com");
    static const uint8_t null_mx[] = "\x00\x00\x00";
    assert_int_equal(tlsrpt_mx_rdata(null_mx, 3, &pref, host), 0);
    assert_string_equal(host, ".");
    static const uint8_t compressed[] = "\x00\x0a\xc0\x0c";
    assert_int_equal(tlsrpt_mx_rdata(compressed, 4, &pref, host), -1);
    static const uint8_t trailing[] = "\x00\x0a\x01"
                                      "a\x00\x00";
    assert_int_equal(tlsrpt_mx_rdata(trailing, 6, &pref, host), -1);
    static const uint8_t odd[] = "\x00\x0a\x03"
                                 "a b\x00";
    assert_int_equal(tlsrpt_mx_rdata(odd, 7, &pref, host), -1);
}

static void test_smtp_reply(void **state)
{
    struct tlsrpt_smtp_reply r;
    (void)state;
    const char *ehlo = "250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
    assert_int_equal(tlsrpt_smtp_reply_scan(ehlo, strlen(ehlo), &r), 1);
    assert_int_equal(r.code, 250);
    assert_true(r.has_starttls);
    assert_int_equal(r.consumed, strlen(ehlo));
    /* the greeting line's text is not a keyword */
    const char *g = "250-STARTTLS\r\n250 SIZE 1000\r\n";
    assert_int_equal(tlsrpt_smtp_reply_scan(g, strlen(g), &r), 1);
    assert_false(r.has_starttls);
    const char *no = "250-mx\r\n250-STARTTLSX\r\n250 SIZE\r\n";
    assert_int_equal(tlsrpt_smtp_reply_scan(no, strlen(no), &r), 1);
    assert_false(r.has_starttls);
    /* incomplete: more bytes needed */
    assert_int_equal(tlsrpt_smtp_reply_scan("250-a\r\n250", 10, &r), 0);
    assert_int_equal(tlsrpt_smtp_reply_scan("220 ready", 9, &r), 0);
    /* bare "220" and LF-only lines */
    assert_int_equal(tlsrpt_smtp_reply_scan("220\n", 4, &r), 1);
    assert_int_equal(r.code, 220);
    /* STARTTLS injection: the reply ends before the buffer does */
    const char *inj = "220 go ahead\r\n250 injected\r\n";
    assert_int_equal(tlsrpt_smtp_reply_scan(inj, strlen(inj), &r), 1);
    assert_int_equal(r.consumed, 14);
    assert_true(r.consumed < strlen(inj));
    /* not SMTP */
    assert_int_equal(tlsrpt_smtp_reply_scan("HTTP/1.1 400\r\n", 14, &r), -1);
    assert_int_equal(tlsrpt_smtp_reply_scan("250-a\r\n220 b\r\n", 14, &r), -1);
    char longline[600];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "220 ", 4);
    assert_int_equal(tlsrpt_smtp_reply_scan(longline, sizeof longline, &r), -1);
}

static void codes(const struct tlsrpt_findings *f, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < f->n; i++) {
        if (i)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, f->v[i].code, cap - strlen(out) - 1);
    }
}

static void test_cert_judge(void **state)
{
    const time_t now = 1800000000;
    struct tlsrpt_cert_facts c;
    struct tlsrpt_findings f = {0};
    char got[256];
    (void)state;

    memset(&c, 0, sizeof c);
    c.handshake_ok = c.have_cert = 1;
    c.n_dns_san = 1;
    c.name_ok = 1;
    c.not_before = now - 86400;
    c.not_after = now + 100 * 86400 + 5;
    assert_int_equal(tlsrpt_cert_judge(&c, "mx", "mx1.example.com", "o", 14, now, &f), 100);
    assert_int_equal(f.n, 0);

    c.not_after = now + 9 * 86400 + 3600; /* 9 days and an hour: "9 days" */
    assert_int_equal(tlsrpt_cert_judge(&c, "mx", "mx1.example.com", "o", 14, now, &f), 9);
    codes(&f, got, sizeof got);
    assert_string_equal(got, "mx-cert-expires-soon");
    assert_string_equal(f.v[0].message, "certificate of mx1.example.com expires in 9 day(s)");
    tlsrpt_findings_free(&f);

    c.not_after = now - 3 * 86400;
    c.chain_status = GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED;
    tlsrpt_cert_judge(&c, "policy", "mta-sts.example.com", "o", 14, now, &f);
    codes(&f, got, sizeof got);
    assert_string_equal(got, "policy-cert-expired"); /* not "expires soon", not "untrusted" */
    tlsrpt_findings_free(&f);

    c.not_after = now + 400 * 86400;
    c.chain_status = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;
    c.n_dns_san = 0; /* CN only */
    c.name_ok = 0;
    tlsrpt_cert_judge(&c, "mx", "mx1.example.com", "o", 14, now, &f);
    codes(&f, got, sizeof got);
    assert_string_equal(got, "mx-cert-untrusted,mx-cert-no-dns-san"); /* every problem at once */
    tlsrpt_findings_free(&f);

    c.chain_status = 0;
    c.n_dns_san = 1;
    c.wildcard_san = 1;
    tlsrpt_cert_judge(&c, "policy", "mta-sts.a.example.com", "o", 14, now, &f);
    codes(&f, got, sizeof got);
    assert_string_equal(got, "policy-cert-wildcard-mismatch");
    tlsrpt_findings_free(&f);

    c.wildcard_san = 0;
    tlsrpt_cert_judge(&c, "policy", "mta-sts.a.example.com", "o", 14, now, &f);
    codes(&f, got, sizeof got);
    assert_string_equal(got, "policy-cert-name-mismatch");
    tlsrpt_findings_free(&f);

    c.handshake_ok = 0;
    assert_int_equal(tlsrpt_cert_judge(&c, "mx", "h", "o", 14, now, &f), INT32_MIN);
    assert_int_equal(f.n, 0);

    assert_int_equal(tlsrpt_days_until(now - 1, now), -1);
    assert_int_equal(tlsrpt_days_until(now + 86399, now), 0);
}

static void test_text_plain(void **state)
{
    (void)state;
    assert_true(tlsrpt_is_text_plain("text/plain"));
    assert_true(tlsrpt_is_text_plain("Text/Plain; charset=utf-8"));
    assert_true(tlsrpt_is_text_plain("text/plain ;charset=us-ascii"));
    assert_false(tlsrpt_is_text_plain("text/html"));
    assert_false(tlsrpt_is_text_plain("text/plainx"));
    assert_false(tlsrpt_is_text_plain(""));
    assert_false(tlsrpt_is_text_plain(NULL));
}

static void test_domain_arg(void **state)
{
    char d[256];
    (void)state;
    assert_int_equal(tlsrpt_check_domain_arg("Example.COM.", d, sizeof d), 0);
    assert_string_equal(d, "example.com");
    assert_int_equal(tlsrpt_check_domain_arg("localhost", d, sizeof d), -1); /* needs a dot */
    assert_int_equal(tlsrpt_check_domain_arg("*.example.com", d, sizeof d), -1);
    assert_int_equal(tlsrpt_check_domain_arg("exa mple.com", d, sizeof d), -1);
    assert_int_equal(tlsrpt_check_domain_arg("bücher.de", d, sizeof d), -1);
    assert_int_equal(tlsrpt_check_domain_arg("xn--bcher-kva.de", d, sizeof d), 0);
}

static void test_suggest(void **state)
{
    char id[16];
    (void)state;
    tlsrpt_suggest_id(1764357907, id); /* 2025-11-28 19:25:07 UTC */
    assert_string_equal(id, "20251128T192507");
    const char *mx[] = {"mx1.example.com", "mx2.example.com"};
    char *p = tlsrpt_suggest_policy(mx, 2);
    assert_non_null(p);
    assert_string_equal(p, "version: STSv1\nmode: testing\nmx: mx1.example.com\n"
                           "mx: mx2.example.com\nmax_age: 86400\n");
    /* what we suggest must pass our own strict check, with only the "still testing" warning */
    struct tlsrpt_findings f = {0};
    struct tlsrpt_policy_doc doc;
    assert_int_equal(tlsrpt_policy_doc_check(p, strlen(p), "U", &doc, &f), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].code, "mode-testing");
    tlsrpt_policy_doc_free(&doc);
    tlsrpt_findings_free(&f);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_txt_rdata),  cmocka_unit_test(test_mx_rdata),
        cmocka_unit_test(test_smtp_reply), cmocka_unit_test(test_cert_judge),
        cmocka_unit_test(test_text_plain), cmocka_unit_test(test_domain_arg),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
