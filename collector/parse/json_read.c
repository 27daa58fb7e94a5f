#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INT64_LIMIT_REAL 9223372036854775808.0 /* 2^63: the first value beyond INT64_MAX */

void tlsrpt_jctx_init(struct tlsrpt_jctx *c, const struct tlsrpt_parse_limits *lim,
                      struct tlsrpt_error *err)
{
    memset(c, 0, sizeof *c);
    c->lim = lim;
    c->err = err;
}

/* Appends n bytes; a path longer than the buffer is cut, never overflowed. This runs for every key
 * and element read, not only on errors, so it copies instead of calling vsnprintf (which cost 4%
 * of an import worker's time). */
static void path_put(struct tlsrpt_jctx *c, const char *s, size_t n)
{
    size_t room = sizeof c->path - 1 - c->plen;
    if (n > room)
        n = room;
    memcpy(c->path + c->plen, s, n);
    c->plen += n;
    c->path[c->plen] = '\0';
}

size_t tlsrpt_jpath_key(struct tlsrpt_jctx *c, const char *key)
{
    size_t mark = c->plen;
    if (c->plen > 0)
        path_put(c, ".", 1);
    path_put(c, key, strlen(key));
    return mark;
}

size_t tlsrpt_jpath_index(struct tlsrpt_jctx *c, size_t i)
{
    size_t mark = c->plen;
    char num[24]; /* "[" + 20 digits + "]" */
    char *end = num + sizeof num, *p = end;
    *--p = ']';
    do {
        *--p = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0);
    *--p = '[';
    path_put(c, p, (size_t)(end - p));
    return mark;
}

void tlsrpt_jpath_restore(struct tlsrpt_jctx *c, size_t mark)
{
    if (mark < sizeof c->path) {
        c->plen = mark;
        c->path[mark] = '\0';
    }
}

int tlsrpt_jfail(struct tlsrpt_jctx *c, enum tlsrpt_errcode code, const char *fmt, ...)
{
    if (c->err == NULL)
        return (int)code;
    char msg[sizeof c->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tlsrpt_error_set(c->err, code, c->path, "%s", msg);
}

const char *tlsrpt_jtype_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

bool tlsrpt_json_depth_ok(const char *text, size_t len, size_t max_depth)
{
    return tlsrpt_json_prescan(text, len, max_depth, 0) != 1;
}

int tlsrpt_json_prescan(const char *text, size_t len, size_t max_depth, size_t max_items)
{
    size_t depth = 0, items = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++; /* the escaped byte cannot end the string */
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
            continue;
        }
        if (ch == '[' || ch == '{') {
            if (++depth > max_depth)
                return 1;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--; /* unbalanced brackets are jansson's to report */
            continue;
        } else if (ch != ',' && ch != ':') {
            continue;
        }
        if (max_items > 0 && ++items > max_items)
            return 2;
    }
    return 0;
}

/* jansson quotes up to 20 bytes of the input in its messages: keep only printable ASCII of it,
 * since the message goes to logs and the database. */
static void sanitize(char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch >= 0x7f)
            *s = '?';
    }
}

/* A prefix naming the failure class, where jansson's own text does not already say it. */
static const char *json_error_kind(enum json_error_code code)
{
    switch (code) {
    case json_error_duplicate_key:
        return ""; /* "duplicate object key near ..." */
    case json_error_invalid_utf8:
        return "invalid UTF-8: ";
    case json_error_numeric_overflow:
        return "number out of range: ";
    case json_error_premature_end_of_input:
        return "truncated JSON: ";
    default:
        return "invalid JSON: ";
    }
}

json_t *tlsrpt_json_load(struct tlsrpt_jctx *c, const char *text, size_t len, size_t flags,
                         enum json_error_code *jcode)
{
    int scan = tlsrpt_json_prescan(text, len, c->lim->max_depth, c->lim->max_items);
    if (scan == 1) {
        if (jcode)
            *jcode = json_error_stack_overflow;
        tlsrpt_jfail(c, TLSRPT_E_JSON, "nested deeper than %zu levels (max-depth)",
                     c->lim->max_depth);
        return NULL;
    }
    if (scan == 2) {
        if (jcode)
            *jcode = json_error_stack_overflow; /* a structure too large: hostile, as too deep */
        tlsrpt_jfail(c, TLSRPT_E_TOO_LARGE,
                     "more than %zu JSON items (brackets, commas, colons) (max-items)",
                     c->lim->max_items);
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | flags, &je);
    if (v == NULL) {
        enum json_error_code code = json_error_code(&je);
        if (jcode)
            *jcode = code;
        sanitize(je.text);
        /* jansson 2.14 returns NULL with the error left blank (no text, line -1) when its lexer's
         * first buffer cannot be allocated: that is out of memory too, not bad JSON. */
        if (code == json_error_out_of_memory || je.text[0] == '\0') {
            if (jcode)
                *jcode = json_error_out_of_memory;
            tlsrpt_jfail(c, TLSRPT_E_NOMEM, "out of memory");
        } else if (code == json_error_null_character) /* jansson's text names an API flag */
            tlsrpt_jfail(c, TLSRPT_E_JSON,
                         "NUL character (\\u0000) in a string (line %d, column %d)", je.line,
                         je.column);
        else
            tlsrpt_jfail(c, TLSRPT_E_JSON, "%s%s (line %d, column %d)", json_error_kind(code),
                         je.text, je.line, je.column);
    }
    return v;
}

int tlsrpt_jstring_dup(struct tlsrpt_jctx *c, const json_t *v, char **out)
{
    size_t len = json_string_length(v);
    *out = NULL;
    if (len > c->lim->max_string_len)
        return tlsrpt_jfail(c, TLSRPT_E_TOO_LARGE,
                            "string of %zu bytes, more than %zu (max-string-len)", len,
                            c->lim->max_string_len);
    char *s = malloc(len + 1);
    if (s == NULL)
        return tlsrpt_jfail(c, TLSRPT_E_NOMEM, "out of memory");
    memcpy(s, json_string_value(v), len); /* no NUL inside: JSON_ALLOW_NUL is never passed */
    s[len] = '\0';
    *out = s;
    return 0;
}

int tlsrpt_jget_opt_string(struct tlsrpt_jctx *c, const json_t *obj, const char *key, char **out,
                           enum tlsrpt_jpresence *how)
{
    enum tlsrpt_jpresence dummy;
    if (how == NULL)
        how = &dummy;
    *out = NULL;
    *how = TLSRPT_J_ABSENT;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return 0;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        *how = TLSRPT_J_EMPTY;
        return 0;
    }
    size_t mark = tlsrpt_jpath_key(c, key);
    int rc;
    if (!json_is_string(v))
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not a string (%s)", tlsrpt_jtype_name(v));
    else
        rc = tlsrpt_jstring_dup(c, v, out);
    if (rc == 0) {
        *how = TLSRPT_J_SET;
        tlsrpt_jpath_restore(c, mark);
    }
    return rc;
}

int tlsrpt_jget_req_string(struct tlsrpt_jctx *c, const json_t *obj, const char *key, char **out)
{
    *out = NULL;
    const json_t *v = json_object_get(obj, key);
    size_t mark = tlsrpt_jpath_key(c, key);
    int rc;
    if (v == NULL || json_is_null(v))
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "missing");
    else if (!json_is_string(v))
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not a string (%s)", tlsrpt_jtype_name(v));
    else if (json_string_length(v) == 0)
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "empty string");
    else
        rc = tlsrpt_jstring_dup(c, v, out);
    if (rc == 0)
        tlsrpt_jpath_restore(c, mark);
    return rc;
}

int tlsrpt_jget_object(struct tlsrpt_jctx *c, const json_t *obj, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    size_t mark = tlsrpt_jpath_key(c, key);
    if (v == NULL)
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "missing");
    if (!json_is_object(v))
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not an object (%s)", tlsrpt_jtype_name(v));
    tlsrpt_jpath_restore(c, mark);
    *out = v;
    return 0;
}

/* A real where an integer belongs. Only in ints_as_real mode (the reload that finds an integer
 * jansson could not hold) may an integral real be a count, and "beyond int64" make sense. */
static int count_from_real(struct tlsrpt_jctx *c, double d, int64_t *out)
{
    if (!c->ints_as_real)
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not an integer (real)");
    if (d < 0)
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "negative count");
    if (d >= INT64_LIMIT_REAL)
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "integer beyond int64 range");
    int64_t i = (int64_t)d;
    if ((double)i != d)
        return tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not an integer (real)");
    *out = i;
    return 0;
}

int tlsrpt_jget_count(struct tlsrpt_jctx *c, const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    size_t mark = tlsrpt_jpath_key(c, key);
    int rc = 0;
    *out = 0;
    if (v == NULL) {
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "missing");
    } else if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0)
            rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "negative count");
        else
            *out = (int64_t)n;
    } else if (json_is_real(v)) {
        rc = count_from_real(c, json_real_value(v), out);
    } else {
        rc = tlsrpt_jfail(c, TLSRPT_E_SCHEMA, "not an integer (%s)", tlsrpt_jtype_name(v));
    }
    if (rc == 0)
        tlsrpt_jpath_restore(c, mark);
    return rc;
}
