/* mail_ingest.c - a prepared message's inputs into the ingest, and one outcome per message once
 * they are all committed. Each input is one ingest submission; a per-message job counts those
 * pending. */
#include "mail_ingest.h"

#include "mail_prepared.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mail_job;

struct part_slot {
    struct mail_job *job;
    char label[160];
};

struct mail_job {
    tlsrpt_mail_done_fn done;
    void *ctx;
    size_t pending; /* inputs not yet done, plus one while tlsrpt_mail_submit is still submitting */
    struct tlsrpt_mail_result res;
    int have_reject_reason, have_fail_reason, have_mail_error;
    struct tlsrpt_error fail_reason, mail_error;
    struct part_slot slots[];
};

const char *tlsrpt_mail_outcome_name(enum tlsrpt_mail_outcome o)
{
    switch (o) {
    case TLSRPT_MAIL_IMPORTED:
        return "imported";
    case TLSRPT_MAIL_DUPLICATE:
        return "duplicate";
    case TLSRPT_MAIL_REJECTED:
        return "rejected";
    case TLSRPT_MAIL_SKIPPED:
        return "skipped";
    case TLSRPT_MAIL_FAILED:
        return "failed";
    }
    return "unknown";
}

/* snprintf for reasons: a long value is cut and ends in "..." so the cut is visible. */
static void fit(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fit(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= len && len > 4)
        memcpy(dst + len - 4, "...", 4);
}

static void finish(struct mail_job *job)
{
    struct tlsrpt_mail_result *res = &job->res;
    if (res->failed > 0) {
        res->outcome = TLSRPT_MAIL_FAILED;
        res->reason = job->fail_reason;
    } else if (res->rejected > 0) {
        res->outcome = TLSRPT_MAIL_REJECTED;
        if (job->have_mail_error) /* the ingest's reason would be about the message's bytes */
            res->reason = job->mail_error;
    } else {
        res->outcome = res->imported > 0 ? TLSRPT_MAIL_IMPORTED : TLSRPT_MAIL_DUPLICATE;
    }
    if (job->done)
        job->done(job->ctx, res);
    free(job);
}

static void release(struct mail_job *job)
{
    if (--job->pending == 0)
        finish(job);
}

static void note_failure(struct mail_job *job, const struct tlsrpt_error *why)
{
    job->res.failed++;
    if (!job->have_fail_reason) {
        job->fail_reason = *why;
        job->have_fail_reason = 1;
    }
}

static void part_done(void *ctx, const struct tlsrpt_ingest_result *r)
{
    struct part_slot *slot = ctx;
    struct mail_job *job = slot->job;
    switch (r->outcome) {
    case TLSRPT_INGEST_IMPORTED:
        job->res.imported++;
        break;
    case TLSRPT_INGEST_DUPLICATE:
        job->res.duplicates++;
        break;
    case TLSRPT_INGEST_REJECTED:
        job->res.rejected++;
        if (!job->have_reject_reason) {
            struct tlsrpt_error *e = &job->res.reason;
            *e = r->reason;
            fit(e->message, sizeof e->message, "part %s: %s", slot->label, r->reason.message);
            job->have_reject_reason = 1;
        }
        break;
    case TLSRPT_INGEST_FAILED:
        note_failure(job, &r->reason);
        break;
    }
    release(job);
}

static void done_now(tlsrpt_mail_done_fn done, void *ctx, enum tlsrpt_mail_outcome o,
                     const struct tlsrpt_error *why)
{
    struct tlsrpt_mail_result res = {.outcome = o};
    if (why)
        res.reason = *why;
    if (o == TLSRPT_MAIL_FAILED)
        res.failed = 1;
    if (done)
        done(ctx, &res);
}

int tlsrpt_mail_submit(struct tlsrpt_ingest *ing, struct tlsrpt_mail_prepared *p,
                       const char *reference, tlsrpt_mail_done_fn done, void *ctx)
{
    int rc = 0;
    if (p->n == 0) {
        done_now(done, ctx, TLSRPT_MAIL_SKIPPED, NULL);
        goto out;
    }
    struct mail_job *job = calloc(1, sizeof *job + p->n * sizeof job->slots[0]);
    if (job == NULL) {
        struct tlsrpt_error why;
        tlsrpt_error_set(&why, TLSRPT_E_NOMEM, "", "out of memory");
        done_now(done, ctx, TLSRPT_MAIL_FAILED, &why);
        goto out;
    }
    job->done = done;
    job->ctx = ctx;
    job->pending = p->n + 1;
    job->mail_error = p->mail_error;
    job->have_mail_error = p->have_mail_error;
    size_t i;
    for (i = 0; i < p->n; i++) {
        const struct prepared_input *in = &p->in[i];
        struct part_slot *slot = &job->slots[i];
        slot->job = job;
        memcpy(slot->label, in->label, sizeof slot->label);
        struct tlsrpt_source_info src = {
            .kind = "mail", .reference = reference, .meta_json = in->meta};
        rc = tlsrpt_ingest_submit_prepared(ing, in->data, in->len, &src, in->report, &in->why,
                                           &in->prep, part_done, slot);
        if (rc != 0)
            break; /* part_done has run for this input, with FAILED */
    }
    if (rc != 0) {
        struct tlsrpt_error why;
        tlsrpt_error_set(&why, (enum tlsrpt_errcode)rc, "",
                         "not submitted: an earlier part failed");
        for (i = i + 1; i < p->n; i++) { /* never submitted: account for them here */
            note_failure(job, &why);
            job->pending--;
        }
    }
    release(job); /* may finish the job: every input could already be committed */
out:
    tlsrpt_mail_prepared_free(p);
    return rc == TLSRPT_E_DB ? TLSRPT_E_DB : 0;
}

int tlsrpt_mail_ingest(struct tlsrpt_ingest *ing, const uint8_t *msg, size_t len,
                       const char *reference, const struct tlsrpt_mail_limits *limits,
                       tlsrpt_mail_done_fn done, void *ctx)
{
    struct tlsrpt_mail_prepared *p = NULL;
    if (tlsrpt_mail_prepare(msg, len, limits, tlsrpt_ingest_config_of(ing), &p) != 0) {
        struct tlsrpt_error why;
        tlsrpt_error_set(&why, TLSRPT_E_NOMEM, "", "out of memory reading the message");
        done_now(done, ctx, TLSRPT_MAIL_FAILED, &why);
        return 0;
    }
    return tlsrpt_mail_submit(ing, p, reference, done, ctx);
}
