/* finding.c - the findings list (finding.h). */
#include "finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void tlsrpt_findings_add(struct tlsrpt_findings *f, enum tlsrpt_finding_severity sev,
                         const char *code, const char *object, const char *fix, const char *fmt,
                         ...)
{
    if (f->n >= TLSRPT_FINDINGS_MAX) {
        f->dropped++;
        return;
    }
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        struct tlsrpt_finding *nv = realloc(f->v, ncap * sizeof *nv);
        if (nv == NULL) {
            f->nomem = 1;
            return;
        }
        f->v = nv;
        f->cap = ncap;
    }
    struct tlsrpt_finding x = {.severity = sev};
    va_list ap;
    va_start(ap, fmt);
    x.message = vformat(fmt, ap);
    va_end(ap);
    x.code = strdup(code);
    x.object = strdup(object ? object : "");
    x.fix = strdup(fix ? fix : "");
    if (x.message == NULL || x.code == NULL || x.object == NULL || x.fix == NULL) {
        free(x.message);
        free(x.code);
        free(x.object);
        free(x.fix);
        f->nomem = 1;
        return;
    }
    f->v[f->n++] = x;
}

void tlsrpt_findings_free(struct tlsrpt_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].code);
        free(f->v[i].object);
        free(f->v[i].message);
        free(f->v[i].fix);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

size_t tlsrpt_findings_count(const struct tlsrpt_findings *f, enum tlsrpt_finding_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].severity == sev)
            n++;
    return n;
}

int tlsrpt_findings_has(const struct tlsrpt_findings *f, const char *code)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].code, code) == 0)
            return 1;
    return 0;
}

const char *tlsrpt_finding_severity_name(enum tlsrpt_finding_severity sev)
{
    switch (sev) {
    case TLSRPT_FINDING_ERROR:
        return "error";
    case TLSRPT_FINDING_WARNING:
        return "warning";
    case TLSRPT_FINDING_INFO:
        break;
    }
    return "info";
}

int tlsrpt_finding_severity_parse(const char *s, enum tlsrpt_finding_severity *out)
{
    static const enum tlsrpt_finding_severity all[] = {TLSRPT_FINDING_INFO, TLSRPT_FINDING_WARNING,
                                                       TLSRPT_FINDING_ERROR};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(s, tlsrpt_finding_severity_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}
