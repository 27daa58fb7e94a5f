/* fetch.c - policy fetch with libcurl (fetch.h). */
#include "fetch.h"

#include "buf.h"
#include "net.h"
#include "policy_doc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RESOLVE_MAX 1024

int tlsrpt_fetch_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void tlsrpt_fetch_global_cleanup(void)
{
    curl_global_cleanup();
}

int tlsrpt_is_text_plain(const char *ct)
{
    if (ct == NULL)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "text/plain", 10) != 0)
        return 0;
    ct += 10;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

struct sink {
    struct tlsrpt_buf buf;
    int too_large;
};

/* CURLOPT_MAXFILESIZE only acts on a declared Content-Length; a chunked body is capped here. */
static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    if (tlsrpt_buf_append(&s->buf, data, n) != 0) {
        s->too_large = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

/* "host:port:addr1,addr2" for CURLOPT_RESOLVE; IPv6 addresses in brackets. */
static int resolve_entry(char *out, size_t cap, const char *host, int port,
                         const char *const *addrs, size_t n)
{
    int w = snprintf(out, cap, "%s:%d:", host, port);
    if (w < 0 || (size_t)w >= cap)
        return -1;
    size_t len = (size_t)w;
    for (size_t i = 0; i < n; i++) {
        int v6 = strchr(addrs[i], ':') != NULL;
        w = snprintf(out + len, cap - len, "%s%s%s%s", i ? "," : "", v6 ? "[" : "", addrs[i],
                     v6 ? "]" : "");
        if (w < 0 || (size_t)w >= cap - len)
            return -1;
        len += (size_t)w;
    }
    return 0;
}

static int setup(CURL *h, const char *host, const char *const *addrs, size_t n,
                 const struct tlsrpt_fetch_opts *o, struct sink *sink, char *errbuf,
                 struct curl_slist **resolve, struct curl_slist **connect_to,
                 struct tlsrpt_fetch_result *out)
{
    char entry[RESOLVE_MAX];
    /* Pin the name to our resolver's answer (libcurl cannot be pointed at a DNS server). The
     * URL, the Host header and SNI stay mta-sts.<domain>; only the port may be redirected. */
    if (resolve_entry(entry, sizeof entry, host, o->port, addrs, n) != 0 ||
        (*resolve = curl_slist_append(NULL, entry)) == NULL)
        return -1;
    if (o->port != 443) {
        snprintf(entry, sizeof entry, "%s:443:%s:%d", host, host, o->port);
        if ((*connect_to = curl_slist_append(NULL, entry)) == NULL)
            return -1;
    }
    CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (c == CURLE_OK)                                                                         \
            c = curl_easy_setopt(h, opt, val);                                                     \
    } while (0)
    SET(CURLOPT_URL, out->url);
    SET(CURLOPT_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (o->ca_file != NULL) { /* instead of the system store, not in addition to it */
        SET(CURLOPT_CAINFO, o->ca_file);
        SET(CURLOPT_CAPATH, NULL);
    }
    SET(CURLOPT_RESOLVE, *resolve);
    if (*connect_to != NULL)
        SET(CURLOPT_CONNECT_TO, *connect_to);
    SET(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TLSRPT_POLICY_MAX_BYTES);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, sink);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_USERAGENT, "tlsrpt-check/" TLSRPT_VERSION);
#undef SET
    return c == CURLE_OK ? 0 : -1;
}

static void info(CURL *h, struct tlsrpt_fetch_result *out)
{
    char *s = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->http_status);
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s != NULL)
        snprintf(out->content_type, sizeof out->content_type, "%s", s);
    s = NULL;
    if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &s) == CURLE_OK && s != NULL)
        snprintf(out->redirect, sizeof out->redirect, "%s", s);
    s = NULL;
    if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s != NULL)
        snprintf(out->primary_ip, sizeof out->primary_ip, "%s", s);
}

int tlsrpt_fetch_policy(const char *domain, const char *const *addrs, size_t n_addrs,
                        const struct tlsrpt_fetch_opts *o, struct tlsrpt_fetch_result *out,
                        struct tlsrpt_error *err)
{
    char host[272], errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *resolve = NULL, *connect_to = NULL;
    struct sink sink = {.too_large = 0};
    int rc = TLSRPT_E_IO;
    int64_t start = tlsrpt_now_ms();
    CURL *h = NULL;

    memset(out, 0, sizeof *out);
    tlsrpt_buf_init(&sink.buf, TLSRPT_POLICY_MAX_BYTES);
    snprintf(host, sizeof host, "mta-sts.%s", domain);
    snprintf(out->url, sizeof out->url, "https://%s/.well-known/mta-sts.txt", host);
    if (o->address != NULL) {
        addrs = &o->address;
        n_addrs = 1;
    }
    h = curl_easy_init();
    if (h == NULL ||
        setup(h, host, addrs, n_addrs, o, &sink, errbuf, &resolve, &connect_to, out) != 0) {
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "cannot set up libcurl for %s", out->url);
        goto out;
    }
    out->curl_code = (int)curl_easy_perform(h);
    info(h, out);
    out->too_large = sink.too_large || out->curl_code == CURLE_FILESIZE_EXCEEDED;
    out->timed_out = out->curl_code == CURLE_OPERATION_TIMEDOUT;
    if (out->curl_code != CURLE_OK)
        snprintf(out->curl_error, sizeof out->curl_error, "%s",
                 errbuf[0] ? errbuf : curl_easy_strerror((CURLcode)out->curl_code));
    else
        out->body = (char *)tlsrpt_buf_steal(&sink.buf, &out->body_len);
    rc = 0;
out:
    out->elapsed_ms = (int)(tlsrpt_now_ms() - start);
    tlsrpt_buf_free(&sink.buf);
    curl_slist_free_all(resolve);
    curl_slist_free_all(connect_to);
    if (h != NULL)
        curl_easy_cleanup(h);
    return rc;
}

void tlsrpt_fetch_result_free(struct tlsrpt_fetch_result *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}
