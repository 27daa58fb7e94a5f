/* report_json.h - the normalised report as JSON: what golden tests compare, what `reprocess` and
 * the dashboard's report page show. Keys use the RFC names; derived fields and flags are added.
 * Pure. */
#ifndef TLSRPT_REPORT_JSON_H
#define TLSRPT_REPORT_JSON_H

#include "report.h"

#include <jansson.h>

/* A new reference (caller json_decref()s it), or NULL on allocation failure. Shape:
 * { "organization-name", "contact-info", "report-id", "date-range":
 * {"start-datetime","end-datetime"}, "start-time", "end-time" (ISO 8601 UTC, normalised, end
 * exclusive), "flags": ["datetime-no-zone",...], "policies": [ { "policy":
 * {"policy-type","policy-domain","policy-string":[],"mx-host":[]}, "derived":
 * {"sts-mode","sts-max-age","mx-patterns":[]}, "summary": {...}, "failure-details": [ {all RFC
 * keys; missing ones as null} ] } ] } */
json_t *tlsrpt_report_to_json(const struct tlsrpt_report *r);

#endif
