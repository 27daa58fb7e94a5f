/* test_web_html.c - the dashboard's escaping (web/html.h), one table per context: text, attribute,
 * URL query value and link filtering, with hostile inputs (markup, quotes, broken UTF-8, controls),
 * plus the page builder's sticky cap and the number formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "html.h"

#include <string.h>

struct esc_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *text, *attr;
};

#define FFFD "\xEF\xBF\xBD"

static const struct esc_case esc_cases[] = {
    {"plain.example", 0, "plain.example", "plain.example"},
    {"", 0, "", ""},
    {"<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;",
     "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"\"><img src=x onerror=alert(1)>", 0, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
     "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"},
    {"' onmouseover='x", 0, "&#39; onmouseover=&#39;x", "&#39; onmouseover=&#39;x"},
    {"a & b &amp;", 0, "a &amp; b &amp;amp;", "a &amp; b &amp;amp;"},
    {"`backtick`", 0, "`backtick`", "&#96;backtick&#96;"},
    {"</title><svg onload=x>", 0, "&lt;/title&gt;&lt;svg onload=x&gt;",
     "&lt;/title&gt;&lt;svg onload=x&gt;"},
    /* UTF-8 kept when valid, repaired when not */
    {"b\xC3\xBC"
     "cher.example \xE2\x9C\x93",
     0,
     "b\xC3\xBC"
     "cher.example \xE2\x9C\x93",
     "b\xC3\xBC"
     "cher.example \xE2\x9C\x93"},
    {"\xF0\x9F\x94\x92"
     " lock",
     0,
     "\xF0\x9F\x94\x92"
     " lock",
     "\xF0\x9F\x94\x92"
     " lock"},
    {"bad\xFF"
     "byte",
     0, "bad" FFFD "byte", "bad" FFFD "byte"},
    {"trunc\xE2\x9C", 0, "trunc" FFFD FFFD, "trunc" FFFD FFFD},
    {"overlong\xC0\xBC", 0, "overlong" FFFD FFFD, "overlong" FFFD FFFD}, /* "<" in 2 bytes */
    {"overlong3\xE0\x80\xBC", 0, "overlong3" FFFD FFFD FFFD, "overlong3" FFFD FFFD FFFD},
    {"surrogate\xED\xA0\x80", 0, "surrogate" FFFD FFFD FFFD, "surrogate" FFFD FFFD FFFD},
    {"big\xF4\x90\x80\x80", 0, "big" FFFD FFFD FFFD FFFD, "big" FFFD FFFD FFFD FFFD},
    /* controls: tab/newline/CR kept, the rest replaced; NUL inside the length too */
    {"a\tb\nc\rd", 0, "a\tb\nc\rd", "a\tb\nc\rd"},
    {"bell\x07"
     "esc\x1B",
     0, "bell" FFFD "esc" FFFD, "bell" FFFD "esc" FFFD},
    {"del\x7F", 0, "del" FFFD, "del" FFFD},
    {"c1\xC2\x85", 0, "c1" FFFD, "c1" FFFD},
    {"nul\0<x>", 7, "nul" FFFD "&lt;x&gt;", "nul" FFFD "&lt;x&gt;"},
};

static void escape_table(void **state)
{
    for (size_t i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
        const struct esc_case *c = &esc_cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        struct tlsrpt_buf b;
        tlsrpt_buf_init(&b, 4096);
        assert_int_equal(html_escape_text(&b, c->in, len), 0);
        assert_string_equal(b.len ? (const char *)b.data : "", c->text);
        tlsrpt_buf_reset(&b);
        assert_int_equal(html_escape_attr(&b, c->in, len), 0);
        assert_string_equal(b.len ? (const char *)b.data : "", c->attr);
        tlsrpt_buf_free(&b);
    }
}

/* Whatever bytes come in, the escaped text has no markup character left and is valid UTF-8. */
static void escape_all_bytes(void **state)
{
    char in[512];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i, in[256 + i] = (char)(255 - i);
    struct tlsrpt_buf b;
    tlsrpt_buf_init(&b, 1 << 16);
    assert_int_equal(html_escape_attr(&b, in, sizeof in), 0);
    for (size_t i = 0; i < b.len; i++) {
        assert_true(b.data[i] != '<' && b.data[i] != '>' && b.data[i] != '"' && b.data[i] != '\'' &&
                    b.data[i] != '`' && b.data[i] != '\0');
        if (b.data[i] == '&')
            assert_true(b.data[i + 1] == 'a' || b.data[i + 1] == 'l' || b.data[i + 1] == 'g' ||
                        b.data[i + 1] == 'q' || b.data[i + 1] == '#');
    }
    tlsrpt_buf_free(&b);
}

static void url_component(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"example.com", "example.com"},
        {"a-b_c~d", "a-b_c~d"},
        {"a b&c=d", "a%20b%26c%3Dd"},
        {"\"><svg onload=x>", "%22%3E%3Csvg%20onload%3Dx%3E"},
        {"javascript:alert(1)", "javascript%3Aalert%281%29"},
        {"#frag?q/", "%23frag%3Fq%2F"},
        {"b\xC3\xBC", "b%C3%BC"},
        {"%41", "%2541"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tlsrpt_buf b;
        tlsrpt_buf_init(&b, 1024);
        assert_int_equal(url_encode_component(&b, cases[i].in, strlen(cases[i].in)), 0);
        assert_string_equal((const char *)b.data, cases[i].out);
        tlsrpt_buf_free(&b);
    }
}

static void safe_links(void **state)
{
    static const struct {
        const char *url;
        bool safe;
    } cases[] = {
        {"https://example.com/tls", true},
        {"HTTPS://EXAMPLE.COM", true},
        {"http://example.com", true},
        {"mailto:tlsrpt@example.com", true},
        {"javascript:alert(1)", false},
        {"JavaScript:alert(1)", false},
        {" javascript:alert(1)", false},
        {"java\tscript:alert(1)", false},
        {"data:text/html,<script>alert(1)</script>", false},
        {"vbscript:msgbox", false},
        {"//evil.example/x", false},
        {"/relative", false},
        {"https://exa mple.com", false},
        {"https://example.com/\x01", false},
        {"https:\\\\evil.example", false},
        {"mailto:", false},
        {"", false},
        {NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(html_url_is_safe_link(cases[i].url), cases[i].safe);
}

static void builder_sticky_cap(void **state)
{
    struct html h;
    html_init(&h, 16);
    h_raw(&h, "0123456789");
    h_text(&h, "<<<"); /* 12 bytes escaped: over the cap */
    assert_int_equal(html_finish(&h), TLSRPT_E_TOO_LARGE);
    h_raw(&h, "x"); /* ignored after the first error */
    assert_int_equal(h.buf.len, 10);
    html_free(&h);

    html_init(&h, 1024);
    h_raw(&h, "<p title=\"");
    h_attr(&h, "\"x\"");
    h_raw(&h, "\">");
    h_text(&h, NULL);
    h_text(&h, "a<b");
    h_raw(&h, "</p><a href=\"/domain?d=");
    h_url_param(&h, "a&b");
    h_raw(&h, "\">");
    assert_int_equal(html_finish(&h), 0);
    assert_string_equal((const char *)h.buf.data,
                        "<p title=\"&quot;x&quot;\">a&lt;b</p><a href=\"/domain?d=a%26b\">");
    html_free(&h);
}

static void number_formats(void **state)
{
    static const struct {
        int64_t v;
        const char *s;
    } ints[] = {{0, "0"},          {7, "7"},
                {999, "999"},      {1000, "1,000"},
                {16096, "16,096"}, {1234567, "1,234,567"},
                {-4200, "-4,200"}, {INT64_MAX, "9,223,372,036,854,775,807"}};
    char buf[64];
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        fmt_int(buf, sizeof buf, ints[i].v);
        assert_string_equal(buf, ints[i].s);
    }
    static const struct {
        double f;
        const char *s;
    } rates[] = {{-1, "\xE2\x80\x93"}, {0, "0%"},         {0.00001, "<0.01%"}, {0.0001, "0.01%"},
                 {0.154138, "15.41%"}, {0.0033, "0.33%"}, {1, "100.00%"}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        fmt_rate(buf, sizeof buf, rates[i].f);
        assert_string_equal(buf, rates[i].s);
    }
    fmt_date(buf, sizeof buf, 1773532800); /* 2026-03-15 00:00:00Z */
    assert_string_equal(buf, "2026-03-15");
    fmt_date(buf, sizeof buf, 0);
    assert_string_equal(buf, "\xE2\x80\x93");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_table),       cmocka_unit_test(escape_all_bytes),
        cmocka_unit_test(url_component),      cmocka_unit_test(safe_links),
        cmocka_unit_test(builder_sticky_cap), cmocka_unit_test(number_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
