/* policy_doc.h - the MTA-STS policy file (RFC 8461 §3.2) judged strictly against its ABNF. Pure:
 * bytes in, facts and findings out. (collector/parse/sts_policy.c reads the same lines leniently,
 * as reporters echo them in reports; here every deviation is a finding for the domain owner.) */
#ifndef TLSRPT_CHECK_POLICY_DOC_H
#define TLSRPT_CHECK_POLICY_DOC_H

#include "finding.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_POLICY_MAX_BYTES 65536 /* RFC 8461 §3.3: senders may cap the body at 64 KiB */
#define TLSRPT_POLICY_MAX_AGE_LIMIT 31557600 /* §3.2: max_age at most 31557600 s (one year) */
#define TLSRPT_POLICY_MAX_AGE_TESTING 86400  /* advice: one day while testing */
#define TLSRPT_POLICY_MAX_AGE_STABLE 604800  /* advice: a week or more once enforcing */
#define TLSRPT_POLICY_MX_MAX 64              /* mx lines kept */

enum tlsrpt_sts_mode {
    TLSRPT_MODE_UNSET,
    TLSRPT_MODE_TESTING,
    TLSRPT_MODE_ENFORCE,
    TLSRPT_MODE_NONE,
    TLSRPT_MODE_INVALID
};

struct tlsrpt_policy_doc {
    int version_ok;                 /* version: STSv1 */
    enum tlsrpt_sts_mode mode;      /* first mode line */
    int64_t max_age;                /* first max_age line, -1 when missing or not 1-10 digits */
    char *mx[TLSRPT_POLICY_MX_MAX]; /* owned, as written (lower-cased, no trailing dot) */
    size_t n_mx;
    size_t lines; /* field lines seen */
    int usable;   /* a sender would apply it: no error finding from this file */
};

/* Judges `len` bytes of policy text; object (the policy URL) names it in the findings.
 * Returns 0, or -1 on allocation failure (findings->nomem is then set). Free with
 * tlsrpt_policy_doc_free even on failure. */
int tlsrpt_policy_doc_check(const char *body, size_t len, const char *object,
                            struct tlsrpt_policy_doc *out, struct tlsrpt_findings *findings);
void tlsrpt_policy_doc_free(struct tlsrpt_policy_doc *p);

const char *tlsrpt_sts_mode_name(enum tlsrpt_sts_mode m);

/* RFC 8461 §3.2 sts-policy-mx-value: ["*."] Domain (RFC 5321 Domain: LDH labels of 1-63 bytes). */
int tlsrpt_mx_pattern_valid(const char *s, size_t len);

#endif
