#include "maildir_skipset.h"

#include <stdlib.h>
#include <sys/stat.h>

struct entry {
    uint64_t key; /* 0 = free slot */
    int64_t size, mtime_ns;
};

struct tlsrpt_skipset {
    struct entry *slots;
    size_t n_slots, used;
};

struct tlsrpt_skipset *tlsrpt_skipset_new(size_t slots)
{
    struct tlsrpt_skipset *s = calloc(1, sizeof *s);
    if (s == NULL || slots == 0 || (s->slots = calloc(slots, sizeof *s->slots)) == NULL) {
        free(s);
        return NULL;
    }
    s->n_slots = slots;
    return s;
}

void tlsrpt_skipset_free(struct tlsrpt_skipset *s)
{
    if (s == NULL)
        return;
    free(s->slots);
    free(s);
}

/* FNV-1a over the three parts; 0 is reserved for free slots. */
uint64_t tlsrpt_skipset_key(size_t folder, const char *sub, const char *name)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)folder;
    for (const char *p = sub; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h ? h : 1;
}

/* The slot holding key, or the free slot where it would go (the table is never full). */
static struct entry *slot_of(const struct tlsrpt_skipset *s, uint64_t key)
{
    size_t i = key % s->n_slots;
    while (s->slots[i].key != 0 && s->slots[i].key != key)
        i = (i + 1) % s->n_slots;
    return &s->slots[i];
}

static int file_id(const char *path, int64_t *size, int64_t *mtime_ns)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    *size = (int64_t)st.st_size;
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return 0;
}

int tlsrpt_skipset_has(const struct tlsrpt_skipset *s, uint64_t key, const char *path)
{
    const struct entry *e = slot_of(s, key);
    int64_t size, mtime;
    if (e->key == 0 || file_id(path, &size, &mtime) != 0)
        return 0;
    return e->size == size && e->mtime_ns == mtime;
}

void tlsrpt_skipset_add(struct tlsrpt_skipset *s, uint64_t key, const char *path)
{
    struct entry *e = slot_of(s, key);
    if (e->key == 0 && s->used >= s->n_slots / 4 * 3)
        return; /* keep probes short; the message is read again by the next rescan */
    int64_t size, mtime;
    if (file_id(path, &size, &mtime) != 0)
        return;
    if (e->key == 0)
        s->used++;
    *e = (struct entry){.key = key, .size = size, .mtime_ns = mtime};
}
