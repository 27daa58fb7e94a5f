/* domain_live.c - the "Live check" panel of the domain page: the newest stored tlsrpt-check result
 * (time, verdict, certificate expiry of the policy host and the MX hosts, findings with their
 * fixes). Everything that came from the check is escaped: it holds what remote servers said. */
#include "domain_tables.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Severity of a finding as a CSS class of our own: never the stored text itself. */
static const char *finding_class(const char *severity)
{
    if (strcmp(severity, "error") == 0)
        return "blocking";
    if (strcmp(severity, "warning") == 0)
        return "warning";
    return "info";
}

static void expiry_row(struct html *h, const char *what, const char *host, int64_t days)
{
    h_raw(h, "<tr><td>");
    h_text(h, what);
    h_raw(h, "</td><td><code>");
    h_text(h, host);
    h_raw(h, "</code></td><td class=\"num");
    if (days == INT64_MIN) {
        h_raw(h, " muted\">unknown</td></tr>");
        return;
    }
    h_raw(h, days < 0 ? " fail\">" : days <= 14 ? " warn\">" : "\">");
    h_int(h, days);
    h_raw(h, days == 1 || days == -1 ? " day" : " days");
    h_raw(h, days < 0 ? " (expired)</td></tr>" : "</td></tr>");
}

static void finding_item(struct html *h, const struct tlsrpt_live_finding *f)
{
    const char *cls = finding_class(f->severity);
    h_printf(h, "<li class=\"finding %s\"><span class=\"badge %s\">", cls, cls);
    h_text(h, f->severity);
    h_raw(h, "</span> <code class=\"muted\">");
    h_text(h, f->code);
    h_raw(h, "</code><p class=\"msg\">");
    h_text(h, f->message);
    h_raw(h, "</p><p class=\"action\">");
    h_text(h, f->fix);
    h_raw(h, "</p><p class=\"meta\"><code>");
    h_text(h, f->object);
    h_raw(h, "</code></p></li>");
}

void dt_live_check(struct html *h, const struct tlsrpt_domain_analysis *d)
{
    const struct tlsrpt_live_check *c = d->live_check;
    h_raw(h, "<section class=\"panel\" id=\"live-check\"><h2>Live check</h2>");
    if (c == NULL) {
        h_raw(h, "<p class=\"muted\">No live check stored for this domain: run <code>tlsrpt-check "
                 "--store ");
        h_text(h, d->domain);
        h_raw(h, "</code>.</p></section>");
        return;
    }
    h_raw(h, "<p class=\"sub\">Checked ");
    h_datetime(h, c->checked_at);
    if (c->age_days >= 0) {
        h_raw(h, " (");
        h_int(h, c->age_days);
        h_raw(h, c->age_days == 1 ? " day old)" : " days old)");
    }
    h_raw(h, ": verdict <code class=\"live-verdict\">");
    h_text(h, c->verdict);
    h_raw(h, "</code>; policy mode <code>");
    h_text(h, c->sts_mode != NULL ? c->sts_mode : "none fetched");
    h_raw(h, "</code>");
    if (c->sts_id != NULL) {
        h_raw(h, ", id <code>");
        h_text(h, c->sts_id);
        h_raw(h, "</code>");
    }
    h_raw(h, ".</p><table class=\"live-expiry\"><thead><tr><th>Certificate</th><th>Host</th>"
             "<th class=\"num\">Expires in</th></tr></thead><tbody>");
    char policy_host[300];
    snprintf(policy_host, sizeof policy_host, "mta-sts.%s", d->domain);
    expiry_row(h, "Policy host", policy_host, c->policy_cert_days);
    for (size_t i = 0; i < c->n_mx_certs; i++)
        expiry_row(h, "MX", c->mx_certs[i].host, c->mx_certs[i].days_left);
    if (c->n_mx_certs == 0)
        expiry_row(h, "MX", "no MX certificate seen", INT64_MIN);
    h_raw(h, "</tbody></table>");
    if (c->n_findings == 0)
        h_raw(h, "<p class=\"muted\">No findings.</p>");
    else {
        h_raw(h, "<ol class=\"findings\">");
        for (size_t i = 0; i < c->n_findings; i++)
            finding_item(h, &c->findings[i]);
        h_raw(h, "</ol>");
    }
    h_raw(h, "</section>");
}
