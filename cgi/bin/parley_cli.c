/* parley_cli.c — the command line: migrate, user add, config check. Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "../app/dispatch.h"
#include "../app/users.h"
#include "../core/utf8.h"
#include "../http/validate.h"
#include "../store/migrate.h"

static int usage(void)
{
    fputs("usage: parley migrate\n"
          "       parley user add USERNAME DISPLAY_NAME   (password from PARLEY_PASSWORD or stdin)\n"
          "       parley config check\n"
          "Settings come from PARLEY_* environment variables or the file named by PARLEY_CONFIG;\n"
          "see README.md.\n", stderr);
    return 2;
}

static int user_add(const config *cfg, const char *username, const char *display)
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
    if (e == ERR_OK) printf("created user %s (id %lld)\n", u->username, u->id);
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
    err_t e = db_ensure(&w.db);
    printf("postgresql: %s\n", e ? "NOT reachable" : "ok");
    bad |= e != ERR_OK;
    e = kv_ensure(&w.kv);
    printf("redis: %s\n", e ? "NOT reachable" : "ok");
    bad |= e != ERR_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/pages/home.cs", cfg->templates);
    int tpl = access(path, R_OK) == 0;
    printf("templates: %s\n", tpl ? "ok" : "NOT found");
    bad |= !tpl;
    worker_free(&w);
    return bad;
}

int main(int argc, char **argv)
{
    char err[512];
    config cfg;
    if (argc < 2) return usage();
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "parley: configuration: %s\n", err);
        return 2;
    }
    if (sodium_init() < 0) return 1;
    int rc;
    if (!strcmp(argv[1], "migrate") && argc == 2) rc = migrate_run(cfg.db, cfg.sql_dir, stdout);
    else if (!strcmp(argv[1], "user") && argc == 5 && !strcmp(argv[2], "add")) rc = user_add(&cfg, argv[3], argv[4]);
    else if (!strcmp(argv[1], "config") && argc == 3 && !strcmp(argv[2], "check")) rc = config_check(&cfg);
    else rc = usage();
    config_free(&cfg);
    return rc;
}
