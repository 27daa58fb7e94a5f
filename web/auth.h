/* auth.h - HTTP basic authentication against one user and a crypt(3) password hash (libxcrypt:
 * yescrypt "$y$", sha512-crypt "$6$", bcrypt "$2b$"...), for a dashboard exposed beyond localhost.
 * Make a hash with `tlsrpt-web --hash-password` (yescrypt), `mkpasswd -m yescrypt` or
 * `openssl passwd -6`.
 *
 * A slow KDF on every request would make each page cost several hashes (page, stylesheet, icon), so
 * a credential that verified once is remembered as a keyed SHA-256 digest (random key per process,
 * never written anywhere) and later requests compare digests in constant time. */
#ifndef TLSRPT_WEB_AUTH_H
#define TLSRPT_WEB_AUTH_H

#include "error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define WEB_AUTH_CACHE 8          /* verified credentials remembered */
#define WEB_AUTH_MAX_PASSWORD 512 /* longer passwords are refused without hashing */

struct web_auth {
    char *user, *hash; /* owned */
    unsigned char key[32];
    unsigned char cache[WEB_AUTH_CACHE][32];
    size_t n_cache, next;
    pthread_mutex_t lock;
};

/* Checks the hash (a method crypt(3) supports and not a legacy DES hash) and keeps copies.
 * Returns 0, or TLSRPT_E_FORMAT / TLSRPT_E_NOMEM with err set. */
int web_auth_init(struct web_auth *a, const char *user, const char *hash, struct tlsrpt_error *err);
void web_auth_free(struct web_auth *a);
/* true when user and password (may be NULL) match. Thread-safe. */
bool web_auth_check(struct web_auth *a, const char *user, const char *password);

/* A new yescrypt hash of password into out. Returns 0, or -1 with err set. */
int web_auth_make_hash(const char *password, char *out, size_t outlen, struct tlsrpt_error *err);

#endif
