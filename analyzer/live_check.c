/* live_check.c - the newest stored check of a domain (checker/check_store.h) in the analysis: read
 * it, let the readiness rules use it, and copy it into the arena for the printers and the web. */
#include "analyze_internal.h"

#include "check_store.h"

#include <string.h>

static const char *dup_or_null(struct tlsrpt_arena *arena, const char *s, bool *oom)
{
    if (s == NULL || s[0] == '\0')
        return NULL;
    const char *d = tlsrpt_arena_strdup(arena, s);
    if (d == NULL)
        *oom = true;
    return d;
}

static const char *dup(struct tlsrpt_arena *arena, const char *s, bool *oom)
{
    const char *d = tlsrpt_arena_strdup(arena, s != NULL ? s : "");
    if (d == NULL)
        *oom = true;
    return d;
}

static struct tlsrpt_live_check *copy_check(const struct tlsrpt_check_latest *c, int64_t now,
                                            struct tlsrpt_arena *arena)
{
    struct tlsrpt_live_check *lc = tlsrpt_arena_alloc(arena, sizeof *lc);
    bool oom = false;
    if (lc == NULL)
        return NULL;
    memset(lc, 0, sizeof *lc);
    lc->checked_at = c->checked_at;
    lc->age_days = now > 0 && now >= c->checked_at ? (now - c->checked_at) / SECONDS_PER_DAY : -1;
    lc->verdict = dup(arena, c->verdict, &oom);
    lc->sts_mode = dup_or_null(arena, c->sts_mode, &oom);
    lc->sts_id = dup_or_null(arena, c->sts_id, &oom);
    lc->policy_cert_days = c->policy_cert_days;
    lc->mx_cert_days = c->mx_cert_days;
    if (c->n_sts_mx > 0) {
        const char **mx = tlsrpt_arena_array(arena, c->n_sts_mx, sizeof *mx);
        if (mx == NULL)
            return NULL;
        for (size_t i = 0; i < c->n_sts_mx; i++)
            mx[i] = dup(arena, c->sts_mx[i], &oom);
        lc->sts_mx = mx;
        lc->n_sts_mx = c->n_sts_mx;
    }
    if (c->n_mx_certs > 0) {
        lc->mx_certs = tlsrpt_arena_array(arena, c->n_mx_certs, sizeof *lc->mx_certs);
        if (lc->mx_certs == NULL)
            return NULL;
        for (size_t i = 0; i < c->n_mx_certs; i++) {
            lc->mx_certs[i].host = dup(arena, c->mx_certs[i].host, &oom);
            lc->mx_certs[i].days_left = c->mx_certs[i].days_left;
        }
        lc->n_mx_certs = c->n_mx_certs;
    }
    if (c->n_findings > 0) {
        lc->findings = tlsrpt_arena_array(arena, c->n_findings, sizeof *lc->findings);
        if (lc->findings == NULL)
            return NULL;
        for (size_t i = 0; i < c->n_findings; i++) {
            const struct tlsrpt_finding *f = &c->findings[i];
            struct tlsrpt_live_finding *o = &lc->findings[i];
            o->severity = tlsrpt_finding_severity_name(f->severity); /* a static string */
            o->code = dup(arena, f->code, &oom);
            o->object = dup(arena, f->object, &oom);
            o->message = dup(arena, f->message, &oom);
            o->fix = dup(arena, f->fix, &oom);
        }
        lc->n_findings = c->n_findings;
    }
    return oom ? NULL : lc;
}

/* 1 when the checks table has a row, 0 when not, -1 on a database error (err set). */
static int any_check(struct tlsrpt_db *db, struct tlsrpt_error *err)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(db->h, "SELECT EXISTS (SELECT 1 FROM checks)", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        found = sqlite3_column_int(st, 0) != 0;
    else
        tlsrpt_db_fail(db, err, "look for stored checks");
    sqlite3_finalize(st);
    return found;
}

int live_readiness(struct tlsrpt_db *db, struct dom_acc *a, size_t newest_policy,
                   const struct tlsrpt_analysis_query *q, struct tlsrpt_arena *arena,
                   struct tlsrpt_domain_analysis *out, struct tlsrpt_error *err)
{
    struct tlsrpt_check_latest c;
    int rc = 0;
    if (a->checks_stored < 0 && (a->checks_stored = any_check(db, err)) < 0)
        return TLSRPT_E_DB;
    if (a->checks_stored)
        rc = tlsrpt_check_latest(db, a->domain, &c, err);
    else
        memset(&c, 0, sizeof c); /* found = 0: the rules see no check */
    if (rc == 0 &&
        readiness_evaluate(a, newest_policy, &q->thresholds, &c, q->now, arena, out) != 0)
        rc = TLSRPT_E_NOMEM;
    if (rc == 0 && c.found && (out->live_check = copy_check(&c, q->now, arena)) == NULL)
        rc = TLSRPT_E_NOMEM;
    if (rc == TLSRPT_E_NOMEM)
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory analysing %s", a->domain);
    tlsrpt_check_latest_free(&c);
    return rc;
}
