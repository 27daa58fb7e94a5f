/* raw_bound.h - the end of every benchmark's raw bound: gunzip with zlib into a caller's buffer and
 * json_loadb the result, nothing else (no caps, no parse into structs, no storage). */
#ifndef TLSRPT_BENCH_RAW_BOUND_H
#define TLSRPT_BENCH_RAW_BOUND_H

#include <stddef.h>
#include <stdint.h>

/* 0 when gz inflates (within cap bytes of out) to JSON jansson accepts, else -1. */
int bench_gunzip_json(const uint8_t *gz, size_t len, uint8_t *out, size_t cap);

#endif
