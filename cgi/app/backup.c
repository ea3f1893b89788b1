/* backup.c — see backup.h. Used by the command line only (parley_cli.c). */
#include "backup.h"
#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <libpq-fe.h>
#include "../media/store.h"
#include "../store/db.h"
#include "../store/migrate.h"

extern char **environ;

enum { BACKUP_FORMAT = 1, BACKUP_PATH_MAX = 4096 };

/* Catalog only: prepared on an empty database too. */
static const db_stmt backup_catalog_stmts[] = {
    {"backup_tables", "SELECT count(*) FROM pg_catalog.pg_class c"
                      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                      " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                      " AND n.nspname NOT LIKE 'pg\\_%'"},
    {NULL, NULL},
};
/* Only once migrations ran (the database being backed up). */
static const db_stmt backup_schema_stmts[] = {
    {"backup_schema", "SELECT coalesce(max(version), 0) FROM schema_migrations"},
    {NULL, NULL},
};

/* The program's environment plus the connection's settings as PG* variables (PGHOST,
 * PGPASSWORD, …), which pg_dump and pg_restore read. Caller frees with backup_env_free. */
static char **backup_env(const char *conninfo)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    if (!opts) {
        fprintf(stderr, "parley: PARLEY_DB: %s", errmsg ? errmsg : "cannot parse it\n");
        PQfreemem(errmsg);
        return NULL;
    }
    size_t n = 0, k = 0;
    while (environ[n]) n++;
    for (PQconninfoOption *o = opts; o->keyword; o++) k++;
    char **env = calloc(n + k + 1, sizeof *env);
    size_t m = 0;
    for (PQconninfoOption *o = opts; env && o->keyword; o++) {
        if (!o->val || !o->envvar) continue;
        size_t len = strlen(o->envvar) + strlen(o->val) + 2;
        if (!(env[m] = malloc(len))) break;
        snprintf(env[m++], len, "%s=%s", o->envvar, o->val);
    }
    /* The inherited variables, except PG* ones the connection string sets. */
    for (size_t i = 0; env && i < n; i++) {
        int shadowed = 0;
        for (PQconninfoOption *o = opts; o->keyword; o++) {
            size_t el = o->envvar ? strlen(o->envvar) : 0;
            if (o->val && el && !strncmp(environ[i], o->envvar, el) && environ[i][el] == '=') shadowed = 1;
        }
        if (!shadowed && !(env[m++] = strdup(environ[i]))) break;
    }
    PQconninfoFree(opts);
    return env;
}

static void backup_env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++) free(env[i]);
    free(env);
}

/* Runs argv (argv[0] looked up on PATH) and waits; 0 when it exited 0 (or with a status
 * up to warn_upto, after saying so), -1 otherwise. */
static int backup_spawn_warn(char *const argv[], char *const envp[], int warn_upto)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, envp);
    if (rc) { fprintf(stderr, "parley: cannot run %s: %s\n", argv[0], strerror(rc)); return -1; }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) { fprintf(stderr, "parley: waiting for %s: %s\n", argv[0], strerror(errno)); return -1; }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) <= warn_upto) {
        fprintf(stderr, "parley: warning: %s ended with status %d (see its messages above)\n", argv[0], WEXITSTATUS(st));
        return 0;
    }
    if (WIFEXITED(st)) fprintf(stderr, "parley: %s failed (exit status %d)\n", argv[0], WEXITSTATUS(st));
    else fprintf(stderr, "parley: %s was killed by signal %d\n", argv[0], WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}

static int backup_spawn(char *const argv[], char *const envp[])
{
    return backup_spawn_warn(argv, envp, 0);
}

/* 1 when the directory path holds a file anywhere below it (empty subdirectories do not
 * count), 0 when it holds none or is missing. */
static int backup_has_files(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[BACKUP_PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub) { found = 1; break; }
        struct stat sb;
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) found = backup_has_files(sub);
        else found = 1;
    }
    closedir(d);
    return found;
}

/* A number from a one-value result of statement name; -1 (after saying why) on failure. */
static long long backup_count(db *d, const char *name)
{
    PGresult *r = NULL;
    err_t e = db_exec(d, name, 0, NULL, &r);
    if (e) {
        fprintf(stderr, "parley: cannot query the database: %s\n", d->conn ? PQerrorMessage(d->conn) : "not reachable");
        return -1;
    }
    long long v = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return v;
}

static long long backup_file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static int backup_join(char out[BACKUP_PATH_MAX], const char *dir, const char *name)
{
    if (snprintf(out, BACKUP_PATH_MAX, "%s/%s", dir, name) >= BACKUP_PATH_MAX) {
        fprintf(stderr, "parley: path too long: %s\n", dir);
        return -1;
    }
    return 0;
}

/* The highest migration number in dir (the schema this version builds), or -1. */
static int backup_sql_latest(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int best = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || e->d_name[0] < '0' || e->d_name[0] > '9' || strcmp(e->d_name + len - 4, ".sql")) continue;
        int v = atoi(e->d_name);
        if (v > best) best = v;
    }
    closedir(d);
    return best;
}

int backup_run(const config *cfg, const char *dir, FILE *out)
{
    char dump[BACKUP_PATH_MAX], tarf[BACKUP_PATH_MAX], man[BACKUP_PATH_MAX], tmp[BACKUP_PATH_MAX];
    if (backup_join(dump, dir, "database.dump") || backup_join(tarf, dir, "media.tar") ||
        backup_join(man, dir, "manifest.json") || backup_join(tmp, dir, "manifest.json.tmp"))
        return 1;
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "parley: cannot make %s: %s\n", dir, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) { fprintf(stderr, "parley: %s is not a directory\n", dir); return 1; }
    if (backup_has_files(dir)) {
        fprintf(stderr, "parley: %s is not empty: give a new or empty directory\n", dir);
        return 1;
    }

    db d;
    db_init(&d, cfg->db, cfg->backend_timeout_ms, (const db_stmt *const[]){backup_schema_stmts, NULL});
    long long schema = backup_count(&d, "backup_schema");
    db_close(&d);
    if (schema < 0) return 1;

    char **env = backup_env(cfg->db);
    if (!env) return 1;
    int rc = 1;
    fprintf(out, "backup: dumping the database (schema version %lld)\n", schema);
    char *dump_argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", dump, NULL};
    if (backup_spawn(dump_argv, env)) goto out;

    /* After the dump: every blob a dumped row names was committed before, so it is here. */
    fprintf(out, "backup: archiving %s\n", cfg->media_dir);
    char blobs[BACKUP_PATH_MAX], derived[BACKUP_PATH_MAX];
    if (backup_join(blobs, cfg->media_dir, "blobs") || backup_join(derived, cfg->media_dir, "derived")) goto out;
    /* A blob the worker's clean-up deletes while tar runs was unreferenced already: tar's
     * status 1 ("file removed before we read it") is a warning, not a failed backup. */
    char *tar_argv[11] = {"tar", "--create", "--ignore-failed-read", "--file", tarf, "--directory", cfg->media_dir,
                          NULL, NULL, NULL, NULL};
    int ti = 7;
    if (access(blobs, F_OK) == 0) tar_argv[ti++] = "blobs";
    if (access(derived, F_OK) == 0) tar_argv[ti++] = "derived";
    char previews[BACKUP_PATH_MAX];             /* link previews' images, which their rows name */
    if (backup_join(previews, cfg->media_dir, "previews") == 0 && access(previews, F_OK) == 0) tar_argv[ti++] = "previews";
    if (ti == 7) {                              /* nothing uploaded yet: an empty archive */
        char *empty_argv[] = {"tar", "--create", "--file", tarf, "--files-from", "/dev/null", NULL};
        if (backup_spawn(empty_argv, env)) goto out;
    } else if (backup_spawn_warn(tar_argv, env, 1)) goto out;

    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_t *m = json_pack("{s:i, s:s, s:I, s:s, s:{s:s, s:I}, s:{s:s, s:I}}", "format", BACKUP_FORMAT,
                          "parley_version", PARLEY_VERSION, "schema_version", (json_int_t)schema, "created", created,
                          "database", "file", "database.dump", "bytes", (json_int_t)backup_file_size(dump),
                          "media", "file", "media.tar", "bytes", (json_int_t)backup_file_size(tarf));
    if (!m || json_dump_file(m, tmp, JSON_INDENT(2)) || rename(tmp, man)) {
        fprintf(stderr, "parley: cannot write %s: %s\n", man, strerror(errno));
        json_decref(m);
        goto out;
    }
    json_decref(m);
    fprintf(out, "backup: done in %s (database %lld bytes, media %lld bytes, schema version %lld)\n", dir,
            backup_file_size(dump), backup_file_size(tarf), schema);
    rc = 0;
out:
    backup_env_free(env);
    return rc;
}

int backup_restore(const config *cfg, const char *dir, int force, FILE *out)
{
    char dump[BACKUP_PATH_MAX], tarf[BACKUP_PATH_MAX], man[BACKUP_PATH_MAX];
    if (backup_join(dump, dir, "database.dump") || backup_join(tarf, dir, "media.tar") ||
        backup_join(man, dir, "manifest.json"))
        return 1;
    json_error_t jerr;
    json_t *m = json_load_file(man, 0, &jerr);
    if (!m) {
        fprintf(stderr, "parley: %s is not a finished backup (no readable manifest.json: %s)\n", dir, jerr.text);
        return 1;
    }
    json_int_t format = 0, schema = -1;
    const char *made = "?", *version = "?";
    if (json_unpack(m, "{s:I, s:I, s?s, s?s}", "format", &format, "schema_version", &schema, "created", &made,
                    "parley_version", &version) ||
        format != BACKUP_FORMAT || schema < 0) {
        fprintf(stderr, "parley: %s: not a backup this version can read (format %lld)\n", man, (long long)format);
        json_decref(m);
        return 1;
    }
    fprintf(out, "restore: backup of %s (Parley %s, schema version %lld)\n", made, version, (long long)schema);
    fflush(out);                                 /* before any refusal on stderr */
    json_decref(m);
    int latest = backup_sql_latest(cfg->sql_dir);
    if (latest < 0) { fprintf(stderr, "parley: no migrations in %s (PARLEY_SQL)\n", cfg->sql_dir); return 1; }
    if (schema > latest) {
        fprintf(stderr, "parley: the backup's schema (version %lld) is newer than this Parley's (%d): restore it with the version that made it\n",
                (long long)schema, latest);
        return 1;
    }
    if (access(dump, R_OK) || access(tarf, R_OK)) {
        fprintf(stderr, "parley: %s lacks database.dump or media.tar\n", dir);
        return 1;
    }

    db d;
    db_init(&d, cfg->db, cfg->backend_timeout_ms, (const db_stmt *const[]){backup_catalog_stmts, NULL});
    long long tables = backup_count(&d, "backup_tables");
    char dbname[256] = "";
    if (d.conn) snprintf(dbname, sizeof dbname, "%s", PQdb(d.conn));
    db_close(&d);
    if (tables < 0) return 1;
    if (tables > 0 && !force) {
        fprintf(stderr, "parley: the database %s is not empty (%lld tables): restore into an empty database, or add --force to replace its contents\n",
                dbname, tables);
        return 1;
    }
    char blobs[BACKUP_PATH_MAX], derived[BACKUP_PATH_MAX];
    if (backup_join(blobs, cfg->media_dir, "blobs") || backup_join(derived, cfg->media_dir, "derived")) return 1;
    if ((backup_has_files(blobs) || backup_has_files(derived)) && !force) {
        fprintf(stderr, "parley: the media directory %s is not empty: restore into an empty one, or add --force\n",
                cfg->media_dir);
        return 1;
    }
    if (store_init(cfg->media_dir)) {
        fprintf(stderr, "parley: cannot make %s: %s\n", cfg->media_dir, strerror(errno));
        return 1;
    }

    char **env = backup_env(cfg->db);
    if (!env) return 1;
    int rc = 1;
    fprintf(out, "restore: loading the database %s\n", dbname);
    /* One transaction: a failure leaves the database as it was. */
    char *restore_argv[12] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                              "--single-transaction", "--dbname", dbname, NULL};
    if (force) { restore_argv[7] = "--clean"; restore_argv[8] = "--if-exists"; }
    int ri = force ? 9 : 7;
    restore_argv[ri++] = dump;
    restore_argv[ri] = NULL;
    if (backup_spawn(restore_argv, env)) goto out;
    fprintf(out, "restore: unpacking the media into %s\n", cfg->media_dir);
    char *tar_argv[] = {"tar", "--extract", "--no-same-owner", "--file", tarf, "--directory", cfg->media_dir, NULL};
    if (backup_spawn(tar_argv, env)) goto out;
    if (migrate_run(cfg->db, cfg->sql_dir, out)) goto out;
    fprintf(out, "restore: done; start Parley (sessions are not in a backup: on a new server everyone signs in again)\n");
    rc = 0;
out:
    backup_env_free(env);
    return rc;
}
