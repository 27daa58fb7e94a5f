/* test_web_params.c - query parameter validation (web/params.h): a table of query strings, each
 * accepted with the expected values or refused, and the window arithmetic against tlsrpt-report's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "params.h"
#include "window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL (WP_WINDOW | WP_DOMAIN | WP_REPORTER | WP_FAILURES | WP_PAGE | WP_ID)
#define DAY 86400

/* Splits "k=v&k2=v2" (no decoding: MHD decodes before we see them) into pairs. */
static size_t split(char *qs, struct web_param *pairs, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(qs, "&"); tok != NULL && n < max; tok = strtok(NULL, "&")) {
        char *eq = strchr(tok, '=');
        pairs[n].key = tok;
        pairs[n].value = eq != NULL ? eq + 1 : "";
        if (eq != NULL)
            *eq = '\0';
        pairs[n].len = strlen(pairs[n].value);
        n++;
    }
    return n;
}

struct pcase {
    const char *qs;
    unsigned allowed;
    int ok;
    int window;             /* expected window_days when ok */
    const char *domain;     /* expected first domain or NULL */
    int64_t page, id;       /* expected */
    const char *why_substr; /* when refused */
};

static const struct pcase cases[] = {
    {"", ALL, 1, 14, NULL, 1, 0, NULL},
    {"window=7", ALL, 1, 7, NULL, 1, 0, NULL},
    {"window=90&d=example.com", ALL, 1, 90, "example.com", 1, 0, NULL},
    {"window=30&since=2026-01-01&until=2026-01-31", ALL, 1, 30, NULL, 1, 0, NULL},
    {"window=custom&since=2026-01-01&until=2026-01-31", ALL, 1, 0, NULL, 1, 0, NULL},
    {"since=2026-01-01&until=2026-01-01", ALL, 1, 0, NULL, 1, 0, NULL},
    {"page=3&failures=1&reporter=google.com", ALL, 1, 14, NULL, 3, 0, NULL},
    {"failures=on", ALL, 1, 14, NULL, 1, 0, NULL},
    {"id=42", ALL, 1, 14, NULL, 1, 42, NULL},
    {"d=&reporter=&window=14", ALL, 1, 14, NULL, 1, 0, NULL}, /* empty form fields */
    {"d=b\xC3\xBC"
     "cher.example",
     ALL, 1, 14,
     "b\xC3\xBC"
     "cher.example",
     1, 0, NULL},
    {"d=%22%3E%3Csvg", ALL, 1, 14, "%22%3E%3Csvg", 1, 0, NULL}, /* any text: escaped on output */
    {"verdict=not-ready&sort=name", ALL | WP_VERDICT, 1, 14, NULL, 1, 0, NULL},
    /* refused */
    {"window=15", ALL, 0, 0, NULL, 0, 0, "'window' must be"},
    {"window=7d", ALL, 0, 0, NULL, 0, 0, "'window' must be"},
    {"window=custom", ALL, 0, 0, NULL, 0, 0, "both since and until"},
    {"window=custom&since=2026-01-01", ALL, 0, 0, NULL, 0, 0, "both since and until"},
    {"since=2026-02-30&until=2026-03-01", ALL, 0, 0, NULL, 0, 0, "'since' must be"},
    {"since=2026-03-01&until=2026-02-01", ALL, 0, 0, NULL, 0, 0, "before"},
    {"since=1900-01-01&until=2026-02-01", ALL, 0, 0, NULL, 0, 0, "'since' must be"},
    {"since=2000-01-01&until=2026-02-01", ALL, 0, 0, NULL, 0, 0, "at most 3660 days"},
    {"window=30&since=yesterday", ALL, 0, 0, NULL, 0, 0, "'since' must be"},
    {"page=0", ALL, 0, 0, NULL, 0, 0, "'page' must be"},
    {"page=100001", ALL, 0, 0, NULL, 0, 0, "'page' must be"},
    {"page=-1", ALL, 0, 0, NULL, 0, 0, "'page' must be"},
    {"page=1e3", ALL, 0, 0, NULL, 0, 0, "'page' must be"},
    {"id=0", ALL, 0, 0, NULL, 0, 0, "'id' must be"},
    {"id=99999999999999999999", ALL, 0, 0, NULL, 0, 0, "'id' must be"},
    {"failures=yes", ALL, 0, 0, NULL, 0, 0, "'failures' must be"},
    {"window=7&window=14", ALL, 0, 0, NULL, 0, 0, "given twice"},
    {"d=a.example&d=b.example", ALL, 0, 0, NULL, 0, 0, "given twice"},
    {"bogus=1", ALL, 0, 0, NULL, 0, 0, "unknown parameter 'bogus'"},
    {"id=3", WP_WINDOW, 0, 0, NULL, 0, 0, "unknown parameter 'id'"},
    {"page=2", WP_WINDOW | WP_DOMAIN, 0, 0, NULL, 0, 0, "unknown parameter 'page'"},
    {"d=a\x01"
     "b",
     ALL, 0, 0, NULL, 0, 0, "control characters"},
    {"d=a\x7F", ALL, 0, 0, NULL, 0, 0, "control characters"},
    {"d=a\xC2\x85", ALL, 0, 0, NULL, 0, 0, "control characters"},
    {"d=a\xFF", ALL, 0, 0, NULL, 0, 0, "invalid UTF-8"},
    {"d=a\xC0\xAF", ALL, 0, 0, NULL, 0, 0, "invalid UTF-8"},
    {"d=\xED\xA0\x80", ALL, 0, 0, NULL, 0, 0, "invalid UTF-8"},
    {"verdict=ok", ALL | WP_VERDICT, 0, 0, NULL, 0, 0, "'verdict' must be"},
    {"sort=size", ALL | WP_VERDICT, 0, 0, NULL, 0, 0, "'sort' must be"},
    {"verdict=ready", ALL, 0, 0, NULL, 0, 0, "unknown parameter 'verdict'"},
};

static void table(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pcase *c = &cases[i];
        char qs[256], why[160] = "";
        struct web_param pairs[WEB_MAX_PARAMS + 1];
        struct web_params p;
        snprintf(qs, sizeof qs, "%s", c->qs);
        size_t n = split(qs, pairs, WEB_MAX_PARAMS + 1);
        int rc = web_params_parse(pairs, n, c->allowed, &p, why, sizeof why);
        if (c->ok) {
            if (rc != 0)
                fail_msg("case %zu (%s) refused: %s", i, c->qs, why);
            assert_int_equal(p.window_days, c->window);
            assert_int_equal(p.page, c->page);
            assert_int_equal(p.report_id, c->id);
            if (c->domain != NULL) {
                assert_int_equal(p.n_domains, 1);
                assert_string_equal(p.domains[0], c->domain);
            } else {
                assert_int_equal(p.n_domains, 0);
            }
        } else {
            if (rc == 0)
                fail_msg("case %zu (%s) accepted", i, c->qs);
            if (strstr(why, c->why_substr) == NULL)
                fail_msg("case %zu (%s): reason '%s' lacks '%s'", i, c->qs, why, c->why_substr);
        }
    }
}

static void embedded_nul_and_lengths(void **state)
{
    struct web_params p;
    char why[160];
    struct web_param nul = {"d", "a\0b", 3};
    assert_int_equal(web_params_parse(&nul, 1, ALL, &p, why, sizeof why), -1);
    assert_non_null(strstr(why, "control characters"));

    char *big = malloc(WEB_MAX_PARAM_LEN + 2);
    assert_non_null(big);
    memset(big, 'a', WEB_MAX_PARAM_LEN + 1);
    big[WEB_MAX_PARAM_LEN + 1] = '\0';
    struct web_param longv = {"d", big, WEB_MAX_PARAM_LEN + 1};
    assert_int_equal(web_params_parse(&longv, 1, ALL, &p, why, sizeof why), -1);
    assert_non_null(strstr(why, "too long"));
    longv.len = WEB_MAX_PARAM_LEN;
    big[WEB_MAX_PARAM_LEN] = '\0';
    assert_int_equal(web_params_parse(&longv, 1, ALL, &p, why, sizeof why), 0);
    free(big);

    struct web_param many[WEB_MAX_PARAMS + 1];
    for (size_t i = 0; i < WEB_MAX_PARAMS + 1; i++)
        many[i] = (struct web_param){"d", "x.example", 9};
    assert_int_equal(web_params_parse(many, WEB_MAX_PARAMS + 1, WP_DOMAINS, &p, why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "too many parameters"));
    /* the API may repeat d= up to its own cap */
    assert_int_equal(web_params_parse(many, WEB_MAX_PARAMS, WP_DOMAINS, &p, why, sizeof why), 0);
    assert_int_equal(p.n_domains, WEB_MAX_PARAMS);
}

/* window=N must be exactly tlsrpt-report --since Nd --until now. */
static void window_matches_report(void **state)
{
    const int64_t now = 1773576000; /* 2026-03-15T12:00:00Z */
    static const int presets[] = {7, 14, 30, 90};
    for (size_t i = 0; i < 4; i++) {
        struct web_params p = {.window_days = presets[i]};
        int64_t since, until, want;
        const char *why;
        char dur[8];
        snprintf(dur, sizeof dur, "%dd", presets[i]);
        web_window_resolve(&p, now, &since, &until);
        assert_int_equal(tlsrpt_window_parse(dur, now, &want, &why), 0);
        assert_int_equal(since, want);
        assert_int_equal(until, now);
    }
    /* 14 days before today plus today: from 2026-03-01 00:00 */
    struct web_params p14 = {.window_days = 14};
    int64_t since, until;
    web_window_resolve(&p14, now, &since, &until);
    assert_int_equal(since, 1772323200);
    /* a custom window includes both days */
    struct web_params c = {.window_days = 0};
    assert_int_equal(web_parse_day("2026-03-05", &c.since_day), 0);
    assert_int_equal(web_parse_day("2026-03-09", &c.until_day), 0);
    web_window_resolve(&c, now, &since, &until);
    assert_int_equal(since, 1772668800);
    assert_int_equal(until, 1772668800 + 5 * DAY);
}

static void days(void **state)
{
    int64_t t;
    assert_int_equal(web_parse_day("1970-01-01", &t), -1); /* before WEB_MIN_YEAR */
    assert_int_equal(web_parse_day("2024-02-29", &t), 0);
    assert_int_equal(t, 1709164800);
    assert_int_equal(web_parse_day("2023-02-29", &t), -1);
    assert_int_equal(web_parse_day("2100-02-29", &t), -1);
    assert_int_equal(web_parse_day("2000-02-29", &t), 0);
    assert_int_equal(web_parse_day("2026-13-01", &t), -1);
    assert_int_equal(web_parse_day("2026-1-01", &t), -1);
    assert_int_equal(web_parse_day("2026-01-01T00", &t), -1);
    assert_int_equal(web_parse_day("+026-01-01", &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(embedded_nul_and_lengths),
        cmocka_unit_test(window_matches_report),
        cmocka_unit_test(days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
