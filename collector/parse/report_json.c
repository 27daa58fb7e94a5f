#include "report_json.h"

#include "datetime.h"

/* Every builder returns a new reference or NULL; json_object_set_new() steals the value even when
 * it fails and refuses NULL, so an allocation failure anywhere surfaces as -1 from put(). */
static int put(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v);
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    return tlsrpt_datetime_format(t, buf, sizeof buf) == 0 ? json_string(buf) : json_null();
}

static json_t *strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, json_string(v[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *flags_json(uint32_t flags)
{
    json_t *a = json_array();
    for (unsigned i = 0; a != NULL && i < TLSRPT_F_COUNT; i++) {
        if ((flags & (1u << i)) &&
            json_array_append_new(a, json_string(tlsrpt_flag_name(i))) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *detail_json(const struct tlsrpt_failure_detail *d)
{
    json_t *o = json_object();
    if (o == NULL || put(o, "result-type", json_string(d->result_type)) ||
        put(o, "sending-mta-ip", str_or_null(d->sending_mta_ip)) ||
        put(o, "receiving-mx-hostname", str_or_null(d->receiving_mx_hostname)) ||
        put(o, "receiving-mx-helo", str_or_null(d->receiving_mx_helo)) ||
        put(o, "receiving-ip", str_or_null(d->receiving_ip)) ||
        put(o, "failed-session-count", json_integer(d->failed_session_count)) ||
        put(o, "additional-information", str_or_null(d->additional_information)) ||
        put(o, "failure-reason-code", str_or_null(d->failure_reason_code))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *details_json(const struct tlsrpt_policy *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < p->n_details; i++) {
        if (json_array_append_new(a, detail_json(&p->details[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *policy_json(const struct tlsrpt_policy *p)
{
    json_t *o = json_object(), *pol = json_object(), *derived = json_object(),
           *summary = json_object();
    int rc = -1;
    if (o == NULL || pol == NULL || derived == NULL || summary == NULL)
        goto out;
    if (put(pol, "policy-type", json_string(p->policy_type)) ||
        put(pol, "policy-domain", str_or_null(p->policy_domain)) ||
        put(pol, "policy-string", strv_json(p->policy_strings, p->n_policy_strings)) ||
        put(pol, "mx-host", strv_json(p->mx_hosts, p->n_mx_hosts)))
        goto out;
    if (put(derived, "sts-mode", str_or_null(p->sts_mode)) ||
        put(derived, "sts-max-age",
            p->sts_max_age >= 0 ? json_integer(p->sts_max_age) : json_null()) ||
        put(derived, "mx-patterns", strv_json(p->mx_patterns, p->n_mx_patterns)))
        goto out;
    if (put(summary, "total-successful-session-count", json_integer(p->total_successful)) ||
        put(summary, "total-failure-session-count", json_integer(p->total_failure)))
        goto out;
    /* The three sub-objects move into o here, even if a put fails. */
    rc = put(o, "policy", pol);
    pol = NULL;
    rc |= put(o, "derived", derived);
    derived = NULL;
    rc |= put(o, "summary", summary);
    summary = NULL;
    rc |= put(o, "failure-details", details_json(p));
out:
    json_decref(pol);
    json_decref(derived);
    json_decref(summary);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *policies_json(const struct tlsrpt_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < r->n_policies; i++) {
        if (json_array_append_new(a, policy_json(&r->policies[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

json_t *tlsrpt_report_to_json(const struct tlsrpt_report *r)
{
    json_t *o = json_object(), *range = json_object();
    if (o == NULL || range == NULL)
        goto fail;
    if (put(range, "start-datetime", str_or_null(r->start_raw)) ||
        put(range, "end-datetime", str_or_null(r->end_raw)))
        goto fail;
    int rc = put(o, "date-range", range);
    range = NULL;
    if (rc || put(o, "organization-name", str_or_null(r->organization_name)) ||
        put(o, "contact-info", str_or_null(r->contact_info)) ||
        put(o, "report-id", str_or_null(r->report_id)) ||
        put(o, "start-time", time_json(r->start_time)) ||
        put(o, "end-time", time_json(r->end_time)) || put(o, "flags", flags_json(r->flags)) ||
        put(o, "policies", policies_json(r)))
        goto fail;
    return o;
fail:
    json_decref(range);
    json_decref(o);
    return NULL;
}
