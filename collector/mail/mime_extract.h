/* mime_extract.h - finds every TLS-RPT report inside one mail message. Pure: bytes in, parts out,
 * no I/O. GMime 3 does all MIME work (structure, transfer encodings, RFC 2231/2047 names); this
 * file decides which parts are reports (quirks.md §2.1: by media type, or file name, or content
 * sniffing) and keeps the envelope headers each report came with. The parts are returned as they
 * are after the transfer encoding is undone (the gzip/zip/JSON bytes): turning those into JSON is
 * the ingest's job. */
#ifndef TLSRPT_MIME_EXTRACT_H
#define TLSRPT_MIME_EXTRACT_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

/* Caps on one message (style.md §2). Each is an option of `tlsrpt-collector maildir`. */
#define TLSRPT_MAIL_DEF_MAX_MESSAGE (32u << 20) /* bytes; RFC 8460 §5.2 quotes 10 MB receivers */
#define TLSRPT_MAIL_DEF_MAX_PARTS 256u          /* MIME entities; a report mail has 3 */
#define TLSRPT_MAIL_DEF_MAX_DEPTH 8u            /* multipart/message nesting; a forward adds 2 */
#define TLSRPT_MAIL_DEF_MAX_HEADER (64u << 10)  /* bytes of any one header field value */
#define TLSRPT_MAIL_DEF_MAX_HEADERS 1000u       /* header fields per entity; real mail has < 100 */
#define TLSRPT_MAIL_DEF_MAX_REPORTS 64u         /* report parts per message; senders send 1 */
#define TLSRPT_MAIL_MAX_DKIM 8                  /* DKIM-Signature d=/s= pairs kept per message */

struct tlsrpt_mail_limits {
    size_t max_message;
    size_t max_parts;
    size_t max_depth;
    size_t max_header;
    size_t max_headers;
    size_t max_reports;
};
void tlsrpt_mail_limits_default(struct tlsrpt_mail_limits *l);

/* Headers of the message a report came in (the outer message, or a forwarded one inside it).
 * Strings are owned, decoded (RFC 2047) and unfolded; NULL when the header is absent. */
struct tlsrpt_mail_envelope {
    char *message_id;  /* without the angle brackets */
    char *date;        /* as sent */
    int64_t date_unix; /* 0 when absent or unreadable */
    char *from;
    char *subject;
    char *report_domain;    /* TLS-Report-Domain */
    char *report_submitter; /* TLS-Report-Submitter */
    struct {
        char *d, *s; /* DKIM-Signature tags (not verified here); either may be NULL */
    } dkim[TLSRPT_MAIL_MAX_DKIM];
    size_t n_dkim;
};

/* Why a part was taken as a report. */
enum tlsrpt_mail_pick {
    TLSRPT_PICK_TYPE,  /* its media type is a report type */
    TLSRPT_PICK_NAME,  /* its file name ends in .json, .json.gz, .gz or .zip */
    TLSRPT_PICK_SNIFF, /* a non-text part whose bytes are gzip, zip or JSON */
    TLSRPT_PICK_BODY,  /* the whole body of a single-part report mail */
};
const char *tlsrpt_mail_pick_name(enum tlsrpt_mail_pick p); /* "type", "name", "sniff", "body" */

struct tlsrpt_mail_part {
    uint8_t *data; /* owned; transfer encoding undone */
    size_t len;
    char *content_type;      /* "application/tlsrpt+gzip", lower-case */
    char *filename;          /* decoded file name, or NULL */
    char *transfer_encoding; /* "base64", "quoted-printable", "7bit", ... */
    enum tlsrpt_mail_pick pick;
    char section[64]; /* IMAP-style part number: "2", "3.1.2"; "1" for a single-part body */
    size_t envelope;  /* index into tlsrpt_mail_extract.envelopes: 0 = the message itself */
};

/* GMime parser warnings seen, as bits (kept in the meta JSON: tells a truncated mail from a clean
 * one). */
enum tlsrpt_mail_warn {
    TLSRPT_MAIL_W_TRUNCATED = 1u << 0,   /* e.g. no final MIME boundary (Mail.ru) */
    TLSRPT_MAIL_W_MALFORMED = 1u << 1,   /* malformed message or multipart */
    TLSRPT_MAIL_W_BAD_HEADER = 1u << 2,  /* invalid or conflicting header, 8-bit header */
    TLSRPT_MAIL_W_NO_BOUNDARY = 1u << 3, /* multipart without a boundary parameter */
    TLSRPT_MAIL_W_OTHER = 1u << 4,
};
#define TLSRPT_MAIL_W_COUNT 5
const char *tlsrpt_mail_warn_name(unsigned bit_index); /* "truncated", ...; NULL past the end */

struct tlsrpt_mail_extract {
    struct tlsrpt_mail_envelope *envelopes; /* [0] is the message; one more per forwarded message */
    size_t n_envelopes;
    struct tlsrpt_mail_part
        *parts; /* the reports found, in message order; none = not a report mail */
    size_t n_parts;
    unsigned warnings; /* enum tlsrpt_mail_warn bits */
};

/* Parses len bytes of one message (CRLF or LF) and collects its reports into *out (zeroed first;
 * free with tlsrpt_mail_extract_free, also after a failure). limits NULL means the defaults.
 * Returns 0 (out->n_parts may be 0: the message holds no report and is to be skipped), or with err
 * set: TLSRPT_E_TOO_LARGE when a cap is exceeded (the message is hostile or broken: reject it),
 * TLSRPT_E_NOMEM. */
int tlsrpt_mail_extract(const uint8_t *msg, size_t len, const struct tlsrpt_mail_limits *limits,
                        struct tlsrpt_mail_extract *out, struct tlsrpt_error *err);
void tlsrpt_mail_extract_free(struct tlsrpt_mail_extract *x);

#endif
