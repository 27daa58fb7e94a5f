/* test_check_store.c - storing check results and reading the newest one back
 * (tlsrpt_check_store / tlsrpt_check_latest), on a real SQLite database in a temporary directory,
 * read back through a read-only handle as the analyzer opens it. */
#include "check_store.h"
#include "db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64], path[96];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tlsrpt-check-store-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char f[128];
    (void)state;
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
    return 0;
}

/* A result as tlsrpt_check_domain would leave it, built by hand. */
static void make(struct tlsrpt_check_result *r, const char *domain, time_t when, const char *mode,
                 int mx_days, int with_error)
{
    memset(r, 0, sizeof *r);
    snprintf(r->domain, sizeof r->domain, "%s", domain);
    r->checked_at = when;
    r->duration_ms = 123;
    if (with_error)
        tlsrpt_findings_add(&r->findings, TLSRPT_FINDING_ERROR, "mx-cert-expired",
                            "mx1 (127.0.0.1)", "Renew it.",
                            "certificate of %s expired %d day(s) ago", "mx1", 3);
    tlsrpt_findings_add(&r->findings, TLSRPT_FINDING_WARNING, "mode-testing", "https://u",
                        "Switch.", "mode is still testing");
    r->doc =
        json_pack("{s:s, s:{s:s}, s:{s:s, s:i, s:[s, s], s:{s:i}}, s:[{s:s, s:{s:i}}, "
                  "{s:s, s:{s:i}}, {s:s}]}",
                  "domain", domain, "mta_sts_record", "id", "20240101T000000", "policy", "mode",
                  mode, "max_age", 86400, "mx", "mx1", "*.example.com", "certificate", "days_left",
                  300, "smtp", "host", "mx1", "certificate", "days_left", mx_days + 10, "host",
                  "mx2", "certificate", "days_left", mx_days, "host", "mx3");
    assert_non_null(r->doc);
}

static void test_store_and_latest(void **state)
{
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    struct tlsrpt_check_result r;
    struct tlsrpt_check_latest l;
    int64_t id1 = 0, id2 = 0, id3 = 0;
    (void)state;

    if (tlsrpt_db_open(path, TLSRPT_DB_READWRITE, &db, &err) != 0)
        fail_msg("open: %s", err.message);
    make(&r, "example.com", 1000, "testing", 50, 1);
    if (tlsrpt_check_store(db, &r, &id1, &err) != 0)
        fail_msg("store: %s (is schema/002_checks.sql installed?)", err.message);
    tlsrpt_check_result_free(&r);
    make(&r, "example.com", 2000, "enforce", 9, 0); /* the newer one */
    if (tlsrpt_check_store(db, &r, &id2, &err) != 0)
        fail_msg("store: %s (is schema/002_checks.sql installed?)", err.message);
    tlsrpt_check_result_free(&r);
    make(&r, "example.org", 3000, "testing", 70, 1);
    if (tlsrpt_check_store(db, &r, &id3, &err) != 0)
        fail_msg("store: %s (is schema/002_checks.sql installed?)", err.message);
    tlsrpt_check_result_free(&r);
    assert_true(id1 < id2 && id2 < id3);
    tlsrpt_db_close(db);

    /* the analyzer's way: a read-only handle */
    db = NULL;
    if (tlsrpt_db_open(path, TLSRPT_DB_READONLY, &db, &err) != 0)
        fail_msg("open read-only: %s", err.message);
    assert_int_equal(tlsrpt_check_latest(db, "example.com", &l, &err), 0);
    assert_true(l.found);
    assert_int_equal(l.id, id2);
    assert_int_equal(l.checked_at, 2000);
    assert_string_equal(l.verdict, "warnings");
    assert_int_equal(l.errors, 0);
    assert_int_equal(l.warnings, 1);
    assert_string_equal(l.sts_id, "20240101T000000");
    assert_string_equal(l.sts_mode, "enforce");
    assert_int_equal(l.sts_max_age, 86400);
    assert_int_equal(l.policy_cert_days, 300);
    assert_int_equal(l.mx_cert_days, 9); /* the fewest over all MX addresses */
    assert_int_equal(l.n_sts_mx, 2);     /* the policy's mx lines, from the stored JSON */
    assert_string_equal(l.sts_mx[0], "mx1");
    assert_string_equal(l.sts_mx[1], "*.example.com");
    assert_int_equal(l.n_mx_certs, 2); /* mx3: no certificate seen */
    assert_string_equal(l.mx_certs[0].host, "mx1");
    assert_int_equal(l.mx_certs[0].days_left, 19);
    assert_string_equal(l.mx_certs[1].host, "mx2");
    assert_int_equal(l.mx_certs[1].days_left, 9);
    assert_int_equal(l.n_findings, 1);
    assert_string_equal(l.findings[0].code, "mode-testing");
    assert_int_equal(l.findings[0].severity, TLSRPT_FINDING_WARNING);
    tlsrpt_check_latest_free(&l);

    assert_int_equal(tlsrpt_check_latest(db, "example.org", &l, &err), 0);
    assert_string_equal(l.verdict, "errors");
    assert_int_equal(l.n_findings, 2);
    assert_string_equal(l.findings[0].code, "mx-cert-expired"); /* check order kept */
    assert_string_equal(l.findings[0].message, "certificate of mx1 expired 3 day(s) ago");
    assert_string_equal(l.findings[0].object, "mx1 (127.0.0.1)");
    assert_string_equal(l.findings[0].fix, "Renew it.");
    tlsrpt_check_latest_free(&l);

    assert_int_equal(tlsrpt_check_latest(db, "example.net", &l, &err), 0);
    assert_false(l.found);
    assert_int_equal(l.n_findings, 0);
    assert_int_equal(l.sts_max_age, -1);
    tlsrpt_check_latest_free(&l);
    tlsrpt_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_and_latest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
