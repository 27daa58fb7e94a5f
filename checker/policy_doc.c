/* policy_doc.c - strict MTA-STS policy file check (policy_doc.h). */
#include "policy_doc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 32     /* sts-policy-ext-name: 1 + *31 characters */
#define DOMAIN_MAX 253 /* RFC 1035 presentation length without the trailing dot */
#define LABEL_MAX 63

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* sts-policy-vchar = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4 (non-ASCII bytes accepted as such). */
static int is_vchar(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= 0x21 && u <= 0x7e) || u >= 0x80;
}

const char *tlsrpt_sts_mode_name(enum tlsrpt_sts_mode m)
{
    switch (m) {
    case TLSRPT_MODE_TESTING:
        return "testing";
    case TLSRPT_MODE_ENFORCE:
        return "enforce";
    case TLSRPT_MODE_NONE:
        return "none";
    case TLSRPT_MODE_INVALID:
        return "invalid";
    case TLSRPT_MODE_UNSET:
        break;
    }
    return "";
}

int tlsrpt_mx_pattern_valid(const char *s, size_t len)
{
    if (len >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        len -= 2;
    }
    if (len > 0 && s[len - 1] == '.') /* a trailing dot is tolerated, as in MX names */
        len--;
    if (len == 0 || len > DOMAIN_MAX)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!is_alnum(c) && !(c == '-' && label > 0))
            return 0;
        if (++label > LABEL_MAX)
            return 0;
    }
    return label > 0 && s[len - 1] != '-';
}

static int key_is(const char *k, size_t klen, const char *want)
{
    return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

static int64_t parse_max_age(const char *v, size_t len)
{
    if (len == 0 || len > 10) /* sts-policy-max-age-value = 1*10(DIGIT) */
        return -1;
    int64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        n = n * 10 + (v[i] - '0');
    }
    return n;
}

struct state {
    struct tlsrpt_policy_doc *doc;
    struct tlsrpt_findings *f;
    const char *object;
    int seen_version, seen_mode, seen_max_age;
    char mode_text[16];
};

static void duplicate(struct state *st, const char *key, size_t line)
{
    tlsrpt_findings_add(st->f, TLSRPT_FINDING_WARNING, "policy-duplicate-key", st->object,
                        "Keep one line per key (mx may repeat); senders use the first.",
                        "line %zu repeats \"%s\"; the first one wins", line, key);
}

static int add_mx(struct state *st, const char *v, size_t len, size_t line)
{
    if (!tlsrpt_mx_pattern_valid(v, len)) {
        tlsrpt_findings_add(st->f, TLSRPT_FINDING_ERROR, "policy-mx-invalid", st->object,
                            "Write each mx line as a host name (mx1.example.com) or a pattern "
                            "with one leading label wildcard (*.example.com).",
                            "line %zu: \"%.*s\" is not a host name or *.domain pattern", line,
                            (int)len, v);
        return 0;
    }
    if (st->doc->n_mx == TLSRPT_POLICY_MX_MAX)
        return 0;
    if (v[len - 1] == '.')
        len--;
    char *c = strndup(v, len);
    if (c == NULL)
        return -1;
    for (char *p = c; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    st->doc->mx[st->doc->n_mx++] = c;
    return 0;
}

static void set_mode(struct state *st, const char *v, size_t len)
{
    static const enum tlsrpt_sts_mode modes[] = {TLSRPT_MODE_TESTING, TLSRPT_MODE_ENFORCE,
                                                 TLSRPT_MODE_NONE};
    st->doc->mode = TLSRPT_MODE_INVALID;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (key_is(v, len, tlsrpt_sts_mode_name(modes[i])))
            st->doc->mode = modes[i];
    size_t n = len < sizeof st->mode_text - 1 ? len : sizeof st->mode_text - 1;
    memcpy(st->mode_text, v, n);
    st->mode_text[n] = '\0';
}

/* One field: key ":" *WSP value *WSP (the terminator already removed). */
static int field(struct state *st, const char *s, size_t len, size_t line)
{
    size_t k = 0;
    while (k < len && k <= KEY_MAX &&
           (is_alnum(s[k]) || (k > 0 && (s[k] == '_' || s[k] == '-' || s[k] == '.'))))
        k++;
    size_t v = k + 1;
    while (v < len && is_wsp(s[v]))
        v++;
    size_t end = len;
    while (end > v && is_wsp(s[end - 1]))
        end--;
    int ok = k > 0 && k <= KEY_MAX && k < len && s[k] == ':' && end > v;
    for (size_t i = v; ok && i < end; i++)
        ok = is_vchar(s[i]) || is_wsp(s[i]);
    if (!ok) {
        tlsrpt_findings_add(st->f, TLSRPT_FINDING_ERROR, "policy-syntax", st->object,
                            "Write every line as \"key: value\" (e.g. \"mode: testing\"), with no "
                            "space before the colon.",
                            "line %zu is not \"key: value\": \"%.*s\"", line,
                            (int)(len > 60 ? 60 : len), s);
        return 0;
    }
    const char *val = s + v;
    size_t vlen = end - v;
    st->doc->lines++;
    if (key_is(s, k, "mx"))
        return add_mx(st, val, vlen, line);
    if (key_is(s, k, "version")) {
        if (st->seen_version++)
            duplicate(st, "version", line);
        else
            st->doc->version_ok = key_is(val, vlen, "STSv1");
    } else if (key_is(s, k, "mode")) {
        if (st->seen_mode++)
            duplicate(st, "mode", line);
        else
            set_mode(st, val, vlen);
    } else if (key_is(s, k, "max_age")) {
        if (st->seen_max_age++)
            duplicate(st, "max_age", line);
        else
            st->doc->max_age = parse_max_age(val, vlen);
    }
    return 0; /* unknown keys are ignored (§3.2) */
}

static void judge_mode(struct state *st)
{
    struct tlsrpt_findings *f = st->f;
    const char *o = st->object;
    switch (st->doc->mode) {
    case TLSRPT_MODE_UNSET:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-mode-missing", o,
                            "Add \"mode: testing\" (or enforce once reports are clean).",
                            "the policy has no mode line");
        break;
    case TLSRPT_MODE_INVALID:
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-mode-invalid", o,
                            "Use exactly one of testing, enforce or none (lower case).",
                            "mode \"%s\" is not testing, enforce or none", st->mode_text);
        break;
    case TLSRPT_MODE_TESTING:
        tlsrpt_findings_add(f, TLSRPT_FINDING_WARNING, "mode-testing", o,
                            "Switch to \"mode: enforce\" once tlsrpt-report says the domain is "
                            "ready.",
                            "mode is still testing: senders report failures but deliver anyway");
        break;
    case TLSRPT_MODE_NONE:
        tlsrpt_findings_add(f, TLSRPT_FINDING_WARNING, "mode-none", o,
                            "Use \"mode: testing\" or \"enforce\" unless you are withdrawing "
                            "MTA-STS.",
                            "mode is none: MTA-STS is switched off for this domain");
        break;
    case TLSRPT_MODE_ENFORCE:
        break;
    }
}

static void judge_max_age(struct state *st)
{
    struct tlsrpt_findings *f = st->f;
    const char *o = st->object;
    int64_t a = st->doc->max_age;
    if (!st->seen_max_age) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-max-age-missing", o,
                            "Add \"max_age: 86400\" while testing (604800 or more once stable).",
                            "the policy has no max_age line");
    } else if (a < 0) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-max-age-invalid", o,
                            "Give max_age as 1-10 digits of seconds, e.g. 86400.",
                            "max_age is not a number of 1-10 digits");
    } else if (a > TLSRPT_POLICY_MAX_AGE_LIMIT) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-max-age-too-large", o,
                            "Use at most 31557600 (one year); 604800 to 31557600 once stable.",
                            "max_age %lld is above the limit of 31557600 seconds", (long long)a);
    } else if (st->doc->mode == TLSRPT_MODE_TESTING && a > TLSRPT_POLICY_MAX_AGE_TESTING) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_INFO, "max-age-long-while-testing", o,
                            "Use max_age 86400 while testing so corrections reach senders within "
                            "a day.",
                            "max_age %lld is longer than a day while mode is testing",
                            (long long)a);
    } else if (st->doc->mode == TLSRPT_MODE_ENFORCE && a < TLSRPT_POLICY_MAX_AGE_STABLE) {
        tlsrpt_findings_add(f, TLSRPT_FINDING_INFO, "max-age-short", o,
                            "Once enforcing is stable, raise max_age to 604800 or more so a short "
                            "outage of the policy host does not drop protection.",
                            "max_age %lld is shorter than a week under enforce", (long long)a);
    }
}

/* Splits on LF (a CR right before it belongs to the terminator) and judges each line. */
static int lines(struct state *st, const char *body, size_t len)
{
    size_t line = 0, blank = 0, pos = 0;
    while (pos < len) {
        const char *s = body + pos;
        const char *nl = memchr(s, '\n', len - pos);
        const char *e = nl ? nl : body + len;
        pos = (size_t)(e - body) + (nl ? 1 : 0);
        line++;
        if (e > s && e[-1] == '\r') /* CRLF or LF (RFC 8461 erratum 6253) */
            e--;
        if (e == s) {
            blank++;
            continue;
        }
        if (field(st, s, (size_t)(e - s), line) != 0)
            return -1;
    }
    if (blank > 0)
        tlsrpt_findings_add(st->f, TLSRPT_FINDING_WARNING, "policy-blank-line", st->object,
                            "Remove empty lines: the grammar has none, and strict senders reject "
                            "the file.",
                            "the policy contains %zu empty line(s)", blank);
    return 0;
}

int tlsrpt_policy_doc_check(const char *body, size_t len, const char *object,
                            struct tlsrpt_policy_doc *out, struct tlsrpt_findings *f)
{
    struct state st = {.doc = out, .f = f, .object = object};
    memset(out, 0, sizeof *out);
    out->max_age = -1;
    size_t errors_before = tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR);

    if (lines(&st, body, len) != 0) {
        f->nomem = 1;
        return -1;
    }
    if (!out->version_ok)
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-version", object,
                            "Make the first line \"version: STSv1\".",
                            st.seen_version ? "version is not STSv1"
                                            : "the policy has no version "
                                              "line");
    judge_mode(&st);
    judge_max_age(&st);
    if (out->n_mx == 0 && out->mode != TLSRPT_MODE_NONE)
        tlsrpt_findings_add(f, TLSRPT_FINDING_ERROR, "policy-no-mx", object,
                            "Add one \"mx: host\" line per MX host (or a *.domain pattern).",
                            "the policy lists no mx: senders can match no MX host");
    out->usable = tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR) == errors_before;
    return f->nomem ? -1 : 0;
}

void tlsrpt_policy_doc_free(struct tlsrpt_policy_doc *p)
{
    for (size_t i = 0; i < p->n_mx; i++)
        free(p->mx[i]);
    memset(p, 0, sizeof *p);
    p->max_age = -1;
}
