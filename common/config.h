/* config.h - the configuration file every program reads, and an option table that gives each
 * setting one name as a file key and as a command-line flag (docs/config.md has the format for
 * users).
 *
 *   # a comment                whole lines only: a '#' inside a value is part of the value
 *   db = /var/lib/tlsrpt/tlsrpt.db
 *   [serve]                    keys below belong to the program or subcommand of that name
 *   port = 443                 key = value; blanks around both are trimmed; key is the flag name
 *
 * Keys before the first section are global. A program reads the global keys and its own section; an
 * unknown key in those is an error (a typo must not silently fall back to a default), other
 * sections are ignored so that one file can serve every program. A key given twice in one section
 * is an error. Every error reads "FILE:LINE: what is wrong". */
#ifndef TLSRPT_CONFIG_H
#define TLSRPT_CONFIG_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TLSRPT_DEFAULT_CONFIG "/etc/tlsrpt/tlsrpt.conf"
#define TLSRPT_CONFIG_MAX_BYTES (1u << 20) /* a config file larger than 1 MiB is a mistake */
#define TLSRPT_CONFIG_MAX_LINE 4096        /* bytes in one line */

struct tlsrpt_config;

/* Reads and parses path. Returns 0, TLSRPT_E_IO (cannot read: err says why) or TLSRPT_E_FORMAT
 * (syntax: err->message is "path:line: ..."). */
int tlsrpt_config_load(const char *path, struct tlsrpt_config **out, struct tlsrpt_error *err);
/* Parses text (len bytes) read from `name` (used in messages). Same returns as load. */
int tlsrpt_config_parse(const char *name, const char *text, size_t len, struct tlsrpt_config **out,
                        struct tlsrpt_error *err);
void tlsrpt_config_free(struct tlsrpt_config *c);

/* The value of key in section (NULL: global), or NULL. *line (may be NULL) gets its line number.
 * The string belongs to c. */
const char *tlsrpt_config_get(const struct tlsrpt_config *c, const char *section, const char *key,
                              int *line);

/* Typed getters. Return 0 when the key was found and *out set, 1 when the key is absent (*out
 * untouched), or TLSRPT_E_FORMAT with err "file:line: key: why" for a bad value. */
int tlsrpt_config_get_uint(const struct tlsrpt_config *c, const char *section, const char *key,
                           uint64_t min, uint64_t max, uint64_t *out, struct tlsrpt_error *err);
int tlsrpt_config_get_size(const struct tlsrpt_config *c, const char *section, const char *key,
                           uint64_t min, uint64_t max, uint64_t *out, struct tlsrpt_error *err);
int tlsrpt_config_get_bool(const struct tlsrpt_config *c, const char *section, const char *key,
                           bool *out, struct tlsrpt_error *err);

/* The value parsers behind the getters and the flags. Return 0, or -1 with a reason in why. */
int tlsrpt_value_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                      size_t whylen);
int tlsrpt_value_size(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                      size_t whylen);
int tlsrpt_value_bool(const char *s, bool *out, char *why,
                      size_t whylen); /* yes/no/true/false/on/off/1/0 */
/* Seconds, with s/m/h/d/w suffixes (units.h tlsrpt_parse_duration), checked against [min, max]. */
int tlsrpt_value_duration(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *why,
                          size_t whylen);

/* ---- Option table: one row per setting, applied from the file and then from argv. ---- */

enum tlsrpt_opt_type {
    TLSRPT_OPT_STRING, /* target: const char ** (borrowed from the config or argv: keep both alive)
                        */
    TLSRPT_OPT_UINT,   /* target: uint64_t *, checked against [min, max] */
    TLSRPT_OPT_SIZE,   /* target: uint64_t *, bytes with k/M/G suffixes (powers of 1024), [min, max]
                        */
    TLSRPT_OPT_BOOL,   /* target: bool *; as a flag "--name" means yes, "--name=no" is allowed */
    TLSRPT_OPT_DURATION, /* target: uint64_t * seconds, "90", "15m", "12h", "1d", [min, max] */
};

struct tlsrpt_option {
    const char *name; /* file key and long flag (without "--") */
    char short_name;  /* single-letter flag, or 0 */
    enum tlsrpt_opt_type type;
    void *target;
    uint64_t min, max;
    const char *arg;  /* metavariable in --help ("PATH", "N", "SIZE"), NULL for BOOL */
    const char *help; /* one sentence, may contain '\n' for more lines */
};

/* Called for a name the table does not know (to let a caller delegate, e.g. to cli_limits); returns
 * 1 if it handled the name, 0 if the name is unknown too, -1 if the value is bad (why filled). */
typedef int (*tlsrpt_opt_fallback_fn)(void *ctx, const char *name, const char *value, char *why,
                                      size_t whylen);

struct tlsrpt_options {
    const struct tlsrpt_option *opts;
    size_t n;
    tlsrpt_opt_fallback_fn fallback; /* may be NULL */
    void *fallback_ctx;
    bool fallback_takes_value; /* fallback names always take a value (--name VALUE or --name=VALUE)
                                */
};

/* Applies the global keys and those of `section` in cfg. Unknown keys: error "file:line: unknown
 * key". */
int tlsrpt_options_from_config(const struct tlsrpt_options *o, const struct tlsrpt_config *cfg,
                               const char *section, struct tlsrpt_error *err);

/* Applies argv[1..]: "--name VALUE", "--name=VALUE", "-x VALUE", "--flag", "--flag=no". Stops at
 * "--" or the first argument not starting with '-'; *first_arg gets the index of the first operand.
 */
int tlsrpt_options_from_argv(const struct tlsrpt_options *o, int argc, char **argv, int *first_arg,
                             struct tlsrpt_error *err);

/* Finds "--name VALUE" / "--name=VALUE" in argv without applying anything (for --config, which must
 * be read before the file is applied). Returns the value or NULL. */
const char *tlsrpt_options_peek(int argc, char **argv, const char *name);

/* Prints one entry per option: flags, metavariable, help, and the current value of the target as
 * the default (so print help after the defaults are set and before anything is applied). */
void tlsrpt_options_print_help(FILE *f, const struct tlsrpt_options *o);

#endif
