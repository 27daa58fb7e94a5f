/* txt_record.h - the two DNS TXT records a domain publishes, checked against their ABNF. Pure: the
 * strings in (each record's character-strings already joined without spaces), facts and findings
 * out. _mta-sts.<domain>    RFC 8461 §3.1: "v=STSv1; id=<1-32 alphanumerics>;" _smtp._tls.<domain>
 * RFC 8460 §3:   "v=TLSRPTv1; rua=mailto:...,https://..."
 */
#ifndef TLSRPT_CHECK_TXT_RECORD_H
#define TLSRPT_CHECK_TXT_RECORD_H

#include "finding.h"

#include <stddef.h>

#define TLSRPT_STS_ID_MAX 32     /* RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT) */
#define TLSRPT_TXT_FIELDS_MAX 32 /* fields kept per record; more is a syntax finding */
#define TLSRPT_RUA_MAX 16        /* report URIs kept from one rua= */

/* One "name=value" of a record; pointers into the record text. */
struct tlsrpt_txt_field {
    const char *name, *value;
    size_t name_len, value_len;
};

/* Splits a tag list after its version tag (the first `skip` bytes) following the shared ABNF:
 * 1*(*WSP ";" *WSP field) [*WSP ";" *WSP]. The value runs to the next ";" with trailing WSP
 * dropped; its characters are checked by the caller (rua allows WSP around commas).
 * Returns 0, or -1 with *err_pos at the offending byte. */
int tlsrpt_txt_split(const char *rec, size_t skip, struct tlsrpt_txt_field *out, size_t max,
                     size_t *n, size_t *err_pos);

struct tlsrpt_sts_txt {
    size_t n_records;               /* records that begin with "v=STSv1;" */
    int usable;                     /* exactly one, well-formed, with a valid id */
    char id[TLSRPT_STS_ID_MAX + 1]; /* the id when it is valid, else "" */
};

/* Judges every TXT record found at _mta-sts.<domain>; object names it in the findings.
 * Returns 0, or -1 on allocation failure (findings->nomem is then set too). */
int tlsrpt_sts_txt_check(const char *const *records, size_t n, const char *object,
                         struct tlsrpt_sts_txt *out, struct tlsrpt_findings *findings);

struct tlsrpt_rpt_txt {
    size_t n_records;          /* records that begin with "v=TLSRPTv1;" */
    int usable;                /* exactly one, with at least one usable rua URI */
    char *rua[TLSRPT_RUA_MAX]; /* owned copies of the URIs as published */
    size_t n_rua;
};

int tlsrpt_rpt_txt_check(const char *const *records, size_t n, const char *object,
                         struct tlsrpt_rpt_txt *out, struct tlsrpt_findings *findings);
void tlsrpt_rpt_txt_free(struct tlsrpt_rpt_txt *r);

#endif
