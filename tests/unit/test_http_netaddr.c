/* test_http_netaddr.c - address parsing, IPv4-mapped folding, CIDR lists, X-Forwarded-For. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct tlsrpt_ip ip_of(const char *s)
{
    struct tlsrpt_ip ip;
    assert_int_equal(tlsrpt_ip_parse(s, strlen(s), &ip), 0);
    return ip;
}

static void assert_ip_text(const struct tlsrpt_ip *ip, const char *want)
{
    char buf[TLSRPT_IP_STRLEN];
    tlsrpt_ip_format(ip, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_parse_and_fold(void **state)
{
    struct tlsrpt_ip ip = ip_of("192.0.2.1");
    assert_int_equal(ip.family, AF_INET);
    ip = ip_of("[2001:db8::1]");
    assert_int_equal(ip.family, AF_INET6);
    assert_ip_text(&ip, "2001:db8::1");
    ip = ip_of("::ffff:198.51.100.9");
    assert_int_equal(ip.family, AF_INET);
    assert_ip_text(&ip, "198.51.100.9");
    struct tlsrpt_ip bad;
    const char *bads[] = {"", "1.2.3", "1.2.3.4:80", "example.com", "[::1", "1.2.3.4 "};
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
        assert_int_equal(tlsrpt_ip_parse(bads[i], strlen(bads[i]), &bad), -1);

    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
    assert_int_equal(tlsrpt_ip_from_sockaddr((struct sockaddr *)&s6, &ip), 0);
    assert_ip_text(&ip, "127.0.0.1");
}

static void test_cidr_lists(void **state)
{
    struct tlsrpt_cidr_list l;
    char why[128];
    assert_int_equal(
        tlsrpt_cidr_list_parse("127.0.0.1, 10.0.0.0/8 fd00::/8,::1", &l, why, sizeof why), 0);
    assert_int_equal(l.n, 4);
    struct tlsrpt_ip a = ip_of("10.200.3.4"), b = ip_of("11.0.0.1"), c = ip_of("fd12::9"),
                     d = ip_of("::ffff:127.0.0.1"), e = ip_of("127.0.0.2");
    assert_true(tlsrpt_cidr_list_match(&l, &a));
    assert_false(tlsrpt_cidr_list_match(&l, &b));
    assert_true(tlsrpt_cidr_list_match(&l, &c));
    assert_true(tlsrpt_cidr_list_match(&l, &d)); /* mapped form matches the IPv4 entry */
    assert_false(tlsrpt_cidr_list_match(&l, &e));
    tlsrpt_cidr_list_free(&l);
    assert_int_equal(tlsrpt_cidr_list_parse("10.0.0.0/33", &l, why, sizeof why), -1);
    assert_non_null(strstr(why, "10.0.0.0/33"));
    assert_int_equal(tlsrpt_cidr_list_parse("10.0.0.0/", &l, why, sizeof why), -1);
    assert_int_equal(tlsrpt_cidr_list_parse("proxy.example", &l, why, sizeof why), -1);
    assert_int_equal(tlsrpt_cidr_list_parse("192.168.0.0/17", &l, why, sizeof why), 0);
    struct tlsrpt_ip in = ip_of("192.168.127.255"), out = ip_of("192.168.128.0");
    assert_true(tlsrpt_cidr_list_match(&l, &in));
    assert_false(tlsrpt_cidr_list_match(&l, &out));
    tlsrpt_cidr_list_free(&l);
    assert_int_equal(tlsrpt_cidr_list_parse("", &l, why, sizeof why), 0);
    assert_int_equal(l.n, 0);
}

struct xff_case {
    const char *peer, *xff, *want;
    bool from_header;
};

static void test_forwarded_for(void **state)
{
    static const struct xff_case cases[] = {
        /* untrusted peer: the header is ignored whatever it says */
        {"203.0.113.5", "198.51.100.1", "203.0.113.5", false},
        {"127.0.0.1", NULL, "127.0.0.1", false},
        {"127.0.0.1", "198.51.100.1", "198.51.100.1", true},
        /* a client-forged entry left of the real one is ignored */
        {"127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1", true},
        /* a chain of trusted proxies is walked through */
        {"127.0.0.1", "198.51.100.1, 10.1.1.1", "198.51.100.1", true},
        {"127.0.0.1", " 2001:db8::7 ,10.1.1.1 ", "2001:db8::7", true},
        /* garbage stops the walk at the last address reached */
        {"127.0.0.1", "198.51.100.1, junk", "127.0.0.1", false},
        {"127.0.0.1", "junk, 10.1.1.1", "10.1.1.1", true},
        /* all trusted: the left-most one */
        {"127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1", true},
        {"127.0.0.1", "", "127.0.0.1", false},
    };
    struct tlsrpt_cidr_list trusted;
    char why[64];
    assert_int_equal(tlsrpt_cidr_list_parse("127.0.0.1 10.0.0.0/8", &trusted, why, sizeof why), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tlsrpt_ip peer = ip_of(cases[i].peer), out;
        bool fh = tlsrpt_client_ip(&peer, cases[i].xff, &trusted, &out);
        char buf[TLSRPT_IP_STRLEN];
        tlsrpt_ip_format(&out, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            print_error("case %zu: got %s want %s\n", i, buf, cases[i].want);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(fh, cases[i].from_header);
    }
    tlsrpt_cidr_list_free(&trusted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_fold),
        cmocka_unit_test(test_cidr_lists),
        cmocka_unit_test(test_forwarded_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
