/* test_prepare_pool.c - the import's read-and-parse pool on real files: every file comes back
 * exactly once and in list order, with its own outcome, whatever the number of workers and however
 * slowly the consumer takes them. With 1,000 files and 256 slots the slots wrap several times, the
 * workers sleep on full slots and are woken in batches, and the consumer sleeps on items not yet
 * ready; a lost wake-up hangs, which the alarm turns into a failure. Stopping mid-list must return.
 */
#include "testutil.h"

#include "ingest.h"
#include "prepare_pool.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_FILES 1000
#define HANG_SECONDS 60 /* far above the few hundred milliseconds a run takes */

enum kind { K_REPORT, K_MISSING, K_BROKEN };

struct files {
    char *dir;
    char *paths[N_FILES];
};

static enum kind kind_of(size_t i)
{
    return i % 10 == 3 ? K_MISSING : i % 7 == 5 ? K_BROKEN : K_REPORT;
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reports are gzipped (the usual form), broken files are plain text that is not JSON, missing
 * files are listed but never written (a file that vanished between listing and reading). */
static int setup(void **state)
{
    struct files *fs = calloc(1, sizeof *fs);
    assert_non_null(fs);
    fs->dir = strdup(tu_tmpdir());
    for (size_t i = 0; i < N_FILES; i++) {
        char path[4096], json[1024];
        snprintf(path, sizeof path, "%s/%04zu.json.gz", fs->dir, i);
        fs->paths[i] = strdup(path);
        if (kind_of(i) == K_MISSING)
            continue;
        if (kind_of(i) == K_BROKEN) {
            write_file(path, (const uint8_t *)"not a report", 12);
            continue;
        }
        int n = snprintf(
            json, sizeof json,
            "{\"organization-name\":\"Org\",\"contact-info\":\"tls@org.example\","
            "\"report-id\":\"r%zu\",\"date-range\":{\"start-datetime\":\"2026-10-01T00:00:00Z\","
            "\"end-datetime\":\"2026-10-01T23:59:59Z\"},\"policies\":[{\"policy\":{"
            "\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: testing\","
            "\"mx: mx.example.com\",\"max_age: 86400\"],\"policy-domain\":\"example.com\"},"
            "\"summary\":{\"total-successful-session-count\":5,"
            "\"total-failure-session-count\":0}}]}",
            i);
        size_t gz_len;
        uint8_t *gz = tu_gzip((const uint8_t *)json, (size_t)n, &gz_len);
        assert_non_null(gz);
        write_file(path, gz, gz_len);
        free(gz);
    }
    *state = fs;
    return 0;
}

static int teardown(void **state)
{
    struct files *fs = *state;
    tu_rmtree(fs->dir);
    for (size_t i = 0; i < N_FILES; i++)
        free(fs->paths[i]);
    free(fs->dir);
    free(fs);
    return 0;
}

static void pause_us(long us)
{
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

/* Takes every item, checking each against what its file holds. pause_every: the consumer sleeps
 * 2 ms every so many items, so the workers fill every slot and must wait for free ones. */
static void run_pool(const struct files *fs, unsigned workers, size_t pause_every)
{
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    struct tlsrpt_prepare_pool *pool = NULL;
    alarm(HANG_SECONDS);
    assert_int_equal(tlsrpt_prepare_pool_start(&cfg, (const char *const *)fs->paths, N_FILES,
                                               1 << 20, workers, &pool),
                     0);
    size_t i = 0;
    struct tlsrpt_prepared *it;
    while ((it = tlsrpt_prepare_pool_next(pool)) != NULL) {
        assert_true(i < N_FILES);
        assert_string_equal(it->path, fs->paths[i]);
        switch (kind_of(i)) {
        case K_MISSING:
            assert_int_equal(it->read, TLSRPT_READ_VANISHED);
            break;
        case K_BROKEN:
            assert_int_equal(it->read, TLSRPT_READ_OK);
            assert_null(it->report);
            assert_true(it->why.code != 0);
            break;
        case K_REPORT: {
            char want[32];
            snprintf(want, sizeof want, "r%zu", i);
            assert_int_equal(it->read, TLSRPT_READ_OK);
            assert_non_null(it->report);
            assert_string_equal(it->report->report_id, want);
            break;
        }
        }
        if (pause_every > 0 && i % pause_every == 0)
            pause_us(2000);
        i++;
    }
    assert_int_equal(i, N_FILES);
    tlsrpt_prepare_pool_free(pool);
    alarm(0);
}

static void one_worker_fast_consumer(void **state)
{
    run_pool(*state, 1, 0);
}

static void two_workers_slow_consumer(void **state)
{
    run_pool(*state, 2, 50);
}

static void three_workers_fast_consumer(void **state)
{
    run_pool(*state, 3, 0);
}

static void four_workers_slow_consumer(void **state)
{
    run_pool(*state, 4, 25);
}

/* The import stops early on an out-of-memory error: free must stop workers that sleep on full
 * slots and those still preparing, and give back every item's memory (ASan checks that). */
static void stop_midway(void **state)
{
    const struct files *fs = *state;
    struct tlsrpt_ingest_config cfg;
    tlsrpt_ingest_config_default(&cfg);
    for (unsigned workers = 1; workers <= 3; workers++) {
        struct tlsrpt_prepare_pool *pool = NULL;
        alarm(HANG_SECONDS);
        assert_int_equal(tlsrpt_prepare_pool_start(&cfg, (const char *const *)fs->paths, N_FILES,
                                                   1 << 20, workers, &pool),
                         0);
        for (size_t i = 0; i < 300; i++)
            assert_non_null(tlsrpt_prepare_pool_next(pool));
        pause_us(20000); /* let the workers fill every slot and go to sleep */
        tlsrpt_prepare_pool_free(pool);
        alarm(0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_worker_fast_consumer),
        cmocka_unit_test(two_workers_slow_consumer),
        cmocka_unit_test(three_workers_fast_consumer),
        cmocka_unit_test(four_workers_slow_consumer),
        cmocka_unit_test(stop_midway),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
