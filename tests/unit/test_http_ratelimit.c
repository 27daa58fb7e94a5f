/* test_http_ratelimit.c - the per-client token bucket with an injected clock. */
#include "ratelimit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct tlsrpt_ip ip_of(const char *s)
{
    struct tlsrpt_ip ip;
    assert_int_equal(tlsrpt_ip_parse(s, strlen(s), &ip), 0);
    return ip;
}

static void test_burst_then_refill(void **state)
{
    struct tlsrpt_ratelimit_config c = {.per_minute = 60, .burst = 5, .max_clients = 100};
    struct tlsrpt_ratelimit *rl;
    assert_int_equal(tlsrpt_ratelimit_new(&c, &rl), 0);
    struct tlsrpt_ip a = ip_of("192.0.2.1"), b = ip_of("192.0.2.2");
    int64_t t = 1000000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t), 0);
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t), 1); /* 60/min: next token in 1 s */
    assert_int_equal(tlsrpt_ratelimit_take(rl, &b, t), 0); /* another client is not affected */
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t + 500), 1);
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t + 1000), 0); /* one token came back */
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t + 1000), 1);
    /* a long pause refills to the burst, not beyond */
    t += 3600 * 1000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(tlsrpt_ratelimit_take(rl, &a, t), 0);
    assert_int_not_equal(tlsrpt_ratelimit_take(rl, &a, t), 0);
    assert_int_equal(tlsrpt_ratelimit_size(rl), 2);
    tlsrpt_ratelimit_free(rl);
}

static void test_retry_after_is_honest(void **state)
{
    struct tlsrpt_ratelimit_config c = {.per_minute = 2, .burst = 1, .max_clients = 10};
    struct tlsrpt_ratelimit *rl;
    assert_int_equal(tlsrpt_ratelimit_new(&c, &rl), 0);
    struct tlsrpt_ip a = ip_of("2001:db8::1");
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, 0), 0);
    unsigned wait = tlsrpt_ratelimit_take(rl, &a, 0);
    assert_int_equal(wait, 30); /* 2 per minute */
    assert_int_not_equal(tlsrpt_ratelimit_take(rl, &a, 29000), 0);
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, 30000), 0);
    tlsrpt_ratelimit_free(rl);
}

static void test_ipv6_keyed_by_64(void **state)
{
    struct tlsrpt_ratelimit_config c = {.per_minute = 1, .burst = 1, .max_clients = 10};
    struct tlsrpt_ratelimit *rl;
    assert_int_equal(tlsrpt_ratelimit_new(&c, &rl), 0);
    struct tlsrpt_ip a = ip_of("2001:db8:1:2::1"), b = ip_of("2001:db8:1:2:ffff::9"),
                     other = ip_of("2001:db8:1:3::1");
    assert_int_equal(tlsrpt_ratelimit_take(rl, &a, 0), 0);
    assert_int_not_equal(tlsrpt_ratelimit_take(rl, &b, 0), 0); /* same /64 */
    assert_int_equal(tlsrpt_ratelimit_take(rl, &other, 0), 0);
    tlsrpt_ratelimit_free(rl);
}

static void test_memory_is_bounded(void **state)
{
    struct tlsrpt_ratelimit_config c = {.per_minute = 1, .burst = 1, .max_clients = 64};
    struct tlsrpt_ratelimit *rl;
    assert_int_equal(tlsrpt_ratelimit_new(&c, &rl), 0);
    char buf[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(buf, sizeof buf, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        struct tlsrpt_ip ip = ip_of(buf);
        assert_int_equal(tlsrpt_ratelimit_take(rl, &ip, i), 0); /* every new client gets a token */
    }
    assert_true(tlsrpt_ratelimit_size(rl) <= 128); /* the table never grows past its slots */
    tlsrpt_ratelimit_free(rl);
}

static void test_off(void **state)
{
    struct tlsrpt_ratelimit_config c = {.per_minute = 0, .burst = 1, .max_clients = 10};
    struct tlsrpt_ratelimit *rl = (void *)1;
    assert_int_equal(tlsrpt_ratelimit_new(&c, &rl), 0);
    assert_null(rl);
    struct tlsrpt_ip a = ip_of("192.0.2.1");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(tlsrpt_ratelimit_take(rl, &a, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refill),
        cmocka_unit_test(test_retry_after_is_honest),
        cmocka_unit_test(test_ipv6_keyed_by_64),
        cmocka_unit_test(test_memory_is_bounded),
        cmocka_unit_test(test_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
