/* smtp.h - one MX address checked the way a sending MTA sees it: banner, EHLO, STARTTLS, TLS
 * handshake with SNI = MX host, certificate facts. Every step has the same deadline. */
#ifndef TLSRPT_CHECK_SMTP_H
#define TLSRPT_CHECK_SMTP_H

#include "tls_probe.h"

enum tlsrpt_smtp_outcome {
    TLSRPT_SMTP_UNREACHABLE,       /* no TCP connection */
    TLSRPT_SMTP_TIMEOUT,           /* connected, then the server went silent */
    TLSRPT_SMTP_PROTOCOL,          /* no 220 banner, EHLO refused, garbage, connection closed */
    TLSRPT_SMTP_NO_STARTTLS,       /* EHLO does not offer STARTTLS */
    TLSRPT_SMTP_STARTTLS_REFUSED,  /* STARTTLS answered with something other than 220 */
    TLSRPT_SMTP_STARTTLS_INJECTED, /* bytes followed the 220 before our handshake (CVE-2011-0411) */
    TLSRPT_SMTP_TLS_FAILED,        /* the handshake failed */
    TLSRPT_SMTP_TLS_OK,            /* handshake done; cert holds the facts to judge */
};

struct tlsrpt_smtp_result {
    enum tlsrpt_smtp_outcome outcome;
    char detail[256]; /* the reason or the server's words */
    char banner[128]; /* first line of the 220 greeting */
    int elapsed_ms;
    struct tlsrpt_cert_facts cert;
};

/* Connects to addr:port and runs the conversation for mx_host, all within timeout_ms.
 * ehlo is the name we give in EHLO. Never fails as a function: the outcome says what happened. */
void tlsrpt_smtp_check(struct tlsrpt_probe_tls *tls, const char *addr, int port,
                       const char *mx_host, const char *ehlo, int timeout_ms,
                       struct tlsrpt_smtp_result *out);

const char *tlsrpt_smtp_outcome_name(enum tlsrpt_smtp_outcome o);

#endif
