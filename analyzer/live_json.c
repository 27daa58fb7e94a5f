/* live_json.c - the live_check object of a domain in the JSON document (docs/report-json.md). */
#include "analyze_internal.h"

#include "datetime.h"

static bool put(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

static json_t *text_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *days_or_null(int64_t d)
{
    return d == INT64_MIN ? json_null() : json_integer((json_int_t)d);
}

static json_t *finding(const struct tlsrpt_live_finding *f)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    if (put(o, "severity", json_string(f->severity)) && put(o, "code", json_string(f->code)) &&
        put(o, "object", json_string(f->object)) && put(o, "message", json_string(f->message)) &&
        put(o, "fix", json_string(f->fix)))
        return o;
    json_decref(o);
    return NULL;
}

static json_t *list(const struct tlsrpt_live_check *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < c->n_findings; i++) {
        json_t *f = finding(&c->findings[i]);
        if (f == NULL || json_array_append_new(a, f) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *mx_lines(const struct tlsrpt_live_check *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < c->n_sts_mx; i++)
        if (json_array_append_new(a, json_string(c->sts_mx[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *mx_certs(const struct tlsrpt_live_check *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < c->n_mx_certs; i++) {
        json_t *o = json_pack("{s:s, s:I}", "host", c->mx_certs[i].host, "days_left",
                              (json_int_t)c->mx_certs[i].days_left);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *tlsrpt_live_check_to_json(const struct tlsrpt_live_check *c)
{
    char when[32];
    if (c == NULL)
        return json_null();
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    bool ok = tlsrpt_datetime_format(c->checked_at, when, sizeof when) == 0 &&
              put(o, "checked_at", json_string(when)) &&
              put(o, "age_days", c->age_days >= 0 ? json_integer(c->age_days) : json_null()) &&
              put(o, "verdict", json_string(c->verdict)) &&
              put(o, "sts_mode", text_or_null(c->sts_mode)) &&
              put(o, "sts_id", text_or_null(c->sts_id)) && put(o, "sts_mx", mx_lines(c)) &&
              put(o, "policy_cert_days", days_or_null(c->policy_cert_days)) &&
              put(o, "mx_cert_days", days_or_null(c->mx_cert_days)) &&
              put(o, "mx_certs", mx_certs(c)) && put(o, "findings", list(c));
    if (ok)
        return o;
    json_decref(o);
    return NULL;
}
