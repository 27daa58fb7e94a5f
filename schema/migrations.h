/* migrations.h - the schema/NNN_*.sql files, embedded in order by cmake/EmbedSql.cmake into the
 * generated migrations.c. Entry i is migration number i + 1; db.c checks that the names agree. */
#ifndef TLSRPT_MIGRATIONS_H
#define TLSRPT_MIGRATIONS_H

#include <stddef.h>

struct tlsrpt_migration {
    const char *name; /* file name, e.g. "001_initial.sql" */
    const char *sql;  /* its whole text, run with sqlite3_exec inside one transaction */
};

extern const struct tlsrpt_migration tlsrpt_migrations[];
extern const size_t tlsrpt_migrations_count;

#endif
