#include "prepare_pool.h"

#include "decode.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define POOL_SLOTS 256 /* items in flight: bounds memory at 256 files plus their parsed reports */
/* A worker that found every slot taken sleeps until this many are free again. Waking it for each
 * slot the consumer gives back cost a futex wake and a context switch per file on the database
 * thread, which is the one that bounds the import. */
#define POOL_WAKE_FREE 32
/* Workers run at this nice level (Linux sets it per thread). The one database thread bounds the
 * import; with as many workers as cores, fair scheduling gave it two thirds of a core. Niced, the
 * workers take only the CPU it leaves: 10-15% more files per second on two cores. */
#define POOL_WORKER_NICE 10

struct slot {
    struct tlsrpt_prepared item;
    int ready;
};

struct tlsrpt_prepare_pool {
    const struct tlsrpt_ingest_config *cfg;
    const char *const *paths;
    size_t n, max_file;
    size_t next_claim; /* next index a worker takes */
    size_t next_out;   /* next index handed to the consumer */
    size_t returned;   /* indexes below this have been given back: their slots may be reused */
    int stopping;
    unsigned workers_waiting; /* workers asleep on slot_free */
    int consumer_waiting;     /* the consumer is asleep on slot_ready, for slot next_out */
    struct slot slots[POOL_SLOTS];
    pthread_mutex_t mu;
    pthread_cond_t slot_free, slot_ready;
    pthread_t threads[16];
    unsigned n_threads;
};

static void clear_item(struct tlsrpt_prepared *it)
{
    tlsrpt_report_free(it->report);
    it->report = NULL;
    tlsrpt_store_prep_free(&it->prep);
    tlsrpt_mail_prepared_free(it->mail);
    it->mail = NULL;
    it->mail_rc = 0;
    it->is_report = 0;
    it->read = TLSRPT_READ_ERROR;
    memset(&it->why, 0, sizeof it->why);
}

/* A mail message starts with a header field ("Name:") or an mbox "From " line. Anything else that
 * is not gzip/zip/JSON either goes to the decoder, which rejects it with its reason (and it is
 * kept). */
static int looks_like_mail(const uint8_t *d, size_t len)
{
    if (len >= 5 && memcmp(d, "From ", 5) == 0)
        return 1;
    size_t i = 0;
    /* Real header names are letters, digits and dashes (RFC 5322 allows more; mail never uses it).
     */
    while (i < len && i < 100 && (isalnum(d[i]) || d[i] == '-' || d[i] == '_'))
        i++;
    return i > 0 && i < len && d[i] == ':';
}

static size_t free_slots(const struct tlsrpt_prepare_pool *p)
{
    return p->returned + POOL_SLOTS - p->next_claim;
}

static int nothing_to_claim(const struct tlsrpt_prepare_pool *p)
{
    return p->stopping || p->next_claim >= p->n;
}

static void prepare_one(struct tlsrpt_prepare_pool *p, struct tlsrpt_prepared *it,
                        struct tlsrpt_buf *scratch)
{
    it->read = tlsrpt_read_file_safe(it->path, p->max_file, &it->raw, &it->why);
    if (it->read != TLSRPT_READ_OK)
        return;
    /* A bare report (or bytes that are not mail either) is decoded and parsed here; a mail
     * message's MIME work (also pure) is done here too. The consumer only stores. */
    it->is_report = tlsrpt_sniff(it->raw.data, it->raw.len) != TLSRPT_FMT_UNKNOWN ||
                    !looks_like_mail(it->raw.data, it->raw.len);
    if (it->is_report) {
        it->report =
            tlsrpt_ingest_prepare(p->cfg, it->raw.data, it->raw.len, NULL, scratch, &it->why);
        tlsrpt_ingest_prep(it->raw.data, it->raw.len, it->report, &it->prep);
    } else
        it->mail_rc = tlsrpt_mail_prepare(it->raw.data, it->raw.len, NULL, p->cfg, &it->mail);
}

static void *worker(void *arg)
{
    pthread_setname_np(pthread_self(), "import-worker"); /* for top -H, perf --comm, gdb */
    /* Raising one's own nice level is always allowed; if it fails, the import is only slower. */
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), POOL_WORKER_NICE);
    struct tlsrpt_prepare_pool *p = arg;
    struct tlsrpt_buf scratch;
    tlsrpt_buf_init(&scratch, p->cfg->decode.max_decompressed);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* Claim an index only once its slot has been given back by the consumer. */
        if (!nothing_to_claim(p) && free_slots(p) == 0) {
            p->workers_waiting++;
            while (!nothing_to_claim(p) && free_slots(p) < POOL_WAKE_FREE)
                pthread_cond_wait(&p->slot_free, &p->mu);
            p->workers_waiting--;
        }
        if (nothing_to_claim(p))
            break;
        size_t i = p->next_claim++;
        struct slot *s = &p->slots[i % POOL_SLOTS];
        pthread_mutex_unlock(&p->mu);
        /* The consumer only hands a slot back; freeing its last report happens here, off the one
         * database thread that bounds the whole import. */
        clear_item(&s->item);
        s->item.path = p->paths[i];
        prepare_one(p, &s->item, &scratch);
        pthread_mutex_lock(&p->mu);
        s->ready = 1;
        if (p->consumer_waiting && i == p->next_out)
            pthread_cond_signal(&p->slot_ready);
    }
    pthread_mutex_unlock(&p->mu);
    tlsrpt_buf_free(&scratch);
    return NULL;
}

int tlsrpt_prepare_pool_start(const struct tlsrpt_ingest_config *cfg, const char *const *paths,
                              size_t n, size_t max_file, unsigned workers,
                              struct tlsrpt_prepare_pool **out)
{
    struct tlsrpt_prepare_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return TLSRPT_E_NOMEM;
    p->cfg = cfg;
    p->paths = paths;
    p->n = n;
    p->max_file = max_file;
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        tlsrpt_buf_init(&p->slots[i].item.raw, max_file);
        clear_item(&p->slots[i].item);
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->slot_free, NULL);
    pthread_cond_init(&p->slot_ready, NULL);
    if (workers < 1)
        workers = 1;
    if (workers > sizeof p->threads / sizeof p->threads[0])
        workers = sizeof p->threads / sizeof p->threads[0];
    for (unsigned i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            break;
        p->n_threads++;
    }
    if (p->n_threads == 0) {
        tlsrpt_prepare_pool_free(p);
        return TLSRPT_E_NOMEM;
    }
    *out = p;
    return 0;
}

struct tlsrpt_prepared *tlsrpt_prepare_pool_next(struct tlsrpt_prepare_pool *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->next_out > 0) { /* give the previous slot back */
        struct slot *prev = &p->slots[(p->next_out - 1) % POOL_SLOTS];
        prev->ready = 0;
        p->returned = p->next_out;
        if (p->workers_waiting > 0 && free_slots(p) >= POOL_WAKE_FREE)
            pthread_cond_broadcast(&p->slot_free);
    }
    if (p->next_out >= p->n) {
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    struct slot *s = &p->slots[p->next_out % POOL_SLOTS];
    while (!s->ready) {
        p->consumer_waiting = 1;
        pthread_cond_wait(&p->slot_ready, &p->mu);
    }
    p->consumer_waiting = 0;
    p->next_out++;
    pthread_mutex_unlock(&p->mu);
    return &s->item;
}

void tlsrpt_prepare_pool_free(struct tlsrpt_prepare_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->slot_free);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        clear_item(&p->slots[i].item);
        tlsrpt_buf_free(&p->slots[i].item.raw);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->slot_free);
    pthread_cond_destroy(&p->slot_ready);
    free(p);
}
