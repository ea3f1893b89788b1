/* config.c — see config.h. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "arena.h"
#include "mail.h"
#include "vapid.h"

/* One table of settings: name, default; parsing below turns them into typed fields. */
static const struct { const char *key, *def; } config_keys[] = {
    {"PARLEY_DB", "dbname=parley"},
    {"PARLEY_REDIS", "127.0.0.1:6379"},
    {"PARLEY_LISTEN", ""},
    {"PARLEY_TEMPLATES", "templates"},
    {"PARLEY_SQL", "sql"},
    {"PARLEY_TRUSTED_PROXY", ""},
    {"PARLEY_COOKIE_SECURE", "auto"},
    {"PARLEY_THREADS", "8"},
    {"PARLEY_MAX_BODY", "1048576"},
    {"PARLEY_SESSION_TTL", "2592000"},
    {"PARLEY_BACKEND_TIMEOUT_MS", "5000"},
    {"PARLEY_RL_LOGIN_USER", "10/900"},
    {"PARLEY_RL_LOGIN_IP", "50/900"},
    {"PARLEY_RL_REGISTER_IP", "10/3600"},
    {"PARLEY_PWHASH", "interactive"},
    {"PARLEY_MAX_MEMBERS", "10000"},
    {"PARLEY_MAX_MESSAGE", "16384"},
    {"PARLEY_EVENTS_LISTEN", ""},
    {"PARLEY_EVENTS_THREADS", "4"},
    {"PARLEY_PRESENCE_AWAY", "300"},
    {"PARLEY_PRESENCE_TTL", "60"},
    {"PARLEY_URL", ""},
    {"PARLEY_EVENTS_RECHECK", "120"},
    {"PARLEY_WORKER_THREADS", "2"},
    {"PARLEY_JOB_LEASE", "60"},
    {"PARLEY_JOB_POLL", "5"},
    {"PARLEY_JOB_BACKOFF", "10"},
    {"PARLEY_RL_SEARCH", "60/60"},
    {"PARLEY_MEDIA_DIR", "var/media"},
    {"PARLEY_MAX_UPLOAD", "104857600"},
    {"PARLEY_MEDIA_QUOTA", "5368709120"},
    {"PARLEY_MAX_PIXELS", "50000000"},
    {"PARLEY_SENDFILE", "off"},
    {"PARLEY_AUDIT_DAYS", "180"},
    {"PARLEY_METRICS_ALLOW", "127.0.0.1,::1"},
    {"PARLEY_ACCESS_LOG", "text"},
    {"PARLEY_SMTP_URL", ""},
    {"PARLEY_SMTP_TLS", "required"},
    {"PARLEY_MAIL_FROM", ""},
    {"PARLEY_RL_MAIL_ADDR", "5/3600"},
    {"PARLEY_RL_MAIL_IP", "20/3600"},
    {"PARLEY_OUTBOUND_ALLOW", ""},
    {"PARLEY_VAPID_PUBLIC", ""},
    {"PARLEY_VAPID_PRIVATE", ""},
    {"PARLEY_VAPID_SUBJECT", ""},
    {"PARLEY_PUSH_DELAY", "0"},
    {"PARLEY_DIGEST_MINUTE", "60"},
    {"PARLEY_PUSH_CONNECTIONS", "64"},
    {"PARLEY_PUSH_BATCH", "100"},
};
enum { NKEYS = sizeof config_keys / sizeof config_keys[0] };

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Reads the config file into vals[] (malloc'd strings owned by the caller). */
static int config_read_file(const char *path, char *vals[NKEYS], char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) { snprintf(err, errlen, "%s:%d: expected KEY=VALUE", path, lineno); fclose(f); return -1; }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        size_t vl = strlen(v);
        if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
            v[vl - 1] = '\0';
            v++;
        }
        int found = 0;
        for (int i = 0; i < NKEYS; i++)
            if (!strcmp(k, config_keys[i].key)) {
                free(vals[i]);
                vals[i] = strdup(v);
                found = 1;
            }
        if (!found) { snprintf(err, errlen, "%s:%d: unknown setting %s", path, lineno, k); fclose(f); return -1; }
    }
    fclose(f);
    return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_rule(const char *s, rate_rule *r)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s", s);
    char *slash = strchr(tmp, '/');
    if (!slash) return -1;
    *slash = '\0';
    return parse_long(tmp, 1, 1000000000, &r->limit) || parse_long(slash + 1, 1, 86400 * 365, &r->window) ? -1 : 0;
}

/* 0 when url is empty or looks like a public base URL: a scheme, a host, maybe a port and
 * a path; no spaces, quotes, query or fragment (it goes into links and headers). */
static int config_public_url(const char *url)
{
    if (!*url) return 0;
    const char *host = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
    if (!host || !*host || *host == '/' || *host == ':') return -1;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"'<>\\?#`", *p)) return -1;
    return 0;
}

/* 0 when url is empty or an smtp:// or smtps:// URL without spaces or control characters. */
static int config_smtp_url(const char *url)
{
    if (!*url) return 0;
    const char *host = !strncmp(url, "smtps://", 8) ? url + 8 : !strncmp(url, "smtp://", 7) ? url + 7 : NULL;
    if (!host || !*host || *host == '/') return -1;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) return -1;
    return 0;
}

/* 0 when from is a sender mail_from_parse accepts. */
static int config_mail_from(const char *from)
{
    arena a;
    arena_init(&a);
    const char *name, *addr;
    int rc = mail_from_parse(&a, from, &name, &addr);
    arena_free(&a);
    return rc;
}

int config_load(config *cfg, char *err, size_t errlen)
{
    char *vals[NKEYS] = {0};
    int rc = -1;
    memset(cfg, 0, sizeof *cfg);
    const char *file = getenv("PARLEY_CONFIG");
    if (file && *file && config_read_file(file, vals, err, errlen)) goto out;
    for (int i = 0; i < NKEYS; i++) {
        const char *env = getenv(config_keys[i].key);
        if (env) { free(vals[i]); vals[i] = strdup(env); }
        if (!vals[i]) vals[i] = strdup(config_keys[i].def);
        if (!vals[i]) { snprintf(err, errlen, "out of memory"); goto out; }
    }
    long l;
    cfg->db = vals[0]; cfg->redis = vals[1]; cfg->listen = vals[2]; cfg->templates = vals[3];
    cfg->sql_dir = vals[4]; cfg->trusted_proxy = vals[5]; cfg->cookie_secure = vals[6];
    for (int i = 0; i <= 6; i++) vals[i] = NULL;          /* now owned by cfg */
#define BAD(k, why) do { snprintf(err, errlen, "%s: %s", k, why); goto out; } while (0)
    if (strcmp(cfg->cookie_secure, "auto") && strcmp(cfg->cookie_secure, "on") && strcmp(cfg->cookie_secure, "off"))
        BAD("PARLEY_COOKIE_SECURE", "must be auto, on or off");
    if (parse_long(vals[7], 1, 256, &l)) BAD("PARLEY_THREADS", "must be a number from 1 to 256");
    cfg->threads = (int)l;
    if (parse_long(vals[8], 1024, 1L << 30, &l)) BAD("PARLEY_MAX_BODY", "must be bytes, from 1024 to 1073741824");
    cfg->max_body = (size_t)l;
    if (parse_long(vals[9], 60, 86400L * 400, &cfg->session_ttl)) BAD("PARLEY_SESSION_TTL", "must be seconds, from 60 to 34560000");
    if (parse_long(vals[10], 50, 600000, &cfg->backend_timeout_ms)) BAD("PARLEY_BACKEND_TIMEOUT_MS", "must be milliseconds, from 50 to 600000");
    if (parse_rule(vals[11], &cfg->rl_login_user)) BAD("PARLEY_RL_LOGIN_USER", "must be COUNT/SECONDS, e.g. 10/900");
    if (parse_rule(vals[12], &cfg->rl_login_ip)) BAD("PARLEY_RL_LOGIN_IP", "must be COUNT/SECONDS, e.g. 50/900");
    if (parse_rule(vals[13], &cfg->rl_register_ip)) BAD("PARLEY_RL_REGISTER_IP", "must be COUNT/SECONDS, e.g. 10/3600");
    if (!strcmp(vals[14], "interactive")) {
        cfg->pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        cfg->pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    } else if (!strcmp(vals[14], "moderate")) {
        cfg->pwhash_ops = crypto_pwhash_OPSLIMIT_MODERATE;
        cfg->pwhash_mem = crypto_pwhash_MEMLIMIT_MODERATE;
    } else BAD("PARLEY_PWHASH", "must be interactive or moderate");
    if (parse_long(vals[15], 2, 1000000, &cfg->max_members)) BAD("PARLEY_MAX_MEMBERS", "must be a number from 2 to 1000000");
    if (parse_long(vals[16], 16, 1048576, &cfg->max_message)) BAD("PARLEY_MAX_MESSAGE", "must be bytes, from 16 to 1048576");
    if (parse_long(vals[18], 1, 64, &l)) BAD("PARLEY_EVENTS_THREADS", "must be a number from 1 to 64");
    cfg->events_threads = (int)l;
    if (parse_long(vals[19], 2, 86400, &cfg->presence_away)) BAD("PARLEY_PRESENCE_AWAY", "must be seconds, from 2 to 86400");
    if (parse_long(vals[20], 3, 3600, &cfg->presence_ttl)) BAD("PARLEY_PRESENCE_TTL", "must be seconds, from 3 to 3600");
    if (parse_long(vals[22], 1, 3600, &cfg->events_recheck)) BAD("PARLEY_EVENTS_RECHECK", "must be seconds, from 1 to 3600");
    if (parse_long(vals[23], 1, 64, &l)) BAD("PARLEY_WORKER_THREADS", "must be a number from 1 to 64");
    cfg->worker_threads = (int)l;
    if (parse_long(vals[24], 2, 86400, &cfg->job_lease)) BAD("PARLEY_JOB_LEASE", "must be seconds, from 2 to 86400");
    if (parse_long(vals[25], 1, 3600, &cfg->job_poll)) BAD("PARLEY_JOB_POLL", "must be seconds, from 1 to 3600");
    if (parse_long(vals[26], 1, 3600, &cfg->job_backoff)) BAD("PARLEY_JOB_BACKOFF", "must be seconds, from 1 to 3600");
    if (parse_rule(vals[27], &cfg->rl_search)) BAD("PARLEY_RL_SEARCH", "must be COUNT/SECONDS, e.g. 60/60");
    if (!*vals[28]) BAD("PARLEY_MEDIA_DIR", "must not be empty");
    if (parse_ll(vals[29], 1024, 1LL << 40, &cfg->max_upload)) BAD("PARLEY_MAX_UPLOAD", "must be bytes, from 1024 to 1099511627776");
    if (parse_ll(vals[30], 0, 1LL << 50, &cfg->media_quota)) BAD("PARLEY_MEDIA_QUOTA", "must be bytes, from 0 (no uploads) up");
    if (parse_ll(vals[31], 1, 1LL << 40, &cfg->max_pixels)) BAD("PARLEY_MAX_PIXELS", "must be a number of pixels, from 1");
    if (!strcmp(vals[32], "off")) cfg->sendfile = CONFIG_SENDFILE_OFF;
    else if (!strcmp(vals[32], "x-sendfile")) cfg->sendfile = CONFIG_SENDFILE_X_SENDFILE;
    else if (!strcmp(vals[32], "x-accel-redirect")) cfg->sendfile = CONFIG_SENDFILE_X_ACCEL;
    else BAD("PARLEY_SENDFILE", "must be off, x-sendfile or x-accel-redirect");
    if (parse_long(vals[33], 1, 36500, &cfg->audit_days)) BAD("PARLEY_AUDIT_DAYS", "must be days, from 1 to 36500");
    if (strspn(vals[34], "0123456789abcdefABCDEF.:, ") != strlen(vals[34]))
        BAD("PARLEY_METRICS_ALLOW", "must be IP addresses separated by commas (empty: nobody)");
    if (!strcmp(vals[35], "off")) cfg->access_log = CONFIG_ACCESS_LOG_OFF;
    else if (!strcmp(vals[35], "text")) cfg->access_log = CONFIG_ACCESS_LOG_TEXT;
    else if (!strcmp(vals[35], "json")) cfg->access_log = CONFIG_ACCESS_LOG_JSON;
    else BAD("PARLEY_ACCESS_LOG", "must be off, text or json");
    cfg->metrics_allow = vals[34];
    vals[34] = NULL;
    size_t ml = strlen(vals[28]);
    while (ml > 1 && vals[28][ml - 1] == '/') vals[28][--ml] = '\0';
    cfg->media_dir = vals[28];
    vals[28] = NULL;
    if (config_public_url(vals[21])) BAD("PARLEY_URL", "must be http:// or https:// and a host, like https://chat.example.org");
    cfg->events_listen = vals[17];
    vals[17] = NULL;
    size_t ul = strlen(vals[21]);
    while (ul && vals[21][ul - 1] == '/') vals[21][--ul] = '\0';   /* links append "/path" */
    cfg->public_url = vals[21];
    cfg->public_https = !strncmp(cfg->public_url, "https://", 8);
    vals[21] = NULL;
    if (config_smtp_url(vals[36])) BAD("PARLEY_SMTP_URL", "must be smtp:// or smtps:// and a host, like smtp://user:password@mail.example.org:587");
    if (strcmp(vals[37], "required") && strcmp(vals[37], "none")) BAD("PARLEY_SMTP_TLS", "must be required or none");
    cfg->smtp_tls_none = !strcmp(vals[37], "none");
    if (*vals[36] && config_mail_from(vals[38]))
        BAD("PARLEY_MAIL_FROM", "must be an address, or a name and an address like Parley <chat@example.org>, when PARLEY_SMTP_URL is set");
    if (parse_rule(vals[39], &cfg->rl_mail_addr)) BAD("PARLEY_RL_MAIL_ADDR", "must be COUNT/SECONDS, e.g. 5/3600");
    if (parse_rule(vals[40], &cfg->rl_mail_ip)) BAD("PARLEY_RL_MAIL_IP", "must be COUNT/SECONDS, e.g. 20/3600");
    cfg->smtp_url = vals[36];
    cfg->mail_from = vals[38];
    vals[36] = vals[38] = NULL;
    if (strspn(vals[41], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[], ") != strlen(vals[41]))
        BAD("PARLEY_OUTBOUND_ALLOW", "must be host or host:port entries separated by commas, like push.example.org:8443");
    const char *vapid_why;
    if (vapid_config_check(vals[42], vals[43], vals[44], &vapid_why)) {
        snprintf(err, errlen, "%s", vapid_why);       /* it names the setting */
        goto out;
    }
    cfg->outbound_allow = vals[41];
    cfg->vapid_public = vals[42];
    cfg->vapid_private = vals[43];
    cfg->vapid_subject = vals[44];
    vals[41] = vals[42] = vals[43] = vals[44] = NULL;
    if (parse_long(vals[45], 0, 3600, &cfg->push_delay)) BAD("PARLEY_PUSH_DELAY", "must be seconds, from 0 to 3600");
    if (parse_long(vals[46], 1, 60, &cfg->digest_minute)) BAD("PARLEY_DIGEST_MINUTE", "must be seconds, from 1 to 60");
    if (parse_long(vals[47], 1, 1000, &cfg->push_connections)) BAD("PARLEY_PUSH_CONNECTIONS", "must be a number from 1 to 1000");
    if (parse_long(vals[48], 1, 1000, &cfg->push_batch)) BAD("PARLEY_PUSH_BATCH", "must be a number from 1 to 1000");
    if (!*cfg->db) BAD("PARLEY_DB", "must not be empty");
    /* PARLEY_REDIS empty or "none": the small-site store (smallsite.h) keeps Redis's part. */
#undef BAD
    rc = 0;
out:
    for (int i = 0; i < NKEYS; i++) free(vals[i]);
    if (rc) config_free(cfg);
    return rc;
}

void config_free(config *cfg)
{
    free(cfg->db); free(cfg->redis); free(cfg->listen); free(cfg->templates);
    free(cfg->sql_dir); free(cfg->trusted_proxy); free(cfg->cookie_secure); free(cfg->events_listen);
    free(cfg->public_url); free(cfg->media_dir); free(cfg->metrics_allow); free(cfg->smtp_url); free(cfg->mail_from);
    free(cfg->outbound_allow); free(cfg->vapid_public);
    if (cfg->vapid_private) sodium_memzero(cfg->vapid_private, strlen(cfg->vapid_private));
    free(cfg->vapid_private); free(cfg->vapid_subject);
    memset(cfg, 0, sizeof *cfg);
}

void config_print(const config *cfg)
{
    /* A conninfo may hold password=…; print it without that value. */
    const char *pw = strstr(cfg->db, "password=");
    if (pw) printf("PARLEY_DB=%.*spassword=***\n", (int)(pw - cfg->db), cfg->db);
    else printf("PARLEY_DB=%s\n", cfg->db);
    printf("PARLEY_REDIS=%s\nPARLEY_LISTEN=%s\nPARLEY_TEMPLATES=%s\nPARLEY_SQL=%s\n",
           cfg->redis, *cfg->listen ? cfg->listen : "(inherited socket)", cfg->templates, cfg->sql_dir);
    printf("PARLEY_TRUSTED_PROXY=%s\nPARLEY_COOKIE_SECURE=%s\nPARLEY_THREADS=%d\n",
           cfg->trusted_proxy, cfg->cookie_secure, cfg->threads);
    printf("PARLEY_MAX_BODY=%zu\nPARLEY_SESSION_TTL=%ld\nPARLEY_BACKEND_TIMEOUT_MS=%ld\n",
           cfg->max_body, cfg->session_ttl, cfg->backend_timeout_ms);
    printf("PARLEY_EVENTS_LISTEN=%s\nPARLEY_EVENTS_THREADS=%d\n",
           cfg->events_listen && *cfg->events_listen ? cfg->events_listen : "(inherited socket)", cfg->events_threads);
    printf("PARLEY_MAX_MEMBERS=%ld\nPARLEY_MAX_MESSAGE=%ld\n", cfg->max_members, cfg->max_message);
    printf("PARLEY_PRESENCE_AWAY=%ld\nPARLEY_PRESENCE_TTL=%ld\n", cfg->presence_away, cfg->presence_ttl);
    printf("PARLEY_URL=%s\nPARLEY_EVENTS_RECHECK=%ld\n", *cfg->public_url ? cfg->public_url : "(not set)",
           cfg->events_recheck);
    printf("PARLEY_WORKER_THREADS=%d\nPARLEY_JOB_LEASE=%ld\nPARLEY_JOB_POLL=%ld\nPARLEY_JOB_BACKOFF=%ld\n",
           cfg->worker_threads, cfg->job_lease, cfg->job_poll, cfg->job_backoff);
    printf("PARLEY_RL_LOGIN_USER=%ld/%ld\nPARLEY_RL_LOGIN_IP=%ld/%ld\nPARLEY_RL_REGISTER_IP=%ld/%ld\n",
           cfg->rl_login_user.limit, cfg->rl_login_user.window, cfg->rl_login_ip.limit,
           cfg->rl_login_ip.window, cfg->rl_register_ip.limit, cfg->rl_register_ip.window);
    printf("PARLEY_RL_SEARCH=%ld/%ld\n", cfg->rl_search.limit, cfg->rl_search.window);
    static const char *const sendfile[] = {"off", "x-sendfile", "x-accel-redirect"};
    printf("PARLEY_MEDIA_DIR=%s\nPARLEY_MAX_UPLOAD=%lld\nPARLEY_MEDIA_QUOTA=%lld\nPARLEY_MAX_PIXELS=%lld\n"
           "PARLEY_SENDFILE=%s\nPARLEY_AUDIT_DAYS=%ld\n", cfg->media_dir, cfg->max_upload, cfg->media_quota,
           cfg->max_pixels, sendfile[cfg->sendfile], cfg->audit_days);
    static const char *const access[] = {"off", "text", "json"};
    printf("PARLEY_METRICS_ALLOW=%s\nPARLEY_ACCESS_LOG=%s\n", cfg->metrics_allow, access[cfg->access_log]);
    /* The relay's URL may hold a password: print it without that. */
    const char *u = cfg->smtp_url ? cfg->smtp_url : "", *at = strrchr(u, '@'), *host = strstr(u, "://");
    const char *colon = host && at ? memchr(host + 3, ':', (size_t)(at - host - 3)) : NULL;
    if (!*u) printf("PARLEY_SMTP_URL=(not set: no mail)\n");
    else if (!*cfg->public_url) printf("PARLEY_SMTP_URL=(set, but no mail without PARLEY_URL: mails link to it)\n");
    else if (colon) printf("PARLEY_SMTP_URL=%.*s:***%s\n", (int)(colon - u), u, at);
    else printf("PARLEY_SMTP_URL=%s\n", u);
    printf("PARLEY_SMTP_TLS=%s\nPARLEY_MAIL_FROM=%s\n", cfg->smtp_tls_none ? "none" : "required",
           cfg->mail_from ? cfg->mail_from : "");
    printf("PARLEY_RL_MAIL_ADDR=%ld/%ld\nPARLEY_RL_MAIL_IP=%ld/%ld\n", cfg->rl_mail_addr.limit, cfg->rl_mail_addr.window,
           cfg->rl_mail_ip.limit, cfg->rl_mail_ip.window);
    printf("PARLEY_OUTBOUND_ALLOW=%s\n", *cfg->outbound_allow ? cfg->outbound_allow : "(none: https to public addresses only)");
    if (*cfg->vapid_public) printf("PARLEY_VAPID_PUBLIC=%s\nPARLEY_VAPID_PRIVATE=***\nPARLEY_VAPID_SUBJECT=%s\n",
                                   cfg->vapid_public, cfg->vapid_subject);
    else printf("PARLEY_VAPID_PUBLIC=(not set: no Web Push; `parley push keys` makes a pair)\n");
    printf("PARLEY_PUSH_DELAY=%ld\n", cfg->push_delay);
    printf("PARLEY_DIGEST_MINUTE=%ld\n", cfg->digest_minute);
    printf("PARLEY_PUSH_CONNECTIONS=%ld\nPARLEY_PUSH_BATCH=%ld\n", cfg->push_connections, cfg->push_batch);
}
