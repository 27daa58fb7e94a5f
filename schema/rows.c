/* rows.c - the rows of one report (reports, policies, failure_details) and its dedupe key. */
#include "buf.h"
#include "hash.h"
#include "store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ceiling of the text hashed into a dedupe key: the parser caps policies and string lengths well
 * below this, so hitting it means a report this store was never meant to hold. */
#define DEDUPE_TEXT_MAX (256u << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The dedupe key is persisted (reports.dedupe_key), so this byte layout is fixed:
 *   reporter NUL report-id NUL start NUL end NUL domain_1 NUL ... domain_n NUL
 * start and end are unix seconds in decimal ASCII (as by "%" PRId64); the domains are the distinct
 * policy_domain values sorted bytewise (strcmp), each once. Strings hold no NUL, so the split is
 * unambiguous. The key is the lower-case hex SHA-256 of these bytes. */
int tlsrpt_store_key(const struct tlsrpt_report *r, const char *reporter, char key[65])
{
    int rc = -1;
    struct tlsrpt_buf b;
    const char **domains = NULL;
    char num[2][24];

    tlsrpt_buf_init(&b, DEDUPE_TEXT_MAX);
    if (r->n_policies > 0 && (domains = calloc(r->n_policies, sizeof *domains)) == NULL)
        goto out;
    for (size_t i = 0; i < r->n_policies; i++)
        domains[i] = r->policies[i].policy_domain ? r->policies[i].policy_domain : "";
    if (r->n_policies > 1)
        qsort(domains, r->n_policies, sizeof *domains, cmp_str);
    snprintf(num[0], sizeof num[0], "%" PRId64, r->start_time);
    snprintf(num[1], sizeof num[1], "%" PRId64, r->end_time);
    const char *head[] = {reporter, r->report_id ? r->report_id : "", num[0], num[1]};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        if (tlsrpt_buf_append(&b, head[i], strlen(head[i]) + 1) != 0)
            goto out;
    for (size_t i = 0; i < r->n_policies; i++) {
        if (i > 0 && strcmp(domains[i], domains[i - 1]) == 0)
            continue;
        if (tlsrpt_buf_append(&b, domains[i], strlen(domains[i]) + 1) != 0)
            goto out;
    }
    if (tlsrpt_sha256_hex(b.data, b.len, key) != 0)
        goto out;
    rc = 0;
out:
    free(domains);
    tlsrpt_buf_free(&b);
    return rc;
}

int tlsrpt_store_dedupe_key(const struct tlsrpt_report *r, char buf[65])
{
    char *reporter = tlsrpt_report_reporter(r);
    if (reporter == NULL)
        return -1;
    int rc = tlsrpt_store_key(r, reporter, buf);
    free(reporter);
    return rc;
}

void tlsrpt_store_prep_free(struct tlsrpt_store_prep *p)
{
    for (size_t i = 0; i < p->n_json; i++)
        free(p->json[i]);
    free(p->json);
    free(p->reporter);
    memset(p, 0, sizeof *p);
}

int tlsrpt_store_prepare(struct tlsrpt_db *db, const struct tlsrpt_report *r,
                         struct tlsrpt_store_prep *p, struct tlsrpt_error *err)
{
    struct tlsrpt_store_stmts *cache = NULL;
    if (db != NULL && (cache = tlsrpt_store_stmts_get(db, err)) == NULL)
        return TLSRPT_E_NOMEM;
    p->reporter = tlsrpt_report_reporter(r);
    if (p->reporter == NULL || tlsrpt_store_key(r, p->reporter, p->key) != 0)
        goto nomem;
    if (r->n_policies > 0 && (p->json = calloc(r->n_policies, 3 * sizeof *p->json)) == NULL)
        goto nomem;
    p->n_json = 3 * r->n_policies;
    for (size_t i = 0; i < r->n_policies; i++) {
        const struct tlsrpt_policy *pol = &r->policies[i];
        char **j = &p->json[3 * i];
        j[0] = tlsrpt_json_list(cache, pol->policy_strings, pol->n_policy_strings);
        j[1] = tlsrpt_json_list(cache, pol->mx_hosts, pol->n_mx_hosts);
        j[2] = tlsrpt_json_list(cache, pol->mx_patterns, pol->n_mx_patterns);
        if (j[0] == NULL || j[1] == NULL || j[2] == NULL) {
            /* jansson refuses only on allocation failure or a string that is not UTF-8. */
            tlsrpt_store_prep_free(p);
            return tlsrpt_error_set(err, TLSRPT_E_DB, NULL,
                                    "policies[%zu]: cannot encode policy strings or MX names as "
                                    "JSON (out of memory or not UTF-8)",
                                    i);
        }
    }
    return 0;
nomem:
    tlsrpt_store_prep_free(p);
    return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory preparing a report");
}

static int insert_detail(struct tlsrpt_db *db, int64_t policy_id, size_t idx,
                         const struct tlsrpt_failure_detail *d, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_DETAIL_INSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, policy_id) | sqlite3_bind_int64(st, 2, (sqlite3_int64)idx) |
         tlsrpt_bind_text(st, 3, d->result_type ? d->result_type : "") |
         tlsrpt_bind_text(st, 4, d->sending_mta_ip) |
         tlsrpt_bind_text(st, 5, d->receiving_mx_hostname) |
         tlsrpt_bind_text(st, 6, d->receiving_mx_helo) | tlsrpt_bind_text(st, 7, d->receiving_ip) |
         sqlite3_bind_int64(st, 8, d->failed_session_count) |
         tlsrpt_bind_text(st, 9, d->additional_information) |
         tlsrpt_bind_text(st, 10, d->failure_reason_code)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert failure detail");
    return tlsrpt_stmt_done(db, st, "insert failure detail", err);
}

static int insert_policy(struct tlsrpt_db *db, int64_t report_id, size_t idx,
                         const struct tlsrpt_report *r, const struct tlsrpt_store_prep *prep,
                         struct tlsrpt_error *err)
{
    const struct tlsrpt_policy *p = &r->policies[idx];
    char *const *json = &prep->json[3 * idx];
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_POLICY_INSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, report_id) | sqlite3_bind_int64(st, 2, (sqlite3_int64)idx) |
         tlsrpt_bind_text(st, 3, p->policy_type ? p->policy_type : "") |
         tlsrpt_bind_text(st, 4, p->policy_domain ? p->policy_domain : "") |
         tlsrpt_bind_text(st, 5, json[0]) | tlsrpt_bind_text(st, 6, json[1]) |
         tlsrpt_bind_text(st, 7, p->sts_mode) |
         (p->sts_max_age >= 0 ? sqlite3_bind_int64(st, 8, p->sts_max_age)
                              : sqlite3_bind_null(st, 8)) |
         tlsrpt_bind_text(st, 9, json[2]) | sqlite3_bind_int64(st, 10, p->total_successful) |
         sqlite3_bind_int64(st, 11, p->total_failure) | sqlite3_bind_int64(st, 12, r->start_time) |
         tlsrpt_bind_text(st, 13, prep->reporter) |
         tlsrpt_bind_text(st, 14, r->organization_name)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert policy");
    if (tlsrpt_stmt_done(db, st, "insert policy", err) != 0)
        return TLSRPT_E_DB;
    int64_t policy_id = sqlite3_last_insert_rowid(db->h);
    for (size_t i = 0; i < p->n_details; i++)
        if (insert_detail(db, policy_id, i, &p->details[i], err) != 0)
            return TLSRPT_E_DB;
    return 0;
}

static int insert_policies(struct tlsrpt_db *db, int64_t report_id, const struct tlsrpt_report *r,
                           const struct tlsrpt_store_prep *prep, struct tlsrpt_error *err)
{
    for (size_t i = 0; i < r->n_policies; i++)
        if (insert_policy(db, report_id, i, r, prep, err) != 0)
            return TLSRPT_E_DB;
    return 0;
}

/* Binds the columns a report shares between INSERT and UPDATE, starting at parameter `first`:
 * dedupe_key, reporter, organization_name, contact_info, report_id, start, end, start_raw, end_raw,
 * flags. */
static int bind_report(sqlite3_stmt *st, int first, const struct tlsrpt_report *r,
                       const struct tlsrpt_store_prep *p)
{
    int i = first;
    return tlsrpt_bind_text(st, i, p->key) | tlsrpt_bind_text(st, i + 1, p->reporter) |
           tlsrpt_bind_text(st, i + 2, r->organization_name) |
           tlsrpt_bind_text(st, i + 3, r->contact_info) |
           tlsrpt_bind_text(st, i + 4, r->report_id ? r->report_id : "") |
           sqlite3_bind_int64(st, i + 5, r->start_time) |
           sqlite3_bind_int64(st, i + 6, r->end_time) | tlsrpt_bind_text(st, i + 7, r->start_raw) |
           tlsrpt_bind_text(st, i + 8, r->end_raw) |
           sqlite3_bind_int64(st, i + 9, (sqlite3_int64)r->flags);
}

int tlsrpt_store_insert_report(struct tlsrpt_db *db, int64_t raw_id, int64_t receipt_id,
                               const struct tlsrpt_report *r, const struct tlsrpt_store_prep *p,
                               int64_t duplicates, int64_t now, int64_t *report_id,
                               struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REPORT_INSERT, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, raw_id) |
         (receipt_id > 0 ? sqlite3_bind_int64(st, 2, receipt_id) : sqlite3_bind_null(st, 2)) |
         bind_report(st, 3, r, p) | sqlite3_bind_int64(st, 13, duplicates) |
         sqlite3_bind_int64(st, 14, now)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "insert report");
    if (tlsrpt_stmt_done(db, st, "insert report", err) != 0)
        return TLSRPT_E_DB;
    *report_id = sqlite3_last_insert_rowid(db->h);
    return insert_policies(db, *report_id, r, p, err);
}

int tlsrpt_store_update_report(struct tlsrpt_db *db, int64_t report_id,
                               const struct tlsrpt_report *r, const struct tlsrpt_store_prep *p,
                               struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REPORT_UPDATE, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, report_id) | bind_report(st, 2, r, p)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "update report");
    if (tlsrpt_stmt_done(db, st, "update report", err) != 0)
        return TLSRPT_E_DB;
    /* The policies go and come back from the new parse; ON DELETE CASCADE takes the details. */
    st = tlsrpt_stmt(db, ST_POLICIES_DELETE, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_int64(st, 1, report_id) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "delete policies");
    if (tlsrpt_stmt_done(db, st, "delete policies", err) != 0)
        return TLSRPT_E_DB;
    return insert_policies(db, report_id, r, p, err);
}

int tlsrpt_store_bump(struct tlsrpt_db *db, int64_t report_id, int64_t by, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REPORT_BUMP, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, report_id) | sqlite3_bind_int64(st, 2, by)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "count duplicate");
    return tlsrpt_stmt_done(db, st, "count duplicate", err);
}

int tlsrpt_store_resolve(struct tlsrpt_db *db, int64_t raw_id, int64_t report_id, int64_t now,
                         struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REJECT_RESOLVE, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if ((sqlite3_bind_int64(st, 1, raw_id) | sqlite3_bind_int64(st, 2, report_id) |
         sqlite3_bind_int64(st, 3, now)) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "resolve reject");
    return tlsrpt_stmt_done(db, st, "resolve reject", err);
}

int tlsrpt_store_find_key(struct tlsrpt_db *db, const char *key, int64_t *report_id,
                          struct tlsrpt_error *err)
{
    sqlite3_stmt *st = tlsrpt_stmt(db, ST_REPORT_BY_KEY, err);
    if (st == NULL)
        return TLSRPT_E_DB;
    if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK)
        return tlsrpt_db_fail(db, err, "find report by dedupe key");
    return tlsrpt_stmt_int64(db, st, "find report by dedupe key", report_id, err);
}
