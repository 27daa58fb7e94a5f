/* print_json.c - the JSON document of an analysis (docs/report-json.md), shared with the web
 * dashboard's /api/. Every key is always present (null when unknown) so consumers need no
 * guesswork. Jansson ownership: *_set_new and *_append_new steal the value, even on failure. */
#include "analyze.h"
#include "print.h"

#include "datetime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

struct jb {
    bool ok; /* false after the first allocation failure */
};

static void set(struct jb *b, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        b->ok = false;
}

static void append(struct jb *b, json_t *arr, json_t *v)
{
    if (v == NULL || json_array_append_new(arr, v) != 0)
        b->ok = false;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *int_or_null(int64_t v, bool present)
{
    return present ? json_integer((json_int_t)v) : json_null();
}

/* Fractions rounded to 6 decimals so the document does not carry binary noise. */
static json_t *rate(int64_t successful, int64_t failed)
{
    double r = tlsrpt_failure_rate(successful, failed);
    return r < 0 ? json_null() : json_real(round(r * 1e6) / 1e6);
}

static json_t *datetime(int64_t t)
{
    char buf[32];
    if (t == 0 || tlsrpt_datetime_format(t, buf, sizeof buf) != 0)
        return json_null();
    return json_string(buf);
}

static json_t *date(int64_t t)
{
    char buf[16];
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, sizeof buf, "%Y-%m-%d", &tm) == 0)
        return json_null();
    return json_string(buf);
}

static json_t *strings(const char *const *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, json_string(v[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *counts(struct jb *b, const struct tlsrpt_count *c, size_t n)
{
    json_t *obj = json_object();
    for (size_t i = 0; obj != NULL && i < n; i++)
        set(b, obj, c[i].key, json_integer(c[i].sessions));
    return obj;
}

static json_t *sessions(struct jb *b, const struct tlsrpt_session_counts *c)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    set(b, o, "reports", json_integer(c->reports));
    set(b, o, "successful_sessions", json_integer(c->successful));
    set(b, o, "failed_sessions", json_integer(c->failed));
    set(b, o, "failure_rate", rate(c->successful, c->failed));
    return o;
}

static json_t *organizations(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < d->n_by_organization; i++) {
        const struct tlsrpt_org_stats *s = &d->by_organization[i];
        json_t *o = json_object();
        append(b, arr, o);
        if (o == NULL)
            break;
        set(b, o, "organization", json_string(s->organization));
        set(b, o, "reports", json_integer(s->reports));
        set(b, o, "successful_sessions", json_integer(s->successful));
        set(b, o, "failed_sessions", json_integer(s->failed));
        set(b, o, "failure_rate", rate(s->successful, s->failed));
        set(b, o, "first_seen", datetime(s->first_seen));
        set(b, o, "last_seen", datetime(s->last_seen));
    }
    return arr;
}

static json_t *mxes(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < d->n_by_mx; i++) {
        const struct tlsrpt_mx_stats *s = &d->by_mx[i];
        json_t *o = json_object();
        append(b, arr, o);
        if (o == NULL)
            break;
        set(b, o, "mx", json_string(s->mx));
        set(b, o, "kind", json_string(tlsrpt_mx_kind_name(s->kind)));
        set(b, o, "failed_sessions", json_integer(s->failed));
        set(b, o, "result_types", counts(b, s->result_types, s->n_result_types));
        set(b, o, "organizations", strings(s->organizations, s->n_organizations));
        set(b, o, "first_seen", datetime(s->first_seen));
        set(b, o, "last_seen", datetime(s->last_seen));
        set(b, o, "matches_policy",
            s->matches_policy < 0 ? json_null() : json_boolean(s->matches_policy == 1));
    }
    return arr;
}

static json_t *details(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < d->n_top_details; i++) {
        const struct tlsrpt_detail_stats *s = &d->top_details[i];
        json_t *o = json_object();
        append(b, arr, o);
        if (o == NULL)
            break;
        set(b, o, "result_type", json_string(s->result_type));
        set(b, o, "sending_mta_ip", str_or_null(s->sending_mta_ip));
        set(b, o, "receiving_mx_hostname", str_or_null(s->receiving_mx_hostname));
        set(b, o, "receiving_ip", str_or_null(s->receiving_ip));
        set(b, o, "failure_reason_code", str_or_null(s->failure_reason_code));
        set(b, o, "failed_sessions", json_integer(s->sessions));
        set(b, o, "organizations", strings(s->organizations, s->n_organizations));
    }
    return arr;
}

static json_t *daily(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < d->n_daily; i++) {
        const struct tlsrpt_day_stats *s = &d->daily[i];
        json_t *o = json_object();
        append(b, arr, o);
        if (o == NULL)
            break;
        set(b, o, "date", date(s->day));
        set(b, o, "reports", json_integer(s->reports));
        set(b, o, "successful_sessions", json_integer(s->successful));
        set(b, o, "failed_sessions", json_integer(s->failed));
    }
    return arr;
}

static json_t *policies(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < d->n_policies; i++) {
        const struct tlsrpt_policy_seen *s = &d->policies[i];
        json_t *o = json_object(), *orgs = json_array();
        append(b, arr, o);
        if (o == NULL) {
            json_decref(orgs);
            break;
        }
        set(b, o, "policy_type", json_string("sts"));
        set(b, o, "mode", str_or_null(s->mode));
        set(b, o, "max_age", int_or_null(s->max_age, s->max_age >= 0));
        set(b, o, "mx_patterns", strings(s->mx_patterns, s->n_mx_patterns));
        set(b, o, "newest", json_boolean(s->newest));
        set(b, o, "reports", json_integer(s->reports));
        set(b, o, "first_seen", datetime(s->first_seen));
        set(b, o, "last_seen", datetime(s->last_seen));
        for (size_t j = 0; orgs != NULL && j < s->n_organizations; j++) {
            const struct tlsrpt_policy_org *po = &s->organizations[j];
            json_t *e = json_object();
            append(b, orgs, e);
            if (e == NULL)
                break;
            set(b, e, "organization", json_string(po->organization));
            set(b, e, "reports", json_integer(po->reports));
            set(b, e, "first_seen", datetime(po->first_seen));
            set(b, e, "last_seen", datetime(po->last_seen));
        }
        set(b, o, "organizations", orgs);
    }
    return arr;
}

static json_t *dane(struct jb *b, const struct tlsrpt_dane_stats *s)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    set(b, o, "reports", json_integer(s->reports));
    set(b, o, "successful_sessions", json_integer(s->successful));
    set(b, o, "failed_sessions", json_integer(s->failed));
    set(b, o, "failure_rate", rate(s->successful, s->failed));
    set(b, o, "by_result_type", counts(b, s->result_types, s->n_result_types));
    set(b, o, "organizations", strings(s->organizations, s->n_organizations));
    return o;
}

static json_t *number_or_null(double v)
{
    return v < 0 ? json_null() : json_real(round(v * 1e6) / 1e6);
}

static json_t *readiness(struct jb *b, const struct tlsrpt_readiness *r)
{
    json_t *o = json_object(), *arr = json_array();
    if (o == NULL) {
        json_decref(arr);
        return NULL;
    }
    set(b, o, "verdict", json_string(tlsrpt_verdict_name(r->verdict)));
    set(b, o, "newest_mode", str_or_null(r->newest_mode));
    for (size_t i = 0; arr != NULL && i < r->n_reasons; i++) {
        const struct tlsrpt_reason *x = &r->reasons[i];
        json_t *e = json_object();
        append(b, arr, e);
        if (e == NULL)
            break;
        set(b, e, "code", json_string(x->code));
        set(b, e, "severity", json_string(tlsrpt_severity_name(x->severity)));
        set(b, e, "message", str_or_null(x->message));
        set(b, e, "action", str_or_null(x->action));
        set(b, e, "mx", str_or_null(x->mx));
        set(b, e, "result_type", str_or_null(x->result_type));
        set(b, e, "organizations", strings(x->organizations, x->n_organizations));
        set(b, e, "sessions", int_or_null(x->sessions, x->sessions >= 0));
        set(b, e, "first_seen", datetime(x->first_seen));
        set(b, e, "last_seen", datetime(x->last_seen));
        set(b, e, "value", number_or_null(x->value));
        set(b, e, "threshold", number_or_null(x->threshold));
    }
    set(b, o, "reasons", arr);
    return o;
}

static json_t *domain(struct jb *b, const struct tlsrpt_domain_analysis *d)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    set(b, o, "domain", json_string(d->domain));
    set(b, o, "verdict", json_string(tlsrpt_verdict_name(d->readiness.verdict)));
    set(b, o, "reports", json_integer(d->reports));
    set(b, o, "reporters", json_integer(d->reporters));
    set(b, o, "organizations", json_integer(d->organizations));
    set(b, o, "days_with_reports", json_integer(d->days_with_reports));
    set(b, o, "first_seen", datetime(d->first_seen));
    set(b, o, "last_seen", datetime(d->last_seen));
    set(b, o, "successful_sessions", json_integer(d->successful));
    set(b, o, "failed_sessions", json_integer(d->failed));
    set(b, o, "failure_rate", rate(d->successful, d->failed));
    json_t *sts = sessions(b, &d->sts);
    if (sts != NULL) {
        set(b, sts, "days", json_integer(d->sts_days));
        set(b, sts, "organizations", json_integer(d->sts_organizations));
    }
    set(b, o, "sts", sts);
    set(b, o, "no_policy", sessions(b, &d->no_policy));
    set(b, o, "by_organization", organizations(b, d));
    set(b, o, "by_mx", mxes(b, d));
    set(b, o, "by_result_type", counts(b, d->by_result_type, d->n_by_result_type));
    set(b, o, "top_failure_details", details(b, d));
    set(b, o, "daily", daily(b, d));
    set(b, o, "policies", policies(b, d));
    set(b, o, "dane", dane(b, &d->dane));
    set(b, o, "readiness", readiness(b, &d->readiness));
    set(b, o, "live_check", tlsrpt_live_check_to_json(d->live_check));
    return o;
}

static json_t *thresholds(struct jb *b, const struct tlsrpt_thresholds *t)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    set(b, o, "min_days", json_integer(t->min_days));
    set(b, o, "min_organizations", json_integer(t->min_organizations));
    set(b, o, "min_sts_sessions", json_integer(t->min_sts_sessions));
    set(b, o, "max_failure_rate", json_real(t->max_failure_rate));
    set(b, o, "max_fetch_error_rate", json_real(t->max_fetch_error_rate));
    set(b, o, "silent_days", json_integer(t->silent_days));
    set(b, o, "top_details", json_integer(t->top_details));
    return o;
}

static json_t *window(struct jb *b, const struct tlsrpt_analysis *a)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    set(b, o, "since", datetime(a->since));
    set(b, o, "until", datetime(a->until));
    set(b, o, "now", datetime(a->now));
    return o;
}

static json_t *summary(struct jb *b, const struct tlsrpt_analysis *a)
{
    json_t *o = json_object();
    int64_t n[4] = {0};
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < a->n_domains; i++)
        n[a->domains[i].readiness.verdict]++;
    set(b, o, "domains", json_integer((json_int_t)a->n_domains));
    set(b, o, "ready", json_integer(n[TLSRPT_VERDICT_READY]));
    set(b, o, "not_ready", json_integer(n[TLSRPT_VERDICT_NOT_READY]));
    set(b, o, "insufficient_data", json_integer(n[TLSRPT_VERDICT_INSUFFICIENT_DATA]));
    set(b, o, "enforcing", json_integer(n[TLSRPT_VERDICT_ENFORCING]));
    set(b, o, "exit_status", json_integer(tlsrpt_analysis_exit_status(a)));
    return o;
}

/* The members before "domains", in document order. */
static json_t *head(struct jb *b, const struct tlsrpt_analysis *a)
{
    json_t *doc = json_object();
    if (doc == NULL)
        return NULL;
    set(b, doc, "schema_version", json_integer(TLSRPT_REPORT_JSON_SCHEMA));
    set(b, doc, "window", window(b, a));
    set(b, doc, "thresholds", thresholds(b, &a->thresholds));
    set(b, doc, "summary", summary(b, a));
    return doc;
}

json_t *tlsrpt_analysis_to_json(const struct tlsrpt_analysis *a)
{
    struct jb b = {.ok = true};
    json_t *doc = head(&b, a), *domains = json_array();
    for (size_t i = 0; domains != NULL && i < a->n_domains; i++)
        append(&b, domains, domain(&b, &a->domains[i]));
    set(&b, doc, "domains", domains);
    if (doc == NULL || !b.ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

#define PRINT_FLAGS (JSON_INDENT(2) | TLSRPT_ANALYSIS_JSON_FLAGS | JSON_ENCODE_ANY)

/* Writes v as json_dumps would inside a document, at nesting depth `indent` / 2. Steals v. */
static int put_value(FILE *f, json_t *v, int indent)
{
    char *text = v != NULL ? json_dumps(v, PRINT_FLAGS) : NULL;
    json_decref(v);
    if (text == NULL)
        return -1;
    /* Line by line: fwrite the line, then the extra indent (per-byte fputc and a printf per line
     * were half of an all-domain --format json run). */
    static const char spaces[] = "        ";
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        fwrite(p, 1, len, f);
        if (nl != NULL)
            fwrite(spaces, 1,
                   (size_t)indent < sizeof spaces - 1 ? (size_t)indent : sizeof spaces - 1, f);
        p += len;
    }
    free(text);
    return 0;
}

/* Streams the document one domain at a time (a whole tree for 5,000 domains takes hundreds of
 * megabytes); the bytes are those of json_dumps(tlsrpt_analysis_to_json(a), PRINT_FLAGS). */
int tlsrpt_print_json(FILE *f, const struct tlsrpt_analysis *a)
{
    struct jb b = {.ok = true};
    json_t *h = head(&b, a);
    const char *key;
    json_t *v;
    int rc = -1;

    if (h == NULL || !b.ok)
        goto out;
    fputs("{", f);
    json_object_foreach(h, key, v)
    {
        fprintf(f, "\n  \"%s\": ", key); /* our own keys: nothing to escape */
        if (put_value(f, json_incref(v), 2) != 0)
            goto out;
        fputc(',', f);
    }
    fputs("\n  \"domains\": [", f);
    for (size_t i = 0; i < a->n_domains; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        if (put_value(f, domain(&b, &a->domains[i]), 4) != 0 || !b.ok)
            goto out;
    }
    fputs(a->n_domains ? "\n  ]\n}\n" : "]\n}\n", f);
    rc = ferror(f) ? -1 : 0;
out:
    json_decref(h);
    return rc;
}
