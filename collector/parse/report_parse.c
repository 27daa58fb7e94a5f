#include "report_parse.h"

#include "datetime.h"
#include "domain.h"
#include "json_read.h"
#include "sts_policy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ONE_DAY 86400

struct parser {
    struct tlsrpt_jctx j;
    struct tlsrpt_report *r;
    char *hint_domain; /* normalised TLS-Report-Domain, or NULL */
};

static const char *const policy_types[] = {"sts", "tlsa", "no-policy-found"};

/* RFC 8460 §4.3 (IANA "STARTTLS Validation Result Types", unchanged since 2018). */
static const char *const result_types[] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",         "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static int nomem(struct parser *p)
{
    return tlsrpt_jfail(&p->j, TLSRPT_E_NOMEM, "out of memory");
}

/* Appends s (owned; freed on failure) to a string vector capped at max-strings. */
static int strv_push(struct parser *p, char ***v, size_t *n, char *s)
{
    if (*n >= p->j.lim->max_strings) {
        free(s);
        return tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "more than %zu entries (max-strings)",
                            p->j.lim->max_strings);
    }
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (nv == NULL) {
        free(s);
        return nomem(p);
    }
    *v = nv;
    nv[(*n)++] = s;
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims surrounding whitespace in place. */
static void trim(char *s)
{
    size_t start = 0, n = strlen(s);
    while (start < n && is_space(s[start]))
        start++;
    while (n > start && is_space(s[n - 1]))
        n--;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
}

/* One mx-host entry, its "mx: " prefix (quirks.md §3.4) and whitespace dropped; "" is skipped. */
static int add_mx_host(struct parser *p, struct tlsrpt_policy *pol, const json_t *v)
{
    char *s;
    int rc = tlsrpt_jstring_dup(&p->j, v, &s);
    if (rc != 0)
        return rc;
    trim(s);
    if (strncasecmp(s, "mx:", 3) == 0) {
        memmove(s, s + 3, strlen(s + 3) + 1);
        trim(s);
        p->r->flags |= TLSRPT_F_MX_HOST_PREFIX;
    }
    if (tlsrpt_domain_normalize(s))
        p->r->flags |= TLSRPT_F_DOMAIN_CASE;
    if (s[0] == '\0') {
        free(s);
        return 0;
    }
    return strv_push(p, &pol->mx_hosts, &pol->n_mx_hosts, s);
}

static int parse_mx_hosts(struct parser *p, const json_t *pobj, struct tlsrpt_policy *pol)
{
    const json_t *v = json_object_get(pobj, "mx-host");
    size_t mark = tlsrpt_jpath_key(&p->j, "mx-host");
    int rc = 0;
    if (v == NULL || json_is_null(v)) {
        if (strcmp(pol->policy_type, "sts") == 0)
            p->r->flags |= TLSRPT_F_MX_HOST_MISSING;
    } else if (json_is_string(v)) {
        p->r->flags |= TLSRPT_F_MX_HOST_STRING; /* RFC 8460 Appendix B erratum */
        rc = add_mx_host(p, pol, v);
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if (n > p->j.lim->max_strings)
            rc = tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "%zu entries, more than %zu (max-strings)",
                              n, p->j.lim->max_strings);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const json_t *e = json_array_get(v, i);
            size_t m = tlsrpt_jpath_index(&p->j, i);
            /* No reporter sends non-strings here (quirks.md §3.4): ignore them, not fatal. */
            if (json_is_string(e))
                rc = add_mx_host(p, pol, e);
            if (rc == 0)
                tlsrpt_jpath_restore(&p->j, m);
        }
    }
    /* Any other shape (object, number) is ignored for the same reason. */
    if (rc == 0)
        tlsrpt_jpath_restore(&p->j, mark);
    return rc;
}

/* Microsoft's TLSA RRs arrive as one element holding a JSON array (quirks.md §3.5). Returns 0 with
 * *unpacked true when the element was such an array of strings, 0 with *unpacked false when it is
 * not (the caller keeps it verbatim), or an error for a cap exceeded inside it. */
static int unpack_json_array(struct parser *p, struct tlsrpt_policy *pol, const char *text,
                             size_t len, bool *unpacked)
{
    enum json_error_code jcode = json_error_unknown;
    *unpacked = false;
    json_t *inner = tlsrpt_json_load(&p->j, text, len, 0, &jcode);
    if (inner == NULL) { /* too deep or too many items is hostile; else it is just text */
        if (jcode == json_error_stack_overflow)
            return p->j.err && p->j.err->code ? p->j.err->code : TLSRPT_E_JSON;
        return jcode == json_error_out_of_memory ? TLSRPT_E_NOMEM : 0;
    }
    int rc = 0;
    size_t n = json_array_size(inner);
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_array_get(inner, i)))
            goto out; /* not the shape we know: keep the element as sent */
    p->r->flags |= TLSRPT_F_TLSA_JSON_IN_STRING;
    *unpacked = true;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t m = tlsrpt_jpath_index(&p->j, i);
        char *s;
        rc = tlsrpt_jstring_dup(&p->j, json_array_get(inner, i), &s);
        if (rc == 0)
            rc = strv_push(p, &pol->policy_strings, &pol->n_policy_strings, s);
        if (rc == 0)
            tlsrpt_jpath_restore(&p->j, m);
    }
out:
    json_decref(inner);
    return rc;
}

static int add_policy_string(struct parser *p, struct tlsrpt_policy *pol, const json_t *v)
{
    char *s;
    int rc = tlsrpt_jstring_dup(&p->j, v, &s);
    if (rc != 0)
        return rc;
    const char *t = s;
    while (is_space(*t))
        t++;
    if (*t == '[') {
        bool unpacked;
        rc = unpack_json_array(p, pol, s, strlen(s), &unpacked);
        if (rc != 0 || unpacked) {
            free(s);
            return rc;
        }
    }
    return strv_push(p, &pol->policy_strings, &pol->n_policy_strings, s);
}

static int parse_policy_strings(struct parser *p, const json_t *pobj, struct tlsrpt_policy *pol)
{
    const json_t *v = json_object_get(pobj, "policy-string");
    size_t mark = tlsrpt_jpath_key(&p->j, "policy-string");
    int rc = 0;
    if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
        (json_is_string(v) && json_string_length(v) == 0)) {
        /* no-policy-found has no policy to encode: only a missing sts/tlsa policy is a departure */
        if (strcmp(pol->policy_type, "no-policy-found") != 0)
            p->r->flags |= TLSRPT_F_POLICY_STRING_MISSING;
    } else if (json_is_string(v)) {
        p->r->flags |= TLSRPT_F_POLICY_STRING_SCALAR;
        rc = add_policy_string(p, pol, v);
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if (n > p->j.lim->max_strings)
            rc = tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "%zu entries, more than %zu (max-strings)",
                              n, p->j.lim->max_strings);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const json_t *e = json_array_get(v, i);
            size_t m = tlsrpt_jpath_index(&p->j, i);
            if (!json_is_string(e))
                rc =
                    tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not a string (%s)", tlsrpt_jtype_name(e));
            else
                rc = add_policy_string(p, pol, e);
            if (rc == 0)
                tlsrpt_jpath_restore(&p->j, m);
        }
    } else {
        rc = tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not an array of strings (%s)",
                          tlsrpt_jtype_name(v));
    }
    if (rc == 0)
        tlsrpt_jpath_restore(&p->j, mark);
    return rc;
}

static int copy_strv(struct parser *p, char **src, size_t n, char ***dst, size_t *dn)
{
    for (size_t i = 0; i < n; i++) {
        char *s = strdup(src[i]);
        if (s == NULL)
            return nomem(p);
        int rc = strv_push(p, dst, dn, s);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* sts_mode, sts_max_age and mx_patterns from the policy lines; MX patterns fall back to mx-host. */
static int derive_sts(struct parser *p, struct tlsrpt_policy *pol)
{
    pol->sts_max_age = -1;
    if (strcmp(pol->policy_type, "sts") != 0)
        return 0;
    struct tlsrpt_sts_policy sp;
    if (tlsrpt_sts_policy_parse_lines((const char *const *)pol->policy_strings,
                                      pol->n_policy_strings, &sp) != 0)
        return nomem(p);
    int rc = 0;
    size_t mark = tlsrpt_jpath_key(&p->j, "policy-string");
    if (sp.n_mx > p->j.lim->max_strings) {
        rc = tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "%zu mx lines, more than %zu (max-strings)",
                          sp.n_mx, p->j.lim->max_strings);
        goto out;
    }
    pol->sts_mode = sp.mode;
    sp.mode = NULL;
    pol->sts_max_age = sp.max_age;
    if (sp.n_mx > 0) {
        pol->mx_patterns = sp.mx;
        pol->n_mx_patterns = sp.n_mx;
        sp.mx = NULL;
        sp.n_mx = 0;
    } else {
        rc = copy_strv(p, pol->mx_hosts, pol->n_mx_hosts, &pol->mx_patterns, &pol->n_mx_patterns);
    }
    if (rc == 0)
        tlsrpt_jpath_restore(&p->j, mark);
out:
    tlsrpt_sts_policy_free(&sp);
    return rc;
}

static int parse_policy_domain(struct parser *p, const json_t *pobj, struct tlsrpt_policy *pol)
{
    int rc = tlsrpt_jget_opt_string(&p->j, pobj, "policy-domain", &pol->policy_domain, NULL);
    if (rc != 0)
        return rc;
    if (pol->policy_domain != NULL && tlsrpt_domain_normalize(pol->policy_domain))
        p->r->flags |= TLSRPT_F_DOMAIN_CASE;
    if (pol->policy_domain != NULL && pol->policy_domain[0] == '\0') {
        free(pol->policy_domain);
        pol->policy_domain = NULL;
    }
    if (pol->policy_domain != NULL)
        return 0;
    /* Some Postfix reports lack it (sys4/tlsrpt-reporter#51): the envelope fills in. */
    if (p->hint_domain == NULL) {
        size_t mark = tlsrpt_jpath_key(&p->j, "policy-domain");
        rc = tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "missing");
        tlsrpt_jpath_restore(&p->j, mark);
        return rc;
    }
    pol->policy_domain = strdup(p->hint_domain);
    if (pol->policy_domain == NULL)
        return nomem(p);
    p->r->flags |= TLSRPT_F_DOMAIN_FROM_HINT;
    return 0;
}

/* An optional detail field: null and "" flag DETAIL_FIELD_EMPTY and read as missing. */
static int opt_field(struct parser *p, const json_t *obj, const char *key, char **out,
                     enum tlsrpt_jpresence *how)
{
    int rc = tlsrpt_jget_opt_string(&p->j, obj, key, out, how);
    if (rc == 0 && *how == TLSRPT_J_EMPTY)
        p->r->flags |= TLSRPT_F_DETAIL_FIELD_EMPTY;
    return rc;
}

/* A field under its RFC key, else under an alias seen in the wild (quirks.md §3.11). */
static int aliased_field(struct parser *p, const json_t *obj, const char *key, const char *alias,
                         char **out)
{
    enum tlsrpt_jpresence how;
    int rc = opt_field(p, obj, key, out, &how);
    if (rc != 0 || how == TLSRPT_J_SET)
        return rc;
    rc = opt_field(p, obj, alias, out, &how);
    if (rc == 0 && how != TLSRPT_J_ABSENT)
        p->r->flags |= TLSRPT_F_KEY_ALIAS;
    return rc;
}

static int parse_detail(struct parser *p, const json_t *obj, struct tlsrpt_failure_detail *d)
{
    enum tlsrpt_jpresence how;
    if (!json_is_object(obj))
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not an object (%s)", tlsrpt_jtype_name(obj));
    int rc = tlsrpt_jget_req_string(&p->j, obj, "result-type", &d->result_type);
    if (rc == 0 &&
        !in_list(d->result_type, result_types, sizeof result_types / sizeof *result_types))
        p->r->flags |= TLSRPT_F_UNKNOWN_RESULT_TYPE;
    if (rc == 0)
        rc = tlsrpt_jget_count(&p->j, obj, "failed-session-count", &d->failed_session_count);
    if (rc == 0)
        rc = opt_field(p, obj, "sending-mta-ip", &d->sending_mta_ip, &how);
    if (rc == 0)
        rc = opt_field(p, obj, "receiving-mx-hostname", &d->receiving_mx_hostname, &how);
    if (rc == 0 && d->receiving_mx_hostname && tlsrpt_domain_normalize(d->receiving_mx_hostname))
        p->r->flags |= TLSRPT_F_DOMAIN_CASE;
    if (rc == 0)
        rc = opt_field(p, obj, "receiving-mx-helo", &d->receiving_mx_helo, &how);
    if (rc == 0)
        rc = opt_field(p, obj, "receiving-ip", &d->receiving_ip, &how);
    if (rc == 0)
        rc = aliased_field(p, obj, "additional-information", "additional-info-uri",
                           &d->additional_information);
    if (rc == 0)
        rc = aliased_field(p, obj, "failure-reason-code", "failure-error-code",
                           &d->failure_reason_code);
    return rc;
}

static int parse_details(struct parser *p, const json_t *item, struct tlsrpt_policy *pol)
{
    const json_t *v = json_object_get(item, "failure-details");
    size_t mark = tlsrpt_jpath_key(&p->j, "failure-details");
    int rc = 0;
    if (v == NULL || json_is_null(v)) {
        if (pol->total_failure > 0)
            p->r->flags |= TLSRPT_F_DETAILS_MISSING;
        tlsrpt_jpath_restore(&p->j, mark);
        return 0;
    }
    if (!json_is_array(v))
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not an array (%s)", tlsrpt_jtype_name(v));
    size_t n = json_array_size(v);
    if (n > p->j.lim->max_details)
        return tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "%zu entries, more than %zu (max-details)",
                            n, p->j.lim->max_details);
    if (n > 0) {
        pol->details = calloc(n, sizeof *pol->details);
        if (pol->details == NULL)
            return nomem(p);
        pol->n_details = n;
    }
    int64_t sum = 0;
    bool overflow = false;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t m = tlsrpt_jpath_index(&p->j, i);
        rc = parse_detail(p, json_array_get(v, i), &pol->details[i]);
        if (rc == 0) {
            overflow =
                overflow || __builtin_add_overflow(sum, pol->details[i].failed_session_count, &sum);
            tlsrpt_jpath_restore(&p->j, m);
        }
    }
    if (rc != 0)
        return rc;
    /* Failure types may overlap (RFC 8460 §4) and Mail.ru's do not add up: noted, never rejected.
     */
    if (overflow || sum != pol->total_failure)
        p->r->flags |= TLSRPT_F_COUNTS_MISMATCH;
    tlsrpt_jpath_restore(&p->j, mark);
    return 0;
}

static int parse_policy(struct parser *p, const json_t *item, struct tlsrpt_policy *pol)
{
    json_t *pobj, *summary;
    pol->sts_max_age = -1;
    if (!json_is_object(item))
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not an object (%s)", tlsrpt_jtype_name(item));
    int rc = tlsrpt_jget_object(&p->j, item, "policy", &pobj);
    if (rc != 0)
        return rc;
    size_t mark = tlsrpt_jpath_key(&p->j, "policy");
    rc = tlsrpt_jget_req_string(&p->j, pobj, "policy-type", &pol->policy_type);
    if (rc == 0 &&
        !in_list(pol->policy_type, policy_types, sizeof policy_types / sizeof *policy_types))
        p->r->flags |= TLSRPT_F_UNKNOWN_POLICY_TYPE;
    if (rc == 0)
        rc = parse_policy_domain(p, pobj, pol);
    if (rc == 0)
        rc = parse_policy_strings(p, pobj, pol);
    if (rc == 0)
        rc = parse_mx_hosts(p, pobj, pol);
    if (rc == 0)
        rc = derive_sts(p, pol);
    if (rc != 0)
        return rc;
    tlsrpt_jpath_restore(&p->j, mark);

    rc = tlsrpt_jget_object(&p->j, item, "summary", &summary);
    if (rc != 0)
        return rc;
    mark = tlsrpt_jpath_key(&p->j, "summary");
    rc =
        tlsrpt_jget_count(&p->j, summary, "total-successful-session-count", &pol->total_successful);
    if (rc == 0)
        rc = tlsrpt_jget_count(&p->j, summary, "total-failure-session-count", &pol->total_failure);
    if (rc != 0)
        return rc;
    tlsrpt_jpath_restore(&p->j, mark);
    return parse_details(p, item, pol);
}

static int parse_policies(struct parser *p, const json_t *root)
{
    const json_t *v = json_object_get(root, "policies");
    size_t mark = tlsrpt_jpath_key(&p->j, "policies");
    if (v == NULL)
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "missing");
    if (!json_is_array(v))
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "not an array (%s)", tlsrpt_jtype_name(v));
    size_t n = json_array_size(v);
    if (n > p->j.lim->max_policies)
        return tlsrpt_jfail(&p->j, TLSRPT_E_TOO_LARGE, "%zu entries, more than %zu (max-policies)",
                            n, p->j.lim->max_policies);
    if (n > 0) {
        p->r->policies = calloc(n, sizeof *p->r->policies);
        if (p->r->policies == NULL)
            return nomem(p);
        p->r->n_policies = n;
    }
    for (size_t i = 0; i < n; i++) {
        size_t m = tlsrpt_jpath_index(&p->j, i);
        int rc = parse_policy(p, json_array_get(v, i), &p->r->policies[i]);
        if (rc != 0)
            return rc;
        tlsrpt_jpath_restore(&p->j, m);
    }
    tlsrpt_jpath_restore(&p->j, mark);
    return 0;
}

static int parse_one_datetime(struct parser *p, const json_t *range, const char *key, char **raw,
                              struct tlsrpt_datetime *dt)
{
    int rc = tlsrpt_jget_req_string(&p->j, range, key, raw);
    if (rc != 0)
        return rc;
    const char *why;
    if (tlsrpt_datetime_parse(*raw, strlen(*raw), dt, &why) != 0) {
        size_t mark = tlsrpt_jpath_key(&p->j, key);
        rc = tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "%s", why);
        tlsrpt_jpath_restore(&p->j, mark);
        return rc;
    }
    p->r->flags |= dt->flags;
    return 0;
}

static int parse_date_range(struct parser *p, const json_t *root)
{
    struct tlsrpt_report *r = p->r;
    struct tlsrpt_datetime start, end;
    json_t *range;
    int rc = tlsrpt_jget_object(&p->j, root, "date-range", &range);
    if (rc != 0)
        return rc;
    size_t mark = tlsrpt_jpath_key(&p->j, "date-range");
    rc = parse_one_datetime(p, range, "start-datetime", &r->start_raw, &start);
    if (rc == 0)
        rc = parse_one_datetime(p, range, "end-datetime", &r->end_raw, &end);
    if (rc != 0)
        return rc;
    r->start_time = start.t;
    r->end_time = end.t;
    /* Google, Microsoft and sys4 end at 23:59:59 meaning "through that second"; store [start, end).
     */
    if (end.minute == 59 && end.second == 59) {
        r->end_time++;
        r->flags |= TLSRPT_F_END_INCLUSIVE;
    }
    if (r->end_time < r->start_time)
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "end-datetime is before start-datetime");
    if (r->end_time - r->start_time != ONE_DAY ||
        (r->start_time % ONE_DAY + ONE_DAY) % ONE_DAY != 0)
        r->flags |= TLSRPT_F_RANGE_NOT_ONE_DAY;
    tlsrpt_jpath_restore(&p->j, mark);
    return 0;
}

static int parse_root(struct parser *p, const json_t *root)
{
    struct tlsrpt_report *r = p->r;
    enum tlsrpt_jpresence how;
    if (!json_is_object(root))
        return tlsrpt_jfail(&p->j, TLSRPT_E_SCHEMA, "report is not a JSON object (%s)",
                            tlsrpt_jtype_name(root));
    int rc = tlsrpt_jget_opt_string(&p->j, root, "organization-name", &r->organization_name, &how);
    if (rc != 0)
        return rc;
    if (how != TLSRPT_J_SET)
        r->flags |= TLSRPT_F_ORG_MISSING;
    rc = tlsrpt_jget_opt_string(&p->j, root, "contact-info", &r->contact_info, &how);
    if (rc != 0)
        return rc;
    if (how != TLSRPT_J_SET)
        r->flags |= TLSRPT_F_CONTACT_MISSING; /* Stalwart: null (quirks.md §3.3) */
    rc = tlsrpt_jget_req_string(&p->j, root, "report-id", &r->report_id);
    if (rc == 0)
        rc = parse_date_range(p, root);
    if (rc == 0)
        rc = parse_policies(p, root);
    return rc;
}

/* Parses root into a new report; nothing is left allocated on failure. */
static int build(struct parser *p, const json_t *root, struct tlsrpt_report **out)
{
    p->r = calloc(1, sizeof *p->r);
    if (p->r == NULL)
        return nomem(p);
    int rc = parse_root(p, root);
    if (rc != 0) {
        tlsrpt_report_free(p->r);
        p->r = NULL;
        return rc;
    }
    *out = p->r;
    p->r = NULL;
    return 0;
}

static int set_hint(struct parser *p, const struct tlsrpt_parse_hints *hints)
{
    if (hints == NULL || hints->report_domain == NULL || hints->report_domain[0] == '\0')
        return 0;
    p->hint_domain = strdup(hints->report_domain);
    if (p->hint_domain == NULL)
        return nomem(p);
    tlsrpt_domain_normalize(p->hint_domain);
    if (p->hint_domain[0] == '\0') {
        free(p->hint_domain);
        p->hint_domain = NULL;
    }
    return 0;
}

int tlsrpt_report_parse(const char *json, size_t len, const struct tlsrpt_parse_limits *limits,
                        const struct tlsrpt_parse_hints *hints, struct tlsrpt_report **out,
                        struct tlsrpt_error *err)
{
    struct tlsrpt_parse_limits defaults;
    struct tlsrpt_error e = {0};
    struct parser p;
    json_t *root = NULL;
    enum json_error_code jcode = json_error_unknown;
    int rc;

    *out = NULL;
    if (limits == NULL) {
        tlsrpt_parse_limits_default(&defaults);
        limits = &defaults;
    }
    memset(&p, 0, sizeof p);
    tlsrpt_jctx_init(&p.j, limits, &e);
    rc = set_hint(&p, hints);
    if (rc != 0)
        goto out;

    root = tlsrpt_json_load(&p.j, json, len, 0, &jcode);
    if (root == NULL && jcode == json_error_numeric_overflow) {
        /* An integer beyond int64 makes jansson fail without a path. Reload with integers as reals
         * to find the field; if it is in a member we ignore, the original error stands. */
        struct tlsrpt_error first = e;
        root = tlsrpt_json_load(&p.j, json, len, JSON_DECODE_INT_AS_REAL, NULL);
        if (root == NULL) {
            e = first;
            rc = e.code;
            goto out;
        }
        p.j.ints_as_real = true;
        rc = build(&p, root, out);
        if (rc == 0) {
            tlsrpt_report_free(*out);
            *out = NULL;
            e = first;
            rc = e.code;
        }
        goto out;
    }
    if (root == NULL) {
        rc = e.code;
        goto out;
    }
    rc = build(&p, root, out);

out:
    json_decref(root);
    free(p.hint_domain);
    if (rc == 0)
        memset(&e, 0, sizeof e);
    if (err != NULL)
        *err = e;
    return rc;
}
