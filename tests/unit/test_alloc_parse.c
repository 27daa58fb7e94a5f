/* test_alloc_parse.c - allocation failure injection (style.md §14, Jansson's test_chaos) for the
 * report parser: the Nth allocation fails, for N = 1, 2, ... until a parse runs through without
 * reaching N. Every failed run must return an error with *out NULL, and ASan checks that nothing
 * leaks. Jansson's allocations are counted through json_set_alloc_funcs; ours (malloc, calloc,
 * realloc, strdup, strndup in the statically linked libraries) through -Wl,--wrap, which
 * tests/CMakeLists.txt sets for this executable only. */
#include "report_parse.h"
#include "store.h"
#include "testutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static int armed;                     /* count allocations only while the parser runs */
static unsigned long seen;            /* allocations so far in this run */
static unsigned long fail_at;         /* the allocation that fails (1-based) */
static unsigned long hit;             /* failures injected in this run */
static unsigned long ours;            /* allocations that went through the --wrap hooks */
static unsigned long jansson_as_json; /* runs where jansson's OOM came back as E_JSON */
/* allocations that went through the --wrap hooks (not jansson's) */

/* True when this allocation is to fail. */
static int should_fail(void)
{
    if (!armed)
        return 0;
    if (++seen == fail_at) {
        hit++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (armed)
        ours++;
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (armed)
        ours++;
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (armed)
        ours++;
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    if (armed)
        ours++;
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    if (armed)
        ours++;
    return should_fail() ? NULL : __real_strndup(s, n);
}

static int hit_in_jansson; /* the injected failure was one of jansson's allocations */

static void *json_malloc(size_t n)
{
    if (should_fail()) {
        hit_in_jansson = 1;
        return NULL;
    }
    return __real_malloc(n);
}

static void json_free(void *p)
{
    free(p);
}

/* Runs the parser on json until one run completes without an injected failure. Returns the number
 * of allocations that run made. */
static unsigned long chaos(const char *json, size_t len, const struct tlsrpt_parse_hints *hints)
{
    json_set_alloc_funcs(json_malloc, json_free);
    for (fail_at = 1;; fail_at++) {
        struct tlsrpt_report *r = (struct tlsrpt_report *)&seen; /* must be overwritten */
        struct tlsrpt_error err = {0};
        seen = hit = 0;
        hit_in_jansson = 0;
        armed = 1;
        int rc = tlsrpt_report_parse(json, len, NULL, hints, &r, &err);
        armed = 0;
        if (hit == 0) {
            /* Nothing failed: this is the complete run. */
            assert_int_equal(rc, 0);
            assert_non_null(r);
            tlsrpt_report_free(r);
            break;
        }
        if (rc == 0) {
            /* The failure was absorbed (e.g. an optional copy); the result must still be whole. */
            assert_non_null(r);
            assert_non_null(r->report_id);
            tlsrpt_report_free(r);
            continue;
        }
        assert_null(r);
        if (err.code == TLSRPT_E_NOMEM)
            continue;
        /* Known jansson 2.14 limitation: a failed allocation inside its lexer (string buffer) is
         * reported as a syntax error, so the input is rejected as bad JSON, not retried. The raw
         * bytes are kept with the reject, so `reprocess` recovers it (docs/security.md). Our own
         * allocations must always give TLSRPT_E_NOMEM. */
        if (err.code != TLSRPT_E_JSON || !hit_in_jansson)
            fail_msg("fail_at %lu: code %d (%s), want TLSRPT_E_NOMEM", fail_at, (int)err.code,
                     err.message);
        jansson_as_json++;
    }
    json_set_alloc_funcs(malloc, free);
    return seen;
}

static void run_case(const char *rel, const struct tlsrpt_parse_hints *hints)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/tests/reports/valid/%s/input.json", tu_source_dir(), rel);
    uint8_t *json = tu_read_file(path, &len);
    assert_non_null(json);
    ours = jansson_as_json = 0;
    unsigned long n = chaos((const char *)json, len, hints);
    print_message("%s: %lu allocations, each failed once (%lu of jansson's came back as E_JSON)\n",
                  rel, n, jansson_as_json);
    assert_true(n > 10);   /* a real report needs many: the hooks did see the parser */
    assert_true(ours > 0); /* and the --wrap hooks saw our own allocations */
    free(json);
}

static void test_google_failures(void **state)
{
    (void)state;
    run_case("google-validation-failures", NULL);
}

static void test_with_hint(void **state)
{
    (void)state;
    struct tlsrpt_parse_hints hints = {.report_domain = "hint.example"};
    run_case("google-no-policy-found", &hints);
}

/* The store's off-thread half (sha256, dedupe key, JSON texts) under the same injection: every
 * failure is an error with *p left empty (nothing to free, nothing leaked), never a crash. */
static void test_store_prep(void **state)
{
    (void)state;
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/tests/reports/valid/google-validation-failures/input.json",
             tu_source_dir());
    uint8_t *json = tu_read_file(path, &len);
    assert_non_null(json);
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_report_parse((const char *)json, len, NULL, NULL, &r, &err), 0);
    json_set_alloc_funcs(json_malloc, json_free);
    unsigned long failures = 0;
    for (fail_at = 1;; fail_at++) {
        struct tlsrpt_store_prep p;
        seen = hit = 0;
        armed = 1;
        int rc = tlsrpt_store_prep_make(json, len, r, &p, &err);
        armed = 0;
        if (hit == 0) {
            assert_int_equal(rc, 0);
            assert_non_null(p.reporter);
            assert_int_equal(p.n_json, 3 * r->n_policies);
            tlsrpt_store_prep_free(&p);
            break;
        }
        if (rc == 0) { /* absorbed: the result must still be whole */
            assert_non_null(p.reporter);
            tlsrpt_store_prep_free(&p);
            continue;
        }
        failures++;
        assert_true(err.code == TLSRPT_E_NOMEM || err.code == TLSRPT_E_DB);
        assert_null(p.reporter);
        assert_null(p.json);
        tlsrpt_store_prep_free(&p); /* harmless on an empty prep */
    }
    json_set_alloc_funcs(malloc, free);
    print_message("store prep: %lu allocations, %lu failed runs\n", seen, failures);
    assert_true(failures > 3);
    tlsrpt_report_free(r);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_google_failures),
        cmocka_unit_test(test_with_hint),
        cmocka_unit_test(test_store_prep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
