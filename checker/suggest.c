/* suggest.c - records and policy for a domain starting out (suggest.h). */
#include "suggest.h"

#include "check_internal.h"
#include "policy_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tlsrpt_suggest_id(time_t now, char out[16])
{
    struct tm tm;
    /* 15 letters and digits: valid as sts-id, and it sorts by time */
    if (gmtime_r(&now, &tm) == NULL || strftime(out, 16, "%Y%m%dT%H%M%S", &tm) == 0)
        snprintf(out, 16, "%llu", (unsigned long long)now % 100000000000000ULL);
}

char *tlsrpt_suggest_policy(const char *const *mx, size_t n)
{
    size_t cap = 128;
    for (size_t i = 0; i < n; i++)
        cap += strlen(mx[i]) + 6;
    char *s = malloc(cap);
    if (s == NULL)
        return NULL;
    size_t len = (size_t)snprintf(s, cap, "version: STSv1\nmode: testing\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "mx: %s\n", mx[i]);
    snprintf(s + len, cap - len, "max_age: %d\n", TLSRPT_POLICY_MAX_AGE_TESTING);
    return s;
}

/* MX hosts by preference (stable), duplicates removed. */
static size_t mx_hosts(const struct tlsrpt_dns_query *q, const char **out, size_t cap)
{
    unsigned pref[TLSRPT_DNS_ITEMS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < q->n_items && n < cap; i++) {
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(out[k], q->items[i]) == 0;
        if (dup)
            continue;
        size_t k = n++;
        while (k > 0 && pref[k - 1] > q->prefs[i]) {
            out[k] = out[k - 1];
            pref[k] = pref[k - 1];
            k--;
        }
        out[k] = q->items[i];
        pref[k] = q->prefs[i];
    }
    return n;
}

static json_t *build(const char *domain, time_t now, const char *const *mx, size_t n)
{
    char id[16], sts[64], rpt[300];
    tlsrpt_suggest_id(now, id);
    snprintf(sts, sizeof sts, "v=STSv1; id=%s;", id);
    snprintf(rpt, sizeof rpt, "v=TLSRPTv1; rua=mailto:%s@%s", TLSRPT_SUGGEST_RUA_LOCALPART, domain);
    char *policy = tlsrpt_suggest_policy(mx, n);
    if (policy == NULL)
        return NULL;
    json_t *mxa = json_array();
    for (size_t i = 0; mxa != NULL && i < n; i++)
        json_array_append_new(mxa, json_string(mx[i]));
    char url[300];
    snprintf(url, sizeof url, "https://mta-sts.%s/.well-known/mta-sts.txt", domain);
    json_t *o = json_pack("{s:s, s:{s:s+, s:s}, s:{s:s+, s:s, s:b}, s:s, s:s, s:o}", "domain",
                          domain, "mta_sts_record", "name", "_mta-sts.", domain, "value", sts,
                          "tlsrpt_record", "name", "_smtp._tls.", domain, "value", rpt,
                          "rua_is_placeholder", 1, "policy_url", url, "policy", policy, "mx", mxa);
    free(policy);
    return o;
}

int tlsrpt_check_suggest(struct tlsrpt_checker *c, const char *domain, time_t now, json_t **out,
                         struct tlsrpt_error *err)
{
    struct tlsrpt_dns_query q;
    const char *mx[TLSRPT_DNS_ITEMS_MAX];
    int rc;

    *out = NULL;
    tlsrpt_dns_query_init(&q, domain, TLSRPT_RR_MX);
    if ((rc = tlsrpt_dns_run(c->dns, &q, 1, err)) != 0)
        goto out;
    size_t n = q.status == TLSRPT_DNS_OK ? mx_hosts(&q, mx, TLSRPT_DNS_ITEMS_MAX) : 0;
    if (n == 0 || (n == 1 && strcmp(mx[0], ".") == 0)) {
        *out =
            json_pack("{s:s, s:s, s:s}", "domain", domain, "dns", tlsrpt_dns_status_name(q.status),
                      "error", "no MX records: publish the MX records first, then ask again");
        rc = *out ? 1 : tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    *out = build(domain, now, mx, n);
    rc = *out ? 0 : tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
out:
    tlsrpt_dns_query_clear(&q);
    return rc;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

void tlsrpt_suggest_print_text(FILE *out, const json_t *s)
{
    const json_t *sts = json_object_get(s, "mta_sts_record");
    const json_t *rpt = json_object_get(s, "tlsrpt_record");
    if (sts == NULL) {
        fprintf(out, "%s: %s (DNS: %s)\n", jstr(s, "domain"), jstr(s, "error"), jstr(s, "dns"));
        return;
    }
    fprintf(out,
            "; MTA-STS and TLS-RPT for %s, starting in testing mode.\n"
            "; 1. DNS records (zone-file syntax). Replace the rua address with the mailbox that\n"
            ";    tlsrpt-collector reads; add an A/AAAA record for mta-sts.%s if it has none.\n"
            "%s.\t3600\tIN\tTXT\t\"%s\"\n"
            "%s.\t3600\tIN\tTXT\t\"%s\"\n"
            ";\n"
            "; 2. Policy file, served as text/plain with status 200 (no redirect) at\n"
            ";    %s\n"
            ";    with a certificate valid for mta-sts.%s:\n",
            jstr(s, "domain"), jstr(s, "domain"), jstr(sts, "name"), jstr(sts, "value"),
            jstr(rpt, "name"), jstr(rpt, "value"), jstr(s, "policy_url"), jstr(s, "domain"));
    fputs(jstr(s, "policy"), out);
    fprintf(out,
            ";\n"
            "; 3. Check it: tlsrpt-check %s. Whenever the policy file changes, change the id.\n"
            ";    Once tlsrpt-report says the domain is ready, set mode: enforce and raise\n"
            ";    max_age to 604800 or more.\n",
            jstr(s, "domain"));
}
