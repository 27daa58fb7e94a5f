/* output.c - the text form of a check result (output.h); the JSON form is the result's doc. */
#include "output.h"

#include <string.h>

#define LABEL_W 22    /* width of the left column */
#define NAMES_SHOWN 4 /* certificate names printed; JSON has them all */

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_records(FILE *out, const json_t *rec)
{
    size_t i;
    const json_t *x;
    if (rec == NULL)
        return;
    if (json_array_size(json_object_get(rec, "records")) == 0)
        fprintf(out, "  %-*s TXT: none (%s)\n", LABEL_W, jstr(rec, "name"), jstr(rec, "dns"));
    for (i = 0; (x = json_array_get(json_object_get(rec, "records"), i)) != NULL; i++)
        fprintf(out, "  %-*s TXT \"%s\"\n", LABEL_W, jstr(rec, "name"), json_string_value(x));
}

static void print_cert(FILE *out, const char *label, const json_t *c)
{
    if (c == NULL)
        return;
    if (!json_is_true(json_object_get(c, "handshake"))) {
        fprintf(out, "  %-*s %s\n", LABEL_W, label, jstr(c, "error"));
        return;
    }
    const json_t *names = json_object_get(c, "names");
    fprintf(out, "  %-*s %s %s, names", LABEL_W, label, jstr(c, "tls_version"), jstr(c, "cipher"));
    for (size_t i = 0; i < json_array_size(names) && i < NAMES_SHOWN; i++)
        fprintf(out, "%s%s", i ? ", " : " ", json_string_value(json_array_get(names, i)));
    if (json_array_size(names) > NAMES_SHOWN)
        fprintf(out, " (and %zu more)", json_array_size(names) - NAMES_SHOWN);
    fprintf(out, ", expires %s", jstr(c, "not_after"));
    const json_t *d = json_object_get(c, "days_left");
    if (json_is_integer(d))
        fprintf(out, " (%lld days)", (long long)json_integer_value(d));
    fputc('\n', out);
}

static void print_policy(FILE *out, const json_t *p)
{
    if (p == NULL || json_object_get(p, "url") == NULL)
        return;
    fprintf(out, "  %-*s %s", LABEL_W, "policy", jstr(p, "url"));
    const json_t *st = json_object_get(p, "http_status");
    if (json_is_integer(st))
        fprintf(out, ": HTTP %lld %s", (long long)json_integer_value(st), jstr(p, "content_type"));
    else
        fprintf(out, ": %s", jstr(p, "error"));
    fputc('\n', out);
    if (json_object_get(p, "mode") != NULL) {
        size_t i;
        const json_t *x;
        fprintf(out, "  %-*s mode %s, max_age ", LABEL_W, "", jstr(p, "mode"));
        const json_t *ma = json_object_get(p, "max_age");
        if (json_is_integer(ma))
            fprintf(out, "%lld", (long long)json_integer_value(ma));
        else
            fputs("?", out);
        fputs(", mx", out);
        for (i = 0; (x = json_array_get(json_object_get(p, "mx"), i)) != NULL; i++)
            fprintf(out, " %s", json_string_value(x));
        fputc('\n', out);
    }
    print_cert(out, "policy certificate", json_object_get(p, "certificate"));
}

static void print_mx(FILE *out, const json_t *doc)
{
    size_t i;
    const json_t *x;
    for (i = 0; (x = json_array_get(json_object_get(doc, "mx"), i)) != NULL; i++) {
        char label[300];
        snprintf(label, sizeof label, "MX %lld %s",
                 (long long)json_integer_value(json_object_get(x, "preference")), jstr(x, "host"));
        fprintf(out, "  %-*s", LABEL_W, label);
        size_t k;
        const json_t *a;
        for (k = 0; (a = json_array_get(json_object_get(x, "addresses"), k)) != NULL; k++)
            fprintf(out, " %s", json_string_value(a));
        fputc('\n', out);
    }
    for (i = 0; (x = json_array_get(json_object_get(doc, "smtp"), i)) != NULL; i++) {
        char label[300];
        snprintf(label, sizeof label, "%s (%s)", jstr(x, "host"), jstr(x, "address"));
        if (strcmp(jstr(x, "outcome"), "tls-ok") == 0)
            print_cert(out, label, json_object_get(x, "certificate"));
        else
            fprintf(out, "  %-*s %s: %s\n", LABEL_W, label, jstr(x, "outcome"), jstr(x, "detail"));
    }
}

void tlsrpt_check_print_text(FILE *out, const struct tlsrpt_check_result *r, int verbose)
{
    const struct tlsrpt_findings *f = &r->findings;
    fprintf(out, "%s: %s (%zu error(s), %zu warning(s), %zu note(s)) in %.2f s\n", r->domain,
            tlsrpt_check_verdict(f), tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR),
            tlsrpt_findings_count(f, TLSRPT_FINDING_WARNING),
            tlsrpt_findings_count(f, TLSRPT_FINDING_INFO), r->duration_ms / 1000.0);
    if (verbose) {
        print_records(out, json_object_get(r->doc, "mta_sts_record"));
        print_records(out, json_object_get(r->doc, "tlsrpt_record"));
        print_policy(out, json_object_get(r->doc, "policy"));
        print_mx(out, r->doc);
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct tlsrpt_finding *x = &f->v[i];
        fprintf(out, "  %-7s %s: %s: %s\n          fix: %s\n",
                tlsrpt_finding_severity_name(x->severity), x->code, x->object, x->message, x->fix);
    }
    if (f->dropped > 0)
        fprintf(out, "  (%zu more findings not shown)\n", f->dropped);
}
