/* queries.c - the only SQL of the analyzer. Two statements per path, every value bound, and only
 * the policies and failure_details tables are read (each entry carries its report's start time,
 * reporter and organization name):
 *   one domain (--domain): its policy entries and failure details through policies_domain_start;
 *   every domain: one pass over the window through policies_start, in time order, which keeps the
 *   table reads close together (rows are written in roughly time order), then the failure details.
 * Rows come in (start_time, id) order: the entries of one report have consecutive ids (the store
 * writes them together), so they arrive side by side, as the counting rule needs (aggregate.c).
 * bench/report_bench.sh prints the plans. */
#include "analyze_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_COLUMNS                                                                             \
    "p.id, p.report, p.idx, p.policy_type, p.sts_mode, p.sts_max_age, p.mx_patterns,"              \
    " p.successful, p.failed, p.start_time, p.reporter, p.organization_name, p.policy_domain"
#define DETAIL_FIELDS                                                                              \
    "fd.policy, fd.result_type, fd.sending_mta_ip, fd.receiving_mx_hostname, fd.receiving_ip,"     \
    " fd.failed_session_count, fd.failure_reason_code"

static const char SQL_POLICIES[] =
    "SELECT " POLICY_COLUMNS " FROM policies AS p"
    " WHERE p.policy_domain = ?3 AND p.start_time >= ?1 AND p.start_time < ?2"
    " ORDER BY p.start_time, p.id";

/* Summary counts are the truth (RFC 8460 §4): details of an entry without failures are ignored. */
static const char SQL_DETAILS[] =
    "SELECT " DETAIL_FIELDS ", p.policy_domain"
    " FROM policies AS p JOIN failure_details AS fd ON fd.policy = p.id"
    " WHERE p.policy_domain = ?3 AND p.start_time >= ?1 AND p.start_time < ?2 AND p.failed > 0";

static const char SQL_ALL_POLICIES[] =
    "SELECT " POLICY_COLUMNS " FROM policies AS p"
    " WHERE p.start_time >= ?1 AND p.start_time < ?2 ORDER BY p.start_time, p.id";

/* The caller knows which entries of the window have failures and their id range: reading the
 * details of that range (ids follow import order, so the window's ids lie close together) saves a
 * second pass over the policies; the caller drops details of entries outside its list. */
static const char SQL_ALL_DETAILS[] = "SELECT " DETAIL_FIELDS ", NULL FROM failure_details AS fd"
                                      " WHERE fd.policy >= ?1 AND fd.policy <= ?2";

static int fail(struct queries *q, struct tlsrpt_error *err, const char *what)
{
    return tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "%s: %s", what, sqlite3_errmsg(q->db->h));
}

int q_prepare(struct tlsrpt_db *db, bool all, struct queries *q, struct tlsrpt_error *err)
{
    memset(q, 0, sizeof *q);
    q->db = db;
    if (sqlite3_prepare_v2(db->h, all ? SQL_ALL_POLICIES : SQL_POLICIES, -1, &q->policies, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db->h, all ? SQL_ALL_DETAILS : SQL_DETAILS, -1, &q->details, NULL) !=
            SQLITE_OK) {
        int rc = fail(q, err, "preparing the analysis queries");
        q_finalize(q);
        return rc;
    }
    return 0;
}

void q_finalize(struct queries *q)
{
    sqlite3_finalize(q->policies);
    sqlite3_finalize(q->details);
    q->policies = q->details = NULL;
}

/* ?1 since, ?2 until, ?3 the domain (one-domain statements only). */
static int bind_window(sqlite3_stmt *st, const char *domain, int64_t since, int64_t until)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (sqlite3_bind_int64(st, 1, since) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, until) != SQLITE_OK)
        return -1;
    if (domain != NULL && sqlite3_bind_text(st, 3, domain, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        return -1;
    return 0;
}

int q_policies_start(struct queries *q, const char *domain, int64_t since, int64_t until,
                     struct tlsrpt_error *err)
{
    if (bind_window(q->policies, domain, since, until) != 0)
        return fail(q, err, "binding the policies query");
    return 0;
}

static enum policy_kind kind_of(const char *t)
{
    if (t == NULL)
        return PK_OTHER;
    if (strcmp(t, "sts") == 0)
        return PK_STS;
    if (strcmp(t, "tlsa") == 0)
        return PK_TLSA;
    if (strcmp(t, "no-policy-found") == 0)
        return PK_NO_POLICY;
    return PK_OTHER;
}

static const char *text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

int q_policies_next(struct queries *q, struct policy_row *row, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = q->policies;
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return fail(q, err, "reading policies");
    row->id = sqlite3_column_int64(st, 0);
    row->report = sqlite3_column_int64(st, 1);
    row->idx = sqlite3_column_int64(st, 2);
    row->kind = kind_of(text(st, 3));
    row->mode = text(st, 4);
    row->max_age = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
    row->mx_patterns_json = text(st, 6);
    row->successful = sqlite3_column_int64(st, 7);
    row->failed = sqlite3_column_int64(st, 8);
    row->start = sqlite3_column_int64(st, 9);
    row->reporter = text(st, 10);
    row->organization = text(st, 11);
    row->domain = text(st, 12);
    if (row->reporter == NULL)
        row->reporter = "unknown";
    if (row->organization == NULL || row->organization[0] == '\0')
        row->organization = row->reporter;
    if (row->domain == NULL)
        row->domain = "";
    return 1;
}

int q_details_start(struct queries *q, const char *domain, int64_t since, int64_t until,
                    struct tlsrpt_error *err)
{
    if (bind_window(q->details, domain, since, until) != 0)
        return fail(q, err, "binding the failure details query");
    return 0;
}

int q_details_range_start(struct queries *q, int64_t first_id, int64_t last_id,
                          struct tlsrpt_error *err)
{
    if (bind_window(q->details, NULL, first_id, last_id) != 0)
        return fail(q, err, "binding the failure details query");
    return 0;
}

/* The parser turns "" into NULL already; the analyzer treats both alike anyway. */
static const char *opt_text(sqlite3_stmt *st, int col)
{
    const char *s = text(st, col);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

int q_details_next(struct queries *q, struct detail_row *row, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = q->details;
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return fail(q, err, "reading failure details");
    row->policy = sqlite3_column_int64(st, 0);
    row->result_type = text(st, 1);
    if (row->result_type == NULL)
        row->result_type = "";
    row->sending_mta_ip = opt_text(st, 2);
    row->receiving_mx_hostname = opt_text(st, 3);
    row->receiving_ip = opt_text(st, 4);
    row->sessions = sqlite3_column_int64(st, 5);
    row->failure_reason_code = opt_text(st, 6);
    row->domain = text(st, 7);
    if (row->domain == NULL)
        row->domain = "";
    return 1;
}

int q_explain(struct tlsrpt_db *db, FILE *f, struct tlsrpt_error *err)
{
    static const struct {
        const char *name, *sql;
    } all[] = {{"policy entries of one domain (--domain)", SQL_POLICIES},
               {"failure details of one domain (--domain)", SQL_DETAILS},
               {"policy entries of every domain", SQL_ALL_POLICIES},
               {"failure details of every domain", SQL_ALL_DETAILS}};
    int rc = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0] && rc == 0; i++) {
        sqlite3_stmt *st = NULL;
        char *sql = NULL;
        if (asprintf(&sql, "EXPLAIN QUERY PLAN %s", all[i].sql) < 0)
            return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
        fprintf(f, "-- %s\n%s\n", all[i].name, all[i].sql);
        if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
            rc = tlsrpt_error_set(err, TLSRPT_E_DB, NULL, "%s", sqlite3_errmsg(db->h));
        } else {
            while (sqlite3_step(st) == SQLITE_ROW)
                fprintf(f, "  plan: %s\n", (const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_finalize(st);
        free(sql);
    }
    return rc;
}
