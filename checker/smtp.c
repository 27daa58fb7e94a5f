/* smtp.c - the STARTTLS conversation (smtp.h). */
#include "smtp.h"

#include "net.h"
#include "smtp_reply.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SMTP_BUF 8192 /* one reply; EHLO answers are far smaller */

const char *tlsrpt_smtp_outcome_name(enum tlsrpt_smtp_outcome o)
{
    static const char *const names[] = {
        "unreachable",        "timeout",    "protocol-error", "no-starttls", "starttls-refused",
        "starttls-injection", "tls-failed", "tls-ok"};
    return (size_t)o < sizeof names / sizeof names[0] ? names[o] : "unknown";
}

struct conv {
    int fd;
    int64_t deadline;
    char buf[SMTP_BUF];
    size_t len;
    struct tlsrpt_smtp_result *out;
};

/* Reads until one whole reply is buffered; consumes it. Returns 0, or -1 with outcome set. */
static int read_reply(struct conv *c, struct tlsrpt_smtp_reply *r)
{
    for (;;) {
        int s = tlsrpt_smtp_reply_scan(c->buf, c->len, r);
        if (s == 1) {
            memmove(c->buf, c->buf + r->consumed, c->len - r->consumed);
            c->len -= r->consumed;
            return 0;
        }
        if (s < 0 || c->len >= sizeof c->buf - 1) {
            c->out->outcome = TLSRPT_SMTP_PROTOCOL;
            snprintf(c->out->detail, sizeof c->out->detail, "not an SMTP reply: \"%.60s\"", c->buf);
            return -1;
        }
        char why[128];
        ssize_t n = tlsrpt_read_until(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1,
                                      c->deadline, why, sizeof why);
        if (n <= 0) {
            c->out->outcome = n == TLSRPT_NET_TIMEOUT ? TLSRPT_SMTP_TIMEOUT : TLSRPT_SMTP_PROTOCOL;
            snprintf(c->out->detail, sizeof c->out->detail, "%s",
                     n == 0 ? "the server closed the connection" : why);
            return -1;
        }
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
    }
}

static int send_cmd(struct conv *c, const char *cmd)
{
    char why[128];
    int w = tlsrpt_write_all(c->fd, cmd, strlen(cmd), c->deadline, why, sizeof why);
    if (w == 0)
        return 0;
    c->out->outcome = w == TLSRPT_NET_TIMEOUT ? TLSRPT_SMTP_TIMEOUT : TLSRPT_SMTP_PROTOCOL;
    snprintf(c->out->detail, sizeof c->out->detail, "%s", why);
    return -1;
}

/* Banner, EHLO, STARTTLS: returns 0 when the socket is ready for the TLS handshake. */
static int plaintext_part(struct conv *c, const char *ehlo)
{
    struct tlsrpt_smtp_reply r;
    char cmd[300];
    struct tlsrpt_smtp_result *out = c->out;

    if (read_reply(c, &r) != 0)
        return -1;
    snprintf(out->banner, sizeof out->banner, "%s", r.first);
    if (r.code != 220) {
        out->outcome = TLSRPT_SMTP_PROTOCOL;
        snprintf(out->detail, sizeof out->detail, "greeting is not 220: \"%s\"", r.first);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "EHLO %s\r\n", ehlo);
    if (send_cmd(c, cmd) != 0 || read_reply(c, &r) != 0)
        return -1;
    if (r.code != 250) {
        out->outcome = TLSRPT_SMTP_PROTOCOL;
        snprintf(out->detail, sizeof out->detail, "EHLO refused: \"%s\"", r.first);
        return -1;
    }
    if (!r.has_starttls) {
        out->outcome = TLSRPT_SMTP_NO_STARTTLS;
        snprintf(out->detail, sizeof out->detail, "EHLO reply does not offer STARTTLS");
        send_cmd(c, "QUIT\r\n");
        return -1;
    }
    if (send_cmd(c, "STARTTLS\r\n") != 0 || read_reply(c, &r) != 0)
        return -1;
    if (r.code != 220) {
        out->outcome = TLSRPT_SMTP_STARTTLS_REFUSED;
        snprintf(out->detail, sizeof out->detail, "STARTTLS answered \"%s\"", r.first);
        return -1;
    }
    /* Anything already buffered after the 220 was sent in plaintext but would be read as if it
     * came over TLS: the STARTTLS command injection flaw. Stop here. */
    if (c->len > 0) {
        out->outcome = TLSRPT_SMTP_STARTTLS_INJECTED;
        snprintf(out->detail, sizeof out->detail,
                 "%zu byte(s) followed the 220 reply to STARTTLS before the handshake", c->len);
        return -1;
    }
    return 0;
}

void tlsrpt_smtp_check(struct tlsrpt_probe_tls *tls, const char *addr, int port,
                       const char *mx_host, const char *ehlo, int timeout_ms,
                       struct tlsrpt_smtp_result *out)
{
    struct conv c;
    int64_t start = tlsrpt_now_ms();

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    c.out = out;
    c.deadline = start + timeout_ms;
    c.fd = tlsrpt_tcp_connect(addr, port, c.deadline, out->detail, sizeof out->detail);
    if (c.fd < 0) {
        out->outcome = TLSRPT_SMTP_UNREACHABLE;
        goto out;
    }
    if (plaintext_part(&c, ehlo) != 0)
        goto out;
    if (tlsrpt_tls_probe(tls, c.fd, mx_host, c.deadline, &out->cert) != 0) {
        out->outcome = TLSRPT_SMTP_TLS_FAILED;
        snprintf(out->detail, sizeof out->detail, "%s", out->cert.error);
        goto out;
    }
    out->outcome = TLSRPT_SMTP_TLS_OK;
out:
    if (c.fd >= 0)
        close(c.fd);
    out->elapsed_ms = (int)(tlsrpt_now_ms() - start);
}
