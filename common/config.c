/* config.c - the key = value configuration file and the option table shared by file and flags. */
#include "config.h"

#include "buf.h"
#include "safe_file.h"
#include "units.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct config_entry {
    char *section; /* NULL for global keys */
    char *key;
    char *value;
    int line;
};

struct tlsrpt_config {
    char *name;
    struct config_entry *e;
    size_t n, cap;
    char **sections; /* owned; entries point into it */
    size_t n_sections;
};

void tlsrpt_config_free(struct tlsrpt_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key);
        free(c->e[i].value);
    }
    for (size_t i = 0; i < c->n_sections; i++)
        free(c->sections[i]);
    free(c->sections);
    free(c->e);
    free(c->name);
    free(c);
}

static int is_name_char(int ch)
{
    return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_name_char((unsigned char)*s))
            return 0;
    return 1;
}

static int same_section(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static const struct config_entry *find_entry(const struct tlsrpt_config *c, const char *section,
                                             const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (same_section(c->e[i].section, section) && strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

static int add_entry(struct tlsrpt_config *c, char *section, const char *key, const char *value,
                     int line)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        struct config_entry *ne = realloc(c->e, ncap * sizeof *ne);
        if (!ne)
            return -1;
        c->e = ne;
        c->cap = ncap;
    }
    struct config_entry *e = &c->e[c->n];
    e->section = section;
    e->key = strdup(key);
    e->value = strdup(value);
    e->line = line;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return -1;
    }
    c->n++;
    return 0;
}

static char *intern_section(struct tlsrpt_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_sections; i++)
        if (strcmp(c->sections[i], name) == 0)
            return c->sections[i];
    char **nv = realloc(c->sections, (c->n_sections + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    c->sections = nv;
    char *s = strdup(name);
    if (s)
        c->sections[c->n_sections++] = s;
    return s;
}

/* One line (NUL-terminated, may be modified). Returns 0 or sets err. */
static int parse_line(struct tlsrpt_config *c, char **cur_section, char *text, int lineno,
                      struct tlsrpt_error *err)
{
    char *s = trim(text);
    if (*s == '\0' || *s == '#')
        return 0;
    if (*s == '[') {
        size_t n = strlen(s);
        if (s[n - 1] != ']')
            return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "",
                                    "%s:%d: section header must end with ']'", c->name, lineno);
        s[n - 1] = '\0';
        char *name = trim(s + 1);
        if (!valid_name(name))
            return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: bad section name '%s'",
                                    c->name, lineno, name);
        *cur_section = intern_section(c, name);
        if (!*cur_section)
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "%s: out of memory", c->name);
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!eq)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: expected 'key = value'", c->name,
                                lineno);
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    if (!valid_name(key))
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: bad key name '%.64s'", c->name,
                                lineno, key);
    size_t vn = strlen(value);
    /* Quotes are optional and only needed to keep leading or trailing blanks. */
    if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
        value[vn - 1] = '\0';
        value++;
    }
    const struct config_entry *dup = find_entry(c, *cur_section, key);
    if (dup)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "",
                                "%s:%d: '%s' given twice (first at line %d)", c->name, lineno, key,
                                dup->line);
    if (add_entry(c, *cur_section, key, value, lineno) != 0)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "%s: out of memory", c->name);
    return 0;
}

int tlsrpt_config_parse(const char *name, const char *text, size_t len, struct tlsrpt_config **out,
                        struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    char *cur = NULL;
    char line[TLSRPT_CONFIG_MAX_LINE + 1];
    *out = NULL;
    struct tlsrpt_config *c = calloc(1, sizeof *c);
    if (!c || !(c->name = strdup(name ? name : "(config)"))) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    size_t pos = 0;
    for (int lineno = 1; pos < len; lineno++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (ll > TLSRPT_CONFIG_MAX_LINE) {
            rc = tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: line longer than %u bytes",
                                  c->name, lineno, TLSRPT_CONFIG_MAX_LINE);
            goto out;
        }
        if (memchr(text + pos, '\0', ll)) {
            rc = tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: NUL byte in line", c->name,
                                  lineno);
            goto out;
        }
        memcpy(line, text + pos, ll);
        line[ll] = '\0';
        rc = parse_line(c, &cur, line, lineno, err);
        if (rc != 0)
            goto out;
        pos += ll + (nl ? 1 : 0);
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    tlsrpt_config_free(c);
    return rc;
}

int tlsrpt_config_load(const char *path, struct tlsrpt_config **out, struct tlsrpt_error *err)
{
    struct tlsrpt_buf b;
    struct tlsrpt_error rerr;
    tlsrpt_buf_init(&b, TLSRPT_CONFIG_MAX_BYTES); /* the reader frees what out held */
    enum tlsrpt_read_status st = tlsrpt_read_file_safe(path, TLSRPT_CONFIG_MAX_BYTES, &b, &rerr);
    int rc;
    if (st == TLSRPT_READ_OK) {
        rc = tlsrpt_config_parse(path, (const char *)b.data, b.len, out, err);
    } else if (st == TLSRPT_READ_TOO_LARGE) {
        rc = tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s: larger than %u bytes", path,
                              TLSRPT_CONFIG_MAX_BYTES);
    } else if (st == TLSRPT_READ_VANISHED) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: no such file", path);
    } else {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: %s", path, rerr.message);
    }
    tlsrpt_buf_free(&b);
    return rc;
}

const char *tlsrpt_config_get(const struct tlsrpt_config *c, const char *section, const char *key,
                              int *line)
{
    if (!c || !key || !*key)
        return NULL;
    const struct config_entry *e = find_entry(c, section, key);
    if (line)
        *line = e ? e->line : 0;
    return e ? e->value : NULL;
}

int tlsrpt_value_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                      size_t whylen)
{
    long long v;
    if (tlsrpt_parse_int(s, 0, LLONG_MAX, &v) != 0) {
        snprintf(why, whylen, "'%.64s' is not a whole number", s);
        return -1;
    }
    if ((uint64_t)v < min || (uint64_t)v > max) {
        snprintf(why, whylen, "%lld is out of range [%" PRIu64 ", %" PRIu64 "]", v, min, max);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static void format_size(uint64_t v, char *buf, size_t len)
{
    if (v >= (1u << 30) && v % (1u << 30) == 0)
        snprintf(buf, len, "%" PRIu64 "G", v >> 30);
    else if (v >= (1u << 20) && v % (1u << 20) == 0)
        snprintf(buf, len, "%" PRIu64 "M", v >> 20);
    else if (v >= (1u << 10) && v % (1u << 10) == 0)
        snprintf(buf, len, "%" PRIu64 "k", v >> 10);
    else
        snprintf(buf, len, "%" PRIu64, v);
}

/* Seconds in the largest unit that divides them: "1d", "12h", "15m", "90s". */
static void format_duration(uint64_t v, char *buf, size_t len)
{
    if (v >= 86400 && v % 86400 == 0)
        snprintf(buf, len, "%" PRIu64 "d", v / 86400);
    else if (v >= 3600 && v % 3600 == 0)
        snprintf(buf, len, "%" PRIu64 "h", v / 3600);
    else if (v >= 60 && v % 60 == 0)
        snprintf(buf, len, "%" PRIu64 "m", v / 60);
    else
        snprintf(buf, len, "%" PRIu64 "s", v);
}

/* *out = v when it lies in [min, max]; else why names the range in the value's own units. */
static int in_range(const char *s, uint64_t v, uint64_t min, uint64_t max,
                    void (*format)(uint64_t, char *, size_t), uint64_t *out, char *why,
                    size_t whylen)
{
    if (v < min || v > max) {
        char a[32], b[32];
        format(min, a, sizeof a);
        format(max, b, sizeof b);
        snprintf(why, whylen, "'%.64s' is out of range [%s, %s]", s, a, b);
        return -1;
    }
    *out = v;
    return 0;
}

int tlsrpt_value_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                      size_t whylen)
{
    size_t v;
    if (tlsrpt_parse_size(s, &v) != 0) {
        snprintf(why, whylen, "'%.64s' is not a size (such as 4M, 512k or 65536)", s);
        return -1;
    }
    return in_range(s, (uint64_t)v, min, max, format_size, out, why, whylen);
}

int tlsrpt_value_duration(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                          size_t whylen)
{
    uint64_t v;
    if (tlsrpt_parse_duration(s, &v) != 0) {
        snprintf(why, whylen, "'%.64s' is not a duration (such as 1d, 12h, 15m, 30s or 90)", s);
        return -1;
    }
    return in_range(s, v, min, max, format_duration, out, why, whylen);
}

int tlsrpt_value_bool(const char *s, bool *out, char *why, size_t whylen)
{
    static const char *yes[] = {"yes", "true", "on", "1"};
    static const char *no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    snprintf(why, whylen, "'%.64s' is not yes or no", s);
    return -1;
}

static int getter_fail(const struct tlsrpt_config *c, const char *key, int line, const char *why,
                       struct tlsrpt_error *err)
{
    return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: %s: %s", c->name, line, key, why);
}

static int apply_value(const struct tlsrpt_option *opt, const char *value, char *why,
                       size_t whylen);

/* One key read and checked exactly as an option of that type in the file would be: 0, 1 when the
 * key is absent, or TLSRPT_E_FORMAT naming file, line and key. */
static int get_typed(const struct tlsrpt_config *c, const char *section, const char *key,
                     enum tlsrpt_opt_type type, uint64_t min, uint64_t max, void *out,
                     struct tlsrpt_error *err)
{
    int line;
    char why[160];
    const char *v = tlsrpt_config_get(c, section, key, &line);
    if (!v)
        return 1;
    const struct tlsrpt_option opt = {
        .name = key, .type = type, .target = out, .min = min, .max = max};
    if (apply_value(&opt, v, why, sizeof why) != 0)
        return getter_fail(c, key, line, why, err);
    return 0;
}

int tlsrpt_config_get_uint(const struct tlsrpt_config *c, const char *section, const char *key,
                           uint64_t min, uint64_t max, uint64_t *out, struct tlsrpt_error *err)
{
    return get_typed(c, section, key, TLSRPT_OPT_UINT, min, max, out, err);
}

int tlsrpt_config_get_size(const struct tlsrpt_config *c, const char *section, const char *key,
                           uint64_t min, uint64_t max, uint64_t *out, struct tlsrpt_error *err)
{
    return get_typed(c, section, key, TLSRPT_OPT_SIZE, min, max, out, err);
}

int tlsrpt_config_get_bool(const struct tlsrpt_config *c, const char *section, const char *key,
                           bool *out, struct tlsrpt_error *err)
{
    return get_typed(c, section, key, TLSRPT_OPT_BOOL, 0, 0, out, err);
}

/* ---- option table ---- */

static const struct tlsrpt_option *find_option(const struct tlsrpt_options *o, const char *name,
                                               size_t namelen)
{
    for (size_t i = 0; i < o->n; i++)
        if (strlen(o->opts[i].name) == namelen && strncmp(o->opts[i].name, name, namelen) == 0)
            return &o->opts[i];
    return NULL;
}

static int apply_value(const struct tlsrpt_option *opt, const char *value, char *why, size_t whylen)
{
    switch (opt->type) {
    case TLSRPT_OPT_STRING:
        *(const char **)opt->target = value;
        return 0;
    case TLSRPT_OPT_UINT:
        return tlsrpt_value_uint(value, opt->min, opt->max, opt->target, why, whylen);
    case TLSRPT_OPT_SIZE:
        return tlsrpt_value_size(value, opt->min, opt->max, opt->target, why, whylen);
    case TLSRPT_OPT_BOOL:
        return tlsrpt_value_bool(value, opt->target, why, whylen);
    case TLSRPT_OPT_DURATION:
        return tlsrpt_value_duration(value, opt->min, opt->max, opt->target, why, whylen);
    }
    snprintf(why, whylen, "unknown option type");
    return -1;
}

int tlsrpt_options_from_config(const struct tlsrpt_options *o, const struct tlsrpt_config *cfg,
                               const char *section, struct tlsrpt_error *err)
{
    char why[200];
    for (size_t i = 0; cfg && i < cfg->n; i++) {
        const struct config_entry *e = &cfg->e[i];
        if (!(e->section == NULL || same_section(e->section, section)))
            continue;
        const struct tlsrpt_option *opt = find_option(o, e->key, strlen(e->key));
        int r;
        why[0] = '\0';
        if (opt) {
            r = apply_value(opt, e->value, why, sizeof why) == 0 ? 1 : -1;
        } else {
            r = o->fallback ? o->fallback(o->fallback_ctx, e->key, e->value, why, sizeof why) : 0;
        }
        if (r == 0)
            return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s:%d: unknown key '%s'%s%s%s",
                                    cfg->name, e->line, e->key, e->section ? " in [" : "",
                                    e->section ? e->section : "", e->section ? "]" : "");
        if (r < 0)
            return getter_fail(cfg, e->key, e->line, why, err);
    }
    return 0;
}

const char *tlsrpt_options_peek(int argc, char **argv, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, nl) != 0)
            continue;
        if (a[2 + nl] == '=')
            return a + 3 + nl;
        if (a[2 + nl] == '\0' && i + 1 < argc)
            return argv[i + 1];
    }
    return NULL;
}

/* One argv option at argv[*i]; advances *i past a consumed value. */
static int one_flag(const struct tlsrpt_options *o, int argc, char **argv, int *i,
                    struct tlsrpt_error *err)
{
    const char *a = argv[*i];
    char why[200] = "";
    const struct tlsrpt_option *opt = NULL;
    const char *name, *value = NULL;
    size_t namelen;
    bool negated = false;
    if (a[1] != '-') {
        for (size_t k = 0; a[1] && !a[2] && k < o->n; k++)
            if (o->opts[k].short_name == a[1])
                opt = &o->opts[k];
        if (!opt)
            return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "unknown option '%s'", a);
        name = opt->name;
        namelen = strlen(name);
    } else {
        name = a + 2;
        const char *eq = strchr(name, '=');
        namelen = eq ? (size_t)(eq - name) : strlen(name);
        value = eq ? eq + 1 : NULL;
        opt = find_option(o, name, namelen);
        if (!opt && namelen > 3 && strncmp(name, "no-", 3) == 0 && !value) {
            opt = find_option(o, name + 3, namelen - 3);
            negated = opt && opt->type == TLSRPT_OPT_BOOL;
            if (!negated)
                opt = NULL;
        }
    }
    if (opt && opt->type == TLSRPT_OPT_BOOL && !value) {
        *(bool *)opt->target = !negated;
        return 0;
    }
    bool takes_value = opt || (o->fallback && o->fallback_takes_value);
    if (takes_value && !value) {
        if (*i + 1 >= argc)
            return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "option '--%.*s' needs a value",
                                    (int)namelen, name);
        value = argv[++*i];
    }
    int r;
    if (opt) {
        r = apply_value(opt, value, why, sizeof why) == 0 ? 1 : -1;
    } else if (o->fallback && value) {
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)namelen, name);
        r = o->fallback(o->fallback_ctx, key, value, why, sizeof why);
    } else {
        r = 0;
    }
    if (r == 0)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "unknown option '--%.*s'", (int)namelen,
                                name);
    if (r < 0)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "--%.*s: %s", (int)namelen, name, why);
    return 0;
}

int tlsrpt_options_from_argv(const struct tlsrpt_options *o, int argc, char **argv, int *first_arg,
                             struct tlsrpt_error *err)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        int rc = one_flag(o, argc, argv, &i, err);
        if (rc != 0)
            return rc;
    }
    if (first_arg)
        *first_arg = i;
    return 0;
}

/* The default shown in --help: the target's value before anything was applied. */
static void format_default(const struct tlsrpt_option *opt, char *buf, size_t len)
{
    char v[64];
    buf[0] = '\0';
    switch (opt->type) {
    case TLSRPT_OPT_STRING: {
        const char *s = *(const char **)opt->target;
        if (s && *s)
            snprintf(buf, len, " (default: %s)", s);
        break;
    }
    case TLSRPT_OPT_UINT:
        snprintf(buf, len, " (default: %" PRIu64 ")", *(uint64_t *)opt->target);
        break;
    case TLSRPT_OPT_SIZE:
        format_size(*(uint64_t *)opt->target, v, sizeof v);
        snprintf(buf, len, " (default: %s)", v);
        break;
    case TLSRPT_OPT_BOOL:
        if (*(bool *)opt->target)
            snprintf(buf, len, " (default: yes)");
        break;
    case TLSRPT_OPT_DURATION:
        format_duration(*(uint64_t *)opt->target, v, sizeof v);
        snprintf(buf, len, " (default: %s)", v);
        break;
    }
}

/* Words of text wrapped at `width` columns, each line indented; '\n' in text forces a break. */
static void print_wrapped(FILE *f, const char *text, int indent, int width)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        if (*p == '\n' || *p == ' ') {
            if (*p == '\n' && col > 0) {
                fputc('\n', f);
                col = 0;
            }
            p++;
            continue;
        }
        size_t w = strcspn(p, " \n");
        if (col > 0 && col + 1 + (int)w > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", (int)w, p);
        p += w;
    }
    if (col > 0)
        fputc('\n', f);
}

void tlsrpt_options_print_help(FILE *f, const struct tlsrpt_options *o)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct tlsrpt_option *opt = &o->opts[i];
        char text[1024], def[128];
        if (opt->short_name)
            fprintf(f, "  -%c, --%s", opt->short_name, opt->name);
        else
            fprintf(f, "      --%s", opt->name);
        fprintf(f, "%s%s\n", opt->arg ? " " : "", opt->arg ? opt->arg : "");
        format_default(opt, def, sizeof def);
        snprintf(text, sizeof text, "%s%s", opt->help, def);
        print_wrapped(f, text, 10, 78);
    }
}
