/* strmap.h - string -> index hash map for the per-domain tallies (open addressing, FNV-1a).
 * Keys are copied; a stored key's address stays valid until the map is cleared or freed. */
#ifndef TLSRPT_STRMAP_H
#define TLSRPT_STRMAP_H

#include <stddef.h>

#define TLSRPT_STRMAP_MAX_ENTRIES ((size_t)1 << 26) /* far above any real report volume */

struct strmap_slot {
    char *key; /* NULL: empty */
    size_t hash;
    size_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap, len; /* cap is 0 or a power of two */
};

void strmap_init(struct strmap *m);
void strmap_clear(struct strmap *m); /* frees the keys, keeps the slots */
void strmap_free(struct strmap *m);

/* Finds key; when absent inserts it with value `fresh`. Returns 1 if inserted, 0 if found, -1 when
 * out of memory or past the cap. *value gets the stored value; *stored (may be NULL) the stored
 * key. */
int strmap_intern(struct strmap *m, const char *key, size_t fresh, size_t *value,
                  const char **stored);
/* 1 with *value set when key is present, else 0. */
int strmap_find(const struct strmap *m, const char *key, size_t *value);

#endif
