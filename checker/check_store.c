/* check_store.c - writing and reading stored checks (check_store.h). The checker owns these two
 * tables, so their SQL lives here next to schema/002_checks.sql rather than in schema/store.c. */
#include "check_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_INSERT_CHECK                                                                           \
    "INSERT INTO checks (domain, checked_at, duration_ms, verdict, errors, warnings, infos, "      \
    "sts_id, sts_mode, sts_max_age, policy_cert_days, mx_cert_days, result) "                      \
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
#define SQL_INSERT_FINDING                                                                         \
    "INSERT INTO check_findings (check_id, idx, severity, code, object, message, fix) "            \
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
#define SQL_LATEST                                                                                 \
    "SELECT id, checked_at, verdict, errors, warnings, infos, sts_id, sts_mode, sts_max_age, "     \
    "policy_cert_days, mx_cert_days, result FROM checks WHERE domain = ?1 "                        \
    "ORDER BY checked_at DESC, id DESC LIMIT 1"
#define SQL_FINDINGS                                                                               \
    "SELECT severity, code, object, message, fix FROM check_findings WHERE check_id = ?1 "         \
    "ORDER BY idx"

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL && s[0] != '\0')
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, const json_t *v)
{
    if (json_is_integer(v))
        sqlite3_bind_int64(st, i, json_integer_value(v));
    else
        sqlite3_bind_null(st, i);
}

/* Fewest days left over the MX certificates in the result, or NULL (json) when none was seen. */
static json_t *min_mx_days(const json_t *doc)
{
    const json_t *smtp = json_object_get(doc, "smtp");
    json_t *best = NULL;
    for (size_t i = 0; i < json_array_size(smtp); i++) {
        json_t *d =
            json_object_get(json_object_get(json_array_get(smtp, i), "certificate"), "days_left");
        if (!json_is_integer(d))
            continue;
        if (best == NULL || json_integer_value(d) < json_integer_value(best))
            best = d;
    }
    return best;
}

static int insert_check(struct tlsrpt_db *db, const struct tlsrpt_check_result *r, char *json,
                        struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    const struct tlsrpt_findings *f = &r->findings;
    const json_t *pol = json_object_get(r->doc, "policy");
    int rc = TLSRPT_E_DB;

    if (sqlite3_prepare_v2(db->h, SQL_INSERT_CHECK, -1, &st, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "prepare insert check");
        goto out;
    }
    sqlite3_bind_text(st, 1, r->domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->checked_at);
    sqlite3_bind_int(st, 3, r->duration_ms);
    sqlite3_bind_text(st, 4, tlsrpt_check_verdict(f), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)tlsrpt_findings_count(f, TLSRPT_FINDING_ERROR));
    sqlite3_bind_int64(st, 6, (sqlite3_int64)tlsrpt_findings_count(f, TLSRPT_FINDING_WARNING));
    sqlite3_bind_int64(st, 7, (sqlite3_int64)tlsrpt_findings_count(f, TLSRPT_FINDING_INFO));
    bind_text_or_null(
        st, 8, json_string_value(json_object_get(json_object_get(r->doc, "mta_sts_record"), "id")));
    bind_text_or_null(st, 9, json_string_value(json_object_get(pol, "mode")));
    bind_int_or_null(st, 10, json_object_get(pol, "max_age"));
    bind_int_or_null(st, 11, json_object_get(json_object_get(pol, "certificate"), "days_left"));
    bind_int_or_null(st, 12, min_mx_days(r->doc));
    sqlite3_bind_text(st, 13, json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        tlsrpt_db_fail(db, err, "insert check");
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static int insert_findings(struct tlsrpt_db *db, int64_t check_id, const struct tlsrpt_findings *f,
                           struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = TLSRPT_E_DB;
    if (sqlite3_prepare_v2(db->h, SQL_INSERT_FINDING, -1, &st, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "prepare insert finding");
        goto out;
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct tlsrpt_finding *x = &f->v[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, check_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, tlsrpt_finding_severity_name(x->severity), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, x->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, x->object, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, x->message, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, x->fix, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            tlsrpt_db_fail(db, err, "insert finding");
            goto out;
        }
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

int tlsrpt_check_store(struct tlsrpt_db *db, const struct tlsrpt_check_result *r, int64_t *id,
                       struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_DB, open_tx = 0;
    int64_t cid = 0;
    char *json = json_dumps(r->doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (json == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "cannot serialise the check result");
    if (tlsrpt_db_begin(db, err) != 0)
        goto out;
    open_tx = 1;
    if (insert_check(db, r, json, err) != 0)
        goto out;
    cid = sqlite3_last_insert_rowid(db->h);
    if (insert_findings(db, cid, &r->findings, err) != 0 || tlsrpt_db_commit(db, err) != 0)
        goto out;
    open_tx = 0;
    if (id != NULL)
        *id = cid;
    rc = 0;
out:
    if (open_tx) /* nothing of a failed check is kept half-written */
        tlsrpt_db_rollback(db);
    free(json);
    return rc;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int64_t int_col(sqlite3_stmt *st, int col, int64_t if_null)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? if_null : sqlite3_column_int64(st, col);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return strdup(t ? (const char *)t : "");
}

/* The mx lines of the fetched policy (policy.mx) of the stored JSON result. */
static int read_policy_mx(const json_t *doc, struct tlsrpt_check_latest *out)
{
    const json_t *mx = json_object_get(json_object_get(doc, "policy"), "mx");
    size_t n = json_array_size(mx);
    if (n > 0 && (out->sts_mx = calloc(n, sizeof *out->sts_mx)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *line = json_string_value(json_array_get(mx, i));
        if (line == NULL)
            continue;
        if ((out->sts_mx[out->n_sts_mx] = strdup(line)) == NULL)
            return -1;
        out->n_sts_mx++;
    }
    return 0;
}

/* Days left per MX host (smtp[].host, smtp[].certificate.days_left), the fewest over its
 * addresses; hosts without a certificate seen are left out. */
static int read_mx_certs(const json_t *doc, struct tlsrpt_check_latest *out)
{
    const json_t *smtp = json_object_get(doc, "smtp");
    size_t n = json_array_size(smtp);
    if (n > 0 && (out->mx_certs = calloc(n, sizeof *out->mx_certs)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(smtp, i);
        const char *host = json_string_value(json_object_get(e, "host"));
        const json_t *d = json_object_get(json_object_get(e, "certificate"), "days_left");
        if (host == NULL || !json_is_integer(d))
            continue;
        int64_t days = (int64_t)json_integer_value(d);
        size_t k = 0;
        while (k < out->n_mx_certs && strcmp(out->mx_certs[k].host, host) != 0)
            k++;
        if (k < out->n_mx_certs) {
            if (days < out->mx_certs[k].days_left)
                out->mx_certs[k].days_left = days;
            continue;
        }
        if ((out->mx_certs[k].host = strdup(host)) == NULL)
            return -1;
        out->mx_certs[k].days_left = days;
        out->n_mx_certs++;
    }
    return 0;
}

/* What the analyzer needs of the stored JSON result. A result that does not parse gives none. */
static int read_result(sqlite3_stmt *st, int col, struct tlsrpt_check_latest *out,
                       struct tlsrpt_error *err)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    int rc = 0;
    if (read_policy_mx(doc, out) != 0 || read_mx_certs(doc, out) != 0)
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    json_decref(doc);
    return rc;
}

static int read_findings(struct tlsrpt_db *db, struct tlsrpt_check_latest *out,
                         struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = TLSRPT_E_DB, s;
    struct tlsrpt_findings f = {0};
    if (sqlite3_prepare_v2(db->h, SQL_FINDINGS, -1, &st, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "prepare read findings");
        goto out;
    }
    sqlite3_bind_int64(st, 1, out->id);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        enum tlsrpt_finding_severity sev = TLSRPT_FINDING_ERROR;
        tlsrpt_finding_severity_parse((const char *)sqlite3_column_text(st, 0), &sev);
        char *code = dup_col(st, 1), *object = dup_col(st, 2), *fix = dup_col(st, 4);
        const unsigned char *msg = sqlite3_column_text(st, 3);
        if (code != NULL && object != NULL && fix != NULL)
            tlsrpt_findings_add(&f, sev, code, object, fix, "%s", msg ? (const char *)msg : "");
        else
            f.nomem = 1;
        free(code);
        free(object);
        free(fix);
    }
    if (s != SQLITE_DONE) {
        tlsrpt_db_fail(db, err, "read findings");
        goto out;
    }
    if (f.nomem) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    out->findings = f.v;
    out->n_findings = f.n;
    memset(&f, 0, sizeof f);
    rc = 0;
out:
    tlsrpt_findings_free(&f);
    sqlite3_finalize(st);
    return rc;
}

int tlsrpt_check_latest(struct tlsrpt_db *db, const char *domain, struct tlsrpt_check_latest *out,
                        struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = TLSRPT_E_DB;

    memset(out, 0, sizeof *out);
    out->sts_max_age = -1;
    out->policy_cert_days = out->mx_cert_days = INT64_MIN;
    if (sqlite3_prepare_v2(db->h, SQL_LATEST, -1, &st, NULL) != SQLITE_OK) {
        tlsrpt_db_fail(db, err, "prepare latest check");
        goto out;
    }
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = 0;
        goto out;
    }
    if (s != SQLITE_ROW) {
        tlsrpt_db_fail(db, err, "read latest check");
        goto out;
    }
    out->found = 1;
    out->id = sqlite3_column_int64(st, 0);
    out->checked_at = sqlite3_column_int64(st, 1);
    copy_col(st, 2, out->verdict, sizeof out->verdict);
    out->errors = sqlite3_column_int(st, 3);
    out->warnings = sqlite3_column_int(st, 4);
    out->infos = sqlite3_column_int(st, 5);
    copy_col(st, 6, out->sts_id, sizeof out->sts_id);
    copy_col(st, 7, out->sts_mode, sizeof out->sts_mode);
    out->sts_max_age = int_col(st, 8, -1);
    out->policy_cert_days = int_col(st, 9, INT64_MIN);
    out->mx_cert_days = int_col(st, 10, INT64_MIN);
    if ((rc = read_result(st, 11, out, err)) == 0)
        rc = read_findings(db, out, err);
out:
    sqlite3_finalize(st);
    return rc;
}

void tlsrpt_check_latest_free(struct tlsrpt_check_latest *c)
{
    struct tlsrpt_findings f = {.v = c->findings, .n = c->n_findings, .cap = c->n_findings};
    tlsrpt_findings_free(&f);
    for (size_t i = 0; i < c->n_sts_mx; i++)
        free(c->sts_mx[i]);
    free(c->sts_mx);
    for (size_t i = 0; i < c->n_mx_certs; i++)
        free(c->mx_certs[i].host);
    free(c->mx_certs);
    memset(c, 0, sizeof *c);
}
