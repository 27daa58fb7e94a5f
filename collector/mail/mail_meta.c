#include "mail_meta.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *tlsrpt_mail_mismatch_name(unsigned bit_index)
{
    static const char *const names[TLSRPT_MM_COUNT] = {
        "report-domain", "submitter", "subject-report-id", "filename-domain", "filename-range"};
    return bit_index < TLSRPT_MM_COUNT ? names[bit_index] : NULL;
}

/* Case-insensitive domain equality, ignoring one trailing dot on either side. */
static int same_domain(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen > 0 && a[alen - 1] == '.')
        alen--;
    if (blen > 0 && b[blen - 1] == '.')
        blen--;
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

static int is_policy_domain(const struct tlsrpt_report *r, const char *d, size_t len)
{
    for (size_t i = 0; i < r->n_policies; i++)
        if (r->policies[i].policy_domain && same_domain(d, len, r->policies[i].policy_domain))
            return 1;
    return 0;
}

/* a equals b, or one is a subdomain of the other (Mail.ru: submitter mail.ru, contact
 * corp.mail.ru). */
static int related_domain(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la < lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if (la == lb)
        return strcasecmp(a, b) == 0;
    /* b must be a registrable-looking parent (has a dot): "example" alone would match anything. */
    return strchr(b, '.') != NULL && strcasecmp(a + la - lb, b) == 0 && a[la - lb - 1] == '.';
}

/* The domain of contact-info: after '@' for an address, the host of a URI, else the text itself. */
static const char *contact_domain(const char *contact, char *buf, size_t len)
{
    const char *p = strrchr(contact, '@');
    if (p != NULL)
        p++;
    else if ((p = strstr(contact, "://")) != NULL)
        p += 3;
    else
        p = contact;
    size_t n = strcspn(p, "/:?# >");
    if (n == 0 || n >= len)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* The Report-ID of an RFC 8460 §5.3 Subject, without angle brackets; NULL when absent. */
static const char *subject_report_id(const char *subject, size_t *len)
{
    const char *p = subject ? strstr(subject, "Report-ID:") : NULL;
    if (p == NULL)
        return NULL;
    p += strlen("Report-ID:");
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '<')
        p++;
    size_t n = strcspn(p, "> \t");
    *len = n;
    return n ? p : NULL;
}

static int parse_u64(const char *s, size_t n, long long *out)
{
    if (n == 0 || n > 18)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "<submitter>!<domain>!<start>!<end>[!<id>].json[.gz]" (RFC 8460 §5.3, quirks.md §1). */
static unsigned filename_mismatch(const char *fn, const struct tlsrpt_report *r)
{
    const char *f[4];
    size_t flen[4];
    const char *p = fn;
    size_t i;
    for (i = 0; i < 4 && p; i++) {
        f[i] = p;
        const char *bang = strchr(p, '!');
        const char *dot = i == 3 ? strchr(p, '.') : NULL;
        const char *end = bang ? bang : dot ? dot : p + strlen(p);
        if (dot && dot < end)
            end = dot;
        flen[i] = (size_t)(end - p);
        p = bang ? bang + 1 : NULL;
    }
    if (i < 4)
        return 0;
    unsigned mm = 0;
    if (flen[1] > 0 && !is_policy_domain(r, f[1], flen[1]))
        mm |= TLSRPT_MM_FILENAME_DOMAIN;
    long long start, end;
    if (parse_u64(f[2], flen[2], &start) == 0 && parse_u64(f[3], flen[3], &end) == 0) {
        /* The end is inclusive (start+86399, Google) or exclusive (start+86400, Mail.ru). */
        if (start != r->start_time || (end != r->end_time && end != r->end_time - 1))
            mm |= TLSRPT_MM_FILENAME_RANGE;
    }
    return mm;
}

unsigned tlsrpt_mail_mismatch(const struct tlsrpt_mail_envelope *env, const char *filename,
                              const struct tlsrpt_report *r)
{
    unsigned mm = 0;
    if (env && env->report_domain &&
        !is_policy_domain(r, env->report_domain, strlen(env->report_domain)))
        mm |= TLSRPT_MM_REPORT_DOMAIN;
    char buf[256];
    const char *cd = r->contact_info ? contact_domain(r->contact_info, buf, sizeof buf) : NULL;
    if (env && env->report_submitter && cd && !related_domain(env->report_submitter, cd))
        mm |= TLSRPT_MM_SUBMITTER;
    size_t idlen = 0;
    const char *sid = env ? subject_report_id(env->subject, &idlen) : NULL;
    if (sid && r->report_id && (strlen(r->report_id) != idlen || memcmp(sid, r->report_id, idlen)))
        mm |= TLSRPT_MM_SUBJECT_REPORT_ID;
    if (filename)
        mm |= filename_mismatch(filename, r);
    return mm;
}

/* A JSON string of s; bytes that are not UTF-8 (a raw 8-bit header) become '?' rather than losing
 * it. */
static json_t *str_or_ascii(const char *s)
{
    json_t *j = json_string(s);
    if (j != NULL)
        return j;
    char *copy = strdup(s);
    if (copy == NULL)
        return NULL;
    for (char *c = copy; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

/* json_object_set_new that ignores NULL strings, so absent headers are absent keys. */
static int set_str(json_t *o, const char *key, const char *value)
{
    if (value == NULL)
        return 0;
    return json_object_set_new(o, key, str_or_ascii(value));
}

static int add_envelope(json_t *o, const struct tlsrpt_mail_envelope *e)
{
    int rc = 0;
    rc |= set_str(o, "message_id", e->message_id);
    rc |= set_str(o, "date", e->date);
    if (e->date_unix != 0)
        rc |= json_object_set_new(o, "date_unix", json_integer(e->date_unix));
    rc |= set_str(o, "from", e->from);
    rc |= set_str(o, "subject", e->subject);
    rc |= set_str(o, "tls_report_domain", e->report_domain);
    rc |= set_str(o, "tls_report_submitter", e->report_submitter);
    if (e->n_dkim > 0) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < e->n_dkim; i++) {
            json_t *sig = json_object();
            rc |= set_str(sig, "d", e->dkim[i].d);
            rc |= set_str(sig, "s", e->dkim[i].s);
            rc |= json_array_append_new(a, sig);
        }
        rc |= json_object_set_new(o, "dkim", a);
    }
    return rc;
}

static json_t *names_array(unsigned bits, const char *(*name)(unsigned))
{
    json_t *a = json_array();
    for (unsigned i = 0; a && name(i) != NULL; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(name(i)));
    return a;
}

char *tlsrpt_mail_meta_json(const struct tlsrpt_mail_extract *x,
                            const struct tlsrpt_mail_part *part, const struct tlsrpt_report *report,
                            const struct tlsrpt_error *mail_error)
{
    char *text = NULL;
    int rc = 0;
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    size_t ei = part ? part->envelope : 0;
    const struct tlsrpt_mail_envelope *env = ei < x->n_envelopes ? &x->envelopes[ei] : NULL;
    if (env)
        rc |= add_envelope(o, env);
    if (ei > 0 && x->n_envelopes > 0)
        rc |= set_str(o, "forwarded_in",
                      x->envelopes[0].message_id ? x->envelopes[0].message_id : "(no Message-ID)");
    if (part) {
        json_t *p = json_object();
        rc |= set_str(p, "section", part->section);
        rc |= set_str(p, "content_type", part->content_type);
        rc |= set_str(p, "filename", part->filename);
        rc |= set_str(p, "transfer_encoding", part->transfer_encoding);
        rc |= set_str(p, "picked_by", tlsrpt_mail_pick_name(part->pick));
        rc |= json_object_set_new(o, "part", p);
    }
    if (x->warnings)
        rc |= json_object_set_new(o, "mime_warnings",
                                  names_array(x->warnings, tlsrpt_mail_warn_name));
    if (report)
        rc |= json_object_set_new(
            o, "header_mismatch",
            names_array(tlsrpt_mail_mismatch(env, part ? part->filename : NULL, report),
                        tlsrpt_mail_mismatch_name));
    if (mail_error) {
        json_t *e = json_object();
        rc |= set_str(e, "code", tlsrpt_errcode_name(mail_error->code));
        rc |= set_str(e, "message", mail_error->message);
        rc |= json_object_set_new(o, "mail_error", e);
    }
    if (rc == 0)
        text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return text;
}
