/* print_text.c - the human output: a verdict line per domain first, then per domain its reasons as
 * sentences with the fix, and aligned tables of the figures. Within TLSRPT_TEXT_WIDTH columns. */
#include "print.h"
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_RED "\033[1;31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_CYAN "\033[36m"
#define REASON_INDENT 4 /* "  * " before a reason, its continuation lines line up after it */

struct out {
    FILE *f;
    bool color;
    int rc; /* -1 once a table failed */
};

static const char *sgr(const struct out *o, const char *code)
{
    return o->color ? code : "";
}

static const char *verdict_color(enum tlsrpt_verdict v)
{
    switch (v) {
    case TLSRPT_VERDICT_READY:
        return SGR_GREEN;
    case TLSRPT_VERDICT_NOT_READY:
        return SGR_RED;
    case TLSRPT_VERDICT_INSUFFICIENT_DATA:
        return SGR_YELLOW;
    case TLSRPT_VERDICT_ENFORCING:
        return SGR_CYAN;
    }
    return "";
}

static const char *verdict_words(enum tlsrpt_verdict v)
{
    switch (v) {
    case TLSRPT_VERDICT_READY:
        return "ready for mode: enforce";
    case TLSRPT_VERDICT_NOT_READY:
        return "NOT ready for mode: enforce";
    case TLSRPT_VERDICT_INSUFFICIENT_DATA:
        return "not enough data for a verdict";
    case TLSRPT_VERDICT_ENFORCING:
        return "enforcing (mode: enforce)";
    }
    return "unknown";
}

/* "2026-10-03" without gmtime/strftime (called for every table row): the civil-from-days
 * algorithm of H. Hinnant, exact for the proleptic Gregorian calendar. */
static void day_text(int64_t t, char buf[16])
{
    if (t == 0) {
        strcpy(buf, "-");
        return;
    }
    int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    if (y < 0 || y > 9999) {
        strcpy(buf, "?");
        return;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

static void time_text(int64_t t, char buf[24])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 24, "%Y-%m-%d %H:%M", &tm) == 0)
        strcpy(buf, "?");
}

static void rate_text(int64_t successful, int64_t failed, char buf[16])
{
    double r = tlsrpt_failure_rate(successful, failed);
    if (r < 0)
        strcpy(buf, "-");
    else if (r > 0 && r < 0.0001)
        strcpy(buf, "<0.01%"); /* not 0.00%: there were failures */
    else
        snprintf(buf, 16, "%.2f%%", r * 100.0);
}

/* Prints text word-wrapped: the first line after `first` (already counted in `col`), the rest
 * indented by `indent`. */
static void wrap(struct out *o, const char *text, size_t col, size_t indent)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p) {
        /* The longest run of words that fits (at least one word), written at once. */
        const char *end = p, *fit = NULL;
        size_t room = TLSRPT_TEXT_WIDTH > col ? TLSRPT_TEXT_WIDTH - col : 0;
        for (;;) {
            const char *w = end;
            while (*w && *w != ' ')
                w++;
            if (fit != NULL && (size_t)(w - p) > room)
                break;
            fit = end = w;
            if (*w == '\0')
                break;
            end = w + 1;
        }
        fwrite(p, 1, (size_t)(fit - p), o->f);
        p = fit;
        while (*p == ' ')
            p++;
        if (*p) {
            fputc('\n', o->f);
            put_spaces(o->f, indent);
            col = indent;
        }
    }
    fputc('\n', o->f);
}

static void print_table(struct out *o, struct table *t, const char *title)
{
    fprintf(o->f, "\n  %s%s%s\n", sgr(o, SGR_BOLD), title, sgr(o, SGR_RESET));
    if (table_print(t, o->f, REASON_INDENT, TLSRPT_TEXT_WIDTH) != 0)
        o->rc = -1;
    table_free(t);
}

/* What moved the verdict, shortest first-glance form: "mx2.example.com: certificate-expired (+2)",
 * else the reason code. */
static void main_reason(const struct tlsrpt_domain_analysis *d, char *buf, size_t len)
{
    const struct tlsrpt_readiness *r = &d->readiness;
    size_t weighty = 0;
    for (size_t i = 0; i < r->n_reasons; i++)
        if (r->reasons[i].severity <= TLSRPT_SEV_INSUFFICIENT)
            weighty++;
    if (weighty == 0) {
        snprintf(buf, len, "-");
        return;
    }
    const struct tlsrpt_reason *x = &r->reasons[0];
    int n;
    if (x->mx != NULL)
        n = snprintf(buf, len, "%s: %s", x->mx, x->result_type ? x->result_type : x->code);
    else
        n = snprintf(buf, len, "%s", x->code);
    if (weighty > 1 && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (+%zu)", weighty - 1);
}

static void print_summary(struct out *o, const struct tlsrpt_analysis *a)
{
    char since[24], until[24];
    struct table t;
    time_text(a->since, since);
    time_text(a->until, until);
    fprintf(o->f, "%sTLS-RPT readiness for MTA-STS enforce%s, %s to %s UTC, %zu domain%s\n\n",
            sgr(o, SGR_BOLD), sgr(o, SGR_RESET), since, until, a->n_domains,
            a->n_domains == 1 ? "" : "s");
    if (a->n_domains == 0) {
        fputs("  No report in the window. Check --since/--until, --db and that reports arrive.\n",
              o->f);
        return;
    }
    table_init(&t);
    table_col(&t, "DOMAIN", false);
    table_col(&t, "VERDICT", false);
    table_col(&t, "FAIL RATE", true);
    table_col(&t, "MAIN REASON", false);
    for (size_t i = 0; i < a->n_domains; i++) {
        const struct tlsrpt_domain_analysis *d = &a->domains[i];
        char rate[16], reason[256];
        rate_text(d->successful, d->failed, rate);
        main_reason(d, reason, sizeof reason);
        table_cell(&t, "%s", d->domain);
        table_cell(&t, "%s%s%s", sgr(o, verdict_color(d->readiness.verdict)),
                   tlsrpt_verdict_name(d->readiness.verdict), sgr(o, SGR_RESET));
        table_cell(&t, "%s", rate);
        table_cell(&t, "%s", reason);
    }
    if (table_print(&t, o->f, 2, TLSRPT_TEXT_WIDTH) != 0)
        o->rc = -1;
    table_free(&t);
}

static const char *severity_title(enum tlsrpt_severity s, bool enforcing)
{
    switch (s) {
    case TLSRPT_SEV_BLOCKING:
        return enforcing ? "Refused under enforce" : "Blocking enforce";
    case TLSRPT_SEV_INSUFFICIENT:
        return "Not enough data";
    case TLSRPT_SEV_WARNING:
        return "Warnings";
    case TLSRPT_SEV_INFO:
        return "Notes";
    }
    return "";
}

static void print_reasons(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    const struct tlsrpt_readiness *r = &d->readiness;
    bool enforcing = r->verdict == TLSRPT_VERDICT_ENFORCING;
    int shown = -1;
    if (enforcing && (r->n_reasons == 0 || r->reasons[0].severity != TLSRPT_SEV_BLOCKING))
        fputs("\n  Nothing was refused under enforce in the window.\n", o->f);
    for (size_t i = 0; i < r->n_reasons; i++) {
        const struct tlsrpt_reason *x = &r->reasons[i];
        if ((int)x->severity != shown) {
            fprintf(o->f, "\n  %s%s%s\n", sgr(o, SGR_BOLD), severity_title(x->severity, enforcing),
                    sgr(o, SGR_RESET));
            shown = (int)x->severity;
        }
        fputs("  * ", o->f);
        wrap(o, x->message ? x->message : x->code, REASON_INDENT, REASON_INDENT);
        if (x->action != NULL) {
            fprintf(o->f, "%*s%sFix:%s", REASON_INDENT, "", sgr(o, SGR_BOLD), sgr(o, SGR_RESET));
            fputc(' ', o->f);
            wrap(o, x->action, REASON_INDENT + 5, REASON_INDENT);
        }
    }
}

static void print_overview(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    char first[16], last[16], rate[16], sts_rate[16];
    day_text(d->first_seen, first);
    day_text(d->last_seen, last);
    rate_text(d->successful, d->failed, rate);
    rate_text(d->sts.successful, d->sts.failed, sts_rate);
    fprintf(
        o->f,
        "\n  %lld report%s from %lld organization%s (%lld reporter%s) on %lld day%s, %s to %s\n",
        (long long)d->reports, d->reports == 1 ? "" : "s", (long long)d->organizations,
        d->organizations == 1 ? "" : "s", (long long)d->reporters, d->reporters == 1 ? "" : "s",
        (long long)d->days_with_reports, d->days_with_reports == 1 ? "" : "s", first, last);
    fprintf(o->f, "  Sessions: %lld successful, %lld failed (%s)\n", (long long)d->successful,
            (long long)d->failed, rate);
    fprintf(
        o->f,
        "  MTA-STS:  %lld successful, %lld failed (%s) in %lld report%s on %lld day%s from %lld "
        "organization%s\n",
        (long long)d->sts.successful, (long long)d->sts.failed, sts_rate, (long long)d->sts.reports,
        d->sts.reports == 1 ? "" : "s", (long long)d->sts_days, d->sts_days == 1 ? "" : "s",
        (long long)d->sts_organizations, d->sts_organizations == 1 ? "" : "s");
    if (d->no_policy.reports > 0)
        fprintf(o->f, "  No policy found: %lld successful, %lld failed in %lld reports\n",
                (long long)d->no_policy.successful, (long long)d->no_policy.failed,
                (long long)d->no_policy.reports);
}

static void print_orgs(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    struct table t;
    if (d->n_by_organization == 0)
        return;
    table_init(&t);
    table_col(&t, "ORGANIZATION", false);
    table_col(&t, "REPORTS", true);
    table_col(&t, "SUCCESSFUL", true);
    table_col(&t, "FAILED", true);
    table_col(&t, "RATE", true);
    table_col(&t, "FIRST SEEN", false);
    table_col(&t, "LAST SEEN", false);
    for (size_t i = 0; i < d->n_by_organization; i++) {
        const struct tlsrpt_org_stats *s = &d->by_organization[i];
        char rate[16], first[16], last[16];
        rate_text(s->successful, s->failed, rate);
        day_text(s->first_seen, first);
        day_text(s->last_seen, last);
        table_cell(&t, "%s", s->organization);
        table_num(&t, s->reports);
        table_num(&t, s->successful);
        table_num(&t, s->failed);
        table_cell(&t, "%s", rate);
        table_cell(&t, "%s", first);
        table_cell(&t, "%s", last);
    }
    print_table(o, &t, "By sending organization");
}

/* "a 3, b 1" into a malloc'd string (NULL when out of memory). */
static char *join_counts(const struct tlsrpt_count *c, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);
    if (m == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(m, "%s%s %lld", i ? ", " : "", c[i].key, (long long)c[i].sessions);
    if (fclose(m) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static char *join_names(const char *const *v, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);
    if (m == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(m, "%s%s", i ? ", " : "", v[i]);
    if (fclose(m) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* One row per MX with its total, then one indented row per result type. */
static void print_mx(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    struct table t;
    if (d->n_by_mx == 0)
        return;
    table_init(&t);
    table_col(&t, "RECEIVING MX / RESULT TYPE", false);
    table_col(&t, "FAILED", true);
    table_col(&t, "IN POLICY", false);
    table_col(&t, "FIRST SEEN", false);
    table_col(&t, "LAST SEEN", false);
    table_col(&t, "REPORTED BY", false);
    for (size_t i = 0; i < d->n_by_mx; i++) {
        const struct tlsrpt_mx_stats *s = &d->by_mx[i];
        char first[16], last[16];
        char *orgs = join_names(s->organizations, s->n_organizations);
        day_text(s->first_seen, first);
        day_text(s->last_seen, last);
        table_cell(&t, "%s", s->mx);
        table_num(&t, s->failed);
        table_cell(&t, "%s", s->matches_policy < 0 ? "-" : s->matches_policy ? "yes" : "NO");
        table_cell(&t, "%s", first);
        table_cell(&t, "%s", last);
        table_cell(&t, "%s", orgs ? orgs : "?");
        free(orgs);
        for (size_t j = 0; j < s->n_result_types; j++) {
            table_cell(&t, "  %s", s->result_types[j].key);
            table_num(&t, s->result_types[j].sessions);
            for (int k = 0; k < 4; k++)
                table_cell(&t, "%s", "");
        }
    }
    print_table(o, &t, "By receiving MX (from failure details)");
}

static void print_result_types(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    struct table t;
    if (d->n_by_result_type == 0)
        return;
    table_init(&t);
    table_col(&t, "RESULT TYPE", false);
    table_col(&t, "SESSIONS", true);
    for (size_t i = 0; i < d->n_by_result_type; i++) {
        table_cell(&t, "%s", d->by_result_type[i].key);
        table_num(&t, d->by_result_type[i].sessions);
    }
    print_table(o, &t, "By result type");
}

static void print_details(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    struct table t;
    if (d->n_top_details == 0)
        return;
    table_init(&t);
    table_col(&t, "SESSIONS", true);
    table_col(&t, "RESULT TYPE", false);
    table_col(&t, "RECEIVING MX", false);
    table_col(&t, "RECEIVING IP", false);
    table_col(&t, "SENDING MTA", false);
    for (size_t i = 0; i < d->n_top_details; i++) {
        const struct tlsrpt_detail_stats *s = &d->top_details[i];
        table_num(&t, s->sessions);
        table_cell(&t, "%s", s->result_type);
        table_cell(&t, "%s", s->receiving_mx_hostname ? s->receiving_mx_hostname : "-");
        table_cell(&t, "%s", s->receiving_ip ? s->receiving_ip : "-");
        table_cell(&t, "%s", s->sending_mta_ip ? s->sending_mta_ip : "-");
        if (s->failure_reason_code != NULL)
            table_note(&t, "reason: %s", s->failure_reason_code);
    }
    print_table(o, &t, "Top failure details");
}

static void print_daily(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    struct table t;
    if (d->n_daily == 0)
        return;
    table_init(&t);
    table_col(&t, "DATE", false);
    table_col(&t, "REPORTS", true);
    table_col(&t, "SUCCESSFUL", true);
    table_col(&t, "FAILED", true);
    for (size_t i = 0; i < d->n_daily; i++) {
        const struct tlsrpt_day_stats *s = &d->daily[i];
        char day[16];
        day_text(s->day, day);
        table_cell(&t, "%s", day);
        table_num(&t, s->reports);
        table_num(&t, s->successful);
        table_num(&t, s->failed);
    }
    print_table(o, &t, "Daily");
}

/* A block per distinct policy: its lines, then who saw it and when (RFC 8461 §8.1 caching). */
static void print_policies(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    if (d->n_policies == 0)
        return;
    fprintf(o->f, "\n  %sMTA-STS policies seen (oldest first)%s\n", sgr(o, SGR_BOLD),
            sgr(o, SGR_RESET));
    for (size_t i = 0; i < d->n_policies; i++) {
        const struct tlsrpt_policy_seen *s = &d->policies[i];
        char first[16], last[16], age[32] = "-";
        char *pats = join_names(s->mx_patterns, s->n_mx_patterns);
        char *line = NULL;
        day_text(s->first_seen, first);
        day_text(s->last_seen, last);
        if (s->max_age >= 0)
            snprintf(age, sizeof age, "%lld", (long long)s->max_age);
        fprintf(o->f, "  * mode %s, max_age %s%s: %lld report%s, %s to %s\n",
                s->mode ? s->mode : "-", age, s->newest ? " (newest)" : "", (long long)s->reports,
                s->reports == 1 ? "" : "s", first, last);
        if (asprintf(&line, "mx: %s", pats && *pats ? pats : "(none)") >= 0) {
            fprintf(o->f, "%*s", REASON_INDENT, "");
            wrap(o, line, REASON_INDENT, REASON_INDENT + 4);
            free(line);
        } else {
            o->rc = -1;
        }
        free(pats);
        char *seen = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&seen, &len);
        if (m == NULL) {
            o->rc = -1;
            continue;
        }
        fputs("seen by:", m);
        for (size_t j = 0; j < s->n_organizations; j++) {
            const struct tlsrpt_policy_org *po = &s->organizations[j];
            day_text(po->first_seen, first);
            day_text(po->last_seen, last);
            fprintf(m, " %s (%s to %s)%s", po->organization, first, last,
                    j + 1 < s->n_organizations ? "," : "");
        }
        if (fclose(m) != 0) {
            free(seen);
            o->rc = -1;
            continue;
        }
        fprintf(o->f, "%*s", REASON_INDENT, "");
        wrap(o, seen, REASON_INDENT, REASON_INDENT + 4);
        free(seen);
    }
}

static void print_dane(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    const struct tlsrpt_dane_stats *s = &d->dane;
    char rate[16];
    if (s->reports == 0)
        return;
    rate_text(s->successful, s->failed, rate);
    char *orgs = join_names(s->organizations, s->n_organizations);
    char *types = join_counts(s->result_types, s->n_result_types);
    fprintf(o->f, "\n  %sDANE (tlsa entries; not part of the MTA-STS verdict)%s\n",
            sgr(o, SGR_BOLD), sgr(o, SGR_RESET));
    fprintf(o->f, "%*s", REASON_INDENT, "");
    char *line = NULL;
    if (asprintf(&line, "%lld reports from %s: %lld successful, %lld failed (%s)%s%s.",
                 (long long)s->reports, orgs ? orgs : "?", (long long)s->successful,
                 (long long)s->failed, rate, types && *types ? "; " : "",
                 types ? types : "") >= 0) {
        wrap(o, line, REASON_INDENT, REASON_INDENT);
        free(line);
    } else {
        o->rc = -1;
    }
    free(orgs);
    free(types);
}

static void print_domain(struct out *o, const struct tlsrpt_domain_analysis *d)
{
    enum tlsrpt_verdict v = d->readiness.verdict;
    fprintf(o->f, "\n%s%s%s: %s%s%s\n", sgr(o, SGR_BOLD), d->domain, sgr(o, SGR_RESET),
            sgr(o, verdict_color(v)), verdict_words(v), sgr(o, SGR_RESET));
    if (d->reports == 0) {
        fputs("  No report for this domain in the window.\n", o->f);
        print_reasons(o, d);
        return;
    }
    print_reasons(o, d);
    print_overview(o, d);
    print_orgs(o, d);
    print_mx(o, d);
    print_result_types(o, d);
    print_details(o, d);
    print_policies(o, d);
    print_daily(o, d);
    print_dane(o, d);
}

int tlsrpt_print_text(FILE *f, const struct tlsrpt_analysis *a, bool color)
{
    struct out o = {.f = f, .color = color, .rc = 0};
    print_summary(&o, a);
    for (size_t i = 0; i < a->n_domains; i++)
        print_domain(&o, &a->domains[i]);
    if (ferror(f))
        return -1;
    return o.rc;
}
