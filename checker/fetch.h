/* fetch.h - the policy fetch of RFC 8461 §3.3 with libcurl (GnuTLS build): HTTPS only, redirects
 * reported and never followed, body capped by our own writer, addresses from our resolver. */
#ifndef TLSRPT_CHECK_FETCH_H
#define TLSRPT_CHECK_FETCH_H

#include "error.h"

#include <stddef.h>

#define TLSRPT_FETCH_URL_MAX 320 /* "https://mta-sts." + a 253-byte domain + the path */

struct tlsrpt_fetch_opts {
    const char *ca_file; /* NULL: libcurl's default store (/etc/ssl/certs on Debian) */
    const char *address; /* connect here instead of the resolved addresses (tests); or NULL */
    int port;            /* TCP port of the policy host: 443 unless overridden */
    int timeout_ms;
};

struct tlsrpt_fetch_result {
    char url[TLSRPT_FETCH_URL_MAX];
    int curl_code;          /* CURLcode */
    char curl_error[256];   /* libcurl's words when curl_code != 0 */
    long http_status;       /* 0 when no response */
    char content_type[128]; /* as sent, "" when none */
    char redirect[512];     /* Location target of a 3xx, "" otherwise */
    char primary_ip[64];    /* the address actually used, "" when none */
    int too_large;          /* the body passed the cap (chunked or not) */
    int timed_out;
    char *body; /* owned, NUL-terminated; NULL when none */
    size_t body_len;
    int elapsed_ms;
};

/* One process-wide curl_global_init; call before any thread starts. Returns 0 or -1. */
int tlsrpt_fetch_global_init(void);
void tlsrpt_fetch_global_cleanup(void);

/* Fetches https://mta-sts.<domain>/.well-known/mta-sts.txt from one of addrs (numeric). Transfer
 * problems are described in out, not returned; returns 0, or an error code (err set) when the
 * request could not even be set up (memory, libcurl refusing an option). */
int tlsrpt_fetch_policy(const char *domain, const char *const *addrs, size_t n_addrs,
                        const struct tlsrpt_fetch_opts *o, struct tlsrpt_fetch_result *out,
                        struct tlsrpt_error *err);
void tlsrpt_fetch_result_free(struct tlsrpt_fetch_result *r);

/* True when a Content-Type value is text/plain (case-insensitive, parameters allowed). Pure. */
int tlsrpt_is_text_plain(const char *content_type);

#endif
