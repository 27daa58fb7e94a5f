/* report_plan - prints the analyzer's SQL statements with SQLite's EXPLAIN QUERY PLAN for them, on
 * the given database (bench/report_bench.sh), so the figures come with the plans that explain them.
 *
 *   report_plan DB
 */
#include "analyze_internal.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct tlsrpt_db *db = NULL;
    struct tlsrpt_error err = {0};
    int rc = 1;
    if (argc != 2) {
        fprintf(stderr, "usage: report_plan DB\n");
        return 64;
    }
    if (tlsrpt_db_open(argv[1], TLSRPT_DB_READONLY, &db, &err) != 0 ||
        q_explain(db, stdout, &err) != 0)
        fprintf(stderr, "report_plan: %s\n", err.message);
    else
        rc = 0;
    tlsrpt_db_close(db);
    return rc;
}
