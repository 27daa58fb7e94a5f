/* netaddr.c - address parsing, CIDR matching and the X-Forwarded-For walk. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d: fold them so limits and lists see IPv4.
 */
static void fold_mapped(struct tlsrpt_ip *ip)
{
    if (ip->family == AF_INET6 && memcmp(ip->a, v4mapped, 12) == 0) {
        memmove(ip->a, ip->a + 12, 4);
        memset(ip->a + 4, 0, 12);
        ip->family = AF_INET;
    }
}

int tlsrpt_ip_parse(const char *s, size_t len, struct tlsrpt_ip *out)
{
    char tmp[TLSRPT_IP_STRLEN + 2];
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, tmp, out->a) == 1) {
        out->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, out->a) == 1) {
        out->family = AF_INET6;
        fold_mapped(out);
        return 0;
    }
    return -1;
}

int tlsrpt_ip_from_sockaddr(const struct sockaddr *sa, struct tlsrpt_ip *out)
{
    memset(out, 0, sizeof *out);
    if (!sa)
        return -1;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        out->family = AF_INET;
        memcpy(out->a, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        out->family = AF_INET6;
        memcpy(out->a, &in6->sin6_addr, 16);
        fold_mapped(out);
        return 0;
    }
    return -1;
}

void tlsrpt_ip_format(const struct tlsrpt_ip *ip, char *buf, size_t len)
{
    if (!inet_ntop(ip->family, ip->a, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

bool tlsrpt_ip_equal(const struct tlsrpt_ip *x, const struct tlsrpt_ip *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

static bool prefix_match(const struct tlsrpt_cidr *c, const struct tlsrpt_ip *ip)
{
    if (c->ip.family != ip->family)
        return false;
    unsigned full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->ip.a, ip->a, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->ip.a[full] & mask) == (ip->a[full] & mask);
}

bool tlsrpt_cidr_list_match(const struct tlsrpt_cidr_list *l, const struct tlsrpt_ip *ip)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (prefix_match(&l->v[i], ip))
            return true;
    return false;
}

void tlsrpt_cidr_list_free(struct tlsrpt_cidr_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int parse_cidr(const char *s, size_t len, struct tlsrpt_cidr *out)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (tlsrpt_ip_parse(s, alen, &out->ip) != 0)
        return -1;
    unsigned max = out->ip.family == AF_INET ? 32 : 128;
    out->prefix = max;
    if (slash) {
        unsigned v = 0;
        size_t digits = len - alen - 1;
        if (digits == 0 || digits > 3)
            return -1;
        for (size_t i = 0; i < digits; i++) {
            char ch = slash[1 + i];
            if (ch < '0' || ch > '9')
                return -1;
            v = v * 10 + (unsigned)(ch - '0');
        }
        if (v > max)
            return -1;
        out->prefix = v;
    }
    return 0;
}

int tlsrpt_cidr_list_parse(const char *text, struct tlsrpt_cidr_list *out, char *why, size_t whylen)
{
    int rc = -1;
    struct tlsrpt_cidr_list l = {0};
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        struct tlsrpt_cidr c;
        if (parse_cidr(p, n, &c) != 0) {
            snprintf(why, whylen, "'%.*s' is not an address or address/prefix",
                     (int)(n > 64 ? 64 : n), p);
            goto out;
        }
        struct tlsrpt_cidr *nv = realloc(l.v, (l.n + 1) * sizeof *nv);
        if (!nv) {
            snprintf(why, whylen, "out of memory");
            goto out;
        }
        l.v = nv;
        l.v[l.n++] = c;
        p += n;
    }
    *out = l;
    l.v = NULL;
    rc = 0;
out:
    free(l.v);
    return rc;
}

bool tlsrpt_client_ip(const struct tlsrpt_ip *peer, const char *xff,
                      const struct tlsrpt_cidr_list *trusted, struct tlsrpt_ip *out)
{
    *out = *peer;
    if (!xff || !tlsrpt_cidr_list_match(trusted, peer))
        return false;
    bool from_header = false;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
            a++;
        while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
            b--;
        struct tlsrpt_ip ip;
        if (tlsrpt_ip_parse(xff + a, b - a, &ip) != 0)
            break;
        *out = ip;
        from_header = true;
        if (!tlsrpt_cidr_list_match(trusted, &ip))
            break;
        end = start > 0 ? start - 1 : 0;
    }
    return from_header;
}
