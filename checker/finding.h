/* finding.h - what a check found: severity, a stable code, the object it concerns, what is wrong
 * and the fix in one sentence. Codes are the interface (JSON, database, tests); messages are for
 * people. */
#ifndef TLSRPT_CHECK_FINDING_H
#define TLSRPT_CHECK_FINDING_H

#include <stddef.h>

enum tlsrpt_finding_severity { TLSRPT_FINDING_INFO, TLSRPT_FINDING_WARNING, TLSRPT_FINDING_ERROR };

struct tlsrpt_finding {
    enum tlsrpt_finding_severity severity;
    char *code;    /* e.g. "sts-id-invalid" */
    char *object;  /* e.g. "_mta-sts.example.com" */
    char *message; /* what is wrong, one line */
    char *fix;     /* what to do, one sentence */
};

/* A growable list with a ceiling (a hostile domain cannot make us allocate without bound). */
#define TLSRPT_FINDINGS_MAX 256

struct tlsrpt_findings {
    struct tlsrpt_finding *v;
    size_t n, cap;
    size_t dropped; /* findings past TLSRPT_FINDINGS_MAX, counted but not kept */
    int nomem;      /* an allocation failed: the list is incomplete */
};

/* Adds a finding; message is a printf format. Never fails loudly: on allocation failure it sets
 * nomem, which callers turn into a runtime error. */
void tlsrpt_findings_add(struct tlsrpt_findings *f, enum tlsrpt_finding_severity sev,
                         const char *code, const char *object, const char *fix, const char *fmt,
                         ...) __attribute__((format(printf, 6, 7)));
void tlsrpt_findings_free(struct tlsrpt_findings *f);
/* Number of findings with exactly this severity. */
size_t tlsrpt_findings_count(const struct tlsrpt_findings *f, enum tlsrpt_finding_severity sev);
/* True when a finding with this code is in the list. */
int tlsrpt_findings_has(const struct tlsrpt_findings *f, const char *code);

const char *tlsrpt_finding_severity_name(enum tlsrpt_finding_severity sev);
/* Parses "error", "warning", "info"; returns 0 or -1. */
int tlsrpt_finding_severity_parse(const char *s, enum tlsrpt_finding_severity *out);

#endif
