/* domain_tables.h - the tables of the domain page (domain_tables.c), one function per table, each
 * capped at WEB_MAX_TABLE_ROWS rows with a note pointing at the JSON for the rest. */
#ifndef TLSRPT_WEB_DOMAIN_TABLES_H
#define TLSRPT_WEB_DOMAIN_TABLES_H

#include "svg_chart.h"
#include "web.h"

void dt_organizations(struct html *h, const struct tlsrpt_domain_analysis *d);
void dt_result_types(struct html *h, const struct tlsrpt_domain_analysis *d);
void dt_mx(struct html *h, const struct tlsrpt_domain_analysis *d);
void dt_details(struct html *h, const struct tlsrpt_domain_analysis *d);
void dt_policies(struct html *h, const struct tlsrpt_domain_analysis *d);
void dt_dane(struct html *h, const struct tlsrpt_domain_analysis *d);
/* The newest stored live check (domain_live.c): time, verdict, certificate expiry, findings. */
void dt_live_check(struct html *h, const struct tlsrpt_domain_analysis *d);
/* The chart's figures as a table (its accessible equivalent), one row per day. */
void dt_daily(struct html *h, const struct svg_day *days, size_t n);
/* Up to a few organization names as chips, "+N more" after that. */
void h_org_chips(struct html *h, const char *const *orgs, size_t n);

#endif
