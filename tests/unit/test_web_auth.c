/* test_web_auth.c - basic-auth verification against real crypt(3) hashes (web/auth.h) and the
 * listen-address rules of the server (web/server.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"
#include "web_server.h"

#include <crypt.h>
#include <string.h>

static void yescrypt_roundtrip(void **state)
{
    char hash[256];
    struct tlsrpt_error err = {0};
    struct web_auth a;
    assert_int_equal(web_auth_make_hash("correct horse", hash, sizeof hash, &err), 0);
    assert_memory_equal(hash, "$y$", 3);
    assert_int_equal(web_auth_init(&a, "admin", hash, &err), 0);
    assert_false(web_auth_check(&a, "admin", "wrong horse"));
    assert_true(web_auth_check(&a, "admin", "correct horse"));
    assert_true(web_auth_check(&a, "admin", "correct horse"));   /* from the cache */
    assert_false(web_auth_check(&a, "admin2", "correct horse")); /* cached password, other user */
    assert_false(web_auth_check(&a, "admi", "correct horse"));
    assert_false(web_auth_check(&a, "admin", "correct hors"));
    assert_false(web_auth_check(&a, "admin", ""));
    assert_false(web_auth_check(&a, NULL, "correct horse"));
    assert_false(web_auth_check(&a, "admin", NULL));
    char big[WEB_AUTH_MAX_PASSWORD + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_false(web_auth_check(&a, "admin", big));
    web_auth_free(&a);
    /* two hashes of one password differ (random salt) */
    char again[256];
    assert_int_equal(web_auth_make_hash("correct horse", again, sizeof again, &err), 0);
    assert_string_not_equal(hash, again);
    assert_int_equal(web_auth_make_hash("", again, sizeof again, &err), TLSRPT_E_FORMAT);
}

static void sha512_crypt_accepted(void **state)
{
    /* what `openssl passwd -6` makes */
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;
    memset(&cd, 0, sizeof cd);
    assert_non_null(crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof setting));
    const char *h = crypt_rn("s3cret", setting, &cd, sizeof cd);
    assert_non_null(h);
    struct web_auth a;
    struct tlsrpt_error err = {0};
    assert_int_equal(web_auth_init(&a, "ops", h, &err), 0);
    assert_true(web_auth_check(&a, "ops", "s3cret"));
    assert_false(web_auth_check(&a, "ops", "S3cret"));
    web_auth_free(&a);
}

static void bad_configuration(void **state)
{
    struct web_auth a;
    struct tlsrpt_error err = {0};
    static const char *hashes[] = {
        "plaintext", "abJnggxhB/yWI" /* DES */, "$y$", "$y$j9T$abc", "$9$zz$zz", "", NULL};
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
        assert_int_equal(web_auth_init(&a, "admin", hashes[i], &err), TLSRPT_E_FORMAT);
    char hash[256];
    assert_int_equal(web_auth_make_hash("pw", hash, sizeof hash, &err), 0);
    assert_int_equal(web_auth_init(&a, "ad:min", hash, &err), TLSRPT_E_FORMAT);
    assert_int_equal(web_auth_init(&a, "", hash, &err), TLSRPT_E_FORMAT);
    assert_int_equal(web_auth_init(&a, NULL, hash, &err), TLSRPT_E_FORMAT);
}

static void listen_addresses(void **state)
{
    static const struct {
        const char *in, *host;
        unsigned port;
        bool loopback;
    } good[] = {
        {"127.0.0.1:8080", "127.0.0.1", 8080, true},
        {"127.1.2.3:0", "127.1.2.3", 0, true},
        {"[::1]:443", "::1", 443, true},
        {"0.0.0.0:80", "0.0.0.0", 80, false},
        {"[::]:8080", "::", 8080, false},
        {"192.0.2.1:65535", "192.0.2.1", 65535, false},
        {"[::ffff:127.0.0.1]:1", "::ffff:127.0.0.1", 1, true},
    };
    char host[64], why[160];
    unsigned port;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(web_parse_listen(good[i].in, host, sizeof host, &port, why, sizeof why),
                         0);
        assert_string_equal(host, good[i].host);
        assert_int_equal(port, good[i].port);
        assert_int_equal(web_host_is_loopback(host), good[i].loopback);
    }
    static const char *bad[] = {"",        "127.0.0.1",     "127.0.0.1:", "127.0.0.1:65536",
                                ":8080",   "::1:8080",      "[::1]8080",  "[::1:8080",
                                "host:-1", "127.0.0.1:80x", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(web_parse_listen(bad[i], host, sizeof host, &port, why, sizeof why), -1);
    assert_false(web_host_is_loopback("localhost")); /* numeric only */
    assert_false(web_host_is_loopback("128.0.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yescrypt_roundtrip),
        cmocka_unit_test(sha512_crypt_accepted),
        cmocka_unit_test(bad_configuration),
        cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
