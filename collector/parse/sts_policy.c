#include "sts_policy.h"

#include "domain.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_AGE_DIGITS 10 /* RFC 8461 §3.2 ABNF: max_age = 1*10(DIGIT) */

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static bool key_is(const char *k, size_t klen, const char *want)
{
    return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

/* Copies a value into *slot unless an earlier line already set it (first duplicate wins). */
static int set_once(char **slot, const char *v, size_t vlen)
{
    if (*slot != NULL)
        return 0;
    *slot = strndup(v, vlen);
    return *slot ? 0 : -1;
}

static int64_t parse_max_age(const char *v, size_t vlen)
{
    if (vlen == 0 || vlen > MAX_AGE_DIGITS)
        return -1;
    int64_t n = 0;
    for (size_t i = 0; i < vlen; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        n = n * 10 + (v[i] - '0');
    }
    return n;
}

static int add_mx(struct tlsrpt_sts_policy *p, const char *v, size_t vlen)
{
    char *mx = strndup(v, vlen);
    if (mx == NULL)
        return -1;
    tlsrpt_domain_normalize(mx);
    if (mx[0] == '\0') {
        free(mx);
        return 0;
    }
    char **nv = realloc(p->mx, (p->n_mx + 1) * sizeof *nv);
    if (nv == NULL) {
        free(mx);
        return -1;
    }
    p->mx = nv;
    p->mx[p->n_mx++] = mx;
    return 0;
}

/* One "key: value" line without its terminator. Lines without ':' are ignored like unknown keys. */
static int parse_line(struct tlsrpt_sts_policy *p, const char *s, size_t len, bool *max_age_seen)
{
    while (len > 0 && (is_wsp(s[len - 1]) || s[len - 1] == '\r'))
        len--;
    while (len > 0 && is_wsp(*s)) {
        s++;
        len--;
    }
    const char *colon = memchr(s, ':', len);
    if (colon == NULL)
        return 0;
    size_t klen = (size_t)(colon - s);
    while (klen > 0 && is_wsp(s[klen - 1]))
        klen--;
    const char *v = colon + 1;
    size_t vlen = len - (size_t)(v - s);
    while (vlen > 0 && is_wsp(*v)) {
        v++;
        vlen--;
    }

    if (key_is(s, klen, "version"))
        return set_once(&p->version, v, vlen);
    if (key_is(s, klen, "mode"))
        return set_once(&p->mode, v, vlen);
    if (key_is(s, klen, "mx"))
        return add_mx(p, v, vlen);
    if (key_is(s, klen, "max_age") && !*max_age_seen) {
        *max_age_seen = true;
        p->max_age = parse_max_age(v, vlen);
    }
    return 0;
}

int tlsrpt_sts_policy_parse_lines(const char *const *lines, size_t n, struct tlsrpt_sts_policy *p)
{
    bool max_age_seen = false;
    memset(p, 0, sizeof *p);
    p->max_age = -1;
    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i];
        if (s == NULL)
            continue;
        /* One element may hold a whole policy file: split on LF (a CR before it is trimmed). */
        for (;;) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            if (parse_line(p, s, len, &max_age_seen) != 0) {
                tlsrpt_sts_policy_free(p);
                return -1;
            }
            if (nl == NULL)
                break;
            s = nl + 1;
        }
    }
    return 0;
}

void tlsrpt_sts_policy_free(struct tlsrpt_sts_policy *p)
{
    free(p->version);
    free(p->mode);
    for (size_t i = 0; i < p->n_mx; i++)
        free(p->mx[i]);
    free(p->mx);
    memset(p, 0, sizeof *p);
    p->max_age = -1;
}

static size_t len_without_dot(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

bool tlsrpt_mx_pattern_match(const char *pattern, const char *host)
{
    if (pattern == NULL || host == NULL)
        return false;
    size_t pl = len_without_dot(pattern), hl = len_without_dot(host);
    if (pl == 0 || hl == 0)
        return false;
    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        /* "*" stands for the whole leftmost label: compare what follows the host's first dot. */
        const char *suffix = pattern + 1;
        size_t sl = pl - 1;
        const char *dot = memchr(host, '.', hl);
        if (sl < 2 || memchr(suffix, '*', sl) != NULL || dot == NULL || dot == host)
            return false;
        size_t rl = hl - (size_t)(dot - host);
        return rl == sl && strncasecmp(dot, suffix, sl) == 0;
    }
    if (memchr(pattern, '*', pl) != NULL) /* a '*' anywhere else is not a valid pattern */
        return false;
    return pl == hl && strncasecmp(pattern, host, pl) == 0;
}
