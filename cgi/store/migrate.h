/* migrate.h — applies sql/NNN_name.sql files once each, in order, each in a transaction,
 * recorded in schema_migrations; an advisory lock serialises concurrent runs. */
#ifndef PARLEY_MIGRATE_H
#define PARLEY_MIGRATE_H
#include <stdio.h>

/* Returns 0 when the schema is current; messages go to out. */
int migrate_run(const char *conninfo, const char *dir, FILE *out);

#endif
