/* parley_cli.c — the command line: migrate, user add, config check, jobs, retention, backup,
 * restore and push keys. Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "../app/dispatch.h"
#include "../app/users.h"
#include "../core/num.h"
#include "../core/utf8.h"
#include "../http/validate.h"
#include "../store/migrate.h"
#include "../worker/jobs.h"
#include "../worker/kinds.h"
#include "../worker/retention.h"
#include "../app/admin.h"
#include "../app/backup.h"
#include "../core/vapid.h"
#include "../app/smallsite.h"
#include "../app/module.h"

static int usage(void)
{
    fputs("usage: parley migrate\n"
          "       parley user add [--admin] USERNAME DISPLAY_NAME   (password from PARLEY_PASSWORD or stdin)\n"
          "       parley admin grant|revoke USERNAME\n"
          "       parley config check\n"
          "       parley jobs list [--failed]\n"
          "       parley jobs retry ID | parley jobs drop ID\n"
          "       parley jobs enqueue KIND [JSON] [--key KEY] [--attempts N]\n"
          "       parley retention run\n"
          "       parley push keys                 a new VAPID key pair for Web Push, as configuration lines\n"
          "       parley backup DIR                the database, the media and a manifest, into DIR\n"
          "       parley restore DIR [--force]     into an empty database and media directory\n"
          "       parley statement NAME            the SQL text of a prepared statement (benchmarks, support)\n"
          "Settings come from PARLEY_* environment variables or the file named by PARLEY_CONFIG;\n"
          "see README.md.\n", stderr);
    return 2;
}

/* `parley statement NAME`: prints the SQL of one of the modules' prepared statements, as
 * PostgreSQL receives it (make bench runs msg_insert through pgbench with it). */
static int statement_print(const char *name)
{
    for (const db_stmt *const *set = modules_stmts(); *set; set++)
        for (const db_stmt *st = *set; st->name; st++)
            if (!strcmp(st->name, name)) { printf("%s\n", st->sql); return 0; }
    fprintf(stderr, "parley: no statement named %s\n", name);
    return 1;
}

/* `parley push keys`: a new VAPID key pair (RFC 8292) as lines for the configuration. Made
 * once: a new pair ends every browser's subscription made with the old public key. */
static int push_keys(void)
{
    char pub[VAPID_PUBLIC_B64], priv[VAPID_PRIVATE_B64];
    if (vapid_keys_new(pub, priv)) { fputs("parley: push keys: OpenSSL could not make a P-256 key pair\n", stderr); return 1; }
    printf("# Web Push (VAPID) keys, made by `parley push keys`. Keep the private one secret; a new\n"
           "# pair ends every existing push subscription. The subject is how push services reach you.\n"
           "PARLEY_VAPID_PUBLIC=%s\nPARLEY_VAPID_PRIVATE=%s\nPARLEY_VAPID_SUBJECT=mailto:admin@example.org\n", pub, priv);
    sodium_memzero(priv, sizeof priv);
    return 0;
}

static int user_add(const config *cfg, const char *username, const char *display, int admin)
{
    char pw[1100];
    const char *env = getenv("PARLEY_PASSWORD");
    if (env) {
        snprintf(pw, sizeof pw, "%s", env);
    } else {
        if (isatty(0)) fputs("Password: ", stderr);
        if (!fgets(pw, sizeof pw, stdin)) { fputs("parley: no password given\n", stderr); return 1; }
        pw[strcspn(pw, "\r\n")] = '\0';
    }
    char name[64];
    snprintf(name, sizeof name, "%s", username);
    for (char *p = name; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    size_t dl = strlen(display);
    if (!username_valid(name)) { fputs("parley: username must be 3-32 of a-z 0-9 _ . -\n", stderr); return 1; }
    if (!utf8_valid(display, dl) || utf8_count(display, dl) < 1 || utf8_count(display, dl) > 64 ||
        utf8_has_control(display, dl, 0) || utf8_has_invisible(display, dl)) {
        fputs("parley: display name must be 1-64 characters of UTF-8 text, without invisible or direction-changing characters\n", stderr);
        return 1;
    }
    if (strlen(pw) < 8 || strlen(pw) > 1024) { fputs("parley: password must be 8-1024 bytes\n", stderr); return 1; }
    worker w;
    worker_init(&w, cfg);
    svc s;
    worker_svc(&w, &s);
    user_row *u;
    err_t e = users_create(&s, name, display, pw, &u);
    sodium_memzero(pw, sizeof pw);
    if (e == ERR_OK && admin) e = admin_grant(&s, u->username, 1);
    if (e == ERR_OK) printf("created %s %s (id %lld)\n", admin ? "administrator" : "user", u->username, u->id);
    else fprintf(stderr, "parley: %s\n", s.err_msg ? s.err_msg : err_lookup(e)->message);
    worker_free(&w);
    return e == ERR_OK ? 0 : 1;
}

/* parley admin grant|revoke USERNAME: administrators are made here only, never on the web. */
static int admin_cmd(const config *cfg, const char *what, const char *username)
{
    int on = !strcmp(what, "grant");
    if (!on && strcmp(what, "revoke")) return usage();
    worker w;
    worker_init(&w, cfg);
    svc s;
    worker_svc(&w, &s);
    err_t e = admin_grant(&s, username, on);
    if (e == ERR_OK) printf("%s is %s an administrator\n", username, on ? "now" : "no longer");
    else fprintf(stderr, "parley: %s\n", s.err_msg ? s.err_msg : err_lookup(e)->message);
    worker_free(&w);
    return e == ERR_OK ? 0 : 1;
}

/* Loads the config and says whether PostgreSQL, Redis and the templates are reachable. */
static int config_check(const config *cfg)
{
    config_print(cfg);
    int bad = 0;
    worker w;
    worker_init(&w, cfg);
    int nstmt = db_prepare_all(&w.db);         /* every statement against this schema */
    if (nstmt < 0) printf("postgresql: NOT reachable, or a statement does not match the schema\n");
    else printf("postgresql: ok (%d statements prepared)\n", nstmt);
    bad |= nstmt < 0;
    if (small_site(cfg)) {
        printf("redis: not used (small-site mode: sessions, rate limits and presence in PostgreSQL)\n");
    } else {
        err_t e = kv_ensure(&w.kv);
        printf("redis: %s\n", e ? "NOT reachable" : "ok");
        bad |= e != ERR_OK;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/pages/home.cs", cfg->templates);
    int tpl = access(path, R_OK) == 0;
    printf("templates: %s\n", tpl ? "ok" : "NOT found");
    bad |= !tpl;
    worker_free(&w);
    return bad;
}

/* The job id in s, or 0 (after saying why) when it is not one. */
static long long job_id(const char *s)
{
    long long id;
    if (num_parse(s, strlen(s), &id) || id < 1) { fprintf(stderr, "parley: %s is not a job id\n", s); return 0; }
    return id;
}

/* parley jobs enqueue KIND [JSON] [--key KEY] [--attempts N] */
static int jobs_enqueue_cmd(db *d, int argc, char **argv)
{
    const char *kind = argv[0], *payload = "{}", *key = NULL;
    long long attempts = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key") && i + 1 < argc) key = argv[++i];
        else if (!strcmp(argv[i], "--attempts") && i + 1 < argc) {
            if (num_parse(argv[i + 1], strlen(argv[i + 1]), &attempts) || attempts < 1 || attempts > 100) {
                fputs("parley: --attempts must be a number from 1 to 100\n", stderr);
                return 1;
            }
            i++;
        } else if (i == 1 && argv[i][0] != '-') payload = argv[i];
        else return usage();
    }
    const char *bad = jobs_payload_check(payload);
    if (!jobs_kind_valid(kind)) bad = "the kind must be 1-64 of a-z 0-9 _ . - starting with a letter";
    else if (key && !jobs_key_valid(key)) bad = "the key must be 1-200 printable ASCII characters";
    if (bad) { fprintf(stderr, "parley: %s\n", bad); return 1; }
    if (!kinds_find(kind))
        fprintf(stderr, "parley: warning: this version has no handler for %s; the job will fail unless a newer worker takes it\n", kind);
    long long id;
    err_t e = jobs_enqueue(d, kind, payload, key, (int)attempts, &id);
    if (e) { fprintf(stderr, "parley: %s\n", err_lookup(e)->message); return 1; }
    if (id) printf("queued job %lld\n", id);
    else printf("a job with key %s is already queued; nothing added\n", key);
    return 0;
}

/* parley jobs …: the operator's view of the queue. */
static int jobs_cmd(const config *cfg, int argc, char **argv)
{
    db d;
    db_init(&d, cfg->db, cfg->backend_timeout_ms, kinds_stmts());
    int rc = 1;
    err_t e = ERR_OK;
    long long id;
    if (!strcmp(argv[0], "list") && (argc == 1 || (argc == 2 && !strcmp(argv[1], "--failed")))) {
        e = jobs_list(&d, argc == 2, 100, stdout);
        rc = e != ERR_OK;
    } else if ((!strcmp(argv[0], "retry") || !strcmp(argv[0], "drop")) && argc == 2) {
        int retry = !strcmp(argv[0], "retry");
        if (!(id = job_id(argv[1]))) goto out;
        e = retry ? jobs_retry(&d, id) : jobs_drop(&d, id);
        if (e == ERR_NOT_FOUND) fprintf(stderr, "parley: no job %lld\n", id);
        else if (e == ERR_NOT_ALLOWED)
            fprintf(stderr, "parley: job %lld is %s\n", id, retry ? "running or done: only failed or queued jobs are retried"
                                                               : "running: wait for it, or for its lease to expire");
        else if (!e) printf("%s job %lld\n", retry ? "queued again" : "dropped", id);
        if (e == ERR_NOT_FOUND || e == ERR_NOT_ALLOWED) goto out;
        rc = e != ERR_OK;
    } else if (!strcmp(argv[0], "enqueue") && argc >= 2) {
        rc = jobs_enqueue_cmd(&d, argc - 1, argv + 1);
    } else {
        rc = usage();
    }
    if (e) fprintf(stderr, "parley: %s\n", err_lookup(e)->message);
out:
    db_close(&d);
    return rc;
}

/* parley retention run: old messages become tombstones now, as the hourly job does. */
static int retention_cmd(const config *cfg)
{
    db d;
    kv k;
    arena a;
    db_init(&d, cfg->db, cfg->backend_timeout_ms, kinds_stmts());
    kv_init(&k, cfg->redis, cfg->backend_timeout_ms);
    arena_init(&a);
    svc s = {.cfg = cfg, .db = &d, .kv = &k, .a = &a};
    char why[256] = "";
    long long msgs = 0, convs = 0;
    err_t e = retention_apply(&s, &msgs, &convs, why, sizeof why);
    if (e) fprintf(stderr, "parley: retention: %s\n", why[0] ? why : err_lookup(e)->message);
    else printf("retention: %lld messages deleted in %lld conversations\n", msgs, convs);
    db_close(&d);
    kv_close(&k);
    arena_free(&a);
    return e != ERR_OK;
}

int main(int argc, char **argv)
{
    char err[512];
    config cfg;
    if (argc < 2) return usage();
    /* Needs no configuration: it is how one starts. */
    if (!strcmp(argv[1], "push") && argc == 3 && !strcmp(argv[2], "keys")) return push_keys();
    if (!strcmp(argv[1], "statement") && argc == 3) return statement_print(argv[2]);
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "parley: configuration: %s\n", err);
        return 2;
    }
    if (sodium_init() < 0) return 1;
    int rc;
    if (!strcmp(argv[1], "migrate") && argc == 2) rc = migrate_run(cfg.db, cfg.sql_dir, stdout);
    else if (!strcmp(argv[1], "user") && argc == 5 && !strcmp(argv[2], "add")) rc = user_add(&cfg, argv[3], argv[4], 0);
    else if (!strcmp(argv[1], "user") && argc == 6 && !strcmp(argv[2], "add") && !strcmp(argv[3], "--admin"))
        rc = user_add(&cfg, argv[4], argv[5], 1);
    else if (!strcmp(argv[1], "admin") && argc == 4) rc = admin_cmd(&cfg, argv[2], argv[3]);
    else if (!strcmp(argv[1], "config") && argc == 3 && !strcmp(argv[2], "check")) rc = config_check(&cfg);
    else if (!strcmp(argv[1], "retention") && argc == 3 && !strcmp(argv[2], "run")) rc = retention_cmd(&cfg);
    else if (!strcmp(argv[1], "jobs") && argc >= 3) rc = jobs_cmd(&cfg, argc - 2, argv + 2);
    else if (!strcmp(argv[1], "backup") && argc == 3) rc = backup_run(&cfg, argv[2], stdout);
    else if (!strcmp(argv[1], "restore") && argc == 3) rc = backup_restore(&cfg, argv[2], 0, stdout);
    else if (!strcmp(argv[1], "restore") && argc == 4 && !strcmp(argv[3], "--force"))
        rc = backup_restore(&cfg, argv[2], 1, stdout);
    else rc = usage();
    config_free(&cfg);
    return rc;
}
