/* json_read.h - typed, capped reads from a jansson tree that report errors with their JSON path
 * ("policies[0].summary.total-failure-session-count: not an integer"). Used by report_parse.c.
 * Pure. */
#ifndef TLSRPT_JSON_READ_H
#define TLSRPT_JSON_READ_H

#include "error.h"
#include "limits.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tlsrpt_jctx {
    const struct tlsrpt_parse_limits *lim;
    struct tlsrpt_error *err; /* may be NULL */
    char path[128];           /* same size as tlsrpt_error.path; longer paths are cut */
    size_t plen;
    bool ints_as_real; /* tree loaded with JSON_DECODE_INT_AS_REAL to locate an integer beyond int64
                        */
};

/* How an optional string member was given. Missing, null and "" all read as NULL (quirks.md §3.8).
 */
enum tlsrpt_jpresence {
    TLSRPT_J_ABSENT = 0, /* key missing */
    TLSRPT_J_EMPTY,      /* null or "" */
    TLSRPT_J_SET,
};

void tlsrpt_jctx_init(struct tlsrpt_jctx *c, const struct tlsrpt_parse_limits *lim,
                      struct tlsrpt_error *err);

/* Path building: each returns a mark to hand back to tlsrpt_jpath_restore(). */
size_t tlsrpt_jpath_key(struct tlsrpt_jctx *c, const char *key);
size_t tlsrpt_jpath_index(struct tlsrpt_jctx *c, size_t i);
void tlsrpt_jpath_restore(struct tlsrpt_jctx *c, size_t mark);

/* Sets c->err with the current path; returns code. */
int tlsrpt_jfail(struct tlsrpt_jctx *c, enum tlsrpt_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "object", "array", "string", "integer", "real", "true", "false", "null". */
const char *tlsrpt_jtype_name(const json_t *v);

/* Checks that the nesting of [ and { in JSON text never exceeds max_depth, skipping strings. Done
 * before jansson sees the text because jansson's own limit (2048) is compile-time. Returns true
 * when within. */
bool tlsrpt_json_depth_ok(const char *text, size_t len, size_t max_depth);

/* One pass over the text before any parser allocates: the nesting depth and the number of items
 * (brackets, commas, colons outside strings). Returns 0, 1 when deeper than max_depth, 2 when more
 * items than max_items (0 = no item cap). Malformed text passes: the parser reports it. */
int tlsrpt_json_prescan(const char *text, size_t len, size_t max_depth, size_t max_items);

/* Loads text with duplicate keys rejected after the depth check. On failure sets an error at the
 * current path (TLSRPT_E_JSON) and returns NULL; *jcode (may be NULL) receives jansson's error
 * code, or json_error_stack_overflow for the depth check. */
json_t *tlsrpt_json_load(struct tlsrpt_jctx *c, const char *text, size_t len, size_t flags,
                         enum json_error_code *jcode);

/* Copies string v (at the current path) after checking max_string_len. *out is malloc'd. */
int tlsrpt_jstring_dup(struct tlsrpt_jctx *c, const json_t *v, char **out);

/* obj[key] as an optional string (see enum tlsrpt_jpresence); any other type is an error. *how may
 * be NULL. */
int tlsrpt_jget_opt_string(struct tlsrpt_jctx *c, const json_t *obj, const char *key, char **out,
                           enum tlsrpt_jpresence *how);
/* obj[key] as a required, non-empty string. */
int tlsrpt_jget_req_string(struct tlsrpt_jctx *c, const json_t *obj, const char *key, char **out);
/* obj[key] as a required object (borrowed reference). */
int tlsrpt_jget_object(struct tlsrpt_jctx *c, const json_t *obj, const char *key, json_t **out);
/* obj[key] as a required count: a JSON integer in [0, INT64_MAX]. */
int tlsrpt_jget_count(struct tlsrpt_jctx *c, const json_t *obj, const char *key, int64_t *out);

#endif
