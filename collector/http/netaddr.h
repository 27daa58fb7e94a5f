/* netaddr.h - client addresses for the HTTP endpoint: parsing and printing (an IPv4-mapped IPv6
 * address from a dual-stack socket is folded to plain IPv4), CIDR lists for trusted proxies, and
 * the X-Forwarded-For walk. Pure: no sockets, no globals. */
#ifndef TLSRPT_HTTP_NETADDR_H
#define TLSRPT_HTTP_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TLSRPT_IP_STRLEN 46 /* INET6_ADDRSTRLEN */

struct tlsrpt_ip {
    int family;    /* AF_INET or AF_INET6 */
    uint8_t a[16]; /* AF_INET uses a[0..3] */
};

/* Parses a numeric IPv4 or IPv6 address of len bytes (no port; "[...]" brackets allowed around
 * IPv6). Returns 0 or -1. */
int tlsrpt_ip_parse(const char *s, size_t len, struct tlsrpt_ip *out);
/* From a socket address (AF_INET / AF_INET6). Returns 0 or -1 for other families. */
int tlsrpt_ip_from_sockaddr(const struct sockaddr *sa, struct tlsrpt_ip *out);
/* Text form into buf (at least TLSRPT_IP_STRLEN bytes). */
void tlsrpt_ip_format(const struct tlsrpt_ip *ip, char *buf, size_t len);
bool tlsrpt_ip_equal(const struct tlsrpt_ip *x, const struct tlsrpt_ip *y);

struct tlsrpt_cidr {
    struct tlsrpt_ip ip;
    unsigned prefix; /* bits */
};

struct tlsrpt_cidr_list {
    struct tlsrpt_cidr *v;
    size_t n;
};

/* "127.0.0.1, ::1, 10.0.0.0/8" (commas and/or blanks). An address without /N is a host. Returns 0,
 * or -1 with why filled (the offending entry is named). An empty string gives an empty list. */
int tlsrpt_cidr_list_parse(const char *text, struct tlsrpt_cidr_list *out, char *why,
                           size_t whylen);
void tlsrpt_cidr_list_free(struct tlsrpt_cidr_list *l);
bool tlsrpt_cidr_list_match(const struct tlsrpt_cidr_list *l, const struct tlsrpt_ip *ip);

/* The client of a request. Without a trusted peer (or without the header) it is the peer itself.
 * When the peer is a trusted proxy, X-Forwarded-For is read from the right: each proxy appends the
 * address it saw, so the right-most entry that is not itself a trusted proxy is the client; entries
 * further left were written by the client and prove nothing. An entry that is not an address stops
 * the walk (the last address reached is used). Returns true when the client came from the header.
 */
bool tlsrpt_client_ip(const struct tlsrpt_ip *peer, const char *xff,
                      const struct tlsrpt_cidr_list *trusted, struct tlsrpt_ip *out);

#endif
