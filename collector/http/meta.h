/* meta.h - the JSON object stored with every HTTP arrival (struct tlsrpt_source_info.meta_json):
 * client address, TCP peer when a proxy forwarded it, User-Agent, TLS version, path, Content-Type
 * and Content-Encoding. Header values are hostile: kept as printable ASCII, each cut at
 * TLSRPT_HTTP_META_FIELD_MAX bytes. */
#ifndef TLSRPT_HTTP_META_H
#define TLSRPT_HTTP_META_H

#define TLSRPT_HTTP_META_FIELD_MAX 256

struct tlsrpt_http_meta {
    const char *client;     /* address the report is attributed to */
    const char *peer;       /* TCP peer when different (a trusted proxy), else NULL */
    const char *user_agent; /* NULL when absent */
    const char *tls;        /* "TLS1.3", or NULL for plain HTTP */
    const char *path;
    const char *content_type;     /* NULL when absent */
    const char *content_encoding; /* NULL when absent */
};

/* A malloc'd JSON object text, or NULL when out of memory. */
char *tlsrpt_http_meta_json(const struct tlsrpt_http_meta *m);

#endif
