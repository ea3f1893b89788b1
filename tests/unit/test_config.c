/* test_config.c — settings from PARLEY_* variables and a KEY=VALUE file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../cgi/core/config.h"
#include "../../cgi/core/vapid.h"
#include "../../cgi/app/smallsite.h"

static const char *const keys[] = {
    "PARLEY_CONFIG", "PARLEY_DB", "PARLEY_REDIS", "PARLEY_LISTEN", "PARLEY_TEMPLATES", "PARLEY_SQL",
    "PARLEY_TRUSTED_PROXY", "PARLEY_COOKIE_SECURE", "PARLEY_THREADS", "PARLEY_MAX_BODY",
    "PARLEY_SESSION_TTL", "PARLEY_BACKEND_TIMEOUT_MS", "PARLEY_RL_LOGIN_USER", "PARLEY_RL_LOGIN_IP",
    "PARLEY_RL_REGISTER_IP", "PARLEY_PWHASH", "PARLEY_URL", "PARLEY_EVENTS_RECHECK",
    "PARLEY_WORKER_THREADS", "PARLEY_JOB_LEASE", "PARLEY_JOB_POLL", "PARLEY_JOB_BACKOFF", "PARLEY_RL_SEARCH",
    "PARLEY_SMTP_URL", "PARLEY_SMTP_TLS", "PARLEY_MAIL_FROM", "PARLEY_RL_MAIL_ADDR", "PARLEY_RL_MAIL_IP",
    "PARLEY_OUTBOUND_ALLOW", "PARLEY_VAPID_PUBLIC", "PARLEY_VAPID_PRIVATE", "PARLEY_VAPID_SUBJECT",
    "PARLEY_PUSH_DELAY", "PARLEY_DIGEST_MINUTE", "PARLEY_PUSH_CONNECTIONS", "PARLEY_PUSH_BATCH",
};

typedef struct fix { config cfg; char err[256]; char path[64]; } fix;

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) unsetenv(keys[i]);
    fix *f = calloc(1, sizeof *f);
    if (!f) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    config_free(&f->cfg);
    if (f->path[0]) unlink(f->path);
    free(f);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) unsetenv(keys[i]);
    return 0;
}

static void write_file(fix *f, const char *text)
{
    strcpy(f->path, "/tmp/parley-config-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    setenv("PARLEY_CONFIG", f->path, 1);
}

static int load(fix *f)
{
    config_free(&f->cfg);
    f->err[0] = '\0';
    return config_load(&f->cfg, f->err, sizeof f->err);
}

static void test_defaults(void **state)
{
    fix *f = *state;
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.db, "dbname=parley");
    assert_string_equal(f->cfg.redis, "127.0.0.1:6379");
    assert_string_equal(f->cfg.listen, "");
    assert_string_equal(f->cfg.templates, "templates");
    assert_string_equal(f->cfg.trusted_proxy, "");
    assert_string_equal(f->cfg.cookie_secure, "auto");
    assert_int_equal(f->cfg.threads, 8);
    assert_int_equal(f->cfg.max_body, 1048576);
    assert_int_equal(f->cfg.session_ttl, 2592000);
    assert_int_equal(f->cfg.backend_timeout_ms, 5000);
    assert_int_equal(f->cfg.rl_login_user.limit, 10);
    assert_int_equal(f->cfg.rl_login_user.window, 900);
    assert_int_equal(f->cfg.rl_register_ip.limit, 10);
    assert_int_equal(f->cfg.rl_register_ip.window, 3600);
    assert_true(f->cfg.pwhash_ops > 0);
    assert_true(f->cfg.pwhash_mem > 0);
    assert_string_equal(f->cfg.public_url, "");
    assert_int_equal(f->cfg.public_https, 0);
    assert_int_equal(f->cfg.events_recheck, 120);
    assert_int_equal(f->cfg.worker_threads, 2);
    assert_int_equal(f->cfg.job_lease, 60);
    assert_int_equal(f->cfg.job_poll, 5);
    assert_int_equal(f->cfg.job_backoff, 10);
}

/* The public URL loses its trailing slashes; https:// tells that browsers use TLS. */
static void test_public_url(void **state)
{
    fix *f = *state;
    setenv("PARLEY_URL", "https://chat.example.org/parley//", 1);
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.public_url, "https://chat.example.org/parley");
    assert_int_equal(f->cfg.public_https, 1);
    config_free(&f->cfg);
    setenv("PARLEY_URL", "http://127.0.0.1:8080", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.public_https, 0);
}

/* Mail: off by default; an SMTP URL needs a sender; bad values stop the program. */
static void test_mail(void **state)
{
    fix *f = *state;
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.smtp_url, "");
    assert_int_equal(f->cfg.smtp_tls_none, 0);
    assert_int_equal(f->cfg.rl_mail_addr.limit, 5);
    assert_int_equal(f->cfg.rl_mail_ip.window, 3600);
    setenv("PARLEY_SMTP_URL", "smtp://user:secret@mail.example.org:587", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_MAIL_FROM"));
    setenv("PARLEY_MAIL_FROM", "Parley <chat@Example.org>", 1);
    setenv("PARLEY_SMTP_TLS", "none", 1);
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.smtp_url, "smtp://user:secret@mail.example.org:587");
    assert_string_equal(f->cfg.mail_from, "Parley <chat@Example.org>");
    assert_int_equal(f->cfg.smtp_tls_none, 1);
    static const char *const bad_urls[] = {"http://mail.example.org", "smtp://", "smtp://host name", "mail.example.org", "smtps:///x"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        setenv("PARLEY_SMTP_URL", bad_urls[i], 1);
        assert_int_equal(load(f), -1);
        assert_non_null(strstr(f->err, "PARLEY_SMTP_URL"));
    }
    setenv("PARLEY_SMTP_URL", "smtps://mail.example.org", 1);
    setenv("PARLEY_MAIL_FROM", "Parley <not an address>", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_MAIL_FROM"));
    setenv("PARLEY_MAIL_FROM", "chat@example.org", 1);
    setenv("PARLEY_SMTP_TLS", "maybe", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_SMTP_TLS"));
    setenv("PARLEY_SMTP_TLS", "required", 1);
    setenv("PARLEY_RL_MAIL_ADDR", "lots", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_RL_MAIL_ADDR"));
}

/* Web Push: off by default; a key pair needs its subject; a wrong pair stops the program. */
static void test_push(void **state)
{
    fix *f = *state;
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.vapid_public, "");
    assert_string_equal(f->cfg.outbound_allow, "");
    char pub[VAPID_PUBLIC_B64], priv[VAPID_PRIVATE_B64], pub2[VAPID_PUBLIC_B64], priv2[VAPID_PRIVATE_B64];
    assert_int_equal(vapid_keys_new(pub, priv), 0);
    assert_int_equal(vapid_keys_new(pub2, priv2), 0);
    setenv("PARLEY_VAPID_PUBLIC", pub, 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_VAPID_PRIVATE"));
    setenv("PARLEY_VAPID_PRIVATE", priv, 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_VAPID_SUBJECT"));
    setenv("PARLEY_VAPID_SUBJECT", "mailto:admin@example.org", 1);
    setenv("PARLEY_OUTBOUND_ALLOW", "127.0.0.1:9000, push.test", 1);
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.vapid_public, pub);
    assert_string_equal(f->cfg.vapid_private, priv);
    assert_string_equal(f->cfg.outbound_allow, "127.0.0.1:9000, push.test");
    setenv("PARLEY_VAPID_PRIVATE", priv2, 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_VAPID_PUBLIC is not the public key"));
    setenv("PARLEY_VAPID_PRIVATE", priv, 1);
    setenv("PARLEY_PUSH_DELAY", "-1", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_PUSH_DELAY"));
    setenv("PARLEY_PUSH_DELAY", "2", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.push_delay, 2);
    assert_int_equal(f->cfg.digest_minute, 60);      /* a digest's delay counts real minutes */
    setenv("PARLEY_DIGEST_MINUTE", "0", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_DIGEST_MINUTE"));
    setenv("PARLEY_DIGEST_MINUTE", "1", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.digest_minute, 1);
    assert_int_equal(f->cfg.push_connections, 64);   /* the push sender's defaults */
    assert_int_equal(f->cfg.push_batch, 100);
    setenv("PARLEY_PUSH_CONNECTIONS", "0", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_PUSH_CONNECTIONS"));
    setenv("PARLEY_PUSH_CONNECTIONS", "8", 1);
    setenv("PARLEY_PUSH_BATCH", "1001", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_PUSH_BATCH"));
    setenv("PARLEY_PUSH_BATCH", "1", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.push_connections, 8);
    assert_int_equal(f->cfg.push_batch, 1);
    setenv("PARLEY_OUTBOUND_ALLOW", "http://x/", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_OUTBOUND_ALLOW"));
}

static void test_env(void **state)
{
    fix *f = *state;
    setenv("PARLEY_THREADS", "3", 1);
    setenv("PARLEY_RL_LOGIN_IP", "5/60", 1);
    setenv("PARLEY_TRUSTED_PROXY", "127.0.0.1", 1);
    setenv("PARLEY_COOKIE_SECURE", "on", 1);
    setenv("PARLEY_WORKER_THREADS", "5", 1);
    setenv("PARLEY_JOB_LEASE", "3", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.worker_threads, 5);
    assert_int_equal(f->cfg.job_lease, 3);
    assert_int_equal(f->cfg.threads, 3);
    assert_int_equal(f->cfg.rl_login_ip.limit, 5);
    assert_int_equal(f->cfg.rl_login_ip.window, 60);
    assert_string_equal(f->cfg.trusted_proxy, "127.0.0.1");
    assert_string_equal(f->cfg.cookie_secure, "on");
}

/* PARLEY_REDIS empty or "none" is the small-site mode (no Redis), not a mistake. */
static void test_small_site(void **state)
{
    fix *f = *state;
    static const char *const none[] = {"", "none"};
    for (size_t i = 0; i < 2; i++) {
        setenv("PARLEY_REDIS", none[i], 1);
        assert_int_equal(load(f), 0);
        assert_int_equal(small_site(&f->cfg), 1);
        config_free(&f->cfg);
    }
    setenv("PARLEY_REDIS", "unix:/run/redis.sock", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(small_site(&f->cfg), 0);
    unsetenv("PARLEY_REDIS");
}

/* Each bad value fails with a message that names the setting. */
static void test_bad_values(void **state)
{
    fix *f = *state;
    static const struct { const char *key, *value; } bad[] = {
        {"PARLEY_THREADS", "0"}, {"PARLEY_THREADS", "257"}, {"PARLEY_THREADS", "4x"},
        {"PARLEY_THREADS", ""}, {"PARLEY_MAX_BODY", "10"}, {"PARLEY_SESSION_TTL", "-5"},
        {"PARLEY_BACKEND_TIMEOUT_MS", "99999999999999999999999"},
        {"PARLEY_RL_LOGIN_USER", "10"}, {"PARLEY_RL_LOGIN_USER", "0/60"},
        {"PARLEY_RL_LOGIN_IP", "10/"}, {"PARLEY_RL_REGISTER_IP", "a/b"},
        {"PARLEY_COOKIE_SECURE", "yes"}, {"PARLEY_PWHASH", "fast"}, {"PARLEY_DB", ""},
        {"PARLEY_URL", "chat.example.org"}, {"PARLEY_URL", "ftp://x"},
        {"PARLEY_URL", "https://"}, {"PARLEY_URL", "https://a b"}, {"PARLEY_URL", "https://x/?q=1"},
        {"PARLEY_URL", "https://x/\"><script>"}, {"PARLEY_EVENTS_RECHECK", "0"},
        {"PARLEY_WORKER_THREADS", "0"}, {"PARLEY_WORKER_THREADS", "65"}, {"PARLEY_JOB_LEASE", "1"},
        {"PARLEY_JOB_POLL", "0"}, {"PARLEY_JOB_BACKOFF", "3601"}, {"PARLEY_JOB_LEASE", "ten"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv(bad[i].key, bad[i].value, 1);
        assert_int_equal(load(f), -1);
        assert_non_null(strstr(f->err, bad[i].key));
        assert_true(strlen(f->err) > strlen(bad[i].key) + 5);
        assert_null(f->cfg.db);                                 /* nothing half-loaded is left */
        unsetenv(bad[i].key);
    }
    assert_int_equal(load(f), 0);
}

static void test_file(void **state)
{
    fix *f = *state;
    write_file(f, "# Parley settings\n"
                  "\n"
                  "   # indented comment\n"
                  "PARLEY_DB = \"host=/run/pg dbname=chat\"\n"
                  "PARLEY_REDIS='unix:/run/redis.sock'\n"
                  "PARLEY_THREADS=4   \r\n"
                  "\tPARLEY_RL_LOGIN_USER=3/30\n");
    assert_int_equal(load(f), 0);
    assert_string_equal(f->cfg.db, "host=/run/pg dbname=chat");
    assert_string_equal(f->cfg.redis, "unix:/run/redis.sock");
    assert_int_equal(f->cfg.threads, 4);
    assert_int_equal(f->cfg.rl_login_user.limit, 3);
    assert_int_equal(f->cfg.rl_login_user.window, 30);
    assert_string_equal(f->cfg.templates, "templates");            /* still the default */
    /* the environment wins over the file */
    setenv("PARLEY_THREADS", "16", 1);
    setenv("PARLEY_DB", "dbname=fromenv", 1);
    assert_int_equal(load(f), 0);
    assert_int_equal(f->cfg.threads, 16);
    assert_string_equal(f->cfg.db, "dbname=fromenv");
    assert_string_equal(f->cfg.redis, "unix:/run/redis.sock");
}

static void test_file_errors(void **state)
{
    fix *f = *state;
    write_file(f, "# ok\nPARLEY_THREADS=2\nPARLEY_COLOUR=blue\n");
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_COLOUR"));
    assert_non_null(strstr(f->err, ":3"));                          /* the line number */
    unlink(f->path);
    write_file(f, "PARLEY_THREADS 2\n");
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "KEY=VALUE"));
    unlink(f->path);
    write_file(f, "PARLEY_THREADS=0\n");                              /* a bad value from the file */
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "PARLEY_THREADS"));
    unlink(f->path);
    f->path[0] = '\0';
    setenv("PARLEY_CONFIG", "/nonexistent/parley.conf", 1);
    assert_int_equal(load(f), -1);
    assert_non_null(strstr(f->err, "/nonexistent/parley.conf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_site, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
