/* print_csv.c - one row per domain and organization for spreadsheets (RFC 4180: CRLF line ends,
 * fields with a comma, quote or line break quoted, quotes doubled). */
#include "print.h"

#include <string.h>
#include <time.h>

static void field(FILE *f, const char *s, bool last)
{
    if (s == NULL)
        s = "";
    if (strpbrk(s, ",\"\r\n") != NULL) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void number(FILE *f, int64_t v)
{
    fprintf(f, "%lld,", (long long)v);
}

static void rate(FILE *f, int64_t successful, int64_t failed)
{
    double r = tlsrpt_failure_rate(successful, failed);
    if (r >= 0)
        fprintf(f, "%.6f", r);
    fputc(',', f);
}

static void day(FILE *f, int64_t t, bool last)
{
    char buf[16] = "";
    struct tm tm;
    time_t tt = (time_t)t;
    if (t != 0 && gmtime_r(&tt, &tm) != NULL)
        strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    field(f, buf, last);
}

int tlsrpt_print_csv(FILE *f, const struct tlsrpt_analysis *a)
{
    fputs("domain,verdict,organization,reports,successful_sessions,failed_sessions,failure_rate,"
          "first_seen,last_seen\r\n",
          f);
    for (size_t i = 0; i < a->n_domains; i++) {
        const struct tlsrpt_domain_analysis *d = &a->domains[i];
        const char *verdict = tlsrpt_verdict_name(d->readiness.verdict);
        if (d->n_by_organization == 0) {
            field(f, d->domain, false);
            field(f, verdict, false);
            fputs(",0,0,0,,,\r\n", f);
        }
        for (size_t j = 0; j < d->n_by_organization; j++) {
            const struct tlsrpt_org_stats *s = &d->by_organization[j];
            field(f, d->domain, false);
            field(f, verdict, false);
            field(f, s->organization, false);
            number(f, s->reports);
            number(f, s->successful);
            number(f, s->failed);
            rate(f, s->successful, s->failed);
            day(f, s->first_seen, false);
            day(f, s->last_seen, true);
        }
    }
    return ferror(f) ? -1 : 0;
}
