/* report.h - the normalised TLS-RPT report (RFC 8460 §4) as the parser produces it and the store
 * keeps it. Every string is owned by the struct and freed by tlsrpt_report_free(). Optional fields
 * that a reporter sent as missing, null or "" are NULL here (quirks.md §3.8: the three are treated
 * alike). */
#ifndef TLSRPT_REPORT_H
#define TLSRPT_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* Which normalisations the parser applied, so the dashboard can show who departs from the RFC.
 * Stored as an integer bit set; names from tlsrpt_flag_name(). Append only: values are persisted.
 */
enum tlsrpt_flag {
    TLSRPT_F_DATETIME_NO_ZONE = 1u << 0,  /* a date-time without Z/offset, read as UTC */
    TLSRPT_F_DATETIME_OFFSET = 1u << 1,   /* a date-time with a non-Z offset, converted */
    TLSRPT_F_DATETIME_FRACTION = 1u << 2, /* fractional seconds dropped */
    TLSRPT_F_END_INCLUSIVE = 1u << 3,     /* end was hh:59:59, end_time moved to the next second */
    TLSRPT_F_RANGE_NOT_ONE_DAY = 1u << 4, /* the range is not one UTC day */
    TLSRPT_F_CONTACT_MISSING = 1u << 5,   /* contact-info null or missing */
    TLSRPT_F_ORG_MISSING = 1u << 6,       /* organization-name null or missing */
    TLSRPT_F_MX_HOST_STRING = 1u << 7,    /* mx-host given as a string (RFC App. B erratum) */
    TLSRPT_F_MX_HOST_PREFIX = 1u << 8,    /* mx-host entries prefixed "mx: " */
    TLSRPT_F_MX_HOST_MISSING = 1u << 9,   /* sts policy without mx-host (Microsoft, Mail.ru) */
    TLSRPT_F_POLICY_STRING_MISSING = 1u << 10, /* policy-string missing or [] */
    TLSRPT_F_TLSA_JSON_IN_STRING = 1u << 11,   /* Microsoft's TLSA list as JSON inside a string */
    TLSRPT_F_DETAILS_MISSING = 1u << 12,       /* failure-details missing (with failures > 0) */
    TLSRPT_F_DETAIL_FIELD_EMPTY = 1u << 13, /* a detail field was null or "" (treated as missing) */
    TLSRPT_F_KEY_ALIAS =
        1u << 14, /* additional-info-uri / failure-error-code accepted as aliases */
    TLSRPT_F_COUNTS_MISMATCH =
        1u << 15, /* sum of failed-session-count != total-failure-session-count */
    TLSRPT_F_UNKNOWN_RESULT_TYPE = 1u
                                   << 16, /* a result-type outside RFC 8460 §4.3, kept verbatim */
    TLSRPT_F_UNKNOWN_POLICY_TYPE = 1u
                                   << 17, /* a policy-type outside sts/tlsa/no-policy-found, kept */
    TLSRPT_F_DOMAIN_FROM_HINT = 1u << 18, /* policy-domain missing, taken from TLS-Report-Domain */
    TLSRPT_F_DOMAIN_CASE =
        1u << 19, /* policy-domain/MX names lower-cased or trailing dot removed */
    TLSRPT_F_POLICY_STRING_SCALAR = 1u << 20, /* policy-string given as one string, not an array */
};
#define TLSRPT_F_COUNT 21

/* "datetime-no-zone" etc.; NULL for an unknown bit. */
const char *tlsrpt_flag_name(unsigned bit_index);

struct tlsrpt_failure_detail {
    char *result_type; /* verbatim (never NULL) */
    char *sending_mta_ip;
    char *receiving_mx_hostname; /* lower-cased, trailing dot removed */
    char *receiving_mx_helo;
    char *receiving_ip;
    int64_t failed_session_count; /* >= 0 */
    char *additional_information; /* from additional-information or its alias additional-info-uri */
    char *failure_reason_code;    /* from failure-reason-code or its alias failure-error-code */
};

struct tlsrpt_policy {
    char *policy_type;   /* verbatim: "sts", "tlsa", "no-policy-found" or an unknown value (never
                            NULL) */
    char *policy_domain; /* lower-cased A-label, trailing dot removed (never NULL after a successful
                            parse) */
    char **policy_strings; /* as sent, one per line/RR (TLSA JSON-in-a-string unpacked); may be 0
                              entries */
    size_t n_policy_strings;
    char **mx_hosts; /* mx-host patterns as sent, "mx: " prefix stripped, lower-cased */
    size_t n_mx_hosts;

    /* Derived from policy-string for sts (RFC 8461 §3.2 key/value lines, any order). */
    char *sts_mode;      /* "testing", "enforce", "none", other verbatim, or NULL when absent */
    int64_t sts_max_age; /* -1 when absent or not a number */
    char **mx_patterns;  /* from the "mx:" lines, else from mx_hosts; lower-cased */
    size_t n_mx_patterns;

    int64_t total_successful; /* >= 0 */
    int64_t total_failure;    /* >= 0 */
    struct tlsrpt_failure_detail *details;
    size_t n_details;
};

struct tlsrpt_report {
    char *organization_name; /* NULL when null/missing */
    char *contact_info;      /* NULL when null/missing */
    char *report_id;         /* never NULL */
    char *start_raw;         /* date-times as sent */
    char *end_raw;
    int64_t start_time; /* unix seconds UTC */
    int64_t
        end_time; /* unix seconds UTC, exclusive: an inclusive 23:59:59 end becomes next 00:00:00 */
    struct tlsrpt_policy *policies;
    size_t n_policies;
    uint32_t flags; /* enum tlsrpt_flag bits */
};

void tlsrpt_report_free(struct tlsrpt_report *r);

/* Reporter identity for deduplication (quirks.md §3.14): the lower-cased domain of contact-info,
 * else the lower-cased organization name, else "unknown". Returns a malloc'd string or NULL on
 * allocation failure. */
char *tlsrpt_report_reporter(const struct tlsrpt_report *r);

#endif
