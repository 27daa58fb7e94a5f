#include "cli_limits.h"

#include "units.h"

#include <stdio.h>
#include <string.h>

const char tlsrpt_limit_options_help[] =
    "Input caps (every arrival is hostile; sizes take K, M, G suffixes):\n"
    "      --max-compressed=SIZE    largest input accepted at all (default 16M)\n"
    "      --max-decompressed=SIZE  largest decompressed report (default 20M)\n"
    "      --max-ratio=N            decompressed/compressed ratio cap, 0 = off (default 1000)\n"
    "      --max-depth=N            JSON nesting depth (default 32)\n"
    "      --max-policies=N         policies per report (default 1000)\n"
    "      --max-details=N          failure-details per policy (default 10000)\n"
    "      --max-string=SIZE        any one JSON string (default 64K)\n"
    "      --max-items=N            JSON brackets, commas and colons in one report, counted\n"
    "                               before parsing: bounds its memory (default 500000)\n"
    "      --batch-size=N           inputs per database transaction (default: import 20000,\n"
    "                               maildir 2000, serve 500)\n"
    "      --batch-ms=N             longest wait of an input for its commit (default 200)\n";

static const char *const names[] = {
    "max-compressed", "max-decompressed", "max-ratio",  "max-depth", "max-policies",
    "max-details",    "max-string",       "batch-size", "batch-ms",  "max-items"};

static int apply(int idx, const char *arg, struct tlsrpt_ingest_config *cfg)
{
    size_t size = 0;
    long long n = 0;
    int is_size = idx == 0 || idx == 1 || idx == 6;
    int ok = is_size ? tlsrpt_parse_size(arg, &size) == 0 && size > 0
                     : tlsrpt_parse_int(arg, idx == 2 ? 0 : 1, 1000000000LL, &n) == 0;
    if (!ok) {
        fprintf(stderr, "invalid value for --%s: '%s' (expected %s)\n", names[idx], arg,
                is_size ? "a size such as 65536, 64K or 16M" : "a whole number");
        return -1;
    }
    switch (idx) {
    case 0:
        cfg->decode.max_compressed = size;
        break;
    case 1:
        cfg->decode.max_decompressed = size;
        break;
    case 2:
        cfg->decode.max_ratio = (size_t)n;
        break;
    case 3:
        cfg->parse.max_depth = (size_t)n;
        break;
    case 4:
        cfg->parse.max_policies = (size_t)n;
        break;
    case 5:
        cfg->parse.max_details = (size_t)n;
        break;
    case 6:
        cfg->parse.max_string_len = size;
        break;
    case 7:
        cfg->batch_max_items = (size_t)n;
        break;
    case 8:
        cfg->batch_max_ms = (int)n;
        break;
    case 9:
        cfg->parse.max_items = (size_t)n;
        break;
    }
    return 1;
}

int tlsrpt_cli_limit_option(int val, const char *arg, struct tlsrpt_ingest_config *cfg)
{
    if (val < 1000 || val >= 1000 + (int)(sizeof names / sizeof names[0]))
        return 0;
    return apply(val - 1000, arg, cfg);
}

int tlsrpt_cli_limit_by_name(const char *name, const char *arg, struct tlsrpt_ingest_config *cfg)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return apply((int)i, arg, cfg);
    return 0;
}
