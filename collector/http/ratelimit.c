/* ratelimit.c - fixed-size open-addressing table of token buckets. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 8 /* slots looked at per lookup: bounds the work per request */

struct bucket {
    bool used;
    uint8_t key[9]; /* family tag + 4 (IPv4) or 8 (IPv6 /64) bytes */
    double tokens;
    int64_t last_ms;
};

struct tlsrpt_ratelimit {
    pthread_mutex_t lock;
    double per_ms, burst;
    struct bucket *slots;
    size_t mask, used;
};

int tlsrpt_ratelimit_new(const struct tlsrpt_ratelimit_config *c, struct tlsrpt_ratelimit **out)
{
    *out = NULL;
    if (c->per_minute == 0)
        return 0; /* off: a NULL limiter allows everything */
    struct tlsrpt_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return -1;
    size_t n = 16;
    while (n < c->max_clients * 2 && n < ((size_t)1 << 30))
        n *= 2;
    rl->slots = calloc(n, sizeof *rl->slots);
    if (!rl->slots) {
        free(rl);
        return -1;
    }
    rl->mask = n - 1;
    rl->per_ms = (double)c->per_minute / 60000.0;
    rl->burst = c->burst ? (double)c->burst : 1.0;
    pthread_mutex_init(&rl->lock, NULL);
    *out = rl;
    return 0;
}

void tlsrpt_ratelimit_free(struct tlsrpt_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    free(rl);
}

static void make_key(const struct tlsrpt_ip *ip, uint8_t key[9])
{
    memset(key, 0, 9);
    key[0] = ip->family == AF_INET ? 4 : 6;
    memcpy(key + 1, ip->a, ip->family == AF_INET ? 4 : 8);
}

static size_t hash_key(const uint8_t key[9])
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (int i = 0; i < 9; i++)
        h = (h ^ key[i]) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static double refilled(const struct tlsrpt_ratelimit *rl, const struct bucket *b, int64_t now)
{
    double t = b->tokens + (double)(now > b->last_ms ? now - b->last_ms : 0) * rl->per_ms;
    return t > rl->burst ? rl->burst : t;
}

/* The slot for key: its own, else a free one, else one that is full again (forgetting it changes
 * nothing), else the one seen longest ago in the probe window. */
static struct bucket *find_slot(struct tlsrpt_ratelimit *rl, const uint8_t key[9], int64_t now)
{
    size_t h = hash_key(key);
    struct bucket *spare = NULL;
    for (size_t i = 0; i < PROBES; i++) {
        struct bucket *b = &rl->slots[(h + i) & rl->mask];
        if (b->used && memcmp(b->key, key, 9) == 0)
            return b;
        if (!b->used) {
            if (!spare || spare->used)
                spare = b;
        } else if (!spare || (spare->used &&
                              (refilled(rl, b, now) >= rl->burst || b->last_ms < spare->last_ms))) {
            spare = b;
        }
    }
    if (!spare->used)
        rl->used++;
    spare->used = true;
    memcpy(spare->key, key, 9);
    spare->tokens = rl->burst;
    spare->last_ms = now;
    return spare;
}

unsigned tlsrpt_ratelimit_take(struct tlsrpt_ratelimit *rl, const struct tlsrpt_ip *ip,
                               int64_t now_ms)
{
    if (!rl)
        return 0;
    uint8_t key[9];
    make_key(ip, key);
    pthread_mutex_lock(&rl->lock);
    struct bucket *b = find_slot(rl, key, now_ms);
    b->tokens = refilled(rl, b, now_ms);
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    unsigned wait = 0;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        double secs = ceil((1.0 - b->tokens) / rl->per_ms / 1000.0);
        wait = secs < 1.0 ? 1u : (unsigned)secs;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

size_t tlsrpt_ratelimit_size(struct tlsrpt_ratelimit *rl)
{
    if (!rl)
        return 0;
    pthread_mutex_lock(&rl->lock);
    size_t n = rl->used;
    pthread_mutex_unlock(&rl->lock);
    return n;
}
