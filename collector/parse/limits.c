#include "limits.h"

void tlsrpt_decode_limits_default(struct tlsrpt_decode_limits *l)
{
    l->max_compressed = TLSRPT_DEF_MAX_COMPRESSED;
    l->max_decompressed = TLSRPT_DEF_MAX_DECOMPRESSED;
    l->max_ratio = TLSRPT_DEF_MAX_RATIO;
}

void tlsrpt_parse_limits_default(struct tlsrpt_parse_limits *l)
{
    l->max_depth = TLSRPT_DEF_MAX_DEPTH;
    l->max_policies = TLSRPT_DEF_MAX_POLICIES;
    l->max_details = TLSRPT_DEF_MAX_DETAILS;
    l->max_items = TLSRPT_DEF_MAX_ITEMS;
    l->max_strings = TLSRPT_DEF_MAX_STRINGS;
    l->max_string_len = TLSRPT_DEF_MAX_STRING_LEN;
}
