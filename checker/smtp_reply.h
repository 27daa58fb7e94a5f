/* smtp_reply.h - one SMTP reply (RFC 5321 §4.2) recognised in buffered bytes. Pure. */
#ifndef TLSRPT_CHECK_SMTP_REPLY_H
#define TLSRPT_CHECK_SMTP_REPLY_H

#include <stddef.h>

#define TLSRPT_SMTP_LINE_MAX 512 /* RFC 5321 §4.5.3.1.5: reply line, CRLF included */

struct tlsrpt_smtp_reply {
    int code;         /* 3-digit reply code */
    size_t consumed;  /* bytes of buf that made up the reply (CRLF of the last line included) */
    int has_starttls; /* a line after the first one is the EHLO keyword STARTTLS */
    char first[128];  /* the first line's text, for messages */
};

/* Looks for a complete reply at the start of buf: lines "NNN-text" continue it, "NNN text" or
 * "NNN" end it; CRLF or bare LF ends a line. Returns 1 when complete (r filled), 0 when more bytes
 * are needed, -1 when the bytes are not an SMTP reply (bad code, mixed codes, line too long). */
int tlsrpt_smtp_reply_scan(const char *buf, size_t len, struct tlsrpt_smtp_reply *r);

#endif
