/* test_http_serve_check.c - `serve --check-domains`: the option parsers, and the check thread
 * against a DNS server that never answers (a UDP socket of this test): rounds are stored with
 * their time, and a stop ends the wait between rounds at once. The end-to-end test against real
 * peers is tests/shell/test_serve_check.sh. */
#include "db.h"
#include "fetch.h"
#include "serve_check.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static void test_parse_domains(void **state)
{
    static const struct {
        const char *in;
        int rc;
        const char *want; /* entries joined by '|', or the start of why */
    } cases[] = {
        {"example.com", 0, "example.com"},
        {"Example.COM., example.org\texample.com ,, sub.example.net", 0,
         "example.com|example.org|sub.example.net"},
        {"", 0, ""},
        {" , ", 0, ""},
        {"xn--bcher-kva.example", 0, "xn--bcher-kva.example"},
        {"not a domain!", -1, "'not' is not a domain name"},
        {"example.com, ex_ample.org", -1, "'ex_ample.org' is not a domain name"},
        {"*.example.com", -1, "'*.example.com' is not"},
        {"localhost", -1, "'localhost' is not"},
        {"a..example", -1, "'a..example' is not"},
        {"-a.example", -1, "'-a.example' is not"},
        {"bücher.example", -1, "'bücher.example' is not"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tlsrpt_domain_list l = {0};
        char why[200] = "", got[512] = "";
        int rc = tlsrpt_serve_check_parse_domains(cases[i].in, &l, why, sizeof why);
        for (size_t k = 0; rc == 0 && k < l.n; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "|" : "", l.v[k]);
        if (rc != cases[i].rc ||
            strncmp(rc == 0 ? got : why, cases[i].want, strlen(cases[i].want)) != 0 ||
            (rc == 0 && strcmp(got, cases[i].want) != 0))
            print_error("'%s': rc %d, got '%s', why '%s'\n", cases[i].in, rc, got, why);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_string_equal(got, cases[i].want);
        else
            assert_int_equal(strncmp(why, cases[i].want, strlen(cases[i].want)), 0);
        tlsrpt_domain_list_free(&l);
    }
    struct tlsrpt_domain_list l = {0};
    char why[200];
    assert_int_equal(tlsrpt_serve_check_parse_domains(NULL, &l, why, sizeof why), 0);
    assert_int_equal(l.n, 0);

    /* A label of 64 and a name past what _mta-sts.<domain> allows. */
    char big[400];
    memset(big, 'a', 64);
    snprintf(big + 64, sizeof big - 64, ".example");
    assert_int_equal(tlsrpt_serve_check_parse_domains(big, &l, why, sizeof why), -1);
    for (size_t k = 0; k < 300; k += 2)
        memcpy(big + k, "a.", 2);
    snprintf(big + 300, sizeof big - 300, "example");
    assert_int_equal(tlsrpt_serve_check_parse_domains(big, &l, why, sizeof why), -1);

    /* The ceiling on entries. */
    size_t cap = (size_t)TLSRPT_SERVE_CHECK_MAX_DOMAINS + 1;
    char *many = malloc(cap * 16);
    assert_non_null(many);
    many[0] = '\0';
    for (size_t k = 0; k < cap; k++)
        snprintf(many + strlen(many), 16, "d%zu.example ", k);
    assert_int_equal(tlsrpt_serve_check_parse_domains(many, &l, why, sizeof why), -1);
    assert_non_null(strstr(why, "more than"));
    many[strlen(many) - strlen("d1000.example ")] = '\0';
    assert_int_equal(tlsrpt_serve_check_parse_domains(many, &l, why, sizeof why), 0);
    assert_int_equal(l.n, TLSRPT_SERVE_CHECK_MAX_DOMAINS);
    tlsrpt_domain_list_free(&l);
    free(many);
}

static void test_parse_connect_to(void **state)
{
    static const struct {
        const char *in;
        int rc, port;
        const char *addr; /* NULL: the resolved address */
    } cases[] = {
        {":8443", 0, 8443, NULL},       {"127.0.0.1:443", 0, 443, "127.0.0.1"},
        {"[::1]:8443", 0, 8443, "::1"}, {"[]:1", 0, 1, NULL},
        {"8443", -1, 0, NULL},          {":0", -1, 0, NULL},
        {":65536", -1, 0, NULL},        {":", -1, 0, NULL},
        {"[::1]", -1, 0, NULL},         {"[::1:443", -1, 0, NULL},
        {"127.0.0.1:44x", -1, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tlsrpt_check_opts o;
        char addr[64];
        tlsrpt_check_opts_default(&o);
        int rc = tlsrpt_serve_check_parse_connect_to(cases[i].in, addr, sizeof addr, &o);
        if (rc != cases[i].rc)
            print_error("'%s': rc %d\n", cases[i].in, rc);
        assert_int_equal(rc, cases[i].rc);
        if (rc != 0)
            continue;
        assert_int_equal(o.policy_port, cases[i].port);
        if (cases[i].addr)
            assert_string_equal(o.policy_addr, cases[i].addr);
        else
            assert_null(o.policy_addr);
    }
    struct tlsrpt_check_opts o;
    char tiny[4];
    tlsrpt_check_opts_default(&o);
    assert_int_equal(tlsrpt_serve_check_parse_connect_to("127.0.0.1:443", tiny, sizeof tiny, &o),
                     -1);
}

/* ---- the thread ------------------------------------------------------------------------------ */

struct fx {
    const char *dir;
    char db[4096];
    char dns[64];
    int sock; /* bound, never answers */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = strdup(tu_tmpdir());
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    f->sock = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(f->sock >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(f->sock, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(f->sock, (struct sockaddr *)&a, &len), 0);
    snprintf(f->dns, sizeof f->dns, "127.0.0.1@%u", (unsigned)ntohs(a.sin_port));
    assert_int_equal(tlsrpt_fetch_global_init(), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tlsrpt_fetch_global_cleanup();
    close(f->sock);
    tu_rmtree(f->dir);
    free((char *)f->dir);
    free(f);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void start(struct fx *f, const char *domains, uint64_t interval,
                  struct tlsrpt_serve_check **c)
{
    struct tlsrpt_domain_list l = {0};
    char why[200];
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_serve_check_parse_domains(domains, &l, why, sizeof why), 0);
    struct tlsrpt_serve_check_config cfg = {.db_path = f->db, .domains = &l, .interval = interval};
    tlsrpt_check_opts_default(&cfg.check);
    char dns[64];
    snprintf(dns, sizeof dns, "%s", f->dns); /* the thread keeps its own copies */
    cfg.check.dns_server = dns;
    cfg.check.dns_timeout_ms = 200;
    int rc = tlsrpt_serve_check_start(&cfg, c, &err);
    if (rc != 0)
        print_error("start: %s\n", err.message);
    assert_int_equal(rc, 0);
    tlsrpt_domain_list_free(&l); /* copied too */
    memset(dns, 0, sizeof dns);
}

/* "domain:rows:distinct times|..." of the checks table. */
static void history(struct fx *f, char *out, size_t cap)
{
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    assert_int_equal(tlsrpt_db_open(f->db, TLSRPT_DB_READONLY, &db, &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db->h,
                                        "SELECT domain, count(*), count(DISTINCT checked_at) "
                                        "FROM checks GROUP BY domain ORDER BY domain",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s:%d:%d", out[0] ? "|" : "",
                 (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
                 sqlite3_column_int(st, 2));
    sqlite3_finalize(st);
    tlsrpt_db_close(db);
}

static void test_rounds_stored_then_prompt_stop(void **state)
{
    struct fx *f = *state;
    struct tlsrpt_serve_check *c = NULL;
    char got[256] = "";
    start(f, "one.test, two.test", 2, &c);
    /* Rounds at about 2 s and 4 s after start; each check gives up on DNS after 200 ms. Two
     * seconds apart, the two checks of a domain have different checked_at seconds. */
    int64_t t0 = now_ms();
    int n1 = 0, d1 = 0, n2 = 0, d2 = 0;
    while ((n1 < 2 || n2 < 2) && now_ms() - t0 < 30000) {
        struct timespec tick = {0, 100 * 1000 * 1000};
        nanosleep(&tick, NULL);
        history(f, got, sizeof got);
        if (sscanf(got, "one.test:%d:%d|two.test:%d:%d", &n1, &d1, &n2, &d2) != 4)
            n1 = n2 = 0;
    }
    int64_t t1 = now_ms();
    tlsrpt_serve_check_stop(c); /* normally in the wait; at worst after one check (200 ms DNS) */
    int64_t took = now_ms() - t1;
    if (took > 1500)
        print_error("stop took %lld ms\n", (long long)took);
    assert_true(took <= 1500);
    history(f, got, sizeof got);
    /* At least two rows per domain, each with its own time. */
    assert_int_equal(sscanf(got, "one.test:%d:%d|two.test:%d:%d", &n1, &d1, &n2, &d2), 4);
    if (!(n1 >= 2 && n2 >= 2 && d1 == n1 && d2 == n2))
        print_error("history: %s\n", got);
    assert_true(n1 >= 2 && n2 >= 2 && d1 == n1 && d2 == n2);
    /* The findings of a silent DNS server are stored with each check. */
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    sqlite3_stmt *st = NULL;
    assert_int_equal(tlsrpt_db_open(f->db, TLSRPT_DB_READONLY, &db, &err), 0);
    assert_int_equal(sqlite3_prepare_v2(db->h,
                                        "SELECT count(*) FROM check_findings "
                                        "WHERE code = 'dns-timeout'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int(st, 0) >= 4);
    sqlite3_finalize(st);
    tlsrpt_db_close(db);
}

static void test_stop_during_wait_is_immediate(void **state)
{
    struct fx *f = *state;
    struct tlsrpt_serve_check *c = NULL;
    char got[256] = "";
    start(f, "one.test", 3600, &c); /* first round after TLSRPT_SERVE_CHECK_FIRST_DELAY */
    struct timespec tick = {0, 100 * 1000 * 1000};
    nanosleep(&tick, NULL);
    int64_t t1 = now_ms();
    tlsrpt_serve_check_stop(c);
    int64_t took = now_ms() - t1;
    if (took > 500)
        print_error("stop took %lld ms\n", (long long)took);
    assert_true(took <= 500);
    history(f, got, sizeof got);
    assert_string_equal(got, ""); /* no round had begun */
    tlsrpt_serve_check_stop(NULL);
    tlsrpt_serve_check_request_stop(NULL);
}

static void test_bad_database(void **state)
{
    struct fx *f = *state;
    struct tlsrpt_domain_list l = {0};
    char why[200], path[4200];
    struct tlsrpt_error err = {0};
    struct tlsrpt_serve_check *c = NULL;
    assert_int_equal(tlsrpt_serve_check_parse_domains("one.test", &l, why, sizeof why), 0);
    snprintf(path, sizeof path, "%s/missing/dir/t.db", f->dir);
    struct tlsrpt_serve_check_config cfg = {.db_path = path, .domains = &l, .interval = 60};
    tlsrpt_check_opts_default(&cfg.check);
    assert_int_equal(tlsrpt_serve_check_start(&cfg, &c, &err), TLSRPT_E_DB);
    assert_null(c);
    tlsrpt_domain_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_domains),
        cmocka_unit_test(test_parse_connect_to),
        cmocka_unit_test_setup_teardown(test_rounds_stored_then_prompt_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_during_wait_is_immediate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
