/* meta.c - builds the receipt's meta JSON with jansson. */
#include "meta.h"

#include <jansson.h>
#include <string.h>

/* Printable ASCII copy, cut at TLSRPT_HTTP_META_FIELD_MAX: jansson wants valid UTF-8, and a log or
 * dashboard reading this later should not meet control characters. */
static int put(json_t *o, const char *key, const char *value)
{
    char clean[TLSRPT_HTTP_META_FIELD_MAX + 1];
    size_t n = 0;
    if (!value)
        return 0;
    for (const unsigned char *s = (const unsigned char *)value;
         *s && n < TLSRPT_HTTP_META_FIELD_MAX; s++)
        clean[n++] = (*s >= 0x20 && *s < 0x7f) ? (char)*s : '?';
    clean[n] = '\0';
    return json_object_set_new(o, key, json_string(clean));
}

char *tlsrpt_http_meta_json(const struct tlsrpt_http_meta *m)
{
    char *text = NULL;
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (put(o, "client", m->client) || put(o, "peer", m->peer) ||
        put(o, "user_agent", m->user_agent) || put(o, "tls", m->tls) || put(o, "path", m->path) ||
        put(o, "content_type", m->content_type) || put(o, "content_encoding", m->content_encoding))
        goto out;
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
    json_decref(o);
    return text;
}
