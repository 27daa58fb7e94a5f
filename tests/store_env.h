/* store_env.h - a fresh database (and ingest) in a temporary directory, for tests that store
 * inputs and then count rows. */
#ifndef TLSRPT_TEST_STORE_ENV_H
#define TLSRPT_TEST_STORE_ENV_H

#include <stddef.h>

struct tlsrpt_db;
struct tlsrpt_ingest;

struct tu_store_env {
    char dir[4096];
    char db_path[4200];
    struct tlsrpt_db *db;
    struct tlsrpt_ingest *ing;
};

/* batch_max_items 0 keeps the ingest default. Fails the test on any error. */
struct tu_store_env *tu_store_env_open(size_t batch_max_items);
void tu_store_env_close(struct tu_store_env *e);
/* cmocka teardown for a test whose state is a tu_store_env. */
int tu_store_env_teardown(void **state);

/* The one integer a query like "SELECT count(*) FROM reports" returns. */
long long tu_count(struct tlsrpt_db *db, const char *sql);

#endif
