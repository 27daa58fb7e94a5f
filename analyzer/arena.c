/* arena.c - chunked bump allocator (arena.h). */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

struct tlsrpt_arena {
    struct chunk *head;
    size_t total, max;
};

struct tlsrpt_arena *tlsrpt_arena_new(size_t max)
{
    struct tlsrpt_arena *a = calloc(1, sizeof *a);
    if (a != NULL)
        a->max = max;
    return a;
}

void tlsrpt_arena_free(struct tlsrpt_arena *a)
{
    if (a == NULL)
        return;
    struct chunk *c = a->head;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

size_t tlsrpt_arena_total(const struct tlsrpt_arena *a)
{
    return a != NULL ? a->total : 0;
}

void *tlsrpt_arena_alloc(struct tlsrpt_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - align)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    struct chunk *c = a->head;
    if (c == NULL || c->cap - c->used < size) {
        /* Large requests get a chunk of their own; small ones share 64 KiB chunks. */
        size_t cap = size > TLSRPT_ARENA_CHUNK ? size : TLSRPT_ARENA_CHUNK;
        if (cap > a->max - a->total || a->total > a->max)
            return NULL;
        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += cap;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

void *tlsrpt_arena_array(struct tlsrpt_arena *a, size_t n, size_t size)
{
    if (n == 0 || size == 0 || n > SIZE_MAX / size)
        return NULL;
    return tlsrpt_arena_alloc(a, n * size);
}

const char *tlsrpt_arena_strdup(struct tlsrpt_arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = tlsrpt_arena_alloc(a, n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}
