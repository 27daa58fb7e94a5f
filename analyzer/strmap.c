/* strmap.c - see strmap.h. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRMAP_MIN_CAP 16

static size_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

void strmap_init(struct strmap *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_clear(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->len = 0;
}

void strmap_free(struct strmap *m)
{
    strmap_clear(m);
    free(m->slots);
    strmap_init(m);
}

static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t cap, const char *key,
                                     size_t hash)
{
    size_t i = hash & (cap - 1);
    for (;;) {
        struct strmap_slot *s = &slots[i];
        if (s->key == NULL || (s->hash == hash && strcmp(s->key, key) == 0))
            return s;
        i = (i + 1) & (cap - 1);
    }
}

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : STRMAP_MIN_CAP;
    struct strmap_slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct strmap_slot *old = &m->slots[i];
        if (old->key != NULL)
            *find_slot(slots, cap, old->key, old->hash) = *old;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int strmap_intern(struct strmap *m, const char *key, size_t fresh, size_t *value,
                  const char **stored)
{
    /* Keep the load factor under 3/4 so probing stays short. */
    if ((m->len + 1) * 4 > m->cap * 3) {
        if (m->len >= TLSRPT_STRMAP_MAX_ENTRIES || grow(m) != 0)
            return -1;
    }
    size_t hash = fnv1a(key);
    struct strmap_slot *s = find_slot(m->slots, m->cap, key, hash);
    if (s->key != NULL) {
        *value = s->value;
        if (stored != NULL)
            *stored = s->key;
        return 0;
    }
    s->key = strdup(key);
    if (s->key == NULL)
        return -1;
    s->hash = hash;
    s->value = fresh;
    m->len++;
    *value = fresh;
    if (stored != NULL)
        *stored = s->key;
    return 1;
}

int strmap_find(const struct strmap *m, const char *key, size_t *value)
{
    if (m->len == 0)
        return 0;
    const struct strmap_slot *s = find_slot(m->slots, m->cap, key, fnv1a(key));
    if (s->key == NULL)
        return 0;
    *value = s->value;
    return 1;
}
