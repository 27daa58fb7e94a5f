/* api.c - "/api/analysis": the document of `tlsrpt-report --format json` for the request's window
 * and domains (d= may repeat), made by the same library function. */
#include "web.h"

#include <stdlib.h>
#include <string.h>

static void json_reply(struct web_reply *r, int status, json_t *doc)
{
    char *text = doc != NULL ? json_dumps(doc, TLSRPT_ANALYSIS_JSON_FLAGS | JSON_INDENT(2)) : NULL;
    r->status = text != NULL ? status : 500;
    r->content_type = "application/json; charset=utf-8";
    h_raw(&r->body, text != NULL ? text : "{\"error\": \"out of memory\"}");
    h_raw(&r->body, "\n");
    free(text);
}

void web_api_error(struct web_reply *r, int status, const char *message)
{
    json_t *doc = json_pack("{s:s}", "error", message);
    size_t max = r->body.buf.max;
    html_free(&r->body);
    html_init(&r->body, max);
    json_reply(r, status, doc);
    json_decref(doc);
}

int web_api_analysis(const struct web_ctx *c, struct web_reply *r)
{
    struct web_analysis w;
    struct tlsrpt_error err = {0};
    int rc = web_analyze(c, c->p.domains, c->p.n_domains, false, &w, &err);
    if (rc != 0) {
        web_analysis_done(c, &w);
        web_api_error(r, rc == TLSRPT_E_DB ? 503 : 500, err.message);
        return 0;
    }
    json_t *doc = tlsrpt_analysis_to_json(&w.view);
    json_reply(r, 200, doc);
    json_decref(doc);
    web_analysis_done(c, &w);
    return 0;
}
