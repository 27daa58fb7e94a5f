/* dns.h - DNS look-ups through libunbound: every query of one batch runs in parallel, and the batch
 * has a hard deadline (libunbound's own retries against a dead server take ~17 s and cannot be
 * tuned; unanswered queries are cancelled at the deadline instead). */
#ifndef TLSRPT_CHECK_DNS_H
#define TLSRPT_CHECK_DNS_H

#include "dns_rdata.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_DNS_ITEMS_MAX 32 /* records kept per answer */

enum tlsrpt_rrtype { TLSRPT_RR_A = 1, TLSRPT_RR_MX = 15, TLSRPT_RR_TXT = 16, TLSRPT_RR_AAAA = 28 };

enum tlsrpt_dns_status {
    TLSRPT_DNS_PENDING,
    TLSRPT_DNS_OK,       /* items filled */
    TLSRPT_DNS_NXDOMAIN, /* the name does not exist */
    TLSRPT_DNS_NODATA,   /* the name exists, no record of this type */
    TLSRPT_DNS_SERVFAIL, /* the server failed (or another error rcode) */
    TLSRPT_DNS_BOGUS,    /* DNSSEC validation failed (only with a trust anchor) */
    TLSRPT_DNS_TIMEOUT,  /* no answer before the deadline */
    TLSRPT_DNS_ERROR,    /* local failure (see why) */
};

struct tlsrpt_dns_query {
    /* in */
    char name[TLSRPT_DNS_NAME_MAX];
    enum tlsrpt_rrtype type;
    /* out */
    enum tlsrpt_dns_status status;
    int secure;                           /* DNSSEC-validated answer */
    int malformed;                        /* records that could not be decoded (skipped) */
    char why[160];                        /* detail for SERVFAIL/BOGUS/ERROR */
    char *items[TLSRPT_DNS_ITEMS_MAX];    /* owned: TXT text, MX host, A/AAAA address */
    uint16_t prefs[TLSRPT_DNS_ITEMS_MAX]; /* MX preferences */
    size_t n_items;
    /* private */
    int async_id;
};

struct tlsrpt_dns_opts {
    const char *forwarder;    /* "ADDR[@PORT]": ask this server; NULL: the system's resolv.conf */
    const char *trust_anchor; /* file of DS/DNSKEY records: validate DNSSEC; NULL: do not */
    int timeout_ms;           /* deadline of one batch */
};

struct tlsrpt_dns;

int tlsrpt_dns_new(const struct tlsrpt_dns_opts *o, struct tlsrpt_dns **out,
                   struct tlsrpt_error *err);
void tlsrpt_dns_free(struct tlsrpt_dns *d);

/* Prepares q for a look-up of name/type (clears the outputs). Returns -1 if name is too long. */
int tlsrpt_dns_query_init(struct tlsrpt_dns_query *q, const char *name, enum tlsrpt_rrtype type);
void tlsrpt_dns_query_clear(struct tlsrpt_dns_query *q);

/* Runs all n queries in parallel; returns when all are answered or the deadline passed (those get
 * TLSRPT_DNS_TIMEOUT). Never takes longer than timeout_ms plus scheduling. Returns 0, or -1 when
 * the resolver itself broke (err set); per-query problems are in each status. */
int tlsrpt_dns_run(struct tlsrpt_dns *d, struct tlsrpt_dns_query *q, size_t n,
                   struct tlsrpt_error *err);

const char *tlsrpt_dns_status_name(enum tlsrpt_dns_status s);

#endif
