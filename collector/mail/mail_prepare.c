/* mail_prepare.c - the pure half of tlsrpt_mail_ingest: message bytes in, ingest inputs out (report
 * parts, their meta JSON and labels). No I/O and no shared state, so a reader thread can run it
 * while another thread stores (maildir_run.c). */
#include "mail_ingest.h"
#include "mail_meta.h"
#include "mail_prepared.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* snprintf for labels: a long value is cut and ends in "..." so the cut is visible. */
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

/* The message refused whole (a cap): its bytes become the one input, kept as a reject whose reason
 * is that cap (not the decoder's opinion of a mail's bytes). */
static int prepare_whole(struct tlsrpt_mail_prepared *p, const struct tlsrpt_mail_extract *x,
                         const uint8_t *msg, size_t len)
{
    struct prepared_input *in = &p->in[0];
    in->data = malloc(len ? len : 1);
    if (in->data == NULL)
        return TLSRPT_E_NOMEM;
    if (len)
        memcpy(in->data, msg, len);
    in->len = len;
    in->meta = tlsrpt_mail_meta_json(x, NULL, NULL, &p->mail_error);
    snprintf(in->label, sizeof in->label, "(whole message)");
    in->why = p->mail_error;
    tlsrpt_ingest_prep(in->data, in->len, NULL, &in->prep);
    p->n = 1;
    return 0;
}

/* Each part is decoded and parsed here, once: the ingest stores that result (so the thread that
 * writes the database never parses), and the meta JSON compares it with the mail headers. */
static void prepare_parts(struct tlsrpt_mail_prepared *p, struct tlsrpt_mail_extract *x,
                          const struct tlsrpt_ingest_config *cfg)
{
    struct tlsrpt_buf json;
    tlsrpt_buf_init(&json, 0);
    for (size_t i = 0; i < x->n_parts; i++) {
        struct tlsrpt_mail_part *part = &x->parts[i];
        const struct tlsrpt_mail_envelope *env = &x->envelopes[part->envelope];
        struct prepared_input *in = &p->in[i];
        struct tlsrpt_parse_hints hints = {.report_domain = env->report_domain};
        in->report = tlsrpt_ingest_prepare(cfg, part->data, part->len, &hints, &json, &in->why);
        in->meta = tlsrpt_mail_meta_json(x, part, in->report, NULL);
        if (part->filename)
            fit(in->label, sizeof in->label, "%s (%s)", part->section, part->filename);
        else
            fit(in->label, sizeof in->label, "%s (%s)", part->section, part->content_type);
        in->data = part->data; /* moved: the extract no longer frees it */
        in->len = part->len;
        part->data = NULL;
        tlsrpt_ingest_prep(in->data, in->len, in->report, &in->prep);
        p->n = i + 1;
    }
    tlsrpt_buf_free(&json);
}

int tlsrpt_mail_prepare(const uint8_t *msg, size_t len, const struct tlsrpt_mail_limits *limits,
                        const struct tlsrpt_ingest_config *cfg, struct tlsrpt_mail_prepared **out)
{
    struct tlsrpt_ingest_config defaults;
    if (cfg == NULL) {
        tlsrpt_ingest_config_default(&defaults);
        cfg = &defaults;
    }
    *out = NULL;
    struct tlsrpt_mail_extract x;
    struct tlsrpt_error xerr = {0};
    int xrc = tlsrpt_mail_extract(msg, len, limits, &x, &xerr);
    int rc = 0;
    struct tlsrpt_mail_prepared *p = NULL;
    if (xrc == TLSRPT_E_NOMEM) {
        rc = TLSRPT_E_NOMEM;
        goto out;
    }
    size_t n = xrc != 0 ? 1 : x.n_parts;
    p = calloc(1, sizeof *p);
    if (p == NULL || (n > 0 && (p->in = calloc(n, sizeof *p->in)) == NULL)) {
        rc = TLSRPT_E_NOMEM;
        goto out;
    }
    if (xrc != 0) {
        p->mail_error = xerr;
        p->have_mail_error = 1;
        rc = prepare_whole(p, &x, msg, len);
    } else {
        prepare_parts(p, &x, cfg);
    }
out:
    tlsrpt_mail_extract_free(&x);
    if (rc != 0) {
        tlsrpt_mail_prepared_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

size_t tlsrpt_mail_prepared_inputs(const struct tlsrpt_mail_prepared *p)
{
    return p ? p->n : 0;
}

void tlsrpt_mail_prepared_free(struct tlsrpt_mail_prepared *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->in[i].data);
        free(p->in[i].meta);
        tlsrpt_report_free(p->in[i].report);
        tlsrpt_store_prep_free(&p->in[i].prep);
    }
    free(p->in);
    free(p);
}
