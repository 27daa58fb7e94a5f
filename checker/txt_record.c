/* txt_record.c - _mta-sts and _smtp._tls TXT records (txt_record.h). */
#include "txt_record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STS_PREFIX "v=STSv1"
#define RPT_PREFIX "v=TLSRPTv1"
#define EXT_NAME_MAX 32 /* (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable ASCII except "=", ";" and space. */
static int is_ext_value_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x21 && u <= 0x7e && c != '=' && c != ';';
}

static size_t name_len_at(const char *s)
{
    if (!is_alnum(s[0]))
        return 0;
    size_t i = 1;
    while (i < EXT_NAME_MAX && (is_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
        i++;
    return i;
}

int tlsrpt_txt_split(const char *rec, size_t skip, struct tlsrpt_txt_field *out, size_t max,
                     size_t *n, size_t *err_pos)
{
    size_t i = skip;
    *n = 0;
    for (;;) {
        /* sep = *WSP ";" *WSP, mandatory between fields and allowed once at the end */
        while (is_wsp(rec[i]))
            i++;
        if (rec[i] != ';')
            goto bad;
        i++;
        while (is_wsp(rec[i]))
            i++;
        if (rec[i] == '\0')
            return *n > 0 ? 0 : (*err_pos = i, -1);
        size_t nl = name_len_at(rec + i);
        if (nl == 0 || rec[i + nl] != '=')
            goto bad;
        if (*n == max)
            goto bad;
        struct tlsrpt_txt_field *fl = &out[(*n)++];
        fl->name = rec + i;
        fl->name_len = nl;
        i += nl + 1;
        fl->value = rec + i;
        while (rec[i] != '\0' && rec[i] != ';')
            i++;
        size_t end = i;
        while (end > (size_t)(fl->value - rec) && is_wsp(rec[end - 1]))
            end--;
        fl->value_len = end - (size_t)(fl->value - rec);
        if (fl->value_len == 0) {
            i = (size_t)(fl->value - rec);
            goto bad;
        }
        if (rec[i] == '\0')
            return 0;
    }
bad:
    *err_pos = i;
    return -1;
}

static int field_is(const struct tlsrpt_txt_field *f, const char *name)
{
    return f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0;
}

/* Offset of the first character that breaks ext-value, or len when all are fine. */
static size_t bad_value_char(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_ext_value_char(v[i]))
            return i;
    return len;
}

/* A record senders consider: it begins with the version tag followed by ";". Records that begin
 * with the tag but not with "tag;" (e.g. "v=STSv1 ; id=1") are discarded by senders (RFC 8461
 * §3.1, RFC 8460 §3 prose; errata 6285) and reported as near misses. */
static int begins_with(const char *rec, const char *tag, int with_semicolon)
{
    size_t n = strlen(tag);
    if (strncmp(rec, tag, n) != 0)
        return 0;
    if (with_semicolon)
        return rec[n] == ';';
    return rec[n] == '\0' || rec[n] == ';' || is_wsp(rec[n]);
}

/* Counts the records senders would use, and the near misses; *one is the last usable one. */
static void classify(const char *const *records, size_t n, const char *tag, size_t *good,
                     size_t *near, const char **one)
{
    *good = *near = 0;
    *one = NULL;
    for (size_t i = 0; i < n; i++) {
        if (records[i] == NULL)
            continue;
        if (begins_with(records[i], tag, 1)) {
            (*good)++;
            *one = records[i];
        } else if (begins_with(records[i], tag, 0)) {
            (*near)++;
        }
    }
}

/* Checks the extension values shared by both records; the caller handles its own fields. */
static int ext_values_ok(const struct tlsrpt_txt_field *fl, size_t nf, const char *skip_name,
                         const char *rec, size_t *err_pos)
{
    for (size_t k = 0; k < nf; k++) {
        if (field_is(&fl[k], skip_name))
            continue;
        size_t b = bad_value_char(fl[k].value, fl[k].value_len);
        if (b < fl[k].value_len) {
            *err_pos = (size_t)(fl[k].value - rec) + b;
            return 0;
        }
    }
    return 1;
}

/* The first field of that name (a later repetition is ignored), or NULL. */
static const struct tlsrpt_txt_field *first_field(const struct tlsrpt_txt_field *fl, size_t nf,
                                                  const char *name)
{
    for (size_t k = 0; k < nf; k++)
        if (field_is(&fl[k], name))
            return &fl[k];
    return NULL;
}

/* The texts of one record kind, for the findings both record checks share. */
struct record_kind {
    const char *version; /* "v=STSv1" */
    const char *rfc;     /* where the syntax is defined */
    const char *own;     /* the field the caller checks itself ("id", "rua") */
    const char *code_syntax, *code_missing, *code_multiple;
    const char *fix_prefix, *fix_missing, *why_missing, *fix_multiple, *why_multiple, *fix_syntax;
};

static const struct record_kind STS_KIND = {
    STS_PREFIX,
    "RFC 8461",
    "id",
    "sts-record-syntax",
    "sts-record-missing",
    "sts-record-multiple",
    "Publish exactly \"v=STSv1; id=...;\" with the semicolon right after v=STSv1.",
    "Publish a TXT record \"v=STSv1; id=<timestamp>;\" at this name (tlsrpt-check --suggest "
    "prints one).",
    "no TXT record beginning with \"v=STSv1;\": senders see no MTA-STS",
    "Delete all but one of the v=STSv1 records.",
    "senders then ignore MTA-STS",
    "Write the record as \"v=STSv1; id=...;\" with name=value fields separated by \";\".",
};

static const struct record_kind RPT_KIND = {
    RPT_PREFIX,
    "RFC 8460",
    "rua",
    "tlsrpt-record-syntax",
    "tlsrpt-record-missing",
    "tlsrpt-record-multiple",
    "Publish \"v=TLSRPTv1; rua=mailto:...\" with the semicolon right after v=TLSRPTv1.",
    "Publish \"v=TLSRPTv1; rua=mailto:<address tlsrpt reads>\" so senders report failures; the "
    "readiness verdict is built from those reports.",
    "no TXT record beginning with \"v=TLSRPTv1;\": nobody will send TLS reports",
    "Delete all but one v=TLSRPTv1 record; list every address in its one rua=, separated by "
    "commas.",
    "senders then send no reports",
    "Write the record as \"v=TLSRPTv1; rua=...\" with name=value fields separated by \";\".",
};

/* Exactly one record of the kind, split into fields whose extension values are valid. Returns 1
 * with *rec and fl[0..*nf) set; 0 after adding the finding that says why not. */
static int one_record(const char *const *records, size_t n, const char *object,
                      const struct record_kind *k, size_t *n_records, const char **rec,
                      struct tlsrpt_txt_field *fl, size_t *nf, struct tlsrpt_findings *f)
{
    size_t good, near, err_pos = 0;
    classify(records, n, k->version, &good, &near, rec);
    *n_records = good;
    if (good == 0 && near > 0) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, k->code_syntax, object, k->fix_prefix,
                            "the record does not begin with \"%s;\", so senders ignore it",
                            k->version);
        return 0;
    }
    if (good == 0) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, k->code_missing, object, k->fix_missing, "%s",
                            k->why_missing);
        return 0;
    }
    if (good > 1) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, k->code_multiple, object, k->fix_multiple,
                            "%zu TXT records begin with \"%s;\"; %s", good, k->version,
                            k->why_multiple);
        return 0;
    }
    if (tlsrpt_txt_split(*rec, strlen(k->version), fl, TLSRPT_TXT_FIELDS_MAX, nf, &err_pos) != 0 ||
        !ext_values_ok(fl, *nf, k->own, *rec, &err_pos)) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, k->code_syntax, object, k->fix_syntax,
                            "the record is not valid %s syntax at character %zu: \"%s\"", k->rfc,
                            err_pos + 1, *rec);
        return 0;
    }
    return 1;
}

int tlsrpt_sts_txt_check(const char *const *records, size_t n, const char *object,
                         struct tlsrpt_sts_txt *out, struct tlsrpt_findings *f)
{
    size_t nf = 0;
    const char *rec;
    struct tlsrpt_txt_field fl[TLSRPT_TXT_FIELDS_MAX];

    memset(out, 0, sizeof *out);
    if (!one_record(records, n, object, &STS_KIND, &out->n_records, &rec, fl, &nf, f))
        return f->nomem ? -1 : 0;
    const struct tlsrpt_txt_field *id = first_field(fl, nf, "id"); /* extensions are ignored */
    if (id == NULL) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "sts-id-missing", object,
                            "Add id=<1-32 letters and digits>, e.g. a UTC timestamp.",
                            "the record has no id= field");
        return f->nomem ? -1 : 0;
    }
    int id_ok = id->value_len >= 1 && id->value_len <= TLSRPT_STS_ID_MAX;
    for (size_t k = 0; id_ok && k < id->value_len; k++)
        id_ok = is_alnum(id->value[k]);
    if (!id_ok) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "sts-id-invalid", object,
                            "Use 1-32 letters and digits only, e.g. 20240101T000000, and change "
                            "it whenever the policy file changes.",
                            "id is not 1-32 letters and digits: \"%.*s\"", (int)id->value_len,
                            id->value);
        return f->nomem ? -1 : 0;
    }
    memcpy(out->id, id->value, id->value_len);
    out->id[id->value_len] = '\0';
    out->usable = 1;
    return f->nomem ? -1 : 0;
}

/* RFC 8460 §3: each rua URI is mailto: (with an address) or https: (with a host). */
static int rua_uri_ok(const char *u, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
            return 0;
    if (len > 7 && strncasecmp(u, "mailto:", 7) == 0) {
        const char *at = memchr(u + 7, '@', len - 7);
        return at != NULL && at > u + 7 && at < u + len - 1;
    }
    if (len > 8 && strncasecmp(u, "https://", 8) == 0)
        return u[8] != '/';
    return 0;
}

static int add_rua(struct tlsrpt_rpt_txt *out, const char *u, size_t len)
{
    if (out->n_rua == TLSRPT_RUA_MAX)
        return 0;
    char *c = strndup(u, len);
    if (c == NULL)
        return -1;
    out->rua[out->n_rua++] = c;
    return 0;
}

/* Splits rua= on "," (with optional WSP around it) and judges each URI. */
static int check_rua(const struct tlsrpt_txt_field *rua, const char *object,
                     struct tlsrpt_rpt_txt *out, struct tlsrpt_findings *f)
{
    const char *p = rua->value, *end = rua->value + rua->value_len;
    while (p <= end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        const char *s = p;
        while (s < e && is_wsp(*s))
            s++;
        const char *t = e;
        while (t > s && is_wsp(t[-1]))
            t--;
        if (rua_uri_ok(s, (size_t)(t - s))) {
            if (add_rua(out, s, (size_t)(t - s)) != 0)
                return -1;
        } else {
            tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "tlsrpt-rua-invalid", object,
                                "Use mailto:address@domain or https://host/path, separated by "
                                "commas.",
                                "rua entry \"%.*s\" is not a mailto: or https: URI", (int)(t - s),
                                s);
        }
        if (c == NULL)
            break;
        p = c + 1;
    }
    return 0;
}

int tlsrpt_rpt_txt_check(const char *const *records, size_t n, const char *object,
                         struct tlsrpt_rpt_txt *out, struct tlsrpt_findings *f)
{
    size_t nf = 0;
    const char *rec;
    struct tlsrpt_txt_field fl[TLSRPT_TXT_FIELDS_MAX];

    memset(out, 0, sizeof *out);
    if (!one_record(records, n, object, &RPT_KIND, &out->n_records, &rec, fl, &nf, f))
        return f->nomem ? -1 : 0;
    const struct tlsrpt_txt_field *rua = first_field(fl, nf, "rua");
    if (rua == NULL) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "tlsrpt-no-rua", object,
                            "Add rua=mailto:<address> (or an https: URI) where reports should go.",
                            "the record has no rua= field, so reports have nowhere to go");
        return f->nomem ? -1 : 0;
    }
    if (check_rua(rua, object, out, f) != 0) {
        f->nomem = 1;
        return -1;
    }
    out->usable = out->n_rua > 0;
    return f->nomem ? -1 : 0;
}

void tlsrpt_rpt_txt_free(struct tlsrpt_rpt_txt *r)
{
    for (size_t i = 0; i < r->n_rua; i++)
        free(r->rua[i]);
    memset(r, 0, sizeof *r);
}
