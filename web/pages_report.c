/* pages_report.c - "/report?id=N": one report as stored (normalised fields, the normalisations the
 * parser applied, its policies and failure details), where it came from (every arrival), and the
 * original JSON pretty-printed from the raw input kept in the database. */
#include "decode.h"
#include "queries.h"
#include "report.h"
#include "web.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* What each normalisation means, for people (report.h has the same in comments). */
static const char *const flag_help[TLSRPT_F_COUNT] = {
    "a date-time without Z or offset, read as UTC",
    "a date-time with a non-Z offset, converted to UTC",
    "fractional seconds dropped",
    "the end was given as 23:59:59 (inclusive) and moved to the next second",
    "the date range is not exactly one UTC day",
    "contact-info null or missing",
    "organization-name null or missing",
    "mx-host given as a single string instead of an array",
    "mx-host entries prefixed \"mx: \"",
    "an sts policy without mx-host",
    "policy-string missing or empty",
    "the TLSA list came as JSON inside a string",
    "failure-details missing although sessions failed",
    "a failure-details field was null or \"\" (treated as missing)",
    "additional-info-uri / failure-error-code accepted as aliases",
    "failed-session-counts do not add up to total-failure-session-count",
    "a result-type outside RFC 8460, kept as sent",
    "a policy-type outside sts/tlsa/no-policy-found, kept as sent",
    "policy-domain missing, taken from the TLS-Report-Domain header",
    "policy-domain or MX names lower-cased or a trailing dot removed",
    "policy-string given as one string instead of an array",
};

static void field(struct html *h, const char *name, const char *value)
{
    h_printf(h, "<dt>%s</dt><dd>", name);
    if (value != NULL)
        h_text(h, value);
    else
        h_raw(h, "<span class=\"muted\">(missing)</span>");
    h_raw(h, "</dd>");
}

/* A link only for a URL with a harmless scheme; anything else is text. */
static void maybe_link(struct html *h, const char *url)
{
    if (!html_url_is_safe_link(url)) {
        h_text(h, url);
        return;
    }
    h_raw(h, "<a rel=\"nofollow noopener noreferrer\" href=\"");
    h_attr(h, url);
    h_raw(h, "\">");
    h_text(h, url);
    h_raw(h, "</a>");
}

static void fields(struct html *h, const struct web_ctx *c, const struct wq_report *r)
{
    h_raw(h,
          "<section class=\"panel\" id=\"fields\"><h2>Normalised fields</h2><dl class=\"fields\">");
    field(h, "Organization", r->organization);
    h_raw(h, "<dt>Contact</dt><dd>");
    if (r->contact_info != NULL)
        maybe_link(h, r->contact_info);
    else
        h_raw(h, "<span class=\"muted\">(missing)</span>");
    h_raw(h, "</dd>");
    field(h, "Report ID", r->report_id);
    h_raw(h, "<dt>Reporter</dt><dd><a href=\"/reports?reporter=");
    h_url_param(h, r->reporter);
    h_raw(h, "&amp;");
    h_window_query(h, &c->p);
    h_raw(h, "\">");
    h_text(h, r->reporter);
    h_raw(h, "</a></dd><dt>Range (UTC, end excluded)</dt><dd>");
    h_datetime(h, r->start_time);
    h_raw(h, " \xE2\x80\x93 ");
    h_datetime(h, r->end_time);
    h_raw(h, "</dd><dt>Range as sent</dt><dd class=\"mono\">");
    h_text(h, r->start_raw);
    h_raw(h, " \xE2\x80\x93 ");
    h_text(h, r->end_raw);
    h_raw(h, "</dd><dt>Imported</dt><dd>");
    h_datetime(h, r->imported_at);
    h_raw(h, "</dd><dt>Resends</dt><dd>");
    h_int(h, r->duplicates);
    h_printf(h,
             "</dd><dt>Database</dt><dd class=\"muted\">report %lld, raw input %lld</dd></dl>"
             "</section>",
             (long long)r->id, (long long)r->raw_id);
}

static void normalisations(struct html *h, int64_t flags)
{
    h_raw(h, "<section class=\"panel\" id=\"flags\"><h2>Normalisations applied</h2>");
    if ((flags & ((1LL << TLSRPT_F_COUNT) - 1)) == 0) {
        h_raw(h, "<p class=\"muted\">None: the report follows RFC 8460 as written.</p></section>");
        return;
    }
    h_raw(h, "<ul>");
    for (unsigned b = 0; b < TLSRPT_F_COUNT; b++) {
        if (((flags >> b) & 1) == 0)
            continue;
        h_raw(h, "<li><code>");
        h_text(h, tlsrpt_flag_name(b));
        h_raw(h, "</code> \xE2\x80\x94 ");
        h_text(h, flag_help[b]);
        h_raw(h, "</li>");
    }
    h_raw(h, "</ul></section>");
}

/* A JSON array of strings from the database, one per line. */
static void string_list(struct html *h, const char *json)
{
    json_t *arr = json != NULL ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    if (json_array_size(arr) == 0)
        h_raw(h, "<span class=\"muted\">(none)</span>");
    json_array_foreach(arr, i, v)
    {
        if (i >= WEB_MAX_TABLE_ROWS)
            break;
        h_raw(h, "<div class=\"mono\">");
        h_text(h, json_is_string(v) ? json_string_value(v) : "(not a string)");
        h_raw(h, "</div>");
    }
    json_decref(arr);
}

static void td(struct html *h, const char *s, const char *cls)
{
    h_printf(h, "<td class=\"%s\">", cls);
    if (s != NULL)
        h_text(h, s);
    h_raw(h, "</td>");
}

static int details(struct html *h, const struct web_ctx *c, int64_t policy_id,
                   struct tlsrpt_error *err)
{
    struct wq_cursor cur = {0};
    struct wq_detail_row d;
    int rc = wq_details_open(c->db, policy_id, &cur, err), n = 0;
    if (rc != 0)
        return rc;
    while ((rc = wq_details_next(&cur, &d, err)) == 1) {
        if (n++ == 0)
            h_raw(h, "<table class=\"details\"><caption>Failure details</caption><thead><tr>"
                     "<th>Result type</th><th>Sending MTA</th><th>Receiving MX</th><th>HELO</th>"
                     "<th>Receiving IP</th><th class=\"num\">Sessions</th><th>Reason code</th>"
                     "<th>Additional information</th></tr></thead><tbody>");
        if (n > WEB_MAX_TABLE_ROWS)
            continue;
        h_raw(h, "<tr>");
        td(h, d.result_type, "mono");
        td(h, d.sending_mta_ip, "mono");
        td(h, d.receiving_mx_hostname, "mono wrap");
        td(h, d.receiving_mx_helo, "mono wrap");
        td(h, d.receiving_ip, "mono");
        h_raw(h, "<td class=\"num fail\">");
        h_int(h, d.failed_session_count);
        h_raw(h, "</td>");
        td(h, d.failure_reason_code, "wrap");
        h_raw(h, "<td class=\"wrap\">");
        if (d.additional_information != NULL)
            maybe_link(h, d.additional_information);
        h_raw(h, "</td></tr>");
    }
    wq_close(&cur);
    if (n > 0)
        h_raw(h, "</tbody></table>");
    if (n > WEB_MAX_TABLE_ROWS)
        h_printf(h, "<p class=\"more\">%d more rows in the original JSON below.</p>",
                 n - WEB_MAX_TABLE_ROWS);
    return rc;
}

static void policy_head(struct html *h, const struct web_ctx *c, const struct wq_policy_row *p)
{
    h_raw(h, "<section class=\"panel policy\"><h2><code>");
    h_text(h, p->type);
    h_raw(h, "</code> for ");
    h_domain_link(h, &c->p, p->domain);
    h_raw(h, "</h2><dl class=\"fields\"><dt>Sessions</dt><dd>");
    h_int(h, p->successful);
    h_raw(h, " successful, ");
    h_int(h, p->failed);
    h_raw(h, " failed</dd>");
    field(h, "Mode", p->mode);
    h_raw(h, "<dt>max_age</dt><dd>");
    if (p->max_age >= 0)
        h_int(h, p->max_age);
    else
        h_raw(h, "<span class=\"muted\">(missing)</span>");
    h_raw(h, "</dd><dt>MX patterns</dt><dd>");
    string_list(h, p->patterns_json);
    h_raw(h, "</dd><dt>mx-host</dt><dd>");
    string_list(h, p->mx_hosts_json);
    h_raw(h, "</dd><dt>policy-string</dt><dd>");
    string_list(h, p->strings_json);
    h_raw(h, "</dd></dl>");
}

static int policies(struct html *h, const struct web_ctx *c, int64_t report_id,
                    struct tlsrpt_error *err)
{
    struct wq_cursor cur = {0};
    struct wq_policy_row p;
    int rc = wq_policies_open(c->db, report_id, &cur, err);
    if (rc != 0)
        return rc;
    /* Details need their own statement while this one is open: SQLite allows that. */
    while ((rc = wq_policies_next(&cur, &p, err)) == 1) {
        policy_head(h, c, &p);
        rc = details(h, c, p.id, err);
        h_raw(h, "</section>");
        if (rc != 0)
            break;
    }
    wq_close(&cur);
    return rc;
}

static void meta_lines(struct html *h, const char *json)
{
    json_t *obj = json != NULL ? json_loads(json, 0, NULL) : NULL;
    const char *key;
    json_t *v;
    if (!json_is_object(obj)) {
        if (json != NULL)
            h_text(h, json);
        json_decref(obj);
        return;
    }
    json_object_foreach(obj, key, v)
    {
        h_raw(h, "<div class=\"small\"><span class=\"muted\">");
        h_text(h, key);
        h_raw(h, ":</span> ");
        char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        h_text(h, s != NULL ? s : json_string_value(v));
        free(s);
        h_raw(h, "</div>");
    }
    json_decref(obj);
}

static int receipts(struct html *h, const struct web_ctx *c, int64_t raw_id,
                    struct tlsrpt_error *err)
{
    struct wq_cursor cur = {0};
    struct wq_receipt_row rr;
    int rc = wq_receipts_open(c->db, raw_id, &cur, err), n = 0;
    if (rc != 0)
        return rc;
    h_raw(h, "<section class=\"panel\" id=\"origin\"><table><caption>Where it came from"
             "</caption><thead><tr><th>Received</th><th>Source</th><th>Reference</th>"
             "<th>Outcome</th><th>Details</th></tr></thead><tbody>");
    while ((rc = wq_receipts_next(&cur, &rr, err)) == 1) {
        if (++n > WEB_MAX_TABLE_ROWS)
            continue;
        h_raw(h, "<tr><td class=\"num\">");
        h_datetime(h, rr.received_at);
        h_raw(h, "</td>");
        td(h, rr.kind, "");
        td(h, rr.reference, "mono wrap");
        td(h, rr.outcome, "");
        h_raw(h, "<td>");
        meta_lines(h, rr.meta_json);
        h_raw(h, "</td></tr>");
    }
    wq_close(&cur);
    h_raw(h, "</tbody></table></section>");
    return rc;
}

/* The raw input decoded (gzip/zip/JSON) and pretty-printed; what cannot be shown says why. */
static int original(struct html *h, const struct web_ctx *c, int64_t raw_id,
                    struct tlsrpt_error *err)
{
    struct tlsrpt_buf raw, text;
    char format[32];
    tlsrpt_buf_init(&raw, c->settings->max_raw_bytes);
    tlsrpt_buf_init(&text, c->settings->max_raw_bytes);
    h_raw(h, "<section class=\"panel\" id=\"original\"><h2>Original JSON</h2>");
    int rc =
        wq_raw_bytes(c->db, raw_id, c->settings->max_raw_bytes, &raw, format, sizeof format, err);
    struct tlsrpt_decode_limits lim;
    tlsrpt_decode_limits_default(&lim);
    lim.max_decompressed = c->settings->max_raw_bytes;
    if (rc == 0)
        rc = tlsrpt_decode(raw.data, raw.len, &lim, &text, NULL, err);
    if (rc == 0) {
        json_t *doc = json_loadb((const char *)text.data, text.len, 0, NULL);
        char *pretty = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        h_raw(h, "<p class=\"muted small\">Received as ");
        h_text(h, format);
        h_raw(h, ", ");
        h_int(h, (int64_t)raw.len);
        h_raw(h, " bytes.</p><pre class=\"json\"><code>");
        h_text(h, pretty != NULL ? pretty : (const char *)text.data);
        h_raw(h, "</code></pre>");
        free(pretty);
        json_decref(doc);
    } else if (rc != TLSRPT_E_DB) {
        h_raw(h, "<p class=\"muted\">Cannot show it: ");
        h_text(h, err->message);
        h_raw(h, "</p>");
        rc = 0;
    }
    h_raw(h, "</section>");
    tlsrpt_buf_free(&raw);
    tlsrpt_buf_free(&text);
    return rc;
}

int web_page_report(const struct web_ctx *c, struct web_reply *r)
{
    struct wq_cursor cur = {0};
    struct wq_report rep;
    struct tlsrpt_error err = {0};
    struct html *h = &r->body;
    if (c->p.report_id <= 0) {
        page_error(r, c, 400, "Which report? Add ?id=N, or pick one in the report list.");
        return 0;
    }
    int rc = wq_report_get(c->db, c->p.report_id, &cur, &rep, &err);
    if (rc == 0) {
        wq_close(&cur);
        page_error(r, c, 404, "There is no report with this id.");
        return 0;
    }
    if (rc == 1) {
        page_begin(h, c, rep.report_id, NULL);
        h_raw(h, "<h1>Report <code class=\"wrap\">");
        h_text(h, rep.report_id);
        h_raw(h, "</code></h1><p class=\"sub\">from ");
        h_text(h, rep.organization != NULL ? rep.organization : rep.reporter);
        h_raw(h, ", ");
        h_date(h, rep.start_time);
        h_raw(h, "</p>");
        fields(h, c, &rep);
        normalisations(h, rep.flags);
        rc = policies(h, c, rep.id, &err);
        if (rc == 0)
            rc = receipts(h, c, rep.raw_id, &err);
        if (rc == 0)
            rc = original(h, c, rep.raw_id, &err);
        page_end(h, c);
    }
    wq_close(&cur);
    if (rc != 0)
        page_error(r, c, 503, err.message);
    else
        r->status = 200;
    return 0;
}
