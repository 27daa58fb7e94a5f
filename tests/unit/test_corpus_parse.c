/* test_corpus_parse.c - every public sample report (shared/corpus/public, see its SOURCES.md) goes
 * through the parser: the real, rfc and synthetic/edited ones must be accepted, the one malformed
 * fixture (mail-auth/rpt03.json) rejected with a path. Files with a known quirk must also carry its
 * flag. Skips (and says so) when the corpus is not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "buf.h"
#include "decode.h"
#include "report.h"
#include "report_parse.h"
#include "testutil.h"

#define REJECTED                                                                                   \
    "mail-auth/rpt03.json" /* SOURCES.md: malformed (no policy-domain, no failure count) */

struct expect {
    const char *rel;
    uint32_t flags; /* bits that must be set */
};

/* Quirks SOURCES.md and quirks.md attribute to particular files. */
static const struct expect expectations[] = {
    {"dmarc-report-viewer/microsoft.json", TLSRPT_F_TLSA_JSON_IN_STRING | TLSRPT_F_MX_HOST_MISSING},
    {"dmarc-report-viewer/no-contact.json", TLSRPT_F_CONTACT_MISSING | TLSRPT_F_MX_HOST_PREFIX},
    {"dmarc-report-viewer/no_ip_and_mx.json", TLSRPT_F_POLICY_STRING_MISSING},
    {"parsedmarc/mail.ru.json", TLSRPT_F_COUNTS_MISMATCH | TLSRPT_F_MX_HOST_MISSING},
    {"parsedmarc/rfc8460.json", TLSRPT_F_MX_HOST_STRING | TLSRPT_F_END_INCLUSIVE},
    {"tlsrpt_processor/sample.json", TLSRPT_F_MX_HOST_STRING | TLSRPT_F_KEY_ALIAS},
    {"tlsrpt-be/testing.json", TLSRPT_F_MX_HOST_STRING},
    {"tls-rpt-monitor/microsoft-report.json",
     TLSRPT_F_UNKNOWN_RESULT_TYPE | TLSRPT_F_KEY_ALIAS | TLSRPT_F_COUNTS_MISMATCH},
    {"mail-auth/rpt02.json", TLSRPT_F_RANGE_NOT_ONE_DAY},
};

static int parse_bytes(const uint8_t *data, size_t len, struct tlsrpt_report **r,
                       struct tlsrpt_error *err)
{
    return tlsrpt_report_parse((const char *)data, len, NULL, NULL, r, err);
}

static void check_one(const char *dir, const char *rel, size_t *n_ok, size_t *n_bad)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    size_t len;
    uint8_t *data = tu_read_file(path, &len);
    if (data == NULL)
        fail_msg("%s: cannot read", path);
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    int rc = parse_bytes(data, len, &r, &err);
    free(data);

    if (strcmp(rel, REJECTED) == 0) {
        if (rc == 0)
            fail_msg("%s: accepted, but it is malformed", rel);
        assert_null(r);
        assert_true(err.path[0] != '\0');
        printf("  %s: rejected as expected: %s %s: %s\n", rel, tlsrpt_errcode_name(err.code),
               err.path, err.message);
        (*n_bad)++;
        return;
    }
    if (rc != 0)
        fail_msg("%s: rejected: %s %s: %s", rel, tlsrpt_errcode_name(err.code), err.path,
                 err.message);
    for (size_t i = 0; i < sizeof expectations / sizeof *expectations; i++)
        if (strcmp(rel, expectations[i].rel) == 0 &&
            (r->flags & expectations[i].flags) != expectations[i].flags)
            fail_msg("%s: flags 0x%x lack 0x%x", rel, r->flags, expectations[i].flags);
    assert_non_null(r->report_id);
    for (size_t i = 0; i < r->n_policies; i++)
        assert_non_null(r->policies[i].policy_domain);
    tlsrpt_report_free(r);
    (*n_ok)++;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every *.json one folder deep (the corpus layout: <repository>/<file>), in sorted order. */
static void test_corpus_json(void **state)
{
    (void)state;
    const char *dir = tu_corpus_dir();
    if (dir == NULL) {
        printf("skipped: corpus not found\n");
        skip();
    }
    struct dirent **repos;
    int nrepos = scandir(dir, &repos, NULL, alphasort);
    assert_true(nrepos >= 0);
    size_t n_ok = 0, n_bad = 0;
    for (int i = 0; i < nrepos; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, repos[i]->d_name);
        struct stat st;
        struct dirent **files;
        int nfiles = repos[i]->d_name[0] != '.' && stat(sub, &st) == 0 && S_ISDIR(st.st_mode)
                         ? scandir(sub, &files, NULL, alphasort)
                         : -1;
        for (int k = 0; k < nfiles; k++) {
            if (ends_with(files[k]->d_name, ".json")) {
                char rel[1024];
                snprintf(rel, sizeof rel, "%s/%s", repos[i]->d_name, files[k]->d_name);
                check_one(dir, rel, &n_ok, &n_bad);
            }
            free(files[k]);
        }
        if (nfiles >= 0)
            free(files);
        free(repos[i]);
    }
    free(repos);
    printf("  corpus: %zu accepted, %zu rejected\n", n_ok, n_bad);
    assert_true(n_ok >= 17); /* SOURCES.md lists 17 JSON reports besides rpt03 */
    assert_int_equal(n_bad, 1);
}

/* The one raw .json.gz goes through the real decoder first (the .b64 sibling elsewhere is skipped).
 */
static void test_corpus_gzip(void **state)
{
    (void)state;
    const char *dir = tu_corpus_dir();
    if (dir == NULL) {
        printf("skipped: corpus not found\n");
        skip();
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/tls-rpt-monitor/microsoft-report.json.gz", dir);
    size_t len;
    uint8_t *gz = tu_read_file(path, &len);
    if (gz == NULL)
        fail_msg("%s: cannot read", path);
    struct tlsrpt_buf out;
    struct tlsrpt_error err;
    enum tlsrpt_format fmt;
    tlsrpt_buf_init(&out, 0);
    int rc = tlsrpt_decode(gz, len, NULL, &out, &fmt, &err);
    free(gz);
    if (rc != 0)
        fail_msg("decode: %s %s", tlsrpt_errcode_name(err.code), err.message);
    assert_int_equal(fmt, TLSRPT_FMT_GZIP);
    struct tlsrpt_report *r = NULL;
    rc = parse_bytes(out.data, out.len, &r, &err);
    tlsrpt_buf_free(&out);
    if (rc != 0)
        fail_msg("parse: %s %s: %s", tlsrpt_errcode_name(err.code), err.path, err.message);
    assert_string_equal(r->organization_name, "Microsoft Corporation");
    assert_int_equal(r->n_policies, 1);
    assert_string_equal(r->policies[0].sts_mode, "enforce");
    assert_int_equal(r->policies[0].sts_max_age, 86401); /* SOURCES.md: max_age 86401 */
    assert_int_equal(r->policies[0].n_mx_patterns, 2);
    tlsrpt_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_json),
        cmocka_unit_test(test_corpus_gzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
