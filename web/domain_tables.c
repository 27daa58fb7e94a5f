/* domain_tables.c - the tables of the domain page. Every string in them comes from reports and is
 * escaped; numbers are the analyzer's. */
#include "domain_tables.h"

#define ORG_CHIPS 6 /* organization names shown in one cell before "+N more" */

static void more_rows(struct html *h, size_t n)
{
    if (n <= WEB_MAX_TABLE_ROWS)
        return;
    h_raw(h, "<p class=\"more\">");
    h_int(h, (int64_t)(n - WEB_MAX_TABLE_ROWS));
    h_raw(h, " more rows not shown; the JSON link at the top of the page has them all.</p>");
}

static size_t shown(size_t n)
{
    return n < WEB_MAX_TABLE_ROWS ? n : WEB_MAX_TABLE_ROWS;
}

static void td_int(struct html *h, int64_t v, const char *cls)
{
    h_printf(h, "<td class=\"num%s%s\">", cls[0] != '\0' ? " " : "", cls);
    h_int(h, v);
    h_raw(h, "</td>");
}

static void td_date(struct html *h, int64_t t)
{
    h_raw(h, "<td class=\"num\">");
    h_date(h, t);
    h_raw(h, "</td>");
}

static void td_text(struct html *h, const char *s, const char *cls)
{
    h_printf(h, "<td class=\"%s\">", cls);
    if (s != NULL)
        h_text(h, s);
    else
        h_raw(h, "<span class=\"muted\">\xE2\x80\x93</span>");
    h_raw(h, "</td>");
}

void h_org_chips(struct html *h, const char *const *orgs, size_t n)
{
    for (size_t i = 0; i < n && i < ORG_CHIPS; i++) {
        h_raw(h, "<span class=\"chip\">");
        h_text(h, orgs[i]);
        h_raw(h, "</span>");
    }
    if (n > ORG_CHIPS) {
        h_raw(h, "<span class=\"muted small\">+");
        h_int(h, (int64_t)(n - ORG_CHIPS));
        h_raw(h, " more</span>");
    }
}

void dt_organizations(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    int64_t total = d->successful + d->failed;
    h_raw(h, "<table id=\"t-orgs\"><caption>By sending organization</caption><thead><tr>"
             "<th scope=\"col\">Organization</th><th scope=\"col\" class=\"num\">Reports</th>"
             "<th scope=\"col\" class=\"num\">Sessions</th><th scope=\"col\" class=\"num\">"
             "Failed</th><th scope=\"col\" class=\"num\">Failure rate</th>"
             "<th scope=\"col\" class=\"num\">Last report</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown(d->n_by_organization); i++) {
        const struct tlsrpt_org_stats *o = &d->by_organization[i];
        int64_t sessions = o->successful + o->failed;
        h_raw(h, "<tr><th scope=\"row\">");
        h_text(h, o->organization);
        svg_meter(h, total > 0 ? (double)sessions / (double)total : 0, "accent");
        h_raw(h, "</th>");
        td_int(h, o->reports, "");
        td_int(h, sessions, "");
        td_int(h, o->failed, o->failed > 0 ? "fail" : "");
        h_raw(h, "<td class=\"num\">");
        h_rate(h, tlsrpt_failure_rate(o->successful, o->failed));
        h_raw(h, "</td>");
        td_date(h, o->last_seen);
        h_raw(h, "</tr>");
    }
    h_raw(h, "</tbody></table>");
    more_rows(h, d->n_by_organization);
}

void dt_result_types(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    int64_t total = 0;
    for (size_t i = 0; i < d->n_by_result_type; i++)
        total += d->by_result_type[i].sessions;
    h_raw(h, "<table id=\"t-rt\"><caption>Failures by result type</caption><thead><tr>"
             "<th scope=\"col\">Result type</th><th scope=\"col\" class=\"num\">Failed "
             "sessions</th><th scope=\"col\" class=\"num\">Share</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown(d->n_by_result_type); i++) {
        const struct tlsrpt_count *rt = &d->by_result_type[i];
        double share = total > 0 ? (double)rt->sessions / (double)total : 0;
        h_raw(h, "<tr><th scope=\"row\"><code>");
        h_text(h, rt->key);
        h_raw(h, "</code>");
        svg_meter(h, share, "fail");
        h_raw(h, "</th>");
        td_int(h, rt->sessions, "");
        h_raw(h, "<td class=\"num\">");
        h_rate(h, share);
        h_raw(h, "</td></tr>");
    }
    if (d->n_by_result_type == 0)
        h_raw(h, "<tr><td colspan=\"3\" class=\"muted\">No failures reported.</td></tr>");
    h_raw(h, "</tbody></table>");
    more_rows(h, d->n_by_result_type);
}

static void rt_chips(struct html *h, const struct tlsrpt_count *rts, size_t n)
{
    for (size_t k = 0; k < n && k < ORG_CHIPS; k++) {
        h_raw(h, "<span class=\"chip\"><code>");
        h_text(h, rts[k].key);
        h_raw(h, "</code> <b>");
        h_int(h, rts[k].sessions);
        h_raw(h, "</b></span>");
    }
    if (n > ORG_CHIPS) {
        h_raw(h, "<span class=\"muted small\">+");
        h_int(h, (int64_t)(n - ORG_CHIPS));
        h_raw(h, " more</span>");
    }
}

void dt_mx(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    h_raw(h, "<table id=\"t-mx\"><caption>Failures by receiving MX</caption><thead><tr>"
             "<th scope=\"col\">MX</th><th scope=\"col\">Kind</th><th scope=\"col\" class=\"num\">"
             "Failed sessions</th><th scope=\"col\">Result types</th><th scope=\"col\">Reported "
             "by</th><th scope=\"col\">In policy</th><th scope=\"col\" class=\"num\">First</th>"
             "<th scope=\"col\" class=\"num\">Last</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown(d->n_by_mx); i++) {
        const struct tlsrpt_mx_stats *m = &d->by_mx[i];
        h_raw(h, "<tr><th scope=\"row\" class=\"wrap\"><code>");
        h_text(h, m->mx);
        h_raw(h, "</code></th>");
        td_text(h, tlsrpt_mx_kind_name(m->kind), "muted");
        td_int(h, m->failed, m->failed > 0 ? "fail" : "");
        h_raw(h, "<td>");
        rt_chips(h, m->result_types, m->n_result_types);
        h_raw(h, "</td><td>");
        h_org_chips(h, m->organizations, m->n_organizations);
        h_printf(h, "</td><td>%s</td>",
                 m->matches_policy < 0    ? "<span class=\"muted\">\xE2\x80\x93</span>"
                 : m->matches_policy == 1 ? "yes"
                                          : "<strong>no</strong>");
        td_date(h, m->first_seen);
        td_date(h, m->last_seen);
        h_raw(h, "</tr>");
    }
    if (d->n_by_mx == 0)
        h_raw(h, "<tr><td colspan=\"8\" class=\"muted\">No failures reported.</td></tr>");
    h_raw(h, "</tbody></table>");
    more_rows(h, d->n_by_mx);
}

void dt_details(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    if (d->n_top_details == 0)
        return;
    h_raw(h, "<table id=\"t-details\"><caption>Top failure details</caption><thead><tr>"
             "<th scope=\"col\">Result type</th><th scope=\"col\">Sending MTA</th>"
             "<th scope=\"col\">Receiving MX</th><th scope=\"col\">Receiving IP</th>"
             "<th scope=\"col\">Reason code</th><th scope=\"col\" class=\"num\">Sessions</th>"
             "<th scope=\"col\">Reported by</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown(d->n_top_details); i++) {
        const struct tlsrpt_detail_stats *t = &d->top_details[i];
        h_raw(h, "<tr><th scope=\"row\"><code>");
        h_text(h, t->result_type);
        h_raw(h, "</code></th>");
        td_text(h, t->sending_mta_ip, "mono");
        td_text(h, t->receiving_mx_hostname, "mono wrap");
        td_text(h, t->receiving_ip, "mono");
        td_text(h, t->failure_reason_code, "wrap");
        td_int(h, t->sessions, "fail");
        h_raw(h, "<td>");
        h_org_chips(h, t->organizations, t->n_organizations);
        h_raw(h, "</td></tr>");
    }
    h_raw(h, "</tbody></table>");
    more_rows(h, d->n_top_details);
}

static void policy_orgs(struct html *h, const struct tlsrpt_policy_seen *p)
{
    for (size_t k = 0; k < p->n_organizations && k < WEB_MAX_TABLE_ROWS; k++) {
        const struct tlsrpt_policy_org *o = &p->organizations[k];
        h_raw(h, "<div class=\"small\"><span class=\"chip\">");
        h_text(h, o->organization);
        h_raw(h, "</span> ");
        h_int(h, o->reports);
        h_raw(h, o->reports == 1 ? " report, " : " reports, ");
        h_date(h, o->first_seen);
        h_raw(h, " \xE2\x80\x93 ");
        h_date(h, o->last_seen);
        h_raw(h, "</div>");
    }
}

void dt_policies(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    h_raw(h, "<table id=\"t-policies\"><caption>MTA-STS policies seen, and by whom</caption>"
             "<thead><tr><th scope=\"col\">Mode</th><th scope=\"col\" class=\"num\">max_age</th>"
             "<th scope=\"col\">MX patterns</th><th scope=\"col\" class=\"num\">Reports</th>"
             "<th scope=\"col\" class=\"num\">First</th><th scope=\"col\" class=\"num\">Last</th>"
             "<th scope=\"col\">Seen by</th></tr></thead><tbody>");
    for (size_t i = 0; i < shown(d->n_policies); i++) {
        const struct tlsrpt_policy_seen *p = &d->policies[i];
        h_printf(h, "<tr%s><th scope=\"row\"><code>", p->newest ? " class=\"newest\"" : "");
        h_text(h, p->mode != NULL ? p->mode : "(none)");
        h_raw(h, "</code>");
        if (p->newest)
            h_raw(h, " <span class=\"badge info\">newest</span>");
        h_raw(h, "</th><td class=\"num\">");
        if (p->max_age >= 0)
            h_int(h, p->max_age);
        else
            h_raw(h, "<span class=\"muted\">\xE2\x80\x93</span>");
        h_raw(h, "</td><td class=\"mono wrap\">");
        for (size_t k = 0; k < p->n_mx_patterns && k < WEB_MAX_TABLE_ROWS; k++) {
            h_raw(h, "<div>");
            h_text(h, p->mx_patterns[k]);
            h_raw(h, "</div>");
        }
        h_raw(h, "</td>");
        td_int(h, p->reports, "");
        td_date(h, p->first_seen);
        td_date(h, p->last_seen);
        h_raw(h, "<td>");
        policy_orgs(h, p);
        h_raw(h, "</td></tr>");
    }
    if (d->n_policies == 0)
        h_raw(h, "<tr><td colspan=\"7\" class=\"muted\">No MTA-STS policy in these "
                 "reports.</td></tr>");
    h_raw(h, "</tbody></table>");
    more_rows(h, d->n_policies);
}

void dt_dane(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    const struct tlsrpt_dane_stats *t = &d->dane;
    if (t->reports == 0)
        return;
    h_raw(h, "<table id=\"t-dane\"><caption>DANE (TLSA) entries</caption><thead><tr>"
             "<th scope=\"col\" class=\"num\">Reports</th><th scope=\"col\" class=\"num\">"
             "Successful</th><th scope=\"col\" class=\"num\">Failed</th><th scope=\"col\">Result "
             "types</th><th scope=\"col\">Reported by</th></tr></thead><tbody><tr>");
    td_int(h, t->reports, "");
    td_int(h, t->successful, "");
    td_int(h, t->failed, t->failed > 0 ? "fail" : "");
    h_raw(h, "<td>");
    rt_chips(h, t->result_types, t->n_result_types);
    h_raw(h, "</td><td>");
    h_org_chips(h, t->organizations, t->n_organizations);
    h_raw(h, "</td></tr></tbody></table>");
}

void dt_daily(struct html *h, const struct svg_day *days, size_t n)
{
    h_raw(h, "<details class=\"tbl\"><summary>The chart as a table</summary>"
             "<table id=\"t-days\"><thead><tr><th scope=\"col\">Day (UTC)</th>"
             "<th scope=\"col\" class=\"num\">Successful</th><th scope=\"col\" class=\"num\">"
             "Failed</th><th scope=\"col\" class=\"num\">Failure rate</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        h_raw(h, "<tr><th scope=\"row\">");
        h_date(h, days[i].day);
        h_raw(h, "</th>");
        td_int(h, days[i].successful, "");
        td_int(h, days[i].failed, days[i].failed > 0 ? "fail" : "");
        h_raw(h, "<td class=\"num\">");
        h_rate(h, tlsrpt_failure_rate(days[i].successful, days[i].failed));
        h_raw(h, "</td></tr>");
    }
    h_raw(h, "</tbody></table></details>");
}
