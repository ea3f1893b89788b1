/* test_push_origin.c — what the push sender remembers per origin (cgi/worker/push_origin.c):
 * the VAPID header is signed once per origin and reused (same text, its aud that origin) until
 * an hour before its JWT expires, then signed anew; a Retry-After wait counts down, is capped
 * at an hour and is never shortened by a later, shorter one; four threads using the table at
 * once see consistent answers (the ThreadSanitizer build runs this file too). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/core/vapid.h"
#include "../../cgi/worker/push_origin.h"

static char pub[VAPID_PUBLIC_B64], priv[VAPID_PRIVATE_B64];
static config cfg;

static int setup(void **state)
{
    (void)state;
    push_origin_reset();
    return 0;
}

/* The JWT's claims (its middle part) as text, into out. */
static void claims_of(const char *header, char *out, size_t cap)
{
    const char *t = strstr(header, "t="), *dot = t ? strchr(t, '.') : NULL, *end = dot ? strchr(dot + 1, '.') : NULL;
    assert_non_null(end);
    size_t got = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, cap - 1, dot + 1, (size_t)(end - dot - 1), NULL, &got, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    out[got] = '\0';
}

static void test_vapid_reused_then_renewed(void **state)
{
    (void)state;
    char a[VAPID_HEADER_MAX + 32], b[VAPID_HEADER_MAX + 32], c[VAPID_HEADER_MAX + 32], claims[512];
    long long now = 1800000000;
    int fresh = -1;
    assert_int_equal(push_origin_authz(&cfg, "https://fcm.example.org/send/abc", now, a, sizeof a, &fresh), 0);
    assert_int_equal(fresh, 1);
    assert_true(!strncmp(a, "Authorization: vapid t=", 23));
    assert_non_null(strstr(a, pub));
    claims_of(a, claims, sizeof claims);
    assert_non_null(strstr(claims, "\"aud\":\"https://fcm.example.org\""));
    /* Another endpoint of the same origin, eleven hours later: the same header, not signed. */
    assert_int_equal(push_origin_authz(&cfg, "https://fcm.example.org/send/xyz", now + 39599, b, sizeof b, &fresh), 0);
    assert_int_equal(fresh, 0);
    assert_string_equal(a, b);
    /* Another origin: its own header. */
    assert_int_equal(push_origin_authz(&cfg, "https://push.example.net:8443/p", now, c, sizeof c, &fresh), 0);
    assert_int_equal(fresh, 1);
    claims_of(c, claims, sizeof claims);
    assert_non_null(strstr(claims, "\"aud\":\"https://push.example.net:8443\""));
    /* Within the last hour of the 12-hour JWT: signed anew, with a later exp. */
    assert_int_equal(push_origin_authz(&cfg, "https://fcm.example.org/send/abc", now + 39601, b, sizeof b, &fresh), 0);
    assert_int_equal(fresh, 1);
    assert_string_not_equal(a, b);
    claims_of(b, claims, sizeof claims);
    char exp[64];
    snprintf(exp, sizeof exp, "\"exp\":%lld", now + 39601 + 43200);
    assert_non_null(strstr(claims, exp));
    /* A bad endpoint, or too small a buffer: -1. */
    assert_int_equal(push_origin_authz(&cfg, "not a url", now, a, sizeof a, NULL), -1);
    assert_int_equal(push_origin_authz(&cfg, "https://fcm.example.org/send/abc", now, a, 40, NULL), -1);
}

static void test_waits(void **state)
{
    (void)state;
    long long now = 1800000000;
    assert_int_equal(push_origin_wait(NULL, "https://fcm.example.org", now), 0);
    push_origin_backoff(NULL, "https://fcm.example.org", now, now + 30);
    assert_int_equal(push_origin_wait(NULL, "https://fcm.example.org", now), 30);
    assert_int_equal(push_origin_wait(NULL, "https://fcm.example.org", now + 20), 10);
    assert_int_equal(push_origin_wait(NULL, "https://fcm.example.org", now + 30), 0);
    assert_int_equal(push_origin_wait(NULL, "https://other.example.org", now), 0);      /* per origin */
    push_origin_backoff(NULL, "https://fcm.example.org", now, now + 100);
    push_origin_backoff(NULL, "https://fcm.example.org", now, now + 5);                 /* never shortened */
    assert_int_equal(push_origin_wait(NULL, "https://fcm.example.org", now), 100);
    push_origin_backoff(NULL, "https://slow.example.org", now, now + 86400);            /* capped at an hour */
    assert_int_equal(push_origin_wait(NULL, "https://slow.example.org", now), PUSH_BACKOFF_MAX);
    /* More origins than the table holds: the oldest are forgotten, the table keeps working. */
    for (int i = 0; i < 2 * PUSH_ORIGINS_MAX; i++) {
        char o[64];
        snprintf(o, sizeof o, "https://p%d.example.org", i);
        push_origin_backoff(NULL, o, now, now + 50);
    }
    assert_int_equal(push_origin_wait(NULL, "https://p127.example.org", now), 50);
}

static void *hammer(void *arg)
{
    long id = (long)arg;
    char h[VAPID_HEADER_MAX + 32], o[64], ep[96];
    for (int i = 0; i < 300; i++) {
        snprintf(o, sizeof o, "https://h%ld.example.org", (id + i) % 6);
        snprintf(ep, sizeof ep, "%s/send/%d", o, i);
        if (push_origin_authz(&cfg, ep, 1800000000, h, sizeof h, NULL) || !strstr(h, "vapid t=")) return (void *)1;
        push_origin_backoff(NULL, o, 1800000000, 1800000000 + 10 + i % 5);
        long w = push_origin_wait(NULL, o, 1800000000);
        if (w < 10 || w > 14) return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (long i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    if (vapid_keys_new(pub, priv)) return 1;
    cfg.vapid_public = pub;
    cfg.vapid_private = priv;
    cfg.vapid_subject = "mailto:admin@example.org";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_vapid_reused_then_renewed, setup),
        cmocka_unit_test_setup(test_waits, setup),
        cmocka_unit_test_setup(test_threads, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
