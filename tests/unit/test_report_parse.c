/* test_report_parse.c - the JSON report parser: one table row per quirk of quirks.md §3 (accepted,
 * with its flag), one row per way a report can be wrong (rejected with code, path and message), and
 * the caps. In the JSON below ' stands for " so the tables stay readable; q() swaps them back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limits.h"
#include "report.h"
#include "report_json.h"
#include "report_parse.h"

/* ---- building blocks ----------------------------------------------------------------------------
 */

#define HEAD                                                                                       \
    "'organization-name':'Example Org','contact-info':'tlsrpt@reporter.example','report-id':'r-1'"
#define RANGE(a, b) "'date-range':{'start-datetime':'" a "','end-datetime':'" b "'}"
#define DAY RANGE("2024-09-03T00:00:00Z", "2024-09-04T00:00:00Z") /* one UTC day, no flag */
#define REPORT_H(head, range, policies) "{" head "," range ",'policies':[" policies "]}"
#define REPORT(range, policies) REPORT_H(HEAD, range, policies)
#define POLICY(fields) "'policy':{" fields "}"
#define STS_LINES                                                                                  \
    "'policy-string':['version: STSv1','mode: testing','mx: *.example.com','max_age: 86400']"
#define STS_FIELDS                                                                                 \
    "'policy-type':'sts','policy-domain':'example.com'," STS_LINES ",'mx-host':['*.example.com']"
#define STS POLICY(STS_FIELDS)
#define SUMMARY(ok, bad)                                                                           \
    "'summary':{'total-successful-session-count':" #ok ",'total-failure-session-count':" #bad "}"
#define POL(policy, summary) "{" policy "," summary "}"
#define POLD(policy, summary, details) "{" policy "," summary ",'failure-details':[" details "]}"
#define DETAIL(fields) "{'result-type':'validation-failure','failed-session-count':1" fields "}"
#define BASE REPORT(DAY, POL(STS, SUMMARY(10, 0)))

#define T_20240903 1725321600 /* 2024-09-03T00:00:00Z */

/* Returns a malloc'd copy with ' turned into ". */
static char *q(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    for (char *c = d; *c; c++)
        if (*c == '\'')
            *c = '"';
    return d;
}

static int parse_q(const char *js, const struct tlsrpt_parse_limits *lim, const char *hint,
                   struct tlsrpt_report **out, struct tlsrpt_error *err)
{
    char *j = q(js);
    struct tlsrpt_parse_hints hints = {.report_domain = hint};
    int rc = tlsrpt_report_parse(j, strlen(j), lim, &hints, out, err);
    free(j);
    return rc;
}

static char *flag_list(uint32_t flags)
{
    static char buf[1024];
    buf[0] = '\0';
    for (unsigned i = 0; i < TLSRPT_F_COUNT; i++) {
        if (flags & (1u << i)) {
            strncat(buf, tlsrpt_flag_name(i), sizeof buf - strlen(buf) - 2);
            strncat(buf, " ", sizeof buf - strlen(buf) - 1);
        }
    }
    return buf;
}

/* ---- accepted reports: one row per quirk
 * ---------------------------------------------------------- */

struct ok_case {
    const char *name;
    const char *json;
    const char *hint;
    uint32_t flags; /* exactly these */
    void (*check)(const struct tlsrpt_report *r);
};

static const struct tlsrpt_policy *pol0(const struct tlsrpt_report *r)
{
    assert_true(r->n_policies >= 1);
    return &r->policies[0];
}

static void check_base(const struct tlsrpt_report *r)
{
    assert_string_equal(r->organization_name, "Example Org");
    assert_string_equal(r->contact_info, "tlsrpt@reporter.example");
    assert_string_equal(r->report_id, "r-1");
    assert_string_equal(r->start_raw, "2024-09-03T00:00:00Z");
    assert_string_equal(r->end_raw, "2024-09-04T00:00:00Z");
    assert_int_equal(r->start_time, T_20240903);
    assert_int_equal(r->end_time, T_20240903 + 86400);
    assert_int_equal(r->n_policies, 1);
    const struct tlsrpt_policy *p = pol0(r);
    assert_string_equal(p->policy_type, "sts");
    assert_string_equal(p->policy_domain, "example.com");
    assert_int_equal(p->n_policy_strings, 4);
    assert_string_equal(p->policy_strings[2], "mx: *.example.com");
    assert_int_equal(p->n_mx_hosts, 1);
    assert_string_equal(p->mx_hosts[0], "*.example.com");
    assert_string_equal(p->sts_mode, "testing");
    assert_int_equal(p->sts_max_age, 86400);
    assert_int_equal(p->n_mx_patterns, 1);
    assert_string_equal(p->mx_patterns[0], "*.example.com");
    assert_int_equal(p->total_successful, 10);
    assert_int_equal(p->total_failure, 0);
    assert_int_equal(p->n_details, 0);
}

static void check_offset(const struct tlsrpt_report *r)
{
    assert_int_equal(r->start_time, T_20240903);
    assert_int_equal(r->end_time, T_20240903 + 86400);
    assert_string_equal(r->start_raw, "2024-09-03T02:00:00+02:00"); /* raw kept as sent */
}

static void check_day(const struct tlsrpt_report *r)
{
    assert_int_equal(r->start_time, T_20240903);
    assert_int_equal(r->end_time, T_20240903 + 86400);
}

static void check_ms2023(const struct tlsrpt_report *r)
{
    assert_int_equal(r->start_time, 1673308800); /* 2023-01-10T00:00:00Z */
    assert_int_equal(r->end_time, 1673308800 + 86400);
}

static void check_week(const struct tlsrpt_report *r)
{
    assert_int_equal(r->end_time - r->start_time, 7 * 86400);
}

static void check_hour(const struct tlsrpt_report *r)
{
    assert_int_equal(r->end_time - r->start_time, 3600);
}

static void check_no_contact(const struct tlsrpt_report *r)
{
    assert_null(r->contact_info);
    assert_string_equal(r->organization_name, "Example Org");
}

static void check_no_org(const struct tlsrpt_report *r)
{
    assert_null(r->organization_name);
    assert_non_null(r->contact_info);
}

static void check_mx_string(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_mx_hosts, 1);
    assert_string_equal(p->mx_hosts[0], "*.mail.company-y.example");
}

static void check_no_mx_host(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_mx_hosts, 0);
    /* patterns still come from the policy's mx lines (Microsoft omits mx-host) */
    assert_int_equal(p->n_mx_patterns, 1);
    assert_string_equal(p->mx_patterns[0], "*.example.com");
}

static void check_mx_prefix(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_mx_hosts, 2);
    assert_string_equal(p->mx_hosts[0], "mx.server.com");
    assert_string_equal(p->mx_hosts[1], "mx2.server.com");
}

static void check_mx_junk(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_mx_hosts, 1);
    assert_string_equal(p->mx_hosts[0], "a.example.com");
}

static void check_no_policy_string(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_policy_strings, 0);
    assert_null(p->sts_mode);
    assert_int_equal(p->sts_max_age, -1);
    /* no mx lines: the patterns fall back to mx-host */
    assert_int_equal(p->n_mx_patterns, 1);
    assert_string_equal(p->mx_patterns[0], "*.example.com");
}

static void check_ms_order(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_string_equal(p->sts_mode, "enforce");
    assert_int_equal(p->sts_max_age, 604800);
    assert_int_equal(p->n_mx_patterns, 2);
    assert_string_equal(p->mx_patterns[0], "mx1.example.com");
    assert_string_equal(p->mx_patterns[1], "mx2.example.com");
}

static void check_scalar(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_policy_strings, 1);
    assert_string_equal(p->sts_mode, "enforce");
    assert_int_equal(p->sts_max_age, 3600);
    assert_int_equal(p->n_mx_patterns, 1);
    assert_string_equal(p->mx_patterns[0], "mail.example.com");
}

static void check_tlsa(const struct tlsrpt_report *r)
{
    assert_int_equal(r->n_policies, 2);
    const struct tlsrpt_policy *p = &r->policies[1];
    assert_string_equal(p->policy_type, "tlsa");
    assert_int_equal(p->n_policy_strings, 2);
    assert_string_equal(p->policy_strings[0], "3 1 1 6007EE");
    assert_string_equal(p->policy_strings[1], "3 1 1 837C77");
    assert_null(p->sts_mode); /* derived fields are for sts only */
    assert_int_equal(p->n_mx_patterns, 0);
}

static void check_bracket_text(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_policy_strings, 2);
    assert_string_equal(p->policy_strings[0], "[not json");
    assert_string_equal(p->policy_strings[1], "[1,2]");
}

static void check_rr_per_element(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->n_policy_strings, 2);
    assert_string_equal(p->policy_strings[1], "3 1 1 BBBB");
}

static void check_no_details(const struct tlsrpt_report *r)
{
    assert_int_equal(pol0(r)->n_details, 0);
    assert_null(pol0(r)->details);
}

static void check_fetch_error(const struct tlsrpt_report *r)
{
    const struct tlsrpt_failure_detail *d = &pol0(r)->details[0];
    assert_int_equal(pol0(r)->n_details, 1);
    assert_string_equal(d->result_type, "sts-policy-fetch-error");
    assert_null(d->sending_mta_ip);
    assert_null(d->receiving_mx_hostname);
    assert_null(d->receiving_ip);
    assert_null(d->receiving_mx_helo);
    assert_null(d->additional_information);
    assert_int_equal(d->failed_session_count, 3);
    assert_string_equal(d->failure_reason_code,
                        "unable to do http request: Get \"https://mta-sts.example.com/"
                        ".well-known/mta-sts.txt\": context deadline exceeded");
}

static void check_empty_fields(const struct tlsrpt_report *r)
{
    const struct tlsrpt_failure_detail *d = &pol0(r)->details[0];
    assert_null(d->sending_mta_ip);
    assert_null(d->receiving_mx_hostname);
    assert_null(d->receiving_mx_helo);
    assert_null(d->receiving_ip);
    assert_null(d->additional_information);
    assert_null(d->failure_reason_code);
}

static void check_info_alias(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].additional_information, "https://x.example/info");
}

static void check_code_alias(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].failure_reason_code,
                        "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
}

static void check_rfc_key_wins(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].failure_reason_code, "rfc");
    assert_string_equal(pol0(r)->details[0].additional_information, "rfc-uri");
}

static void check_mismatch(const struct tlsrpt_report *r)
{
    const struct tlsrpt_policy *p = pol0(r);
    assert_int_equal(p->total_failure, 1); /* the summary stays the truth */
    assert_int_equal(p->n_details, 2);
}

static void check_unknown_result(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].result_type, "Testing");
    assert_string_equal(pol0(r)->details[0].sending_mta_ip, "x.x.x.x");
}

static void check_unknown_policy(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->policy_type, "invalid-policy-type");
    assert_null(pol0(r)->sts_mode);
}

static void check_idn(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->policy_domain, "xn--gpher-jua.test");
}

static void check_hint(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->policy_domain, "hint.example");
}

static void check_json_wins(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->policy_domain, "example.com");
}

static void check_mx_case(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].receiving_mx_hostname, "mx1.example.com");
}

static void check_helo(const struct tlsrpt_report *r)
{
    assert_string_equal(pol0(r)->details[0].receiving_mx_helo,
                        "250-mail.example.com\r\n250-PIPELINING\r\n250 STARTTLS");
}

static void check_zero_policies(const struct tlsrpt_report *r)
{
    assert_int_equal(r->n_policies, 0);
    assert_null(r->policies);
}

static void check_int64_max(const struct tlsrpt_report *r)
{
    assert_true(pol0(r)->total_successful == INT64_MAX);
    assert_true(pol0(r)->details[0].failed_session_count == INT64_MAX);
}

static void check_brackets_in_strings(const struct tlsrpt_report *r)
{
    assert_string_equal(r->report_id, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{");
}

static void check_unicode(const struct tlsrpt_report *r)
{
    assert_string_equal(r->organization_name, "Zoë Mail \xe2\x9c\x89");
}

#define GO_ERR                                                                                     \
    "unable to do http request: Get \\'https://mta-sts.example.com/.well-known/mta-sts.txt\\': "   \
    "context deadline exceeded"

static const struct ok_case ok_cases[] = {
    {"base: rfc shape, next-midnight end", BASE, NULL, 0, check_base},
    {"datetime: offsets converted to UTC",
     REPORT(RANGE("2024-09-03T02:00:00+02:00", "2024-09-04T02:00:00+02:00"),
            POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_DATETIME_OFFSET, check_offset},
    {"datetime: negative offset",
     REPORT(RANGE("2024-09-02T19:00:00-05:00", "2024-09-03T19:00:00-05:00"),
            POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_DATETIME_OFFSET, check_day},
    {"datetime: fractions dropped",
     REPORT(RANGE("2024-09-03T00:00:00.000Z", "2024-09-04T00:00:00.000Z"), POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_DATETIME_FRACTION, check_day},
    {"datetime: no zone (Microsoft 2023) read as UTC",
     REPORT(RANGE("2023-01-10T00:00:00", "2023-01-10T23:59:59"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_DATETIME_NO_ZONE | TLSRPT_F_END_INCLUSIVE, check_ms2023},
    {"end: 23:59:59Z is inclusive",
     REPORT(RANGE("2024-09-03T00:00:00Z", "2024-09-03T23:59:59Z"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_END_INCLUSIVE, check_day},
    {"end: 23:59:59.999Z is inclusive too",
     REPORT(RANGE("2024-09-03T00:00:00Z", "2024-09-03T23:59:59.999Z"), POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_END_INCLUSIVE | TLSRPT_F_DATETIME_FRACTION, check_day},
    {"end: next midnight (Mail.ru, Stalwart)", BASE, NULL, 0, check_day},
    {"range: 7 days (Stalwart fixture)",
     REPORT(RANGE("2020-01-01T00:00:00Z", "2020-01-07T23:59:59Z"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_END_INCLUSIVE | TLSRPT_F_RANGE_NOT_ONE_DAY, check_week},
    {"range: one hour",
     REPORT(RANGE("2024-09-03T10:00:00Z", "2024-09-03T10:59:59Z"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_END_INCLUSIVE | TLSRPT_F_RANGE_NOT_ONE_DAY, check_hour},
    {"range: 24 h not on a UTC day",
     REPORT(RANGE("2024-09-03T12:00:00Z", "2024-09-04T12:00:00Z"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_RANGE_NOT_ONE_DAY, NULL},
    {"range: empty (start == end)",
     REPORT(RANGE("2024-09-03T00:00:00Z", "2024-09-03T00:00:00Z"), POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_RANGE_NOT_ONE_DAY, NULL},
    {"contact-info null (Stalwart)",
     REPORT_H("'organization-name':'Example Org','contact-info':null,'report-id':'r-1'", DAY,
              POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_CONTACT_MISSING, check_no_contact},
    {"contact-info missing",
     REPORT_H("'organization-name':'Example Org','report-id':'r-1'", DAY, POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_CONTACT_MISSING, check_no_contact},
    {"contact-info empty string",
     REPORT_H("'organization-name':'Example Org','contact-info':'','report-id':'r-1'", DAY,
              POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_CONTACT_MISSING, check_no_contact},
    {"organization-name null",
     REPORT_H("'organization-name':null,'contact-info':'a@b.example','report-id':'r-1'", DAY,
              POL(STS, SUMMARY(1, 0))),
     NULL, TLSRPT_F_ORG_MISSING, check_no_org},
    {"organization-name missing",
     REPORT_H("'contact-info':'a@b.example','report-id':'r-1'", DAY, POL(STS, SUMMARY(1, 0))), NULL,
     TLSRPT_F_ORG_MISSING, check_no_org},
    {"mx-host as a string (RFC Appendix B)",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'company-y.example'," STS_LINES
                            ",'mx-host':'*.mail.company-y.example'"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_MX_HOST_STRING, check_mx_string},
    {"mx-host missing (Microsoft, Mail.ru)",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com'," STS_LINES),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_MX_HOST_MISSING, check_no_mx_host},
    {"mx-host null",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com'," STS_LINES
                            ",'mx-host':null"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_MX_HOST_MISSING, check_no_mx_host},
    {"mx-host [] (Stalwart)",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com'," STS_LINES
                            ",'mx-host':[]"),
                     SUMMARY(1, 0))),
     NULL, 0, check_no_mx_host},
    {"mx-host and policy-string missing for no-policy-found is normal",
     REPORT(DAY, POL(POLICY("'policy-type':'no-policy-found','policy-domain':'example.com'"),
                     SUMMARY(1, 0))),
     NULL, 0, NULL},
    {"policy-string missing for tlsa",
     REPORT(DAY, POL(POLICY("'policy-type':'tlsa','policy-domain':'example.com'"), SUMMARY(1, 0))),
     NULL, TLSRPT_F_POLICY_STRING_MISSING, NULL},
    {"mx-host entries prefixed 'mx: '",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'server.com'," STS_LINES
                            ",'mx-host':['mx: mx.server.com','MX:Mx2.Server.com']"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_MX_HOST_PREFIX | TLSRPT_F_DOMAIN_CASE, check_mx_prefix},
    {"mx-host entries that are not strings are ignored",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com'," STS_LINES
                            ",'mx-host':[{'hostname':'x'},null,7,'a.example.com','',' ']"),
                     SUMMARY(1, 0))),
     NULL, 0, check_mx_junk},
    {"mx-host as an object is ignored",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com'," STS_LINES
                            ",'mx-host':{'pattern':'x'}"),
                     SUMMARY(1, 0))),
     NULL, 0, check_no_mx_host},
    {"policy-string missing",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com',"
                            "'mx-host':['*.example.com']"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_POLICY_STRING_MISSING, check_no_policy_string},
    {"policy-string [] (Stalwart, mox)",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com','policy-string':[],"
                            "'mx-host':['*.example.com']"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_POLICY_STRING_MISSING, check_no_policy_string},
    {"policy-string in Microsoft's order (mx before max_age)",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com','policy-string':["
                            "'version: STSv1','mode: enforce','mx: mx1.example.com',"
                            "'mx: mx2.example.com','max_age: 604800']"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_MX_HOST_MISSING, check_ms_order},
    {"policy-string as one string with the whole policy",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'example.com','policy-string':"
                            "'version: STSv1\\r\\nmode: enforce\\r\\nmx: mail.example.com\\r\\n"
                            "max_age: 3600\\r\\n'"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_POLICY_STRING_SCALAR | TLSRPT_F_MX_HOST_MISSING, check_scalar},
    {"tlsa: Microsoft's JSON array inside a string",
     REPORT(DAY, POL(POLICY(STS_FIELDS), SUMMARY(2, 0)) "," POL(
                     POLICY("'policy-type':'tlsa','policy-domain':'example.com','policy-string':["
                            "'[\\'3 1 1 6007EE\\',\\'3 1 1 837C77\\']']"),
                     SUMMARY(2, 0))),
     NULL, TLSRPT_F_TLSA_JSON_IN_STRING, check_tlsa},
    {"tlsa: one RR per element (RFC, Postfix)",
     REPORT(DAY,
            POL(POLICY("'policy-type':'tlsa','policy-domain':'mail.example.com','policy-string':["
                       "'3 1 1 AAAA','3 1 1 BBBB']"),
                SUMMARY(2, 0))),
     NULL, 0, check_rr_per_element},
    {"policy-string elements that start with [ but are not JSON arrays of strings stay as sent",
     REPORT(DAY, POL(POLICY("'policy-type':'tlsa','policy-domain':'example.com','policy-string':["
                            "'[not json','[1,2]']"),
                     SUMMARY(2, 0))),
     NULL, 0, check_bracket_text},
    {"failure-details missing with failures (Microsoft)", REPORT(DAY, POL(STS, SUMMARY(0, 3))),
     NULL, TLSRPT_F_DETAILS_MISSING, check_no_details},
    {"failure-details missing without failures (Google)", REPORT(DAY, POL(STS, SUMMARY(5, 0))),
     NULL, 0, check_no_details},
    {"failure-details [] (Stalwart, sys4)", REPORT(DAY, POLD(STS, SUMMARY(5, 0), "")), NULL, 0,
     check_no_details},
    {"failure-details null", REPORT(DAY, "{" STS "," SUMMARY(5, 0) ",'failure-details':null}"),
     NULL, 0, check_no_details},
    {"detail fields missing (sts-policy-fetch-error, Mail.ru Go error text)",
     REPORT(DAY, POLD(STS, SUMMARY(0, 3),
                      "{'result-type':'sts-policy-fetch-error','failed-session-count':3,"
                      "'failure-reason-code':'" GO_ERR "'}")),
     NULL, 0, check_fetch_error},
    {"detail fields null (Stalwart)",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1),
                      DETAIL(",'sending-mta-ip':null,'receiving-mx-hostname':null,"
                             "'receiving-mx-helo':null,'receiving-ip':null,"
                             "'additional-information':null,'failure-reason-code':null"))),
     NULL, TLSRPT_F_DETAIL_FIELD_EMPTY, check_empty_fields},
    {"detail fields empty strings (mox)",
     REPORT(DAY,
            POLD(STS, SUMMARY(0, 1),
                 DETAIL(",'sending-mta-ip':'','receiving-mx-hostname':'','receiving-mx-helo':'',"
                        "'receiving-ip':'','additional-information':'','failure-reason-code':''"))),
     NULL, TLSRPT_F_DETAIL_FIELD_EMPTY, check_empty_fields},
    {"key alias additional-info-uri",
     REPORT(DAY,
            POLD(STS, SUMMARY(0, 1), DETAIL(",'additional-info-uri':'https://x.example/info'"))),
     NULL, TLSRPT_F_KEY_ALIAS, check_info_alias},
    {"key alias failure-error-code (draft-23)",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1),
                      DETAIL(",'failure-error-code':'X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED'"))),
     NULL, TLSRPT_F_KEY_ALIAS, check_code_alias},
    {"RFC key wins over its alias",
     REPORT(DAY,
            POLD(STS, SUMMARY(0, 1),
                 DETAIL(",'failure-error-code':'alias','failure-reason-code':'rfc',"
                        "'additional-info-uri':'alias-uri','additional-information':'rfc-uri'"))),
     NULL, 0, check_rfc_key_wins},
    {"counts that do not add up (Mail.ru)",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1),
                      "{'result-type':'sts-policy-fetch-error','failed-session-count':1,"
                      "'failure-reason-code':'bad https response code: 404'},"
                      "{'result-type':'sts-policy-fetch-error','failed-session-count':1,"
                      "'failure-reason-code':'bad https response code: 500'}")),
     NULL, TLSRPT_F_COUNTS_MISMATCH, check_mismatch},
    {"counts: failures but details []", REPORT(DAY, POLD(STS, SUMMARY(0, 4), "")), NULL,
     TLSRPT_F_COUNTS_MISMATCH, NULL},
    {"counts: detail sum overflows int64",
     REPORT(
         DAY,
         POLD(STS, SUMMARY(0, 1),
              "{'result-type':'validation-failure','failed-session-count':9223372036854775807},"
              "{'result-type':'validation-failure','failed-session-count':9223372036854775807}")),
     NULL, TLSRPT_F_COUNTS_MISMATCH, NULL},
    {"counts: int64 max accepted",
     REPORT(
         DAY,
         POLD(STS, SUMMARY(9223372036854775807, 9223372036854775807),
              "{'result-type':'validation-failure','failed-session-count':9223372036854775807}")),
     NULL, 0, check_int64_max},
    {"unknown result-type kept verbatim",
     REPORT(DAY,
            POLD(STS, SUMMARY(2, 3),
                 "{'result-type':'Testing','sending-mta-ip':'x.x.x.x','failed-session-count':3}")),
     NULL, TLSRPT_F_UNKNOWN_RESULT_TYPE, check_unknown_result},
    {"unknown policy-type kept verbatim",
     REPORT(DAY, POL(POLICY("'policy-type':'invalid-policy-type','policy-domain':'example.com'"),
                     SUMMARY(1, 0))),
     NULL, TLSRPT_F_UNKNOWN_POLICY_TYPE | TLSRPT_F_POLICY_STRING_MISSING, check_unknown_policy},
    {"IDN A-label accepted as is",
     REPORT(DAY, POL(POLICY("'policy-type':'no-policy-found','policy-domain':'xn--gpher-jua.test'"),
                     SUMMARY(1, 0))),
     NULL, 0, check_idn},
    {"IDN A-label upper case and trailing dot normalised",
     REPORT(DAY,
            POL(POLICY("'policy-type':'no-policy-found','policy-domain':'XN--GPHER-JUA.Test.'"),
                SUMMARY(1, 0))),
     NULL, TLSRPT_F_DOMAIN_CASE, check_idn},
    {"policy-domain missing: taken from the hint",
     REPORT(DAY, POL(POLICY("'policy-type':'no-policy-found'"), SUMMARY(1, 0))), "Hint.Example.",
     TLSRPT_F_DOMAIN_FROM_HINT, check_hint},
    {"policy-domain null or empty: taken from the hint",
     REPORT(
         DAY,
         POL(POLICY("'policy-type':'no-policy-found','policy-domain':''"), SUMMARY(1, 0)) "," POL(
             POLICY("'policy-type':'no-policy-found','policy-domain':null"), SUMMARY(1, 0))),
     "hint.example", TLSRPT_F_DOMAIN_FROM_HINT, check_hint},
    {"policy-domain present: the JSON wins over the hint", BASE, "hint.example", 0,
     check_json_wins},
    {"receiving-mx-hostname lower-cased, trailing dot removed",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1), DETAIL(",'receiving-mx-hostname':'MX1.Example.COM.'"))),
     NULL, TLSRPT_F_DOMAIN_CASE, check_mx_case},
    {"receiving-mx-helo with CRLF inside (Postfix)",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1),
                      DETAIL(",'receiving-mx-helo':'250-mail.example.com\\r\\n250-PIPELINING\\r\\n"
                             "250 STARTTLS'"))),
     NULL, 0, check_helo},
    {"unknown keys ignored at every level",
     "{" HEAD ",'x-extra':{'deep':[1,2,{'a':null}]}," DAY ",'policies':[{" STS
     ",'x':1," SUMMARY(10, 0) "}]}",
     NULL, 0, check_base},
    {"policies [] gives a report with no policies", REPORT(DAY, ""), NULL, 0, check_zero_policies},
    {"brackets inside strings do not count as depth",
     REPORT_H("'organization-name':'Example Org','contact-info':'a@b.example','report-id':"
              "'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{'",
              DAY, POL(STS, SUMMARY(1, 0))),
     NULL, 0, check_brackets_in_strings},
    {"escaped unicode and UTF-8 kept",
     REPORT_H("'organization-name':'Zo\\u00eb Mail \xe2\x9c\x89','contact-info':'a@b.example',"
              "'report-id':'r'",
              DAY, POL(STS, SUMMARY(1, 0))),
     NULL, 0, check_unicode},
};

static void run_ok_case(void **state)
{
    const struct ok_case *c = *state;
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    int rc = parse_q(c->json, NULL, c->hint, &r, &err);
    if (rc != 0)
        fail_msg("rejected: %s %s: %s", tlsrpt_errcode_name(err.code), err.path, err.message);
    assert_non_null(r);
    assert_int_equal(err.code, TLSRPT_OK);
    if (r->flags != c->flags) {
        char got[1024];
        snprintf(got, sizeof got, "%s", flag_list(r->flags));
        fail_msg("flags [%s], want [%s]", got, flag_list(c->flags));
    }
    if (c->check)
        c->check(r);
    tlsrpt_report_free(r);
}

/* ---- rejected reports
 * ------------------------------------------------------------------------------ */

struct bad_case {
    const char *name;
    const char *json;
    enum tlsrpt_errcode code;
    const char *path;
    const char *message; /* a substring of the message */
};

#define BADD(detail) REPORT(DAY, POLD(STS, SUMMARY(0, 1), detail))

static const struct bad_case bad_cases[] = {
    {"not an object", "[1,2]", TLSRPT_E_SCHEMA, "", "not a JSON object (array)"},
    {"scalar at top level", "42", TLSRPT_E_JSON, "", "invalid JSON"},
    {"empty input", "", TLSRPT_E_JSON, "", "JSON"},
    {"truncated", "{'report-id':'r-1','policies':[", TLSRPT_E_JSON, "", "truncated JSON"},
    {"trailing garbage", "{'report-id':'x'} {}", TLSRPT_E_JSON, "", "invalid JSON"},
    {"duplicate key at top", "{'report-id':'a','report-id':'b'}", TLSRPT_E_JSON, "",
     "duplicate object key"},
    {"duplicate key deep",
     REPORT(DAY, POL(STS, "'summary':{'total-successful-session-count':1,"
                          "'total-successful-session-count':2}")),
     TLSRPT_E_JSON, "", "duplicate object key"},
    {"NUL escaped in a string", "{'report-id':'a\\u0000b'}", TLSRPT_E_JSON, "", "NUL character"},
    {"invalid UTF-8", "{'report-id':'a\xff\xfe'}", TLSRPT_E_JSON, "", "invalid UTF-8"},
    {"overlong UTF-8", "{'report-id':'\xc0\xaf'}", TLSRPT_E_JSON, "", "invalid UTF-8"},
    {"report-id missing", REPORT_H("'organization-name':'o'", DAY, ""), TLSRPT_E_SCHEMA,
     "report-id", "missing"},
    {"report-id not a string", REPORT_H("'report-id':12345", DAY, ""), TLSRPT_E_SCHEMA, "report-id",
     "not a string (integer)"},
    {"report-id empty", REPORT_H("'report-id':''", DAY, ""), TLSRPT_E_SCHEMA, "report-id",
     "empty string"},
    {"organization-name not a string",
     REPORT_H("'organization-name':['x'],'report-id':'r'", DAY, ""), TLSRPT_E_SCHEMA,
     "organization-name", "not a string (array)"},
    {"contact-info not a string", REPORT_H("'contact-info':true,'report-id':'r'", DAY, ""),
     TLSRPT_E_SCHEMA, "contact-info", "not a string (true)"},
    {"date-range missing", "{" HEAD ",'policies':[]}", TLSRPT_E_SCHEMA, "date-range", "missing"},
    {"date-range not an object", "{" HEAD ",'date-range':'2024-09-03','policies':[]}",
     TLSRPT_E_SCHEMA, "date-range", "not an object (string)"},
    {"start-datetime missing",
     "{" HEAD ",'date-range':{'end-datetime':'2024-09-03T00:00:00Z'},'policies':[]}",
     TLSRPT_E_SCHEMA, "date-range.start-datetime", "missing"},
    {"end-datetime not a date-time", REPORT(RANGE("2024-09-03T00:00:00Z", "yesterday"), ""),
     TLSRPT_E_SCHEMA, "date-range.end-datetime", "not an RFC 3339 date-time"},
    {"end-datetime a number",
     "{" HEAD ",'date-range':{'start-datetime':'2024-09-03T00:00:00Z',"
     "'end-datetime':1725321600},'policies':[]}",
     TLSRPT_E_SCHEMA, "date-range.end-datetime", "not a string (integer)"},
    {"start-datetime February 30th",
     REPORT(RANGE("2024-02-30T00:00:00Z", "2024-03-01T00:00:00Z"), ""), TLSRPT_E_SCHEMA,
     "date-range.start-datetime", "date out of range"},
    {"end before start", REPORT(RANGE("2024-09-04T00:00:00Z", "2024-09-03T00:00:00Z"), ""),
     TLSRPT_E_SCHEMA, "date-range", "end-datetime is before start-datetime"},
    {"policies missing", "{" HEAD "," DAY "}", TLSRPT_E_SCHEMA, "policies", "missing"},
    {"policies not an array", "{" HEAD "," DAY ",'policies':{" STS "}}", TLSRPT_E_SCHEMA,
     "policies", "not an array (object)"},
    {"policy entry not an object", REPORT(DAY, "'sts'"), TLSRPT_E_SCHEMA, "policies[0]",
     "not an object (string)"},
    {"policy missing", REPORT(DAY, "{" SUMMARY(1, 0) "}"), TLSRPT_E_SCHEMA, "policies[0].policy",
     "missing"},
    {"policy-type missing",
     REPORT(DAY, POL(POLICY("'policy-domain':'example.com'"), SUMMARY(1, 0))), TLSRPT_E_SCHEMA,
     "policies[0].policy.policy-type", "missing"},
    {"policy-type not a string", REPORT(DAY, POL(POLICY("'policy-type':1"), SUMMARY(1, 0))),
     TLSRPT_E_SCHEMA, "policies[0].policy.policy-type", "not a string (integer)"},
    {"policy-domain missing without hint",
     REPORT(DAY, POL(STS, SUMMARY(1, 0)) "," POL(POLICY("'policy-type':'no-policy-found'"),
                                                 SUMMARY(1, 0))),
     TLSRPT_E_SCHEMA, "policies[1].policy.policy-domain", "missing"},
    {"policy-domain not a string",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':{}"), SUMMARY(1, 0))),
     TLSRPT_E_SCHEMA, "policies[0].policy.policy-domain", "not a string (object)"},
    {"policy-string an object",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'e.example','policy-string':{}"),
                     SUMMARY(1, 0))),
     TLSRPT_E_SCHEMA, "policies[0].policy.policy-string", "not an array of strings (object)"},
    {"policy-string element not a string",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'e.example',"
                            "'policy-string':['mode: testing',5]"),
                     SUMMARY(1, 0))),
     TLSRPT_E_SCHEMA, "policies[0].policy.policy-string[1]", "not a string (integer)"},
    {"summary missing", REPORT(DAY, "{" STS "}"), TLSRPT_E_SCHEMA, "policies[0].summary",
     "missing"},
    {"summary not an object", REPORT(DAY, "{" STS ",'summary':[1,0]}"), TLSRPT_E_SCHEMA,
     "policies[0].summary", "not an object (array)"},
    {"summary count missing",
     REPORT(DAY, POL(STS, "'summary':{'total-successful-session-count':1}")), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-failure-session-count", "missing"},
    {"summary count negative", REPORT(DAY, POL(STS, SUMMARY(-1, 0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-successful-session-count", "negative count"},
    {"summary count fractional", REPORT(DAY, POL(STS, SUMMARY(1.5, 0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-successful-session-count", "not an integer (real)"},
    {"summary count integral real", REPORT(DAY, POL(STS, SUMMARY(1, 3.0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-failure-session-count", "not an integer (real)"},
    {"summary count exponent", REPORT(DAY, POL(STS, SUMMARY(1e3, 0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-successful-session-count", "not an integer (real)"},
    {"summary count string", REPORT(DAY, POL(STS, SUMMARY('5', 0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-successful-session-count", "not an integer (string)"},
    {"summary count null", REPORT(DAY, POL(STS, SUMMARY(1, null))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-failure-session-count", "not an integer (null)"},
    {"summary count bool", REPORT(DAY, POL(STS, SUMMARY(true, 0))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-successful-session-count", "not an integer (true)"},
    {"summary count 2^63", REPORT(DAY, POL(STS, SUMMARY(1, 9223372036854775808))), TLSRPT_E_SCHEMA,
     "policies[0].summary.total-failure-session-count", "integer beyond int64 range"},
    {"summary count huge", REPORT(DAY, POL(STS, SUMMARY(99999999999999999999999, 0))),
     TLSRPT_E_SCHEMA, "policies[0].summary.total-successful-session-count",
     "integer beyond int64 range"},
    {"summary count huge negative", REPORT(DAY, POL(STS, SUMMARY(-99999999999999999999999, 0))),
     TLSRPT_E_SCHEMA, "policies[0].summary.total-successful-session-count", "negative count"},
    {"detail count huge", BADD("{'result-type':'validation-failure','failed-session-count':1e400}"),
     TLSRPT_E_JSON, "", "number out of range"},
    {"detail count beyond int64",
     REPORT(DAY, POLD(STS, SUMMARY(0, 1),
                      DETAIL("") ",{'result-type':'validation-failure',"
                                 "'failed-session-count':18446744073709551616}")),
     TLSRPT_E_SCHEMA, "policies[0].failure-details[1].failed-session-count",
     "integer beyond int64 range"},
    {"huge integer in an ignored member",
     REPORT_H(HEAD ",'x-serial':123456789012345678901234567890", DAY, ""), TLSRPT_E_JSON, "",
     "number out of range"},
    {"failure-details not an array",
     REPORT(DAY, "{" STS "," SUMMARY(0, 1) ",'failure-details':{}}"), TLSRPT_E_SCHEMA,
     "policies[0].failure-details", "not an array (object)"},
    {"detail not an object", BADD("'validation-failure'"), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0]", "not an object (string)"},
    {"detail result-type missing", BADD("{'failed-session-count':1}"), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0].result-type", "missing"},
    {"detail result-type empty", BADD("{'result-type':'','failed-session-count':1}"),
     TLSRPT_E_SCHEMA, "policies[0].failure-details[0].result-type", "empty string"},
    {"detail count missing", BADD("{'result-type':'validation-failure'}"), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0].failed-session-count", "missing"},
    {"detail count negative",
     BADD("{'result-type':'validation-failure','failed-session-count':-3}"), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0].failed-session-count", "negative count"},
    {"detail field not a string", BADD(DETAIL(",'receiving-ip':3232235777")), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0].receiving-ip", "not a string (integer)"},
    {"detail alias not a string", BADD(DETAIL(",'failure-error-code':7")), TLSRPT_E_SCHEMA,
     "policies[0].failure-details[0].failure-error-code", "not a string (integer)"},
    {"depth bomb in a string-encoded array",
     REPORT(DAY, POL(POLICY("'policy-type':'tlsa','policy-domain':'e.example','policy-string':["
                            "'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[']"),
                     SUMMARY(1, 0))),
     TLSRPT_E_JSON, "policies[0].policy.policy-string[0]", "nested deeper than 32 levels"},
};

static void run_bad_case(void **state)
{
    const struct bad_case *c = *state;
    static struct tlsrpt_report sentinel;
    struct tlsrpt_report *r = &sentinel; /* the parser must reset it to NULL */
    struct tlsrpt_error err;
    int rc = parse_q(c->json, NULL, NULL, &r, &err);
    if (rc == 0)
        fail_msg("accepted");
    assert_null(r);
    assert_int_equal(rc, (int)c->code);
    if (err.code != c->code || strcmp(err.path, c->path) != 0 ||
        strstr(err.message, c->message) == NULL)
        fail_msg("got %s '%s': %s; want %s '%s': ...%s...", tlsrpt_errcode_name(err.code), err.path,
                 err.message, tlsrpt_errcode_name(c->code), c->path, c->message);
}

/* ---- bytes q() cannot express, caps and helpers -------------------------------------------------
 */

static void test_raw_nul_byte(void **state)
{
    (void)state;
    const char js[] = "{\"report-id\":\"a\0b\"}";
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    assert_int_equal(tlsrpt_report_parse(js, sizeof js - 1, NULL, NULL, &r, &err), TLSRPT_E_JSON);
    assert_null(r);
    assert_non_null(strstr(err.message, "line 1"));
}

static void test_depth_bomb(void **state)
{
    (void)state;
    char js[2 * 5000 + 1];
    memset(js, '[', 5000);
    memset(js + 5000, ']', 5000);
    js[10000] = '\0';
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    assert_int_equal(tlsrpt_report_parse(js, strlen(js), NULL, NULL, &r, &err), TLSRPT_E_JSON);
    assert_string_equal(err.path, "");
    assert_string_equal(err.message, "nested deeper than 32 levels (max-depth)");

    /* an unterminated string must not hide brackets from the scan forever, nor crash it */
    const char *odd = "{\"a\":\"\\";
    assert_int_equal(tlsrpt_report_parse(odd, strlen(odd), NULL, NULL, &r, &err), TLSRPT_E_JSON);
}

/* The base report nests 5 deep (root, policies, policy entry, policy, policy-string). */
static void test_depth_cap_exact(void **state)
{
    (void)state;
    struct tlsrpt_parse_limits lim;
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    tlsrpt_parse_limits_default(&lim);
    lim.max_depth = 5;
    assert_int_equal(parse_q(BASE, &lim, NULL, &r, &err), 0);
    tlsrpt_report_free(r);
    lim.max_depth = 4;
    assert_int_equal(parse_q(BASE, &lim, NULL, &r, &err), TLSRPT_E_JSON);
    assert_null(r);
}

struct cap_case {
    const char *name;
    const char *json;
    size_t policies, details, strings, string_len; /* 0 = default */
    const char *path;
    const char *message;
};

static const struct cap_case cap_cases[] = {
    {"max-policies",
     REPORT(DAY, POL(STS, SUMMARY(1, 0)) "," POL(STS, SUMMARY(1, 0)) "," POL(STS, SUMMARY(1, 0))),
     2, 0, 0, 0, "policies", "3 entries, more than 2 (max-policies)"},
    {"max-details", REPORT(DAY, POLD(STS, SUMMARY(0, 2), DETAIL("") "," DETAIL(""))), 0, 1, 0, 0,
     "policies[0].failure-details", "2 entries, more than 1 (max-details)"},
    {"max-strings policy-string", BASE, 0, 0, 3, 0, "policies[0].policy.policy-string",
     "4 entries, more than 3 (max-strings)"},
    {"max-strings mx-host",
     REPORT(DAY,
            POL(POLICY("'policy-type':'sts','policy-domain':'e.example','mx-host':['a','b','c']"),
                SUMMARY(1, 0))),
     0, 0, 2, 0, "policies[0].policy.mx-host", "3 entries, more than 2 (max-strings)"},
    {"max-strings across unpacked TLSA",
     REPORT(DAY, POL(POLICY("'policy-type':'tlsa','policy-domain':'e.example','policy-string':["
                            "'[\\'3 1 1 A\\',\\'3 1 1 B\\',\\'3 1 1 C\\']']"),
                     SUMMARY(1, 0))),
     0, 0, 2, 0, "policies[0].policy.policy-string[0][2]", "more than 2 entries (max-strings)"},
    {"max-strings mx lines inside one element",
     REPORT(DAY, POL(POLICY("'policy-type':'sts','policy-domain':'e.example','policy-string':"
                            "['mx: a\\nmx: b\\nmx: c']"),
                     SUMMARY(1, 0))),
     0, 0, 2, 0, "policies[0].policy.policy-string", "3 mx lines, more than 2 (max-strings)"},
    /* date-times are 20 bytes: 20 is the smallest string cap a report can pass */
    {"max-string-len report-id", REPORT_H("'report-id':'0123456789abcdef01234'", DAY, ""), 0, 0, 0,
     20, "report-id", "string of 21 bytes, more than 20 (max-string-len)"},
    {"max-string-len detail",
     REPORT_H("'report-id':'r'", DAY,
              POLD(STS, SUMMARY(0, 1), DETAIL(",'failure-reason-code':'0123456789abcdef01234'"))),
     0, 0, 0, 20, "policies[0].failure-details[0].failure-reason-code", "string of 21 bytes"},
    {"max-string-len policy-string",
     REPORT_H("'report-id':'r'", DAY,
              POL(POLICY("'policy-type':'sts','policy-domain':'e.example','policy-string':"
                         "['mode: testing','mx: a-very-long-mx-name.example']"),
                  SUMMARY(1, 0))),
     0, 0, 0, 20, "policies[0].policy.policy-string[1]", "string of 31 bytes"},
};

static void run_cap_case(void **state)
{
    const struct cap_case *c = *state;
    struct tlsrpt_parse_limits lim;
    tlsrpt_parse_limits_default(&lim);
    if (c->policies)
        lim.max_policies = c->policies;
    if (c->details)
        lim.max_details = c->details;
    if (c->strings)
        lim.max_strings = c->strings;
    if (c->string_len)
        lim.max_string_len = c->string_len;
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    int rc = parse_q(c->json, &lim, NULL, &r, &err);
    assert_null(r);
    if (rc != TLSRPT_E_TOO_LARGE || strcmp(err.path, c->path) != 0 ||
        strstr(err.message, c->message) == NULL)
        fail_msg("got %d %s '%s': %s", rc, tlsrpt_errcode_name(err.code), err.path, err.message);

    /* and the same input passes with the defaults */
    assert_int_equal(parse_q(c->json, NULL, NULL, &r, &err), 0);
    tlsrpt_report_free(r);
}

/* max-items is counted on the text, before jansson allocates: a report of exactly N items passes
 * with max_items = N and is refused with N - 1; the refusal names the cap and is TOO_LARGE. */
static void test_max_items_prescan(void **state)
{
    (void)state;
    char *js = q("{" HEAD "," DAY ",'policies':[" POLD(STS, SUMMARY(0, 1), DETAIL("")) "]}");
    size_t items = 0;
    int in_str = 0;
    for (const char *p = js; *p; p++) { /* the count the cap is defined by */
        if (in_str) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_str = 0;
        } else if (*p == '"') {
            in_str = 1;
        } else if (*p == '{' || *p == '[' || *p == ',' || *p == ':') {
            items++;
        }
    }
    assert_true(items > 20);
    struct tlsrpt_parse_limits lim;
    tlsrpt_parse_limits_default(&lim);
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    lim.max_items = items;
    assert_int_equal(parse_q(js, &lim, NULL, &r, &err), 0);
    tlsrpt_report_free(r);
    r = NULL;
    lim.max_items = items - 1;
    assert_int_equal(parse_q(js, &lim, NULL, &r, &err), TLSRPT_E_TOO_LARGE);
    assert_null(r);
    assert_non_null(strstr(err.message, "(max-items)"));
    free(js);

    /* A million empty objects in failure-details: refused by the default cap, quickly. */
    char *head = q("{" HEAD "," DAY ",'policies':[{'policy':{'policy-type':'no-policy-found',"
                   "'policy-domain':'e.example'},'summary':{'total-successful-session-count':0,"
                   "'total-failure-session-count':1},'failure-details':[");
    size_t n = 1000000, cap = strlen(head) + 3 * n + 8;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t len = (size_t)snprintf(big, cap, "%s", head);
    for (size_t i = 0; i < n; i++) {
        memcpy(big + len, i ? ",{}" : "{}", i ? 3 : 2);
        len += i ? 3 : 2;
    }
    len += (size_t)snprintf(big + len, cap - len, "]}]}");
    assert_int_equal(tlsrpt_report_parse(big, len, NULL, NULL, &r, &err), TLSRPT_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "(max-items)"));
    free(big);
    free(head);
}

/* Default caps hold with real sizes: 1001 policies are refused, 1000 accepted. */
static void test_default_policy_cap(void **state)
{
    (void)state;
    char *one = q(POL(STS, SUMMARY(1, 0)));
    char *head = q("{" HEAD "," DAY ",'policies':[");
    size_t cap = strlen(head) + 1001 * (strlen(one) + 1) + 3;
    char *js = malloc(cap);
    assert_non_null(js);
    for (int n = 1000; n <= 1001; n++) {
        size_t len = (size_t)snprintf(js, cap, "%s", head);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(js + len, cap - len, "%s%s", i ? "," : "", one);
        len += (size_t)snprintf(js + len, cap - len, "]}");
        struct tlsrpt_report *r = NULL;
        struct tlsrpt_error err;
        int rc = tlsrpt_report_parse(js, len, NULL, NULL, &r, &err);
        if (n == 1000) {
            assert_int_equal(rc, 0);
            assert_int_equal(r->n_policies, 1000);
            tlsrpt_report_free(r);
        } else {
            assert_int_equal(rc, TLSRPT_E_TOO_LARGE);
            assert_string_equal(err.path, "policies");
        }
    }
    free(js);
    free(head);
    free(one);
}

static void test_null_err_and_limits(void **state)
{
    (void)state;
    struct tlsrpt_report *r = NULL;
    char *js = q(BASE);
    assert_int_equal(tlsrpt_report_parse(js, strlen(js), NULL, NULL, &r, NULL), 0);
    tlsrpt_report_free(r);
    assert_int_equal(tlsrpt_report_parse("{", 1, NULL, NULL, &r, NULL), TLSRPT_E_JSON);
    assert_null(r);
    free(js);
    tlsrpt_report_free(NULL);
}

/* Flags from several policies and the date range add up in the one report bit set. */
static void test_flags_accumulate(void **state)
{
    (void)state;
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    assert_int_equal(parse_q(REPORT(RANGE("2023-01-10T00:00:00", "2023-01-10T23:59:59"),
                                    POL(STS, SUMMARY(1, 0)) "," POLD(STS, SUMMARY(0, 1),
                                                                     "{'result-type':'Other',"
                                                                     "'failed-session-count':2}")),
                             NULL, NULL, &r, &err),
                     0);
    assert_int_equal(r->flags, TLSRPT_F_DATETIME_NO_ZONE | TLSRPT_F_END_INCLUSIVE |
                                   TLSRPT_F_UNKNOWN_RESULT_TYPE | TLSRPT_F_COUNTS_MISMATCH);
    tlsrpt_report_free(r);
}

static void test_flag_names(void **state)
{
    (void)state;
    for (unsigned i = 0; i < TLSRPT_F_COUNT; i++) {
        const char *n = tlsrpt_flag_name(i);
        assert_non_null(n);
        for (unsigned k = 0; k < i; k++)
            assert_string_not_equal(n, tlsrpt_flag_name(k));
    }
    assert_string_equal(tlsrpt_flag_name(0), "datetime-no-zone");
    assert_null(tlsrpt_flag_name(TLSRPT_F_COUNT));
    assert_null(tlsrpt_flag_name(1000));
}

struct reporter_case {
    const char *org, *contact, *want;
};

static void test_reporter(void **state)
{
    (void)state;
    static const struct reporter_case cases[] = {
        {"Google Inc.", "smtp-tls-reporting@Google.COM", "google.com"},
        {"Google Inc.", "<smtp-tls-reporting@google.com.>", "google.com"},
        {"Mail.ru", NULL, "mail.ru"},
        {"Server.COM", "no-at-sign", "server.com"},
        {"Org", "user@", "org"},
        {NULL, NULL, "unknown"},
        {"", NULL, "unknown"},
        {NULL, "a@b@Reporter.Example", "reporter.example"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tlsrpt_report r;
        memset(&r, 0, sizeof r);
        r.organization_name = (char *)cases[i].org;
        r.contact_info = (char *)cases[i].contact;
        char *got = tlsrpt_report_reporter(&r);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: '%s', want '%s'", i, got, cases[i].want);
        free(got);
    }
}

/* The normalised JSON keeps every RFC detail key, with null for the missing ones. */
static void test_to_json(void **state)
{
    (void)state;
    struct tlsrpt_report *r = NULL;
    struct tlsrpt_error err;
    assert_int_equal(
        parse_q(
            REPORT(RANGE("2024-09-03T00:00:00Z", "2024-09-03T23:59:59Z"),
                   POLD(POLICY("'policy-type':'sts','policy-domain':'example.com'"), SUMMARY(0, 3),
                        "{'result-type':'sts-policy-fetch-error',"
                        "'failed-session-count':3}")),
            NULL, NULL, &r, &err),
        0);
    json_t *j = tlsrpt_report_to_json(r);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "end-time")), "2024-09-04T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(j, "start-time")),
                        "2024-09-03T00:00:00Z");
    json_t *flags = json_object_get(j, "flags");
    assert_int_equal(json_array_size(flags), 3);
    assert_string_equal(json_string_value(json_array_get(flags, 0)), "end-inclusive");
    json_t *p = json_array_get(json_object_get(j, "policies"), 0);
    json_t *derived = json_object_get(p, "derived");
    assert_true(json_is_null(json_object_get(derived, "sts-mode")));
    assert_true(json_is_null(json_object_get(derived, "sts-max-age")));
    assert_int_equal(json_array_size(json_object_get(derived, "mx-patterns")), 0);
    json_t *d = json_array_get(json_object_get(p, "failure-details"), 0);
    assert_int_equal(json_object_size(d), 8);
    assert_true(json_is_null(json_object_get(d, "receiving-ip")));
    assert_int_equal(json_integer_value(json_object_get(d, "failed-session-count")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "summary"),
                                                        "total-failure-session-count")),
                     3);
    json_decref(j);
    tlsrpt_report_free(r);
}

int main(void)
{
    size_t n_ok = sizeof ok_cases / sizeof *ok_cases, n_bad = sizeof bad_cases / sizeof *bad_cases,
           n_cap = sizeof cap_cases / sizeof *cap_cases;
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_raw_nul_byte),      cmocka_unit_test(test_depth_bomb),
        cmocka_unit_test(test_depth_cap_exact),   cmocka_unit_test(test_default_policy_cap),
        cmocka_unit_test(test_max_items_prescan), cmocka_unit_test(test_null_err_and_limits),
        cmocka_unit_test(test_flags_accumulate),  cmocka_unit_test(test_flag_names),
        cmocka_unit_test(test_reporter),          cmocka_unit_test(test_to_json),
    };
    size_t n_fixed = sizeof fixed / sizeof *fixed, total = n_ok + n_bad + n_cap + n_fixed;
    struct CMUnitTest *tests = calloc(total, sizeof *tests);
    if (tests == NULL)
        return 1;
    /* One cmocka test per table row, named after it, so a failure names the quirk. */
    size_t k = 0;
    for (size_t i = 0; i < n_ok; i++)
        tests[k++] =
            (struct CMUnitTest){ok_cases[i].name, run_ok_case, NULL, NULL, (void *)&ok_cases[i]};
    for (size_t i = 0; i < n_bad; i++)
        tests[k++] =
            (struct CMUnitTest){bad_cases[i].name, run_bad_case, NULL, NULL, (void *)&bad_cases[i]};
    for (size_t i = 0; i < n_cap; i++)
        tests[k++] =
            (struct CMUnitTest){cap_cases[i].name, run_cap_case, NULL, NULL, (void *)&cap_cases[i]};
    for (size_t i = 0; i < n_fixed; i++)
        tests[k++] = fixed[i];
    int rc = _cmocka_run_group_tests("report_parse", tests, total, NULL, NULL);
    free(tests);
    return rc;
}
