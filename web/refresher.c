/* refresher.c - the background recomputation of stale analyses (refresher.h). */
#include "refresher.h"

#include "log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A query with its own copies of the domain names. */
struct job {
    struct tlsrpt_analysis_query q;
    char **domains;
};

struct web_refresher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, pending, busy;
    struct job next, current;
    char *db_path;
    struct web_cache *cache;
};

static void job_clear(struct job *j)
{
    for (size_t i = 0; i < j->q.n_domains; i++)
        free(j->domains[i]);
    free(j->domains);
    memset(j, 0, sizeof *j);
}

static int job_copy(struct job *j, const struct tlsrpt_analysis_query *q)
{
    memset(j, 0, sizeof *j);
    j->q = *q;
    j->q.domains = NULL;
    j->q.n_domains = 0;
    if (q->n_domains == 0)
        return 0;
    if ((j->domains = calloc(q->n_domains, sizeof *j->domains)) == NULL)
        return -1;
    for (size_t i = 0; i < q->n_domains; i++) {
        if ((j->domains[i] = strdup(q->domains[i])) == NULL) {
            job_clear(j);
            return -1;
        }
        j->q.n_domains++;
    }
    j->q.domains = (const char *const *)j->domains;
    return 0;
}

static bool same_key(const struct tlsrpt_analysis_query *a, const struct tlsrpt_analysis_query *b)
{
    if (a->since != b->since || a->n_domains != b->n_domains)
        return false;
    for (size_t i = 0; i < a->n_domains; i++)
        if (strcmp(a->domains[i], b->domains[i]) != 0)
            return false;
    return true;
}

static void compute(struct web_refresher *r, struct tlsrpt_db **db, struct web_cache_seen *seen)
{
    struct tlsrpt_error err = {0};
    if (*db == NULL && tlsrpt_db_open(r->db_path, TLSRPT_DB_READONLY, db, &err) != 0) {
        log_warning("refreshing an analysis: %s", err.message);
        return;
    }
    uint64_t generation = web_cache_observe(r->cache, *db, seen);
    struct tlsrpt_analysis *a = NULL;
    if (tlsrpt_analyze(*db, &r->current.q, &a, &err) != 0) {
        log_warning("refreshing an analysis: %s", err.message);
        tlsrpt_db_close(*db); /* a fresh handle next time */
        *db = NULL;
        memset(seen, 0, sizeof *seen);
        return;
    }
    web_cache_release(r->cache, web_cache_put(r->cache, generation, &r->current.q, a));
}

static void *run(void *arg)
{
    struct web_refresher *r = arg;
    struct tlsrpt_db *db = NULL;
    struct web_cache_seen seen = {0, 0};
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->stop && !r->pending)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->stop)
            break;
        r->current = r->next; /* ownership of the names moves */
        memset(&r->next, 0, sizeof r->next);
        r->pending = false;
        r->busy = true;
        pthread_mutex_unlock(&r->lock);
        compute(r, &db, &seen);
        pthread_mutex_lock(&r->lock);
        job_clear(&r->current);
        r->busy = false;
    }
    pthread_mutex_unlock(&r->lock);
    if (db != NULL)
        tlsrpt_db_close(db);
    return NULL;
}

int web_refresher_start(const char *db_path, struct web_cache *cache, struct web_refresher **out,
                        struct tlsrpt_error *err)
{
    struct web_refresher *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL || (r->db_path = strdup(db_path)) == NULL) {
        free(r);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    }
    r->cache = cache;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        free(r->db_path);
        free(r);
        return tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "cannot start the refresher thread");
    }
    *out = r;
    return 0;
}

void web_refresher_want(struct web_refresher *r, const struct tlsrpt_analysis_query *q)
{
    struct job j;
    if (r == NULL || job_copy(&j, q) != 0)
        return;
    pthread_mutex_lock(&r->lock);
    bool running_it = r->busy && same_key(&r->current.q, q);
    if (!running_it) {
        job_clear(&r->next);
        r->next = j;
        r->pending = true;
        pthread_cond_signal(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    if (running_it)
        job_clear(&j);
}

void web_refresher_stop(struct web_refresher *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    job_clear(&r->next);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r->db_path);
    free(r);
}
