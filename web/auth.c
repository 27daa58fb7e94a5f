/* auth.c - basic-auth verification with crypt(3) and a keyed digest cache (auth.h). */
#include "auth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int web_auth_init(struct web_auth *a, const char *user, const char *hash, struct tlsrpt_error *err)
{
    memset(a, 0, sizeof *a);
    if (user == NULL || user[0] == '\0' || strchr(user, ':') != NULL)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL,
                                "auth-user must be a non-empty name without ':'");
    int cs = hash != NULL ? crypt_checksalt(hash) : CRYPT_SALT_INVALID;
    if (hash == NULL || hash[0] != '$' || cs != CRYPT_SALT_OK)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL,
                                "auth-password-hash is not a crypt(3) hash this system supports "
                                "(%s); make one with tlsrpt-web --hash-password",
                                cs == CRYPT_SALT_METHOD_LEGACY ? "legacy method" : "invalid");
    /* A bare setting ("$y$j9T$salt") passes crypt_checksalt but no password could ever match it:
     * hashing anything with it must give a string as long as the configured one. */
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (cd == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    const char *probe = crypt_rn("probe", hash, cd, (int)sizeof *cd);
    bool complete = probe != NULL && probe[0] == '$' && strlen(probe) == strlen(hash);
    free(cd);
    if (!complete)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL,
                                "auth-password-hash is a salt setting without the hash; make one "
                                "with tlsrpt-web --hash-password");
    if (gnutls_rnd(GNUTLS_RND_KEY, a->key, sizeof a->key) != 0)
        return tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "no randomness for the auth cache key");
    a->user = strdup(user);
    a->hash = strdup(hash);
    if (a->user == NULL || a->hash == NULL) {
        web_auth_free(a);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    }
    pthread_mutex_init(&a->lock, NULL);
    return 0;
}

void web_auth_free(struct web_auth *a)
{
    if (a->user != NULL && a->hash != NULL)
        pthread_mutex_destroy(&a->lock);
    free(a->user);
    free(a->hash);
    memset(a, 0, sizeof *a);
}

static bool same(const unsigned char *x, const unsigned char *y, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

/* HMAC-SHA-256(key, password): what the cache holds instead of the password. */
static int digest(const struct web_auth *a, const char *password, unsigned char out[32])
{
    return gnutls_hmac_fast(GNUTLS_MAC_SHA256, a->key, sizeof a->key, password, strlen(password),
                            out);
}

bool web_auth_check(struct web_auth *a, const char *user, const char *password)
{
    if (user == NULL || password == NULL || strlen(password) > WEB_AUTH_MAX_PASSWORD)
        return false;
    size_t ul = strlen(user), want = strlen(a->user);
    bool user_ok =
        ul == want && same((const unsigned char *)user, (const unsigned char *)a->user, ul);
    unsigned char d[32];
    if (digest(a, password, d) != 0)
        return false;
    bool cached = false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->n_cache; i++)
        cached |= same(a->cache[i], d, sizeof d);
    pthread_mutex_unlock(&a->lock);
    if (cached)
        return user_ok;
    /* crypt_rn keeps its state in the caller's buffer: safe across request threads. */
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (cd == NULL)
        return false;
    const char *h = crypt_rn(password, a->hash, cd, (int)sizeof *cd);
    bool ok = h != NULL && h[0] == '$' && strlen(h) == strlen(a->hash) &&
              same((const unsigned char *)h, (const unsigned char *)a->hash, strlen(h));
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    if (ok) {
        pthread_mutex_lock(&a->lock);
        memcpy(a->cache[a->next], d, sizeof d);
        a->next = (a->next + 1) % WEB_AUTH_CACHE;
        if (a->n_cache < WEB_AUTH_CACHE)
            a->n_cache++;
        pthread_mutex_unlock(&a->lock);
    }
    return ok && user_ok;
}

int web_auth_make_hash(const char *password, char *out, size_t outlen, struct tlsrpt_error *err)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (password == NULL || password[0] == '\0' || strlen(password) > WEB_AUTH_MAX_PASSWORD)
        return tlsrpt_error_set(err, TLSRPT_E_FORMAT, NULL, "the password must be 1 to %d bytes",
                                WEB_AUTH_MAX_PASSWORD);
    if (crypt_gensalt_rn("$y$", 0, NULL, 0, setting, (int)sizeof setting) == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "crypt_gensalt: no yescrypt salt");
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (cd == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    const char *h = crypt_rn(password, setting, cd, (int)sizeof *cd);
    int rc = 0;
    if (h == NULL || h[0] != '$' || strlen(h) >= outlen)
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "crypt failed to hash the password");
    else
        memcpy(out, h, strlen(h) + 1);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return rc;
}
