/* mime_envelope.h - reads the envelope headers a report is kept with (Message-ID, Date, From,
 * Subject, TLS-Report-Domain/-Submitter, DKIM-Signature d= and s=) from a parsed GMime message.
 * Internal to collector/mail: the only header that includes GMime besides mime_extract.c. */
#ifndef TLSRPT_MIME_ENVELOPE_H
#define TLSRPT_MIME_ENVELOPE_H

#include "mime_extract.h"

#include <gmime/gmime.h>

/* Fills env (zeroed first) from m. Returns 0 or TLSRPT_E_NOMEM; env is freed by the caller either
 * way. */
int tlsrpt_mail_envelope_read(GMimeMessage *m, struct tlsrpt_mail_envelope *env);
void tlsrpt_mail_envelope_free(struct tlsrpt_mail_envelope *env);

/* Copies the value of DKIM tag `tag` ("d", "s") from a DKIM-Signature field value into a malloc'd
 * string with folding whitespace removed. Returns NULL when absent (or on allocation failure). */
char *tlsrpt_dkim_tag(const char *value, const char *tag);

/* 1 when the message says it is a TLS report mail (RFC 8460 §5.3): a TLS-Report-Domain or
 * TLS-Report-Submitter header, or Content-Type multipart/report with report-type=tlsrpt. */
int tlsrpt_mail_is_report_mail(GMimeMessage *m);

#endif
