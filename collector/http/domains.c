/* domains.c - the policy-domain allow-list. */
#include "domains.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tlsrpt_domain_list_free(struct tlsrpt_domain_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int valid_domain(const char *s, size_t n)
{
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return 0;
        if (c == '.' && i + 1 < n && s[i + 1] == '.')
            return 0;
    }
    return 1;
}

int tlsrpt_domain_list_parse(const char *text, struct tlsrpt_domain_list *out, char *why,
                             size_t whylen)
{
    int rc = -1;
    struct tlsrpt_domain_list l = {0};
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        char *d = strndup(p, n);
        if (!d) {
            snprintf(why, whylen, "out of memory");
            goto out;
        }
        for (char *c = d; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        size_t dn = strlen(d);
        if (dn > 1 && d[dn - 1] == '.')
            d[--dn] = '\0';
        char **nv = valid_domain(d, dn) ? realloc(l.v, (l.n + 1) * sizeof *nv) : NULL;
        if (!nv) {
            snprintf(why, whylen, "'%.64s' is not a domain name", d);
            free(d);
            goto out;
        }
        l.v = nv;
        l.v[l.n++] = d;
        p += n;
    }
    *out = l;
    l.v = NULL;
    l.n = 0;
    rc = 0;
out:
    tlsrpt_domain_list_free(&l);
    return rc;
}

bool tlsrpt_domain_list_match(const struct tlsrpt_domain_list *l, const char *domain)
{
    if (!domain)
        return false;
    size_t dn = strlen(domain);
    if (dn > 0 && domain[dn - 1] == '.')
        dn--;
    for (size_t i = 0; i < l->n; i++) {
        size_t en = strlen(l->v[i]);
        if (dn == en && strncasecmp(domain, l->v[i], en) == 0)
            return true;
        if (dn > en && domain[dn - en - 1] == '.' &&
            strncasecmp(domain + dn - en, l->v[i], en) == 0)
            return true;
    }
    return false;
}

bool tlsrpt_domain_list_allows(const struct tlsrpt_domain_list *l, const struct tlsrpt_report *r)
{
    if (l->n == 0)
        return true;
    for (size_t i = 0; i < r->n_policies; i++)
        if (tlsrpt_domain_list_match(l, r->policies[i].policy_domain))
            return true;
    return false;
}
