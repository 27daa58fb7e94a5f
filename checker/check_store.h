/* check_store.h - check results in the database (schema/002_checks.sql): written by
 * tlsrpt-check --store, read by the analyzer and the web pages ("the newest stored check"). */
#ifndef TLSRPT_CHECK_STORE_H
#define TLSRPT_CHECK_STORE_H

#include "check.h"
#include "db.h"
#include "finding.h"

#include <stdint.h>

/* Writes one result (a checks row and its check_findings rows) in one transaction.
 * db must be open read-write. Returns 0 (with *id set when id is not NULL) or TLSRPT_E_DB. */
int tlsrpt_check_store(struct tlsrpt_db *db, const struct tlsrpt_check_result *r, int64_t *id,
                       struct tlsrpt_error *err);

/* Certificate expiry of one MX host in a stored check. */
struct tlsrpt_check_mx_cert {
    char *host;        /* owned */
    int64_t days_left; /* fewest over the host's addresses (negative: expired) */
};

/* The newest stored check of one domain, as the analyzer needs it. */
struct tlsrpt_check_latest {
    int found; /* 0: no check stored for this domain (everything else is empty) */
    int64_t id;
    int64_t checked_at; /* unix seconds */
    char verdict[16];   /* "ok", "warnings", "errors" */
    int errors, warnings, infos;
    char sts_id[40];          /* "" when the _mta-sts record was missing or invalid */
    char sts_mode[16];        /* "testing", "enforce", "none", "invalid" or "" (no policy) */
    int64_t sts_max_age;      /* -1 when unknown */
    int64_t policy_cert_days; /* INT64_MIN when unknown */
    int64_t mx_cert_days;     /* INT64_MIN when unknown */
    char **sts_mx;            /* mx lines of the fetched policy; owned */
    size_t n_sts_mx;
    struct tlsrpt_check_mx_cert *mx_certs; /* per MX host, in check order; owned */
    size_t n_mx_certs;
    struct tlsrpt_finding *findings; /* in check order; owned */
    size_t n_findings;
};

/* Reads the newest check of domain (lower-case, no trailing dot) with its findings. Works on a
 * read-only handle. Returns 0 (out->found tells whether one exists) or TLSRPT_E_DB/TLSRPT_E_NOMEM.
 * Always free out with tlsrpt_check_latest_free. */
int tlsrpt_check_latest(struct tlsrpt_db *db, const char *domain, struct tlsrpt_check_latest *out,
                        struct tlsrpt_error *err);
void tlsrpt_check_latest_free(struct tlsrpt_check_latest *c);

#endif
