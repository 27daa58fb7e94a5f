/* mail_prepared.h - what tlsrpt_mail_prepare hands to tlsrpt_mail_submit: the inputs of one
 * message, ready for the ingest. Internal to collector/mail (mail_prepare.c builds it,
 * mail_ingest.c uses it). */
#ifndef TLSRPT_MAIL_PREPARED_H
#define TLSRPT_MAIL_PREPARED_H

#include "error.h"
#include "report.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

struct prepared_input {
    uint8_t *data; /* owned: a report part's bytes, or the whole message when it was refused */
    size_t len;
    char *meta;      /* owned receipt meta JSON; NULL when it could not be built */
    char label[160]; /* "2 (google.com!...json.gz)", for reject reasons */
    /* The part decoded and parsed once, on the preparing thread: the report (owned), or NULL with
     * why set (the reject reason; for a message refused whole, the cap it exceeded). */
    struct tlsrpt_report *report;
    struct tlsrpt_error why;
    struct tlsrpt_store_prep prep; /* what the store derives from data (tlsrpt_ingest_prep) */
};

struct tlsrpt_mail_prepared {
    struct prepared_input *in;
    size_t n; /* 0: the message holds no report */
    int have_mail_error;
    struct tlsrpt_error
        mail_error; /* why the whole message was refused (in[0] is then the message) */
};

#endif
