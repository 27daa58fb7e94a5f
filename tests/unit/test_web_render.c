/* test_web_render.c - the overview and domain renderers on a hand-made analysis whose every string
 * is a payload: the HTML must carry them escaped (text, attribute and URL contexts) and never raw;
 * the figures must be the analysis' own. Also the daily series padded to the window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svg_chart.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define T0 1772323200 /* 2026-03-01 */
#define NOW (T0 + 14 * DAY + 12 * 3600)

#define P_SCRIPT "<script>alert(1)</script>"
#define P_ATTR "\"><img src=x onerror=alert(2)>"
#define P_JS "javascript:alert(3)"
#define P_SVG "<svg onload=alert(4)>"

static const char *orgs[] = {P_SCRIPT, "Google Inc."};
static struct tlsrpt_count rts[] = {{P_SVG, 40}, {"certificate-expired", 2}};
static struct tlsrpt_org_stats by_org[] = {{P_SCRIPT, 3, 900, 40, T0, T0 + DAY},
                                           {"Google Inc.", 2, 100, 2, T0, T0 + 2 * DAY}};
static struct tlsrpt_mx_stats by_mx[] = {
    {P_ATTR, TLSRPT_MX_HOST, 42, rts, 2, orgs, 2, T0, T0 + DAY, 0}};
static struct tlsrpt_detail_stats details[] = {
    {P_SVG, "192.0.2.1", P_ATTR, "192.0.2.2", P_JS, 40, orgs, 1}};
static struct tlsrpt_day_stats daily[] = {{T0 + 2 * DAY, 3, 600, 30}, {T0 + 5 * DAY, 2, 400, 12}};
static const char *patterns[] = {P_ATTR, "mx1.example"};
static struct tlsrpt_policy_org pol_orgs[] = {{P_SCRIPT, 3, T0, T0 + DAY}};
static struct tlsrpt_policy_seen policies[] = {
    {P_SCRIPT, 86400, patterns, 2, true, 5, T0, T0 + 2 * DAY, pol_orgs, 1}};
static struct tlsrpt_reason reasons[] = {
    {"mx-tls-failure", TLSRPT_SEV_BLOCKING, "MX " P_ATTR " fails " P_SCRIPT, "Fix " P_JS, P_ATTR,
     P_SVG, orgs, 2, 42, T0, T0 + DAY, -1, -1},
};

static void fill(struct tlsrpt_analysis *a, struct tlsrpt_domain_analysis *d)
{
    memset(d, 0, sizeof *d);
    d->domain = "\"><svg onload=alert(5)>.example";
    d->reports = 5;
    d->reporters = 2;
    d->organizations = 2;
    d->days_with_reports = 2;
    d->first_seen = T0 + 2 * DAY;
    d->last_seen = T0 + 5 * DAY;
    d->successful = 1000;
    d->failed = 42;
    d->by_organization = by_org;
    d->n_by_organization = 2;
    d->by_mx = by_mx;
    d->n_by_mx = 1;
    d->by_result_type = rts;
    d->n_by_result_type = 2;
    d->top_details = details;
    d->n_top_details = 1;
    d->daily = daily;
    d->n_daily = 2;
    d->policies = policies;
    d->n_policies = 1;
    d->readiness.verdict = TLSRPT_VERDICT_NOT_READY;
    d->readiness.newest_mode = P_SCRIPT;
    d->readiness.reasons = reasons;
    d->readiness.n_reasons = 1;
    memset(a, 0, sizeof *a);
    tlsrpt_thresholds_default(&a->thresholds);
    a->since = T0;
    a->until = NOW;
    a->now = NOW;
    a->domains = d;
    a->n_domains = 1;
}

static void ctx(struct web_ctx *c, struct web_settings *st)
{
    memset(c, 0, sizeof *c);
    memset(st, 0, sizeof *st);
    tlsrpt_thresholds_default(&st->thresholds);
    c->settings = st;
    c->p.window_days = 14;
    c->p.page = 1;
    c->now = NOW;
    web_window_resolve(&c->p, c->now, &c->since, &c->until);
    c->path = "/";
}

/* No payload survives raw; every one appears escaped. */
static void no_raw_payload(const char *html)
{
    static const char *raw[] = {"<script", "<img", "<svg onload", "href=\"javascript:"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strstr(html, raw[i]) != NULL)
            fail_msg("raw '%s' in output near: %.120s", raw[i], strstr(html, raw[i]));
}

static void overview(void **state)
{
    struct tlsrpt_analysis a;
    struct tlsrpt_domain_analysis d;
    struct web_ctx c;
    struct web_settings st;
    struct html h;
    fill(&a, &d);
    ctx(&c, &st);
    html_init(&h, 1 << 20);
    render_overview(&h, &c, &a, 3, 1, 0, false);
    assert_int_equal(html_finish(&h), 0);
    const char *s = (const char *)h.buf.data;
    no_raw_payload(s);
    /* text context */
    assert_non_null(strstr(s, ">&quot;&gt;&lt;svg onload=alert(5)&gt;.example</a>"));
    assert_non_null(strstr(s, "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
    /* URL context: the domain is percent-encoded in its link */
    assert_non_null(strstr(s, "href=\"/domain?d=%22%3E%3Csvg%20onload%3Dalert%285%29%3E.example"
                              "&amp;window=14\""));
    /* figures */
    assert_non_null(strstr(s, "<td class=\"num sessions\">1,042</td>"));
    assert_non_null(strstr(s, "<td class=\"num failed fail\">42</td>"));
    assert_non_null(strstr(s, "<td class=\"num rate\">4.03%</td>"));
    assert_non_null(strstr(s, "<span class=\"badge not-ready\">not-ready</span>"));
    assert_non_null(
        strstr(s, "<strong>3 inputs were rejected</strong> in this window (1 unresolved)"));
    assert_non_null(strstr(s, "<svg class=\"spark\""));
    html_free(&h);
}

static void domain(void **state)
{
    struct tlsrpt_analysis a;
    struct tlsrpt_domain_analysis d;
    struct web_ctx c;
    struct web_settings st;
    struct html h;
    fill(&a, &d);
    ctx(&c, &st);
    c.path = "/domain";
    c.p.domains[0] = d.domain;
    c.p.n_domains = 1;
    html_init(&h, 1 << 20);
    render_domain(&h, &c, &a, &d);
    assert_int_equal(html_finish(&h), 0);
    const char *s = (const char *)h.buf.data;
    no_raw_payload(s);
    /* the <title> element carries the domain escaped */
    assert_non_null(strstr(s, "<title>&quot;&gt;&lt;svg onload=alert(5)&gt;.example \xC2\xB7"));
    /* attribute context: the custom-window form keeps the domain in a hidden input */
    assert_non_null(strstr(s, "<input type=\"hidden\" name=\"d\" value=\"&quot;&gt;&lt;svg "
                              "onload=alert(5)&gt;.example\">"));
    /* the window presets link back to this domain, URL-encoded */
    assert_non_null(strstr(s, "href=\"/domain?d=%22%3E%3Csvg%20onload%3Dalert%285%29%3E.example"
                              "&amp;window=30\""));
    /* the reason, its action and facts */
    assert_non_null(strstr(s, "<li class=\"reason blocking\">"));
    assert_non_null(strstr(s, "Fix javascript:alert(3)"));
    assert_non_null(strstr(s, "42 sessions"));
    /* tables */
    assert_non_null(strstr(s, "<table id=\"t-orgs\">"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;<svg class=\"meter\""));
    assert_non_null(strstr(s, "<strong>no</strong>")); /* MX not in the policy */
    assert_non_null(strstr(s, "<td class=\"wrap\">javascript:alert(3)</td>"));
    assert_non_null(strstr(s, "<span class=\"badge info\">newest</span>"));
    /* the chart and its table cover the whole window: 15 days, two with reports */
    assert_int_equal(strstr(s, "<svg class=\"chart\"") != NULL, 1);
    assert_non_null(strstr(s, "<th scope=\"row\">2026-03-03</th><td class=\"num\">600</td>"
                              "<td class=\"num fail\">30</td>"));
    assert_non_null(strstr(s, "<th scope=\"row\">2026-03-15</th><td class=\"num\">0</td>"));
    /* no stored check: the panel says how to make one */
    assert_non_null(strstr(s, "No live check stored for this domain: run <code>tlsrpt-check "
                              "--store &quot;&gt;&lt;svg onload=alert(5)&gt;.example</code>."));
    html_free(&h);
}

static struct tlsrpt_live_finding live_findings[] = {
    {"error", "mx-cert-expired", "mx2.example (192.0.2.2)", "expired " P_SCRIPT, "renew " P_JS},
    {P_ATTR, P_SVG, P_ATTR, "odd severity", "nothing"},
};
static const char *live_mx[] = {P_ATTR};
static struct tlsrpt_live_mx_cert live_certs[] = {{"mx1.example", 80}, {P_SCRIPT, -3}};
static const struct tlsrpt_live_check live = {
    T0 + 12 * DAY, 2, "errors",      P_SCRIPT, "20260313", live_mx, 1, 40, -3,
    live_certs,    2, live_findings, 2};

/* The live check panel: time, verdict, certificate expiry days, findings with fixes, escaped. */
static void domain_live_check(void **state)
{
    struct tlsrpt_analysis a;
    struct tlsrpt_domain_analysis d;
    struct web_ctx c;
    struct web_settings st;
    struct html h;
    (void)state;
    fill(&a, &d);
    d.live_check = &live;
    ctx(&c, &st);
    c.path = "/domain";
    c.p.domains[0] = d.domain;
    c.p.n_domains = 1;
    html_init(&h, 1 << 20);
    render_domain(&h, &c, &a, &d);
    assert_int_equal(html_finish(&h), 0);
    const char *s = (const char *)h.buf.data;
    no_raw_payload(s);
    assert_non_null(strstr(s, "<section class=\"panel\" id=\"live-check\"><h2>Live check</h2>"));
    assert_non_null(strstr(s, "Checked 2026-03-13 00:00 UTC (2 days old): verdict <code "
                              "class=\"live-verdict\">errors</code>; policy mode "
                              "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>, id "
                              "<code>20260313</code>."));
    /* certificate expiry: the policy host (named after the escaped domain) and the MX hosts */
    assert_non_null(strstr(s, "<td>Policy host</td><td><code>mta-sts.&quot;&gt;&lt;svg "
                              "onload=alert(5)&gt;.example</code></td><td class=\"num\">40 "
                              "days</td>"));
    assert_non_null(strstr(s, "<td>MX</td><td><code>mx1.example</code></td><td class=\"num\">80 "
                              "days</td>"));
    assert_non_null(strstr(s, "<td>MX</td><td><code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"
                              "</td><td class=\"num fail\">-3 days (expired)</td>"));
    /* findings with their fixes; an unknown severity gets the info class, its text escaped */
    assert_non_null(strstr(s, "<li class=\"finding blocking\"><span class=\"badge "
                              "blocking\">error</span> <code class=\"muted\">mx-cert-expired"));
    assert_non_null(strstr(s, "<p class=\"msg\">expired &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(s, "<p class=\"action\">renew javascript:alert(3)</p>"));
    assert_non_null(strstr(s, "<li class=\"finding info\"><span class=\"badge "
                              "info\">&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</span>"));
    html_free(&h);
}

static void series_padding(void **state)
{
    struct tlsrpt_analysis a;
    struct tlsrpt_domain_analysis d;
    fill(&a, &d);
    size_t n = 0;
    struct svg_day *days = web_daily_series(&d, T0, NOW, &n);
    assert_non_null(days);
    assert_int_equal(n, 15); /* 1 to 15 March */
    assert_int_equal(days[0].day, T0);
    assert_int_equal(days[2].successful, 600);
    assert_int_equal(days[5].failed, 12);
    assert_int_equal(days[14].day, T0 + 14 * DAY);
    int64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += days[i].successful;
    assert_int_equal(ok, 1000);
    free(days);
    assert_null(web_daily_series(&d, NOW, NOW, &n));
    assert_int_equal(n, 0);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* 250 domains: attention order, the verdict filter, name order and pages of 100. */
static void overview_order_filter_pages(void **state)
{
    enum { N = 250 };
    struct tlsrpt_domain_analysis *d = calloc(N, sizeof *d);
    char(*names)[32] = calloc(N, sizeof *names);
    assert_non_null(d);
    assert_non_null(names);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "d%03d.example", i);
        d[i].domain = names[i];
        d[i].readiness.verdict = i % 10 == 7 ? TLSRPT_VERDICT_NOT_READY : TLSRPT_VERDICT_READY;
        d[i].failed = i % 10 == 7 ? i : 0;
        d[i].successful = 100;
    }
    struct tlsrpt_analysis a = {.domains = d, .n_domains = N};
    tlsrpt_thresholds_default(&a.thresholds);
    struct web_ctx c;
    struct web_settings st;
    struct html h;
    ctx(&c, &st);
    html_init(&h, 1 << 22);
    render_overview(&h, &c, &a, 0, 0, 0, false);
    assert_int_equal(html_finish(&h), 0);
    const char *s = (const char *)h.buf.data;
    assert_int_equal(count(s, "<tr><th scope=\"row\" class=\"domain\">"), 100);
    /* the 25 not-ready domains first, the most failed sessions first */
    const char *first = strstr(s, "class=\"domain\">"), *worst = strstr(s, ">d247.example<");
    assert_non_null(worst);
    assert_true(worst - first < 300);
    assert_true(strstr(s, ">d007.example<") < strstr(s, ">d000.example<"));
    assert_non_null(strstr(s, "<span>Page 1 of 3</span>"));
    assert_non_null(strstr(s, "href=\"/?page=2&amp;window=14\">Next"));
    assert_non_null(strstr(s, "<b>25</b> <span class=\"badge not-ready\">"));
    html_free(&h);

    c.p.page = 3;
    c.p.sort_by_name = true;
    html_init(&h, 1 << 22);
    render_overview(&h, &c, &a, 0, 0, 0, false);
    s = (const char *)h.buf.data;
    assert_int_equal(count(s, "<tr><th scope=\"row\" class=\"domain\">"), 50);
    assert_non_null(strstr(s, ">d200.example<"));
    assert_null(strstr(s, ">d199.example<"));
    assert_null(strstr(s, ">Next"));
    html_free(&h);

    c.p.page = 1;
    c.p.sort_by_name = false;
    c.p.verdict = "not-ready";
    html_init(&h, 1 << 22);
    render_overview(&h, &c, &a, 0, 0, 0, false);
    s = (const char *)h.buf.data;
    assert_int_equal(count(s, "<tr><th scope=\"row\" class=\"domain\">"), 25);
    assert_int_equal(count(s, "<span class=\"badge ready\">ready</span></td>"), 0);
    assert_non_null(strstr(s, ">all domains</a>"));
    /* the window presets keep the filter */
    assert_non_null(strstr(s, "href=\"/?verdict=not-ready&amp;window=30\""));
    html_free(&h);
    free(d);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overview),
        cmocka_unit_test(domain),
        cmocka_unit_test(domain_live_check),
        cmocka_unit_test(series_padding),
        cmocka_unit_test(overview_order_filter_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
