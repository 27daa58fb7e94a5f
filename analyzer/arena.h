/* arena.h - the bump allocator that owns every string and array of an analysis, so freeing a
 * result with thousands of domains is one call. Capped (style.md §1): allocations past max fail. */
#ifndef TLSRPT_ARENA_H
#define TLSRPT_ARENA_H

#include <stddef.h>

#define TLSRPT_ARENA_CHUNK (64 * 1024)
#define TLSRPT_ARENA_MAX ((size_t)4 << 30) /* 4 GiB: far above 5,000 domains (about 60 MB) */

struct tlsrpt_arena;

struct tlsrpt_arena *tlsrpt_arena_new(size_t max);
void tlsrpt_arena_free(struct tlsrpt_arena *a);
/* Bytes of the chunks allocated so far (what the arena holds in memory). */
size_t tlsrpt_arena_total(const struct tlsrpt_arena *a);
/* Zeroed, aligned for any type; NULL when out of memory or past the cap. */
void *tlsrpt_arena_alloc(struct tlsrpt_arena *a, size_t size);
/* Zeroed array of n elements; NULL on overflow, out of memory or past the cap (n == 0 gives NULL
 * too, which callers treat as an empty array). */
void *tlsrpt_arena_array(struct tlsrpt_arena *a, size_t n, size_t size);
/* Copy of s (NULL stays NULL: check s before treating NULL as failure). */
const char *tlsrpt_arena_strdup(struct tlsrpt_arena *a, const char *s);

#endif
