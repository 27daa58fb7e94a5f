/* cli_limits.h - the input caps every collector subcommand accepts as options (and serve also reads
 * from its config file), so a cap has one name everywhere: --max-compressed=16M, --max-depth=32,
 * ... */
#ifndef TLSRPT_CLI_LIMITS_H
#define TLSRPT_CLI_LIMITS_H

#include "ingest.h"

#include <getopt.h>

/* getopt_long entries; their `val`s are 1000..1099, so commands must not use those. */
#define TLSRPT_LIMIT_OPTIONS                                                                       \
    {"max-compressed", required_argument, NULL, 1000},                                             \
        {"max-decompressed", required_argument, NULL, 1001},                                       \
        {"max-ratio", required_argument, NULL, 1002},                                              \
        {"max-depth", required_argument, NULL, 1003},                                              \
        {"max-policies", required_argument, NULL, 1004},                                           \
        {"max-details", required_argument, NULL, 1005},                                            \
        {"max-string", required_argument, NULL, 1006},                                             \
        {"batch-size", required_argument, NULL, 1007},                                             \
        {"batch-ms", required_argument, NULL, 1008},                                               \
    {                                                                                              \
        "max-items", required_argument, NULL, 1009                                                 \
    }

/* The --help lines for the options above. */
extern const char tlsrpt_limit_options_help[];

/* Applies option `val` (from getopt_long) with its argument. Returns 1 when handled, 0 when val is
 * not a limit option, -1 (after printing why to stderr) when the value is invalid. */
int tlsrpt_cli_limit_option(int val, const char *arg, struct tlsrpt_ingest_config *cfg);

/* Same caps by name, for a config file ("max-depth" = "32"): 1 handled, 0 unknown, -1 invalid. */
int tlsrpt_cli_limit_by_name(const char *name, const char *arg, struct tlsrpt_ingest_config *cfg);

#endif
