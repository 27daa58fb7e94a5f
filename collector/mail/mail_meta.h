/* mail_meta.h - what a report mail says about its report, kept as the receipt's meta JSON, and
 * where the mail's headers disagree with the report's JSON (RFC 8460 §5.6: the JSON wins; a
 * disagreement is only recorded, never acted on). Pure: no I/O. */
#ifndef TLSRPT_MAIL_META_H
#define TLSRPT_MAIL_META_H

#include "error.h"
#include "mime_extract.h"
#include "report.h"

/* Header/JSON disagreements, as bits; names from tlsrpt_mail_mismatch_name(). */
enum tlsrpt_mail_mismatch {
    TLSRPT_MM_REPORT_DOMAIN = 1u << 0,     /* TLS-Report-Domain is none of the policy-domains */
    TLSRPT_MM_SUBMITTER = 1u << 1,         /* TLS-Report-Submitter vs contact-info domain (§5.3) */
    TLSRPT_MM_SUBJECT_REPORT_ID = 1u << 2, /* Subject Report-ID is not the JSON report-id */
    TLSRPT_MM_FILENAME_DOMAIN = 1u << 3,   /* file name's policy domain is none of the policies' */
    TLSRPT_MM_FILENAME_RANGE = 1u << 4,    /* file name's start/end timestamps vs date-range */
};
#define TLSRPT_MM_COUNT 5
const char *tlsrpt_mail_mismatch_name(unsigned bit_index); /* "report-domain", ...; NULL past end */

/* Compares env (and the part's file name, may be NULL) with the parsed report. Only what both sides
 * state is compared: a missing header or an unparsable file name is no disagreement. */
unsigned tlsrpt_mail_mismatch(const struct tlsrpt_mail_envelope *env, const char *filename,
                              const struct tlsrpt_report *r);

/* The meta JSON object (compact text, malloc'd; NULL on allocation failure) for one report part:
 * the envelope headers (message_id, date, date_unix, from, subject, tls_report_domain,
 * tls_report_submitter, dkim [{d, s}]), the part (section, content_type, filename,
 * transfer_encoding, picked_by), forwarded_in (the outer Message-ID when the report came in a
 * forwarded message), mime_warnings, and header_mismatch (names) when report is not NULL. part NULL
 * describes the whole message (a message rejected before any part was found); mail_error, when not
 * NULL, is recorded as {"code", "message"}. x may hold no envelope (the message did not parse). */
char *tlsrpt_mail_meta_json(const struct tlsrpt_mail_extract *x,
                            const struct tlsrpt_mail_part *part, const struct tlsrpt_report *report,
                            const struct tlsrpt_error *mail_error);

#endif
