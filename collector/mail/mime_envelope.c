#include "mime_envelope.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* strdup of s without leading/trailing white space; NULL for NULL or an empty result. *oom set on
 * allocation failure so the caller can tell "absent" from "out of memory". */
static char *dup_trimmed(const char *s, int *oom)
{
    if (s == NULL)
        return NULL;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return NULL;
    char *r = strndup(s, n);
    if (r == NULL)
        *oom = 1;
    return r;
}

char *tlsrpt_dkim_tag(const char *value, const char *tag)
{
    size_t tlen = strlen(tag);
    const char *p = value;
    while (p && *p) {
        /* tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS] (RFC 6376 §3.2) */
        while (*p && isspace((unsigned char)*p))
            p++;
        const char *end = strchr(p, ';');
        size_t speclen = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', speclen);
        if (eq != NULL) {
            size_t nlen = (size_t)(eq - p);
            while (nlen > 0 && isspace((unsigned char)p[nlen - 1]))
                nlen--;
            if (nlen == tlen && memcmp(p, tag, tlen) == 0) {
                const char *v = eq + 1;
                const char *vend = p + speclen;
                char *out = malloc((size_t)(vend - v) + 1);
                if (out == NULL)
                    return NULL;
                size_t o = 0;
                for (; v < vend; v++)
                    if (!isspace((unsigned char)*v))
                        out[o++] = *v;
                out[o] = '\0';
                if (o == 0) {
                    free(out);
                    return NULL;
                }
                return out;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static int read_dkim(GMimeMessage *m, struct tlsrpt_mail_envelope *env)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
    int n = g_mime_header_list_get_count(hl);
    for (int i = 0; i < n && env->n_dkim < TLSRPT_MAIL_MAX_DKIM; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        if (g_ascii_strcasecmp(g_mime_header_get_name(h), "DKIM-Signature") != 0)
            continue;
        const char *raw = g_mime_header_get_raw_value(h);
        if (raw == NULL)
            continue;
        char *d = tlsrpt_dkim_tag(raw, "d");
        char *s = tlsrpt_dkim_tag(raw, "s");
        if (d == NULL && s == NULL)
            continue;
        env->dkim[env->n_dkim].d = d;
        env->dkim[env->n_dkim].s = s;
        env->n_dkim++;
    }
    return 0;
}

int tlsrpt_mail_envelope_read(GMimeMessage *m, struct tlsrpt_mail_envelope *env)
{
    int oom = 0;
    memset(env, 0, sizeof *env);
    GMimeObject *o = GMIME_OBJECT(m);
    env->message_id = dup_trimmed(g_mime_message_get_message_id(m), &oom);
    env->date = dup_trimmed(g_mime_object_get_header(o, "Date"), &oom);
    GDateTime *dt = g_mime_message_get_date(m);
    if (dt != NULL)
        env->date_unix = g_date_time_to_unix(dt);
    InternetAddressList *from = g_mime_message_get_from(m);
    if (from != NULL && internet_address_list_length(from) > 0) {
        char *s = internet_address_list_to_string(from, NULL, FALSE);
        env->from = dup_trimmed(s, &oom);
        g_free(s);
    }
    env->subject = dup_trimmed(g_mime_message_get_subject(m), &oom);
    env->report_domain = dup_trimmed(g_mime_object_get_header(o, "TLS-Report-Domain"), &oom);
    env->report_submitter = dup_trimmed(g_mime_object_get_header(o, "TLS-Report-Submitter"), &oom);
    read_dkim(m, env);
    return oom ? TLSRPT_E_NOMEM : 0;
}

void tlsrpt_mail_envelope_free(struct tlsrpt_mail_envelope *env)
{
    if (env == NULL)
        return;
    free(env->message_id);
    free(env->date);
    free(env->from);
    free(env->subject);
    free(env->report_domain);
    free(env->report_submitter);
    for (size_t i = 0; i < env->n_dkim; i++) {
        free(env->dkim[i].d);
        free(env->dkim[i].s);
    }
    memset(env, 0, sizeof *env);
}

int tlsrpt_mail_is_report_mail(GMimeMessage *m)
{
    GMimeObject *o = GMIME_OBJECT(m);
    if (g_mime_object_get_header(o, "TLS-Report-Domain") != NULL ||
        g_mime_object_get_header(o, "TLS-Report-Submitter") != NULL)
        return 1;
    GMimeObject *body = g_mime_message_get_mime_part(m);
    if (body == NULL)
        return 0;
    GMimeContentType *ct = g_mime_object_get_content_type(body);
    const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
    return g_mime_content_type_is_type(ct, "multipart", "report") && rt != NULL &&
           strcasecmp(rt, "tlsrpt") == 0;
}
