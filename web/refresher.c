/* refresher.c - the background computation of the overview's analyses (refresher.h). */
#include "refresher.h"

#include "log.h"
#include "params.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECONDS_PER_DAY 86400

/* A query with its own copies of the domain names, and its preset (0: another window). */
struct job {
    struct tlsrpt_analysis_query q;
    char **domains;
    int preset;
};

struct web_refresher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* to the thread: work, or stop */
    pthread_cond_t done; /* from the thread: a job ended */
    bool stop;
    bool sweep;      /* a pass over the presets is asked for */
    bool has_wanted; /* a request's job waits in wanted */
    bool busy;       /* current is being computed */
    struct job wanted, current;
    struct job failed; /* the last job whose analysis failed (q.since 0 when none) */
    bool has_failed;
    int pass[WEB_N_PRESETS]; /* the presets of the pass in progress, in order */
    size_t n_pass, at_pass;
    int64_t day; /* the UTC day of the last pass's start */
    uint64_t analyses;
    int64_t last_ms; /* how long the last analysis it made took; 0 before the first */
    struct web_refresher_config cfg;
    char *db_path;
};

static int64_t day_of(int64_t t)
{
    int64_t r = t % SECONDS_PER_DAY;
    return t - (r < 0 ? r + SECONDS_PER_DAY : r);
}

int64_t web_refresher_next_day(int64_t now, int margin)
{
    return day_of(now) + SECONDS_PER_DAY + margin;
}

static int64_t clock_now(const struct web_refresher *r)
{
    if (r->cfg.clock != NULL)
        return r->cfg.clock(r->cfg.clock_arg);
    return r->cfg.fixed_now > 0 ? r->cfg.fixed_now : (int64_t)time(NULL);
}

/* The wall-clock deadline seconds from now (what pthread_cond_timedwait waits for). */
static struct timespec deadline_in(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void job_clear(struct job *j)
{
    for (size_t i = 0; i < j->q.n_domains; i++)
        free(j->domains[i]);
    free(j->domains);
    memset(j, 0, sizeof *j);
}

static int job_copy(struct job *j, const struct tlsrpt_analysis_query *q, int preset)
{
    memset(j, 0, sizeof *j);
    j->q = *q;
    j->q.domains = NULL;
    j->q.n_domains = 0;
    j->preset = preset;
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

/* The same window: the same since and domains, the end on the same UTC day (cache.c's rule). */
static bool same_window(const struct tlsrpt_analysis_query *a,
                        const struct tlsrpt_analysis_query *b)
{
    if (a->since != b->since || a->n_domains != b->n_domains ||
        day_of(a->until - 1) != day_of(b->until - 1))
        return false;
    for (size_t i = 0; i < a->n_domains; i++)
        if (strcmp(a->domains[i], b->domains[i]) != 0)
            return false;
    return true;
}

/* The overview of a preset window at now: every domain, as a request for window=days resolves. */
static void preset_job(const struct web_refresher *r, int days, int64_t now, struct job *j)
{
    struct web_params p = {.window_days = days, .page = 1};
    memset(j, 0, sizeof *j);
    j->q.now = now;
    j->q.thresholds = r->cfg.thresholds;
    web_window_resolve(&p, now, &j->q.since, &j->q.until);
    j->preset = days;
}

/* A new pass: the default window, then the other presets, those asked for last first. */
static void plan_pass(struct web_refresher *r)
{
    uint64_t used[WEB_N_PRESETS] = {0};
    r->n_pass = r->at_pass = 0;
    r->pass[r->n_pass++] = WEB_DEFAULT_WINDOW;
    for (size_t i = 0; i < WEB_N_PRESETS; i++) {
        if (web_presets[i] == WEB_DEFAULT_WINDOW)
            continue;
        uint64_t u = web_cache_last_used(r->cfg.cache, web_presets[i]);
        size_t k = r->n_pass;
        for (; k > 1 && used[k - 1] < u; k--) { /* stable: equal ones keep the list's order */
            r->pass[k] = r->pass[k - 1];
            used[k] = used[k - 1];
        }
        r->pass[k] = web_presets[i];
        used[k] = u;
        r->n_pass++;
    }
    r->day = day_of(clock_now(r));
}

enum outcome { CACHED, MADE, FAILED };

/* Computes the current job unless the cache holds it valid; *ms: how long it took (MADE). */
static enum outcome compute(struct web_refresher *r, struct tlsrpt_db **db,
                            struct web_cache_seen *seen, int64_t *ms)
{
    struct tlsrpt_error err = {0};
    if (*db == NULL && tlsrpt_db_open(r->db_path, TLSRPT_DB_READONLY, db, &err) != 0) {
        log_warning("refreshing an analysis: %s", err.message);
        return FAILED;
    }
    uint64_t generation = web_cache_observe(r->cfg.cache, *db, seen);
    if (web_cache_valid(r->cfg.cache, *db, generation, &r->current.q))
        return CACHED;
    struct tlsrpt_analysis *a = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (tlsrpt_analyze(*db, &r->current.q, &a, &err) != 0) {
        log_warning("refreshing an analysis: %s", err.message);
        tlsrpt_db_close(*db); /* a fresh handle next time */
        *db = NULL;
        memset(seen, 0, sizeof *seen);
        return FAILED;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    log_debug("refresher: %s%d-day window of %zu domain(s) computed in %.0f ms",
              r->current.preset > 0 ? "the " : "a ",
              r->current.preset > 0
                  ? r->current.preset
                  : (int)((r->current.q.until - r->current.q.since) / SECONDS_PER_DAY),
              a->n_domains,
              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    web_cache_release(r->cfg.cache,
                      web_cache_put(r->cfg.cache, generation, &r->current.q, r->current.preset, a));
    return MADE;
}

static bool idle(const struct web_refresher *r)
{
    return !r->busy && !r->has_wanted && !r->sweep && r->at_pass == r->n_pass;
}

/* Sleeps until there is work, a new UTC day begins, or stop. Called and returns locked. */
static void wait_for_work(struct web_refresher *r)
{
    while (!r->stop && idle(r)) {
        int64_t now = clock_now(r);
        if (day_of(now) != r->day) {
            r->sweep = true; /* each preset's since moved */
            break;
        }
        int margin = r->cfg.day_margin > 0 ? r->cfg.day_margin : WEB_REFRESH_DAY_MARGIN;
        int64_t s = web_refresher_next_day(now, margin) - now;
        s = s < 1 ? 1 : s > WEB_REFRESH_MAX_SLEEP ? WEB_REFRESH_MAX_SLEEP : s;
        struct timespec until = deadline_in(s * 1000);
        pthread_cond_timedwait(&r->wake, &r->lock, &until);
    }
}

static void *run(void *arg)
{
    pthread_setname_np(pthread_self(), "web-refresher"); /* for top -H, perf --comm, gdb */
    struct web_refresher *r = arg;
    struct tlsrpt_db *db = NULL;
    struct web_cache_seen seen = {0, 0};
    struct timespec pass_start = {0, 0};
    uint64_t pass_analyses = 0;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        wait_for_work(r);
        if (r->stop)
            break;
        bool last_of_pass = false;
        if (r->has_wanted) {
            r->current = r->wanted; /* ownership of the names moves */
            memset(&r->wanted, 0, sizeof r->wanted);
            r->has_wanted = false;
        } else {
            if (r->at_pass == r->n_pass) {
                r->sweep = false;
                plan_pass(r);
                clock_gettime(CLOCK_MONOTONIC, &pass_start);
                pass_analyses = r->analyses;
            }
            preset_job(r, r->pass[r->at_pass++], clock_now(r), &r->current);
            last_of_pass = r->at_pass == r->n_pass;
        }
        r->busy = true;
        pthread_mutex_unlock(&r->lock);
        int64_t ms = 0;
        enum outcome done = compute(r, &db, &seen, &ms);
        pthread_mutex_lock(&r->lock);
        if (done == MADE)
            r->last_ms = ms;
        /* Remember a failure, so that a page waiting for this window computes it itself and shows
         * the error instead of saying "being made" for ever. */
        if (done == FAILED || (r->has_failed && same_window(&r->failed.q, &r->current.q))) {
            job_clear(&r->failed);
            r->has_failed = false;
        }
        if (done == FAILED) {
            r->failed = r->current; /* ownership of the names moves */
            memset(&r->current, 0, sizeof r->current);
            r->has_failed = true;
        }
        job_clear(&r->current);
        r->busy = false;
        r->analyses += done == MADE;
        if (done == FAILED)
            r->at_pass = r->n_pass; /* one warning per pass: the next request tries again */
        if (last_of_pass && pass_analyses != r->analyses) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            log_debug("refresher: preset windows ready (%llu analyses in %.1f s)",
                      (unsigned long long)(r->analyses - pass_analyses),
                      (double)(t.tv_sec - pass_start.tv_sec) +
                          (double)(t.tv_nsec - pass_start.tv_nsec) / 1e9);
        }
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->lock);
    if (db != NULL)
        tlsrpt_db_close(db);
    return NULL;
}

int web_refresher_start(const struct web_refresher_config *cfg, struct web_refresher **out,
                        struct tlsrpt_error *err)
{
    struct web_refresher *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL || (r->db_path = strdup(cfg->db_path)) == NULL) {
        free(r);
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    }
    r->cfg = *cfg;
    r->cfg.db_path = r->db_path;
    r->sweep = true; /* the preset windows, before anyone asks */
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    pthread_cond_init(&r->done, NULL);
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        pthread_cond_destroy(&r->done);
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r->db_path);
        free(r);
        return tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "cannot start the refresher thread");
    }
    *out = r;
    return 0;
}

/* Puts j (its names now owned here) next in line, in place of any job asked for before: the
 * latest request wins. Called locked. */
static void ask(struct web_refresher *r, const struct job *j)
{
    job_clear(&r->wanted);
    r->wanted = *j;
    r->has_wanted = true;
    pthread_cond_signal(&r->wake);
}

void web_refresher_want(struct web_refresher *r, const struct tlsrpt_analysis_query *q, int preset)
{
    struct job j;
    if (r == NULL || job_copy(&j, q, preset) != 0)
        return;
    pthread_mutex_lock(&r->lock);
    ask(r, &j);
    r->sweep = true; /* the database or the day changed: the other presets are out of date too */
    pthread_mutex_unlock(&r->lock);
}

/* q is the job being computed or the one asked for next. Called locked. */
static bool in_hand(const struct web_refresher *r, const struct tlsrpt_analysis_query *q)
{
    return (r->busy && same_window(&r->current.q, q)) ||
           (r->has_wanted && same_window(&r->wanted.q, q));
}

enum web_make web_refresher_make(struct web_refresher *r, const struct tlsrpt_analysis_query *q,
                                 int preset, int64_t wait_ms)
{
    struct job j;
    if (r == NULL)
        return WEB_MAKE_FAILED;
    struct timespec until = deadline_in(wait_ms);
    pthread_mutex_lock(&r->lock);
    if (!in_hand(r, q)) {
        if (job_copy(&j, q, preset) != 0) {
            pthread_mutex_unlock(&r->lock);
            return WEB_MAKE_FAILED; /* out of memory: the caller computes it itself */
        }
        ask(r, &j);
    }
    /* No wait at all for 0: even an expired timed wait lets the thread run, and a small analysis
     * could then end in it, which would make --overview-wait 0 answer either way. Nor when the
     * last analysis took longer than the wait: on a large database the answer is then "being
     * made" at once, instead of after holding a server thread for nothing. */
    if (r->last_ms > wait_ms)
        wait_ms = 0;
    while (wait_ms > 0 && in_hand(r, q))
        if (pthread_cond_timedwait(&r->done, &r->lock, &until) == ETIMEDOUT)
            break;
    enum web_make m = in_hand(r, q)                                   ? WEB_MAKE_PENDING
                      : r->has_failed && same_window(&r->failed.q, q) ? WEB_MAKE_FAILED
                                                                      : WEB_MAKE_ENDED;
    pthread_mutex_unlock(&r->lock);
    return m;
}

bool web_refresher_await(struct web_refresher *r, const struct tlsrpt_analysis_query *q)
{
    bool waited = false;
    if (r == NULL)
        return false;
    struct timespec until = deadline_in((int64_t)WEB_REFRESH_AWAIT_MAX * 1000);
    pthread_mutex_lock(&r->lock);
    while (r->busy && same_window(&r->current.q, q)) {
        waited = true;
        if (pthread_cond_timedwait(&r->done, &r->lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&r->lock);
    return waited;
}

bool web_refresher_wait_idle(struct web_refresher *r, int64_t timeout_ms)
{
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&r->lock);
    while (!idle(r))
        if (pthread_cond_timedwait(&r->done, &r->lock, &until) == ETIMEDOUT)
            break;
    bool ok = idle(r);
    pthread_mutex_unlock(&r->lock);
    return ok;
}

uint64_t web_refresher_analyses(struct web_refresher *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t n = r->analyses;
    pthread_mutex_unlock(&r->lock);
    return n;
}

void web_refresher_stop(struct web_refresher *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    job_clear(&r->wanted);
    job_clear(&r->failed);
    pthread_cond_destroy(&r->done);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r->db_path);
    free(r);
}
