/* limits.h - every cap on hostile input, named, with its default and why (style.md §2).
 * The defaults are documented in docs/security.md and overridable from the command line/config. */
#ifndef TLSRPT_LIMITS_H
#define TLSRPT_LIMITS_H

#include <stddef.h>

/* Decoder caps (decode.c). */
#define TLSRPT_DEF_MAX_COMPRESSED                                                                  \
    (16u << 20) /* 16 MiB: above RFC 8460 §5.2's 10 MB receiver limit */
#define TLSRPT_DEF_MAX_DECOMPRESSED (20u << 20) /* 20 MiB: mox's cap; real reports are < 10 kB */
#define TLSRPT_DEF_MAX_RATIO 1000u /* decompressed/compressed; JSON rarely beats 100:1 */

/* Parser caps (report_parse.c). */
#define TLSRPT_DEF_MAX_DEPTH 32      /* a report nests 5 deep; anything deeper is an attack */
#define TLSRPT_DEF_MAX_POLICIES 1000 /* policies[] per report */
#define TLSRPT_DEF_MAX_DETAILS 10000 /* failure-details[] per policy */
#define TLSRPT_DEF_MAX_STRINGS 1000  /* policy-string[] / mx-host[] entries per policy */
#define TLSRPT_DEF_MAX_STRING_LEN                                                                  \
    65536u /* any one string value, bytes (failure-reason-code is free text) */
/* JSON items (brackets, commas and colons outside strings: about two per value), counted before
 * jansson builds anything. The per-array caps above are checked on the built tree, and an empty
 * object costs jansson some 230 bytes, so without this a 20 MiB body of "{}," would take 1.5 GB.
 * 500,000 bounds a parse to about 40 MB and still admits some 25,000 failure details. */
#define TLSRPT_DEF_MAX_ITEMS 500000u

struct tlsrpt_decode_limits {
    size_t max_compressed;   /* input bytes accepted at all */
    size_t max_decompressed; /* output bytes */
    size_t max_ratio;        /* output may not exceed input * max_ratio (0 = no ratio check) */
};

struct tlsrpt_parse_limits {
    size_t max_depth;
    size_t max_policies;
    size_t max_details;
    size_t max_strings;
    size_t max_string_len;
    size_t max_items;
};

void tlsrpt_decode_limits_default(struct tlsrpt_decode_limits *l);
void tlsrpt_parse_limits_default(struct tlsrpt_parse_limits *l);

#endif
