/* json_list.c - a list of strings as a JSON array (jansson), remembered per handle: the same policy
 * strings and MX names come back in every report of a domain, and json_dumps costs more than the
 * INSERT that stores its result. */
#include "store_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A list whose strings exceed this many bytes in total is encoded every time, not remembered. */
#define JSON_CACHE_MAX_KEY 4096

/* FNV-1a over the strings with their NULs (so ["ab"] and ["a","b"] differ), then the count. */
static uint64_t list_hash(char *const *v, size_t n, size_t *key_len)
{
    uint64_t h = 0xcbf29ce484222325u;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)(v[i] ? v[i] : "");
        do {
            h = (h ^ *s) * 0x100000001b3u;
            len++;
        } while (*s++ != '\0');
    }
    *key_len = len;
    return (h ^ n) * 0x100000001b3u;
}

static int same_key(const struct tlsrpt_json_cache_entry *e, char *const *v, size_t n)
{
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = v[i] ? v[i] : "";
        size_t len = strlen(s) + 1;
        if (len > e->key_len - off || memcmp(e->key + off, s, len) != 0)
            return 0;
        off += len;
    }
    return off == e->key_len;
}

static char *encode(char *const *v, size_t n)
{
    char *text = NULL;
    json_t *a = json_array();
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(a, json_string(v[i] ? v[i] : "")) != 0)
            goto out;
    text = json_dumps(a, JSON_COMPACT);
out:
    json_decref(a);
    return text;
}

/* Remembers text for the list in e (replacing what was there); failure only means no caching. */
static void remember(struct tlsrpt_json_cache_entry *e, uint64_t hash, char *const *v, size_t n,
                     size_t key_len, const char *text)
{
    char *key = malloc(key_len ? key_len : 1);
    char *copy = strdup(text);
    if (key == NULL || copy == NULL) {
        free(key);
        free(copy);
        return;
    }
    char *k = key;
    for (size_t i = 0; i < n; i++) {
        const char *s = v[i] ? v[i] : "";
        size_t len = strlen(s) + 1;
        memcpy(k, s, len);
        k += len;
    }
    free(e->key);
    free(e->text);
    *e = (struct tlsrpt_json_cache_entry){hash, n, key_len, key, copy};
}

char *tlsrpt_json_list(struct tlsrpt_store_stmts *s, char *const *v, size_t n)
{
    if (n == 0)
        return strdup("[]");
    size_t key_len;
    uint64_t hash = list_hash(v, n, &key_len);
    struct tlsrpt_json_cache_entry *e = NULL;
    if (s != NULL && key_len <= JSON_CACHE_MAX_KEY) {
        e = &s->json[hash % TLSRPT_JSON_CACHE_SLOTS];
        if (e->text != NULL && e->hash == hash && e->n == n && same_key(e, v, n))
            return strdup(e->text);
    }
    char *text = encode(v, n);
    if (text != NULL && e != NULL)
        remember(e, hash, v, n, key_len, text);
    return text;
}

void tlsrpt_json_cache_free(struct tlsrpt_store_stmts *s)
{
    for (size_t i = 0; i < TLSRPT_JSON_CACHE_SLOTS; i++) {
        free(s->json[i].key);
        free(s->json[i].text);
    }
}
