/* migrate.c — see migrate.h. The migration files are the only SQL not run as prepared
 * statements: they are the schema itself, read from the project's own sql/ directory. */
#include "migrate.h"
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

typedef struct mig { int version; char name[256]; } mig;

static int mig_cmp(const void *a, const void *b)
{
    return ((const mig *)a)->version - ((const mig *)b)->version;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static int ok(PGresult *r, FILE *out, const char *what)
{
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return 1;
    fprintf(out, "migrate: %s: %s", what, PQresultErrorMessage(r));
    return 0;
}

int migrate_run(const char *conninfo, const char *dir, FILE *out)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(out, "migrate: cannot connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int rc = 1;
    mig *list = NULL;
    size_t n = 0, cap = 0;
    PGresult *r = PQexec(c, "SET client_min_messages = warning");
    PQclear(r);
    r = PQexec(c, "SELECT pg_advisory_lock(7478201)");
    if (!ok(r, out, "lock")) goto done;
    PQclear(r);
    r = PQexec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                  " version integer PRIMARY KEY, name text NOT NULL,"
                  " applied_at timestamptz NOT NULL DEFAULT now())");
    if (!ok(r, out, "schema_migrations")) goto done;
    PQclear(r);
    r = NULL;

    DIR *dp = opendir(dir);
    if (!dp) { fprintf(out, "migrate: cannot open %s\n", dir); goto done; }
    struct dirent *de;
    while ((de = readdir(dp))) {
        const char *nm = de->d_name;
        size_t len = strlen(nm);
        if (len < 5 || !isdigit((unsigned char)nm[0]) || strcmp(nm + len - 4, ".sql")) continue;
        if (len >= sizeof list[0].name) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            mig *nl = realloc(list, cap * sizeof *list);
            if (!nl) { closedir(dp); goto done; }
            list = nl;
        }
        list[n].version = atoi(nm);
        memcpy(list[n].name, nm, len + 1);
        n++;
    }
    closedir(dp);
    qsort(list, n, sizeof *list, mig_cmp);
    for (size_t i = 1; i < n; i++)
        if (list[i].version == list[i - 1].version) {
            fprintf(out, "migrate: two files with version %d\n", list[i].version);
            goto done;
        }

    int applied = 0;
    for (size_t i = 0; i < n; i++) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", list[i].version);
        const char *p1[] = {ver};
        r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL, p1, NULL, NULL, 0);
        if (!ok(r, out, "check")) goto done;
        int done_already = PQntuples(r) > 0;
        PQclear(r);
        r = NULL;
        if (done_already) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
        char *sql = slurp(path);
        if (!sql) { fprintf(out, "migrate: cannot read %s\n", path); goto done; }
        r = PQexec(c, "BEGIN");
        PQclear(r);
        r = PQexec(c, sql);
        free(sql);
        if (!ok(r, out, list[i].name)) { PQclear(r); r = PQexec(c, "ROLLBACK"); goto done; }
        PQclear(r);
        const char *p2[] = {ver, list[i].name};
        r = PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, NULL, p2, NULL, NULL, 0);
        if (!ok(r, out, "record")) { PQclear(r); r = PQexec(c, "ROLLBACK"); goto done; }
        PQclear(r);
        r = PQexec(c, "COMMIT");
        if (!ok(r, out, "commit")) goto done;
        PQclear(r);
        r = NULL;
        fprintf(out, "migrate: applied %s\n", list[i].name);
        applied++;
    }
    fprintf(out, "migrate: schema is current (%d applied now, %zu in all)\n", applied, n);
    rc = 0;
done:
    PQclear(r);
    free(list);
    PQfinish(c);
    return rc;
}
