/* test_web_svg.c - the chart renderer (web/svg_chart.h): series in, SVG out. Checks the structure
 * (balanced elements, one bar group per bucket, titles), the geometry that carries meaning (a
 * failing day never drawn as clean, the threshold line, bucketing of long series) and escaping of
 * the caller's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svg_chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define T0 1772323200 /* 2026-03-01 */

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static char *render(const struct svg_day *d, size_t n, double threshold, const char *title)
{
    struct html h;
    struct svg_chart_opts o = {.id = "daily", .title = title, .threshold = threshold};
    html_init(&h, 1 << 22);
    svg_daily_chart(&h, d, n, &o);
    assert_int_equal(html_finish(&h), 0);
    return (char *)tlsrpt_buf_steal(&h.buf, NULL);
}

static void balanced(const char *s)
{
    assert_int_equal(count(s, "<svg"), count(s, "</svg>"));
    assert_int_equal(count(s, "<g "), count(s, "</g>"));
    assert_int_equal(count(s, "<title"), count(s, "</title>"));
    assert_int_equal(count(s, "<text"), count(s, "</text>"));
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "inf"));
    assert_null(strstr(s, "style="));  /* the CSP allows no inline style */
    assert_null(strstr(s, "<script")); /* nor script */
}

/* y and height of the first rect with class cls inside the n-th bar group (0-based). */
static int bar_rect(const char *s, size_t nth, const char *cls, double *y, double *height)
{
    const char *g = strstr(s, "<g class=\"bar\">");
    for (size_t i = 0; g != NULL && i < nth; i++)
        g = strstr(g + 1, "<g class=\"bar\">");
    if (g == NULL)
        return -1;
    const char *end = strstr(g, "</g>");
    char want[48];
    snprintf(want, sizeof want, "<rect class=\"%s\"", cls);
    const char *r = strstr(g, want);
    if (r == NULL || r > end)
        return -1;
    const char *py = strstr(r, " y=\""), *ph = strstr(r, "height=\"");
    *y = strtod(py + 4, NULL);
    *height = strtod(ph + 8, NULL);
    return 0;
}

static void daily_structure(void **state)
{
    struct svg_day d[14];
    for (int i = 0; i < 14; i++)
        d[i] = (struct svg_day){T0 + i * DAY, 1000 + 10 * i, i % 3 == 0 ? 50 : 0};
    d[5].successful = d[5].failed = 0; /* a day without reports */
    char *s = render(d, 14, 0.001, "Daily sessions for <b>x</b>");
    balanced(s);
    assert_int_equal(count(s, "<g class=\"bar\">"), 14);
    assert_non_null(strstr(s, "role=\"img\""));
    assert_non_null(strstr(s, "aria-labelledby=\"daily-t daily-d\""));
    assert_non_null(strstr(s, "<title id=\"daily-t\">Daily sessions for &lt;b&gt;x&lt;/b&gt;"));
    assert_non_null(strstr(s, "<title>2026-03-01: 1,000 successful, 50 failed (4.76%)</title>"));
    assert_non_null(strstr(s, "<title>2026-03-06: no sessions reported</title>"));
    assert_int_equal(count(s, "class=\"nodata\""), 1);
    assert_int_equal(count(s, "<line class=\"threshold\""), 1);
    /* 4.76% is above 0.1%: failing days are red in the rate panel, clean days not */
    assert_int_equal(count(s, "<rect class=\"fail\""), 5 * 2); /* stacked + rate, days 0,3,6,9,12 */
    assert_non_null(strstr(s, "2026-03-01 to 2026-03-14"));
    free(s);
}

/* One failed session among a million stays visible: at least 2 units tall. */
static void tiny_failure_visible(void **state)
{
    struct svg_day d[3] = {{T0, 1000000, 0}, {T0 + DAY, 999999, 1}, {T0 + 2 * DAY, 500000, 0}};
    char *s = render(d, 3, 0.001, "t");
    double y, h, ys, hs;
    assert_int_equal(bar_rect(s, 1, "fail", &y, &h), 0);
    assert_true(h >= 2.0);
    assert_int_equal(bar_rect(s, 1, "ok", &ys, &hs), 0);
    assert_true(y + h <= ys + 0.11); /* failed sits on top of successful */
    assert_int_equal(bar_rect(s, 0, "fail", &y, &h), -1);
    /* the rate panel: 0.0001% is below the threshold: "warn", not "fail" */
    assert_int_equal(bar_rect(s, 1, "warn", &y, &h), 0);
    /* day 2 is half of day 0 */
    double y0, h0, y2, h2;
    assert_int_equal(bar_rect(s, 0, "ok", &y0, &h0), 0);
    assert_int_equal(bar_rect(s, 2, "ok", &y2, &h2), 0);
    assert_true(h2 > 0.45 * h0 && h2 < 0.55 * h0);
    free(s);
}

static void empty_and_long(void **state)
{
    char *s = render(NULL, 0, 0.001, "none");
    balanced(s);
    assert_non_null(strstr(s, "No reports in this window"));
    assert_int_equal(count(s, "<g class=\"bar\">"), 0);
    free(s);

    size_t n = 3660;
    struct svg_day *d = calloc(n, sizeof *d);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        d[i] = (struct svg_day){T0 + (int64_t)i * DAY, 10, i == n - 1 ? 1 : 0};
    s = render(d, n, 0.001, "ten years");
    balanced(s);
    size_t per = svg_bucket_days(n);
    assert_int_equal(per, 21);
    assert_int_equal(count(s, "<g class=\"bar\">"), (n + per - 1) / per);
    assert_true(count(s, "<g class=\"bar\">") <= SVG_MAX_BARS);
    assert_non_null(strstr(s, "Sessions per bucket"));
    /* the last bucket holds the last 6 days (3660 = 174 * 21 + 6) and the failure */
    assert_non_null(strstr(s, " \xE2\x80\x93 2036-03-07: 60 successful, 1 failed"));
    free(s);
    free(d);
}

static void bucketing(void **state)
{
    struct svg_day d[5] = {{T0, 1, 0},
                           {T0 + DAY, 2, 1},
                           {T0 + 2 * DAY, 3, 0},
                           {T0 + 3 * DAY, 4, 2},
                           {T0 + 4 * DAY, 5, 0}};
    struct svg_day out[3];
    svg_bucket(d, 5, 2, out);
    assert_int_equal(out[0].day, T0);
    assert_int_equal(out[0].successful, 3);
    assert_int_equal(out[0].failed, 1);
    assert_int_equal(out[1].day, T0 + 2 * DAY);
    assert_int_equal(out[1].successful, 7);
    assert_int_equal(out[1].failed, 2);
    assert_int_equal(out[2].successful, 5);
    assert_int_equal(svg_bucket_days(0), 1);
    assert_int_equal(svg_bucket_days(180), 1);
    assert_int_equal(svg_bucket_days(181), 2);
}

static void axis_helpers(void **state)
{
    static const struct {
        double in, out;
    } nice[] = {{0, 1}, {-3, 1}, {0.7, 1},     {1, 1},          {1.2, 2},  {2.2, 2.5},
                {3, 5}, {7, 10}, {1653, 2000}, {0.0015, 0.002}, {250, 250}};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        assert_float_equal(svg_nice_ceiling(nice[i].in), nice[i].out, nice[i].out * 1e-9);
    static const struct {
        double v;
        const char *s;
    } compact[] = {{0, "0"},       {950, "950"},      {1200, "1.2k"},
                   {1500, "1.5k"}, {3400000, "3.4M"}, {2e9, "2G"}};
    char buf[32];
    for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++) {
        svg_fmt_compact(buf, sizeof buf, compact[i].v);
        assert_string_equal(buf, compact[i].s);
    }
}

static void sparkline_and_meter(void **state)
{
    struct svg_day d[4] = {
        {T0, 100, 0}, {T0 + DAY, 0, 0}, {T0 + 2 * DAY, 90, 1}, {T0 + 3 * DAY, 50, 10}};
    struct html h;
    html_init(&h, 1 << 16);
    svg_sparkline(&h, d, 4, 0.05, "trend of \"><script>");
    svg_meter(&h, 0.25, "ok");
    svg_meter(&h, 7, "ok"); /* clamped */
    svg_meter(&h, -1, "ok");
    assert_int_equal(html_finish(&h), 0);
    const char *s = (const char *)h.buf.data;
    balanced(s);
    assert_non_null(strstr(s, "aria-label=\"trend of &quot;&gt;&lt;script&gt;\""));
    assert_int_equal(count(s, "class=\"ok\" x="), 1);  /* day 0 */
    assert_int_equal(count(s, "class=\"nodata\""), 1); /* day 1 */
    assert_int_equal(count(s, "class=\"warn\""), 1);   /* day 2: 1.1% < 5% */
    assert_int_equal(count(s, "class=\"fail\""), 1);   /* day 3: 16.7% > 5% */
    assert_non_null(strstr(s, "<rect class=\"ok\" width=\"25.00\""));
    assert_non_null(strstr(s, "<rect class=\"ok\" width=\"100.00\""));
    assert_int_equal(count(s, "<svg class=\"meter\""), 3);
    html_free(&h);
}

static void bad_id_replaced(void **state)
{
    struct svg_day d[1] = {{T0, 1, 0}};
    struct html h;
    struct svg_chart_opts o = {.id = "x\" onload=\"y", .title = "t", .threshold = 0};
    html_init(&h, 1 << 16);
    svg_daily_chart(&h, d, 1, &o);
    assert_int_equal(html_finish(&h), 0);
    assert_null(strstr((const char *)h.buf.data, "onload"));
    assert_non_null(strstr((const char *)h.buf.data, "id=\"chart-t\""));
    assert_int_equal(count((const char *)h.buf.data, "class=\"threshold\""), 0);
    html_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(daily_structure), cmocka_unit_test(tiny_failure_visible),
        cmocka_unit_test(empty_and_long),  cmocka_unit_test(bucketing),
        cmocka_unit_test(axis_helpers),    cmocka_unit_test(sparkline_and_meter),
        cmocka_unit_test(bad_id_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
