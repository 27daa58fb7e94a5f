/* cache.c - reuse of analyses between requests (cache.h). One cache per server, so the thresholds
 * (fixed for the process) are not part of the key. */
#include "cache.h"

#include "queries.h"

#include <pthread.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECONDS_PER_DAY 86400
#define WAL_INDEX_HEADER 48 /* bytes of one copy of the wal-index header */

struct web_cache_entry {
    int64_t since, until;
    char **domains; /* owned copies; n_domains 0 means every domain */
    size_t n_domains;
    int preset; /* the preset window in days (web_presets), or 0 */
    uint64_t generation, used;
    uint64_t asked;      /* the last request that read it, or the one it replaced (0: none) */
    int64_t computed_at; /* wall clock, for "as of" */
    struct tlsrpt_analysis *a;
    int refs;     /* one for the table while listed, one per request using it */
    size_t bytes; /* tlsrpt_analysis_bytes(a) */
};

struct web_cache {
    pthread_mutex_t lock;
    uint64_t generation, tick;
    uint64_t files; /* fingerprint of the database and WAL files at the last observation */
    struct web_cache_entry *slot[WEB_CACHE_ENTRIES];
    size_t budget; /* bytes the listed analyses may hold together; 0: no limit */
};

struct web_cache *web_cache_new(void)
{
    struct web_cache *c = calloc(1, sizeof *c);
    if (c != NULL) {
        pthread_mutex_init(&c->lock, NULL);
        c->generation = 1;
        c->budget = WEB_CACHE_DEF_BYTES;
    }
    return c;
}

void web_cache_set_budget(struct web_cache *c, size_t bytes)
{
    pthread_mutex_lock(&c->lock);
    c->budget = bytes;
    pthread_mutex_unlock(&c->lock);
}

static size_t listed_bytes(const struct web_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++)
        n += c->slot[i] != NULL ? c->slot[i]->bytes : 0;
    return n;
}

size_t web_cache_bytes(struct web_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = listed_bytes(c);
    pthread_mutex_unlock(&c->lock);
    return n;
}

static void entry_free(struct web_cache_entry *e)
{
    for (size_t i = 0; i < e->n_domains; i++)
        free(e->domains[i]);
    free(e->domains);
    if (e->a != NULL)
        tlsrpt_analysis_free(e->a);
    free(e);
}

/* Drops a reference; returns the entry when it must be freed (outside the lock). */
static struct web_cache_entry *unref(struct web_cache_entry *e)
{
    return --e->refs == 0 ? e : NULL;
}

/* Unlists every entry; those no request uses are put in dead[] to be freed after unlocking. */
static size_t drop_all(struct web_cache *c, struct web_cache_entry **dead)
{
    size_t n = 0;
    for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++) {
        if (c->slot[i] != NULL && (dead[n] = unref(c->slot[i])) != NULL)
            n++;
        c->slot[i] = NULL;
    }
    return n;
}

void web_cache_free(struct web_cache *c)
{
    struct web_cache_entry *dead[WEB_CACHE_ENTRIES];
    if (c == NULL)
        return;
    size_t n = drop_all(c, dead);
    for (size_t i = 0; i < n; i++)
        entry_free(dead[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull; /* FNV-1a */
    return h;
}

/* What stat() says of a file: a replaced file changes device or inode, a write its size or time. */
static uint64_t stat_mix(uint64_t h, const char *path)
{
    struct stat st;
    int64_t v[5] = {0, 0, 0, 0, 0};
    if (stat(path, &st) == 0) {
        v[0] = (int64_t)st.st_dev;
        v[1] = (int64_t)st.st_ino;
        v[2] = (int64_t)st.st_size;
        v[3] = (int64_t)st.st_mtim.tv_sec;
        v[4] = (int64_t)st.st_mtim.tv_nsec;
    }
    return mix(h, v, sizeof v);
}

/* The wal-index header at the start of the -shm file (https://www.sqlite.org/walformat.html):
 * its iChange counter grows with every write transaction and mxFrame with every commit, so it
 * moves even when a commit leaves the WAL's size and (coarse) time as they were. A torn read can
 * only look like a change. */
static uint64_t shm_mix(uint64_t h, const char *path)
{
    unsigned char hdr[WAL_INDEX_HEADER];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? pread(fd, hdr, sizeof hdr, 0) : -1;
    if (fd >= 0)
        close(fd);
    return n == (ssize_t)sizeof hdr ? mix(h, hdr, sizeof hdr) : h;
}

/* A fingerprint of the database's state, the same whichever handle asks; 0 when unknown. */
static uint64_t files_of(const struct tlsrpt_db *db)
{
    char wal[4200], shm[4200];
    if (db->path == NULL || snprintf(wal, sizeof wal, "%s-wal", db->path) >= (int)sizeof wal ||
        snprintf(shm, sizeof shm, "%s-shm", db->path) >= (int)sizeof shm)
        return 0;
    uint64_t h = stat_mix(stat_mix(0xcbf29ce484222325ull, db->path), wal);
    return shm_mix(h, shm) | 1; /* never 0 */
}

uint64_t web_cache_observe(struct web_cache *c, struct tlsrpt_db *db, struct web_cache_seen *seen)
{
    int64_t v = 0;
    uint64_t files = files_of(db);
    bool ok = wq_data_version(db, &v) == 0 && files != 0;
    /* The fingerprint is one for all handles, so a commit counts once, not once per handle that
     * sees it. A handle whose data_version moved while the fingerprint it saw did not means the
     * fingerprint missed a commit: that counts too. */
    bool missed = seen->version != 0 && v != seen->version && seen->files == files;
    pthread_mutex_lock(&c->lock);
    if (!ok || files != c->files || missed)
        c->generation++; /* entries are kept: out of date, they can be shown "as of" */
    c->files = files;
    uint64_t g = c->generation;
    pthread_mutex_unlock(&c->lock);
    seen->version = ok ? v : 0;
    seen->files = files;
    return ok ? g : 0; /* 0: use no cached entry */
}

static bool same_key(const struct web_cache_entry *e, const struct tlsrpt_analysis_query *q)
{
    if (e->since != q->since || e->n_domains != q->n_domains)
        return false;
    for (size_t i = 0; i < q->n_domains; i++)
        if (strcmp(e->domains[i], q->domains[i]) != 0)
            return false;
    return true;
}

static int64_t day_of(int64_t t)
{
    int64_t r = t % SECONDS_PER_DAY;
    return t - (r < 0 ? r + SECONDS_PER_DAY : r);
}

/* The same window: the same key, and the end on the same UTC day (the daily series ends there). */
static bool same_window(const struct web_cache_entry *e, const struct tlsrpt_analysis_query *q)
{
    return same_key(e, q) && day_of(e->until - 1) == day_of(q->until - 1);
}

/* An entry of every domain for a preset window: only the same preset's next entry replaces it. */
static bool pinned(const struct web_cache_entry *e)
{
    return e->n_domains == 0 && e->preset > 0;
}

static struct web_cache_entry *lookup(struct web_cache *c, struct tlsrpt_db *db,
                                      uint64_t generation, const struct tlsrpt_analysis_query *q,
                                      bool asked)
{
    struct web_cache_entry *e = NULL;
    if (generation == 0)
        return NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < WEB_CACHE_ENTRIES && e == NULL; i++) {
        struct web_cache_entry *x = c->slot[i];
        if (x != NULL && x->generation == generation && same_window(x, q))
            e = x;
    }
    if (e != NULL) {
        e->refs++;
        if (asked)
            e->used = e->asked = ++c->tick;
    }
    pthread_mutex_unlock(&c->lock);
    if (e == NULL)
        return NULL;
    /* Another end of the window is the same window when no entry starts in between. */
    bool moved = false;
    if (e->until != q->until) {
        int64_t lo = e->until < q->until ? e->until : q->until;
        int64_t hi = e->until < q->until ? q->until : e->until;
        struct tlsrpt_error err = {0};
        bool found = false;
        int rc = wq_policy_starts_between(db, lo, hi, &found, &err);
        moved = rc != 0 || found; /* on error, do not trust the entry */
    }
    if (moved) {
        web_cache_release(c, e);
        return NULL;
    }
    return e;
}

struct web_cache_entry *web_cache_get(struct web_cache *c, struct tlsrpt_db *db,
                                      uint64_t generation, const struct tlsrpt_analysis_query *q,
                                      const struct tlsrpt_analysis **out)
{
    struct web_cache_entry *e = lookup(c, db, generation, q, true);
    if (e != NULL)
        *out = e->a;
    return e;
}

bool web_cache_valid(struct web_cache *c, struct tlsrpt_db *db, uint64_t generation,
                     const struct tlsrpt_analysis_query *q)
{
    struct web_cache_entry *e = lookup(c, db, generation, q, false);
    web_cache_release(c, e);
    return e != NULL;
}

static struct web_cache_entry *entry_new(uint64_t generation, const struct tlsrpt_analysis_query *q,
                                         int preset, struct tlsrpt_analysis *a)
{
    struct web_cache_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->since = q->since;
    e->until = q->until;
    e->preset = preset > 0 ? preset : 0;
    e->generation = generation;
    e->bytes = tlsrpt_analysis_bytes(a);
    e->domains = q->n_domains > 0 ? calloc(q->n_domains, sizeof *e->domains) : NULL;
    for (size_t i = 0; e->domains != NULL && i < q->n_domains; i++) {
        if ((e->domains[i] = strdup(q->domains[i])) == NULL)
            break;
        e->n_domains++;
    }
    if (e->n_domains != q->n_domains) {
        entry_free(e);
        return NULL;
    }
    e->a = a;
    e->computed_at = (int64_t)time(NULL);
    e->refs = 2; /* the table and the caller */
    return e;
}

/* Whether x's window is a later one than e's (of the same preset: they move by whole days). */
static bool later(const struct web_cache_entry *x, const struct web_cache_entry *e)
{
    if (x->since != e->since)
        return x->since > e->since;
    return day_of(x->until - 1) > day_of(e->until - 1);
}

/* Whether e, to be added, is not older than what is listed for its window or its preset; fills
 * e->preset (a custom window equal to a preset's is that preset's too) and e->asked from the
 * entry it replaces, and *same with that entry's slot (or WEB_CACHE_ENTRIES). */
static bool newest(struct web_cache *c, struct web_cache_entry *e,
                   const struct tlsrpt_analysis_query *q, size_t *same)
{
    *same = WEB_CACHE_ENTRIES;
    for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++) {
        struct web_cache_entry *x = c->slot[i];
        if (x == NULL || !same_window(x, q))
            continue;
        if (x->generation > e->generation)
            return false; /* a newer analysis of this window is listed */
        *same = i;
        e->preset = e->preset > 0 ? e->preset : x->preset;
        e->asked = x->asked;
    }
    for (size_t i = 0; pinned(e) && i < WEB_CACHE_ENTRIES; i++) {
        struct web_cache_entry *x = c->slot[i];
        if (x != NULL && i != *same && pinned(x) && x->preset == e->preset && later(x, e))
            return false; /* a later day's window of this preset is listed */
    }
    return true;
}

/* Unlists the least recently used entries (never keep, never a preset window's) while the listed
 * ones hold more than the budget; those no request uses go to dead[]. Returns how many. Called
 * with the lock held. */
static size_t over_budget(struct web_cache *c, const struct web_cache_entry *keep,
                          struct web_cache_entry **dead)
{
    size_t n_dead = 0, total = listed_bytes(c);
    while (c->budget > 0 && total > c->budget) {
        size_t lru = WEB_CACHE_ENTRIES;
        for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++) {
            const struct web_cache_entry *x = c->slot[i];
            if (x != NULL && x != keep && !pinned(x) &&
                (lru == WEB_CACHE_ENTRIES || x->used < c->slot[lru]->used))
                lru = i;
        }
        if (lru == WEB_CACHE_ENTRIES)
            break; /* only what must stay is left */
        total -= c->slot[lru]->bytes;
        if ((dead[n_dead] = unref(c->slot[lru])) != NULL)
            n_dead++;
        c->slot[lru] = NULL;
    }
    return n_dead;
}

struct web_cache_entry *web_cache_put(struct web_cache *c, uint64_t generation,
                                      const struct tlsrpt_analysis_query *q, int preset,
                                      struct tlsrpt_analysis *a)
{
    struct web_cache_entry *e = entry_new(generation, q, preset, a);
    struct web_cache_entry *dead[WEB_CACHE_ENTRIES];
    size_t n_dead = 0, same = WEB_CACHE_ENTRIES;
    if (e == NULL) {
        tlsrpt_analysis_free(a);
        return NULL;
    }
    pthread_mutex_lock(&c->lock);
    if (generation == 0 || !newest(c, e, q, &same)) {
        e->refs = 1; /* unknown or older than what is listed: serve it this once, do not keep it */
    } else {
        /* The previous days' windows of the same preset give way to this one. */
        for (size_t i = 0; pinned(e) && i < WEB_CACHE_ENTRIES; i++) {
            struct web_cache_entry *x = c->slot[i];
            if (x != NULL && i != same && pinned(x) && x->preset == e->preset) {
                e->asked = x->asked > e->asked ? x->asked : e->asked;
                if ((dead[n_dead] = unref(x)) != NULL)
                    n_dead++;
                c->slot[i] = NULL;
            }
        }
        /* The same window's slot, else a free one, else the least recently used of those no
         * preset window holds. */
        size_t victim = same;
        for (size_t i = 0; victim == WEB_CACHE_ENTRIES && i < WEB_CACHE_ENTRIES; i++)
            if (c->slot[i] == NULL)
                victim = i;
        if (victim == WEB_CACHE_ENTRIES) {
            for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++)
                if (!pinned(c->slot[i]) &&
                    (victim == WEB_CACHE_ENTRIES || c->slot[i]->used < c->slot[victim]->used))
                    victim = i;
            /* cannot happen: at most one entry per preset is pinned */
            victim = victim == WEB_CACHE_ENTRIES ? 0 : victim;
        }
        if (c->slot[victim] != NULL && (dead[n_dead] = unref(c->slot[victim])) != NULL)
            n_dead++;
        e->used = ++c->tick;
        c->slot[victim] = e;
        n_dead += over_budget(c, e, dead + n_dead);
    }
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < n_dead; i++)
        entry_free(dead[i]);
    return e;
}

struct web_cache_entry *web_cache_get_stale(struct web_cache *c,
                                            const struct tlsrpt_analysis_query *q, int preset,
                                            const struct tlsrpt_analysis **out,
                                            struct web_cache_stale *why)
{
    struct web_cache_entry *e = NULL;
    bool e_moved = false;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++) {
        struct web_cache_entry *x = c->slot[i];
        bool moved;
        if (x == NULL)
            continue;
        if (same_window(x, q))
            moved = false;
        else if (preset > 0 && q->n_domains == 0 && pinned(x) && x->preset == preset &&
                 x->since + SECONDS_PER_DAY == q->since)
            moved = true; /* yesterday's window of this preset */
        else
            continue;
        /* this window's own entry first, then the newest generation */
        if (e == NULL || (e_moved && !moved) ||
            (e_moved == moved && x->generation > e->generation)) {
            e = x;
            e_moved = moved;
        }
    }
    if (e != NULL) {
        e->refs++;
        e->used = e->asked = ++c->tick;
        *out = e->a;
        why->as_of = e->computed_at;
        why->moved = e_moved;
    }
    pthread_mutex_unlock(&c->lock);
    return e;
}

uint64_t web_cache_last_used(struct web_cache *c, int preset)
{
    uint64_t last = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < WEB_CACHE_ENTRIES; i++) {
        const struct web_cache_entry *x = c->slot[i];
        if (x != NULL && pinned(x) && x->preset == preset && x->asked > last)
            last = x->asked;
    }
    pthread_mutex_unlock(&c->lock);
    return last;
}

void web_cache_release(struct web_cache *c, struct web_cache_entry *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    struct web_cache_entry *dead = unref(e);
    pthread_mutex_unlock(&c->lock);
    if (dead != NULL)
        entry_free(dead);
}
