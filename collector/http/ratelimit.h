/* ratelimit.h - a token bucket per client address (rate-limit, rate-burst): each request takes a
 * token, tokens come back at `rate` per minute up to `burst`. IPv6 clients are keyed by their /64,
 * since one host usually holds a whole /64. Memory is fixed (max-clients entries): when the table
 * is crowded the entry seen longest ago is forgotten, which can only make limiting more lenient for
 * that client, never lock anyone out. Thread-safe (one mutex; the critical section is a few loads
 * and stores). */
#ifndef TLSRPT_HTTP_RATELIMIT_H
#define TLSRPT_HTTP_RATELIMIT_H

#include "netaddr.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_HTTP_DEF_RATE 60           /* requests per minute per client; 0 turns limiting off */
#define TLSRPT_HTTP_DEF_BURST 120         /* bucket size: requests a client may make at once */
#define TLSRPT_HTTP_DEF_MAX_CLIENTS 65536 /* clients remembered (about 40 bytes each) */

struct tlsrpt_ratelimit_config {
    uint64_t per_minute;
    uint64_t burst;
    uint64_t max_clients;
};

struct tlsrpt_ratelimit;

/* Returns 0, or -1 when out of memory. */
int tlsrpt_ratelimit_new(const struct tlsrpt_ratelimit_config *c, struct tlsrpt_ratelimit **out);
void tlsrpt_ratelimit_free(struct tlsrpt_ratelimit *rl);

/* Takes a token for ip at now_ms (a monotonic clock). Returns 0 when the request may go on, else
 * the whole seconds until the next token (for Retry-After, at least 1). */
unsigned tlsrpt_ratelimit_take(struct tlsrpt_ratelimit *rl, const struct tlsrpt_ip *ip,
                               int64_t now_ms);

/* Entries in use (for tests and the shutdown summary). */
size_t tlsrpt_ratelimit_size(struct tlsrpt_ratelimit *rl);

#endif
