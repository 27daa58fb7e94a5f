/* test_config.c - the config file parser, typed getters and the option table (file + argv). */
#include "config.h"
#include "testutil.h"
#include "units.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct tlsrpt_config *parse_ok(const char *text)
{
    struct tlsrpt_config *c = NULL;
    struct tlsrpt_error err = {0};
    int rc = tlsrpt_config_parse("t.conf", text, strlen(text), &c, &err);
    if (rc != 0)
        print_error("unexpected: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_non_null(c);
    return c;
}

static void parse_fails(const char *text, const char *want)
{
    struct tlsrpt_config *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_not_equal(tlsrpt_config_parse("t.conf", text, strlen(text), &c, &err), 0);
    assert_null(c);
    if (!strstr(err.message, want))
        print_error("message '%s' lacks '%s'\n", err.message, want);
    assert_non_null(strstr(err.message, want));
}

static void test_parse_sections_and_comments(void **state)
{
    struct tlsrpt_config *c = parse_ok("# top comment\n"
                                       "db = /var/lib/x.db\r\n"
                                       "\n"
                                       "  [serve]  \n"
                                       "port=8443\n"
                                       "   # indented comment\n"
                                       "path = /tlsrpt#not-a-comment\n"
                                       "quoted = \"  keep blanks  \"\n"
                                       "[web]\n"
                                       "port = 80\n");
    int line = 0;
    assert_string_equal(tlsrpt_config_get(c, NULL, "db", &line), "/var/lib/x.db");
    assert_int_equal(line, 2);
    assert_string_equal(tlsrpt_config_get(c, "serve", "port", &line), "8443");
    assert_int_equal(line, 5);
    assert_string_equal(tlsrpt_config_get(c, "serve", "path", NULL), "/tlsrpt#not-a-comment");
    assert_string_equal(tlsrpt_config_get(c, "serve", "quoted", NULL), "  keep blanks  ");
    assert_string_equal(tlsrpt_config_get(c, "web", "port", NULL), "80");
    assert_null(tlsrpt_config_get(c, NULL, "port", NULL));  /* sections do not leak into global */
    assert_null(tlsrpt_config_get(c, "serve", "db", NULL)); /* nor global into a section lookup */
    tlsrpt_config_free(c);
}

static void test_parse_errors_name_file_and_line(void **state)
{
    parse_fails("a = 1\nthis line has no equals sign\n", "t.conf:2: expected 'key = value'");
    parse_fails("[serve\n", "t.conf:1: section header must end with ']'");
    parse_fails("[se rve]\n", "t.conf:1: bad section name");
    parse_fails("x y = 1\n", "t.conf:1: bad key name");
    parse_fails("[serve]\nport = 1\n\nport = 2\n",
                "t.conf:4: 'port' given twice (first at line 2)");
    char nul[] = "a = 1\nb = x\0y\n";
    struct tlsrpt_config *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_not_equal(tlsrpt_config_parse("t.conf", nul, sizeof nul - 1, &c, &err), 0);
    assert_non_null(strstr(err.message, "t.conf:2: NUL byte"));
    /* The same key in two sections is not a duplicate. */
    c = parse_ok("port = 1\n[serve]\nport = 2\n");
    tlsrpt_config_free(c);
}

static void test_line_length_cap(void **state)
{
    size_t n = TLSRPT_CONFIG_MAX_LINE + 10;
    char *text = malloc(n + 8);
    assert_non_null(text);
    memcpy(text, "k = ", 4);
    memset(text + 4, 'v', n - 4);
    text[n] = '\n';
    text[n + 1] = '\0';
    struct tlsrpt_config *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_not_equal(tlsrpt_config_parse("t.conf", text, n + 1, &c, &err), 0);
    assert_non_null(strstr(err.message, "t.conf:1: line longer than"));
    free(text);
}

/* What --help prints for these options (free() it). */
static char *help_text(const struct tlsrpt_options *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    tlsrpt_options_print_help(mem, o);
    fclose(mem);
    return text;
}

static void test_typed_getters(void **state)
{
    struct tlsrpt_config *c = parse_ok("[s]\nn = 42\nbig = 70000\nneg = -1\nsz = 4M\nsz2 = 3x\n"
                                       "b1 = yes\nb2 = Off\nb3 = maybe\n");
    struct tlsrpt_error err = {0};
    uint64_t v = 7;
    bool b = false;
    assert_int_equal(tlsrpt_config_get_uint(c, "s", "n", 1, 65535, &v, &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(tlsrpt_config_get_uint(c, "s", "absent", 1, 65535, &v, &err), 1);
    assert_int_equal(v, 42);
    assert_int_equal(tlsrpt_config_get_uint(c, "s", "big", 1, 65535, &v, &err), TLSRPT_E_FORMAT);
    assert_non_null(strstr(err.message, "t.conf:3: big: 70000 is out of range [1, 65535]"));
    assert_int_equal(tlsrpt_config_get_uint(c, "s", "neg", 0, 10, &v, &err), TLSRPT_E_FORMAT);
    assert_non_null(strstr(err.message, "t.conf:4: neg: '-1' is not a whole number"));
    assert_int_equal(tlsrpt_config_get_size(c, "s", "sz", 1, 1u << 30, &v, &err), 0);
    assert_int_equal(v, 4u << 20);
    assert_int_equal(tlsrpt_config_get_size(c, "s", "sz", 1, 1u << 20, &v, &err), TLSRPT_E_FORMAT);
    assert_non_null(strstr(err.message, "t.conf:5: sz: '4M' is out of range [1, 1M]"));
    assert_int_equal(tlsrpt_config_get_size(c, "s", "sz2", 1, 1u << 20, &v, &err), TLSRPT_E_FORMAT);
    assert_non_null(strstr(err.message, "not a size"));
    assert_int_equal(tlsrpt_config_get_bool(c, "s", "b1", &b, &err), 0);
    assert_true(b);
    assert_int_equal(tlsrpt_config_get_bool(c, "s", "b2", &b, &err), 0);
    assert_false(b);
    assert_int_equal(tlsrpt_config_get_bool(c, "s", "b3", &b, &err), TLSRPT_E_FORMAT);
    assert_non_null(strstr(err.message, "t.conf:9: b3: 'maybe' is not yes or no"));
    tlsrpt_config_free(c);
}

/* A table like a command's, with a fallback that knows one extra name. */
struct fixture {
    const char *listen;
    uint64_t port, max_body;
    bool plain;
    int fallback_calls;
    char fallback_value[32];
};

static int fallback(void *ctx, const char *name, const char *value, char *why, size_t whylen)
{
    struct fixture *f = ctx;
    if (strcmp(name, "max-depth") != 0)
        return 0;
    if (strcmp(value, "bad") == 0) {
        snprintf(why, whylen, "not a depth");
        return -1;
    }
    f->fallback_calls++;
    snprintf(f->fallback_value, sizeof f->fallback_value, "%s", value);
    return 1;
}

static void make_options(struct fixture *f, struct tlsrpt_option *opts, struct tlsrpt_options *o)
{
    memset(f, 0, sizeof *f);
    f->listen = "::";
    f->port = 443;
    f->max_body = 4u << 20;
    struct tlsrpt_option tmpl[] = {
        {"listen", 'l', TLSRPT_OPT_STRING, &f->listen, 0, 0, "ADDR", "address"},
        {"port", 'p', TLSRPT_OPT_UINT, &f->port, 0, 65535, "N", "port"},
        {"max-body", 0, TLSRPT_OPT_SIZE, &f->max_body, 1024, 1u << 30, "SIZE", "cap\nsecond line"},
        {"plain-http", 0, TLSRPT_OPT_BOOL, &f->plain, 0, 0, NULL, "no TLS"},
    };
    memcpy(opts, tmpl, sizeof tmpl);
    o->opts = opts;
    o->n = 4;
    o->fallback = fallback;
    o->fallback_ctx = f;
    o->fallback_takes_value = true;
}

static void test_options_from_config(void **state)
{
    struct fixture f;
    struct tlsrpt_option opts[4];
    struct tlsrpt_options o;
    make_options(&f, opts, &o);
    struct tlsrpt_config *c = parse_ok("listen = 127.0.0.1\n[web]\nport = 80\nbogus = 1\n"
                                       "[serve]\nport = 8443\nmax-body = 1M\nplain-http = yes\n"
                                       "max-depth = 9\n");
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_string_equal(f.listen, "127.0.0.1");
    assert_int_equal(f.port, 8443); /* [web] port = 80 was ignored, and so was its unknown key */
    assert_int_equal(f.max_body, 1u << 20);
    assert_true(f.plain);
    assert_int_equal(f.fallback_calls, 1);
    assert_string_equal(f.fallback_value, "9");
    tlsrpt_config_free(c);

    c = parse_ok("[serve]\nport = 80\nprot = 81\n");
    assert_int_not_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_non_null(strstr(err.message, "t.conf:3: unknown key 'prot' in [serve]"));
    tlsrpt_config_free(c);

    c = parse_ok("[serve]\nmax-depth = bad\n");
    assert_int_not_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_non_null(strstr(err.message, "t.conf:2: max-depth: not a depth"));
    tlsrpt_config_free(c);

    c = parse_ok("[serve]\nmax-body = 100\n");
    assert_int_not_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_non_null(strstr(err.message, "t.conf:2: max-body: '100' is out of range [1k, 1G]"));
    tlsrpt_config_free(c);
}

static void test_options_from_argv(void **state)
{
    struct fixture f;
    struct tlsrpt_option opts[4];
    struct tlsrpt_options o;
    make_options(&f, opts, &o);
    char *argv[] = {"serve",       "--port", "8080", "--max-body=2k", "-l", "::1", "--plain-http",
                    "--max-depth", "7",      "--",   "file"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    int first = 0;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_options_from_argv(&o, argc, argv, &first, &err), 0);
    assert_int_equal(f.port, 8080);
    assert_int_equal(f.max_body, 2048);
    assert_string_equal(f.listen, "::1");
    assert_true(f.plain);
    assert_string_equal(f.fallback_value, "7");
    assert_int_equal(first, 10);

    char *argv2[] = {"serve", "--no-plain-http", "operand", "--port", "1"};
    assert_int_equal(tlsrpt_options_from_argv(&o, 5, argv2, &first, &err), 0);
    assert_false(f.plain);
    assert_int_equal(first, 2); /* stops at the first operand */
    assert_int_equal(f.port, 8080);

    char *bad1[] = {"serve", "--port", "70000"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 3, bad1, &first, &err), 0);
    assert_non_null(strstr(err.message, "--port: 70000 is out of range [0, 65535]"));
    char *bad2[] = {"serve", "--port"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 2, bad2, &first, &err), 0);
    assert_non_null(strstr(err.message, "'--port' needs a value"));
    char *bad3[] = {"serve", "-z"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 2, bad3, &first, &err), 0);
    assert_non_null(strstr(err.message, "unknown option '-z'"));
    char *bad4[] = {"serve", "--plain-http=perhaps"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 2, bad4, &first, &err), 0);
    assert_non_null(strstr(err.message, "--plain-http: 'perhaps' is not yes or no"));
    o.fallback_takes_value = false;
    char *bad5[] = {"serve", "--nope"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 2, bad5, &first, &err), 0);
    assert_non_null(strstr(err.message, "unknown option '--nope'"));
}

static void test_peek_and_help(void **state)
{
    char *argv[] = {"serve", "--port", "1", "--config=/etc/x.conf", "--config", "/ignored"};
    assert_string_equal(tlsrpt_options_peek(6, argv, "config"), "/etc/x.conf");
    char *argv2[] = {"serve", "--config", "/a.conf"};
    assert_string_equal(tlsrpt_options_peek(3, argv2, "config"), "/a.conf");
    assert_null(tlsrpt_options_peek(3, argv2, "conf"));

    struct fixture f;
    struct tlsrpt_option opts[4];
    struct tlsrpt_options o;
    make_options(&f, opts, &o);
    char *text = help_text(&o);
    assert_non_null(strstr(text, "-p, --port N"));
    assert_non_null(strstr(text, "(default: 443)"));
    assert_non_null(strstr(text, "--max-body SIZE"));
    assert_non_null(strstr(text, "(default: 4M)"));
    assert_non_null(strstr(text, "(default: ::)"));
    assert_null(strstr(text, "(default: no)")); /* a flag that is off by default says nothing */
    assert_non_null(strstr(text, "          cap\n          second line (default: 4M)\n"));
    free(text);
}

/* Durations: units.h tlsrpt_parse_duration and the DURATION option type (flag, file, help). */
static void test_durations(void **state)
{
    static const struct {
        const char *in;
        int rc;
        uint64_t want;
    } cases[] = {
        {"90", 0, 90},
        {"30s", 0, 30},
        {"15m", 0, 900},
        {"15min", 0, 900},
        {"12h", 0, 43200},
        {"1d", 0, 86400},
        {"2w", 0, 1209600},
        {"0", 0, 0},
        {"", -1, 0},
        {"d", -1, 0},
        {"1D", -1, 0},
        {"1 d", -1, 0},
        {" 1d", -1, 0},
        {"-1d", -1, 0},
        {"+1d", -1, 0},
        {"1dd", -1, 0},
        {"1.5h", -1, 0},
        {"1ms", -1, 0},
        {"99999999999999999999", -1, 0},
        {"30500568904944w", -1, 0}, /* overflows 64 bits once multiplied */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 12345;
        int rc = tlsrpt_parse_duration(cases[i].in, &v);
        if (rc != cases[i].rc)
            print_error("'%s': rc %d\n", cases[i].in, rc);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(v, rc == 0 ? cases[i].want : 12345);
    }

    uint64_t every = 86400;
    struct tlsrpt_option opt[] = {
        {"every", 0, TLSRPT_OPT_DURATION, &every, 1, 366 * 86400, "TIME", "interval"}};
    struct tlsrpt_options o = {opt, 1, NULL, NULL, false};
    char *text = help_text(&o);
    assert_non_null(strstr(text, "--every TIME"));
    assert_non_null(strstr(text, "interval (default: 1d)"));
    free(text);

    struct tlsrpt_error err = {0};
    int first = 0;
    char *argv[] = {"serve", "--every=12h"};
    assert_int_equal(tlsrpt_options_from_argv(&o, 2, argv, &first, &err), 0);
    assert_int_equal(every, 43200);
    char *bad[] = {"serve", "--every", "0"};
    assert_int_not_equal(tlsrpt_options_from_argv(&o, 3, bad, &first, &err), 0);
    assert_non_null(strstr(err.message, "--every: '0' is out of range [1s, 366d]"));
    struct tlsrpt_config *c = parse_ok("[serve]\nevery = 15m\n");
    assert_int_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_int_equal(every, 900);
    tlsrpt_config_free(c);
    c = parse_ok("[serve]\n\nevery = daily\n");
    assert_int_not_equal(tlsrpt_options_from_config(&o, c, "serve", &err), 0);
    assert_non_null(strstr(err.message, "t.conf:3: every: 'daily' is not a duration"));
    tlsrpt_config_free(c);
}

static void test_load_file(void **state)
{
    const char *dir = tu_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/tlsrpt.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[serve]\nport = 9\n", f);
    fclose(f);
    struct tlsrpt_config *c = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_config_load(path, &c, &err), 0);
    int line;
    assert_string_equal(tlsrpt_config_get(c, "serve", "port", &line), "9");
    tlsrpt_config_free(c);
    snprintf(path, sizeof path, "%s/missing.conf", dir);
    assert_int_equal(tlsrpt_config_load(path, &c, &err), TLSRPT_E_IO);
    assert_non_null(strstr(err.message, "missing.conf"));
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_sections_and_comments),
        cmocka_unit_test(test_parse_errors_name_file_and_line),
        cmocka_unit_test(test_line_length_cap),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_options_from_config),
        cmocka_unit_test(test_options_from_argv),
        cmocka_unit_test(test_peek_and_help),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
