/* ingest.c - decode -> parse -> store for every source, with group commit.
 * The batch (many inputs) is one transaction, so the fsync cost is shared; a database error after
 * an input's first row abandons the whole batch, so none ever holds half a report. Sources are
 * told the outcome only after COMMIT returned. WAL checkpoints run on a thread of their own. */
#include "ingest.h"

#include "checkpointer.h"
#include "decode.h"
#include "log.h"
#include "report_parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pending {
    tlsrpt_ingest_done_fn done;
    void *ctx;
    struct tlsrpt_ingest_result res;
};

struct tlsrpt_ingest {
    struct tlsrpt_db *db;
    struct tlsrpt_ingest_config cfg;
    struct pending *pend;
    size_t n_pend, cap_pend;
    int64_t batch_started_ms;
    struct tlsrpt_ingest_counts counts;
    struct tlsrpt_buf json;           /* decoder output, reused across inputs */
    struct tlsrpt_checkpointer *ckpt; /* NULL: the handle checkpoints inside its commits */
};

void tlsrpt_ingest_config_default(struct tlsrpt_ingest_config *c)
{
    tlsrpt_decode_limits_default(&c->decode);
    tlsrpt_parse_limits_default(&c->parse);
    c->batch_max_items = TLSRPT_DEF_BATCH_MAX_ITEMS;
    c->batch_max_ms = TLSRPT_DEF_BATCH_MAX_MS;
    c->checkpoint_pages = TLSRPT_CHECKPOINT_HARD_PAGES;
}

const char *tlsrpt_ingest_outcome_name(enum tlsrpt_ingest_outcome o)
{
    switch (o) {
    case TLSRPT_INGEST_IMPORTED:
        return "imported";
    case TLSRPT_INGEST_DUPLICATE:
        return "duplicate";
    case TLSRPT_INGEST_REJECTED:
        return "rejected";
    case TLSRPT_INGEST_FAILED:
        return "failed";
    }
    return "unknown";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tlsrpt_ingest_new(struct tlsrpt_db *db, const struct tlsrpt_ingest_config *cfg,
                      struct tlsrpt_ingest **out)
{
    struct tlsrpt_ingest *ing = calloc(1, sizeof *ing);
    if (ing == NULL)
        return TLSRPT_E_NOMEM;
    ing->db = db;
    if (cfg)
        ing->cfg = *cfg;
    else
        tlsrpt_ingest_config_default(&ing->cfg);
    if (ing->cfg.batch_max_items == 0)
        ing->cfg.batch_max_items = 1;
    tlsrpt_buf_init(&ing->json, ing->cfg.decode.max_decompressed);
    /* Sources wait on commits (a Maildir rename, an HTTP answer, the next batch of an import): a
     * checkpoint inside one (the WAL copied into the database file, then an fsync) made every
     * waiting input wait for it too. Without the thread the commits still checkpoint. */
    struct tlsrpt_error err = {0};
    if (ing->cfg.checkpoint_pages > 0 &&
        tlsrpt_checkpointer_start(db, TLSRPT_CHECKPOINT_SOFT_PAGES, ing->cfg.checkpoint_pages,
                                  &ing->ckpt, &err) != 0)
        log_warning("checkpoints stay in the commits: %s", err.message);
    *out = ing;
    return 0;
}

static void count(struct tlsrpt_ingest *ing, enum tlsrpt_ingest_outcome o)
{
    switch (o) {
    case TLSRPT_INGEST_IMPORTED:
        ing->counts.imported++;
        break;
    case TLSRPT_INGEST_DUPLICATE:
        ing->counts.duplicates++;
        break;
    case TLSRPT_INGEST_REJECTED:
        ing->counts.rejected++;
        break;
    case TLSRPT_INGEST_FAILED:
        ing->counts.failed++;
        break;
    }
}

/* Ends the batch: every pending input learns its outcome, FAILED for all when the batch did not
 * commit. */
static void finish_batch(struct tlsrpt_ingest *ing, int committed, const struct tlsrpt_error *why)
{
    /* Callbacks may submit again (a Maildir source moving on), so detach the list first. */
    struct pending *list = ing->pend;
    size_t n = ing->n_pend;
    ing->pend = NULL;
    ing->n_pend = ing->cap_pend = 0;
    ing->batch_started_ms = 0;
    for (size_t i = 0; i < n; i++) {
        struct tlsrpt_ingest_result *res = &list[i].res;
        if (!committed) {
            res->outcome = TLSRPT_INGEST_FAILED;
            res->report_id = 0;
            res->reason = *why;
        }
        count(ing, res->outcome);
        if (list[i].done)
            list[i].done(list[i].ctx, res);
    }
    free(list);
}

int tlsrpt_ingest_flush(struct tlsrpt_ingest *ing)
{
    if (!ing->db->in_tx) {
        finish_batch(ing, 1, NULL);
        return 0;
    }
    struct tlsrpt_error err = {0};
    if (tlsrpt_db_commit(ing->db, &err) != 0) {
        log_error("commit failed, %zu inputs not stored: %s", ing->n_pend, err.message);
        tlsrpt_db_rollback(ing->db);
        finish_batch(ing, 0, &err);
        return TLSRPT_E_DB;
    }
    finish_batch(ing, 1, NULL);
    tlsrpt_checkpointer_after_commit(ing->ckpt); /* only now: the batch is answered */
    return 0;
}

int tlsrpt_ingest_poll(struct tlsrpt_ingest *ing)
{
    if (ing->n_pend == 0 || now_ms() - ing->batch_started_ms < ing->cfg.batch_max_ms)
        return 0;
    return tlsrpt_ingest_flush(ing);
}

void tlsrpt_ingest_get_counts(const struct tlsrpt_ingest *ing, struct tlsrpt_ingest_counts *c)
{
    *c = ing->counts;
    if (ing->ckpt != NULL) {
        struct tlsrpt_checkpointer_stats st;
        tlsrpt_checkpointer_get_stats(ing->ckpt, &st);
        c->checkpoints_background = st.background;
        c->checkpoints_inline = st.inline_;
    }
}

void tlsrpt_ingest_free(struct tlsrpt_ingest *ing)
{
    if (ing == NULL)
        return;
    tlsrpt_ingest_flush(ing);
    tlsrpt_checkpointer_stop(ing->ckpt, NULL);
    tlsrpt_buf_free(&ing->json);
    free(ing);
}

static void list_domains(const struct tlsrpt_report *r, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_policies && used + 1 < len; i++) {
        const char *d = r->policies[i].policy_domain;
        if (strstr(buf, d) != NULL) /* short list; a repeat check by substring is enough for logs */
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", d);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

struct tlsrpt_report *tlsrpt_ingest_prepare(const struct tlsrpt_ingest_config *cfg,
                                            const uint8_t *raw, size_t len,
                                            const struct tlsrpt_parse_hints *hints,
                                            struct tlsrpt_buf *scratch, struct tlsrpt_error *why)
{
    struct tlsrpt_report *report = NULL;
    enum tlsrpt_format fmt;
    tlsrpt_buf_reset(scratch);
    if (tlsrpt_decode(raw, len, &cfg->decode, scratch, &fmt, why) != 0)
        return NULL;
    if (tlsrpt_report_parse((const char *)scratch->data, scratch->len, &cfg->parse, hints, &report,
                            why) != 0)
        return NULL;
    return report;
}

const struct tlsrpt_ingest_config *tlsrpt_ingest_config_of(const struct tlsrpt_ingest *ing)
{
    return &ing->cfg;
}

int tlsrpt_ingest_prep(const uint8_t *raw, size_t len, const struct tlsrpt_report *report,
                       struct tlsrpt_store_prep *p)
{
    struct tlsrpt_error err = {0};
    if (tlsrpt_store_prep_make(raw, len, report, p, &err) != 0) {
        tlsrpt_store_prep_free(p);
        return -1;
    }
    return 0;
}

int tlsrpt_ingest_submit(struct tlsrpt_ingest *ing, const uint8_t *raw, size_t len,
                         const struct tlsrpt_source_info *src,
                         const struct tlsrpt_parse_hints *hints, tlsrpt_ingest_done_fn done,
                         void *ctx)
{
    struct tlsrpt_error why = {0};
    struct tlsrpt_report *report =
        tlsrpt_ingest_prepare(&ing->cfg, raw, len, hints, &ing->json, &why);
    int rc = tlsrpt_ingest_submit_prepared(ing, raw, len, src, report, &why, NULL, done, ctx);
    tlsrpt_report_free(report);
    return rc;
}

int tlsrpt_ingest_submit_prepared(struct tlsrpt_ingest *ing, const uint8_t *raw, size_t len,
                                  const struct tlsrpt_source_info *src,
                                  const struct tlsrpt_report *report,
                                  const struct tlsrpt_error *why,
                                  const struct tlsrpt_store_prep *prep, tlsrpt_ingest_done_fn done,
                                  void *ctx)
{
    struct pending item = {.done = done, .ctx = ctx};
    struct tlsrpt_ingest_result *res = &item.res;
    struct tlsrpt_error dberr = {0};

    if (ing->n_pend == ing->cap_pend) {
        size_t cap = ing->cap_pend ? ing->cap_pend * 2 : 64;
        struct pending *p = realloc(ing->pend, cap * sizeof *p);
        if (p == NULL) {
            res->outcome = TLSRPT_INGEST_FAILED;
            tlsrpt_error_set(&res->reason, TLSRPT_E_NOMEM, "", "out of memory");
            count(ing, res->outcome);
            if (done)
                done(ctx, res);
            return TLSRPT_E_NOMEM;
        }
        ing->pend = p;
        ing->cap_pend = cap;
    }
    if (!ing->db->in_tx) {
        if (tlsrpt_db_begin(ing->db, &dberr) != 0)
            goto failed;
        ing->batch_started_ms = now_ms();
    }
    /* No SAVEPOINT per input: its sub-journal copied every page an input touched (about 15% of
     * the database thread). What can fail for one input's sake is checked before its first row;
     * a failure after a row was written takes the whole batch, none of it acknowledged yet. */
    int64_t changes_before = sqlite3_total_changes64(ing->db->h);
    enum tlsrpt_store_outcome so;
    int rc;
    /* A prep made off this thread (sha256, dedupe key, JSON) leaves only the writing here. */
    bool prepped = prep != NULL && prep->sha256[0] != '\0' && (report == NULL || prep->reporter);
    if (report != NULL) {
        rc = prepped ? tlsrpt_store_report_prepped(ing->db, raw, len, src, report, prep, &so,
                                                   &res->report_id, &dberr)
                     : tlsrpt_store_report(ing->db, raw, len, src, report, &so, &res->report_id,
                                           &dberr);
        list_domains(report, res->policy_domains, sizeof res->policy_domains);
    } else {
        res->reason = *why;
        rc = prepped ? tlsrpt_store_reject_prepped(ing->db, raw, len, src, &res->reason, prep, &so,
                                                   &dberr)
                     : tlsrpt_store_reject(ing->db, raw, len, src, &res->reason, &so, &dberr);
    }
    if (rc != 0) {
        log_error("not stored (%s): %s", src && src->reference ? src->reference : "input",
                  dberr.message);
        /* A failed statement undoes itself; a completed one cannot be undone alone. */
        if (sqlite3_total_changes64(ing->db->h) != changes_before)
            goto failed;
        res->outcome = TLSRPT_INGEST_FAILED;
        res->reason = dberr;
    } else {
        res->outcome = so == TLSRPT_STORE_IMPORTED    ? TLSRPT_INGEST_IMPORTED
                       : so == TLSRPT_STORE_DUPLICATE ? TLSRPT_INGEST_DUPLICATE
                                                      : TLSRPT_INGEST_REJECTED;
    }
    ing->pend[ing->n_pend++] = item;
    if (ing->n_pend >= ing->cfg.batch_max_items)
        return tlsrpt_ingest_flush(ing);
    return 0;

failed:
    /* The transaction itself is broken: nothing of this batch can be trusted to commit. */
    log_error("database error, batch abandoned: %s", dberr.message);
    if (ing->db->in_tx)
        tlsrpt_db_rollback(ing->db);
    ing->pend[ing->n_pend++] = item;
    finish_batch(ing, 0, &dberr);
    return TLSRPT_E_DB;
}
