/* test_sesscache.c — parley.fcgi's shared session cache (cgi/app/sesscache.c) without its
 * subscriber thread: nothing is kept until the subscription stands, a copy read while
 * anything was dropped is not kept, a revoked session or a changed user is dropped, a copy
 * never outlives the session in Redis, and losing the subscription drops everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "../../cgi/app/sesscache.h"

/* A session of uid with an id made from n (64 hex digits). */
static sess session(long long uid, unsigned n)
{
    sess s = {.uid = uid, .ver = {.known = 1, .v = {3, 7}}};
    snprintf(s.id, sizeof s.id, "%08x%056x", n, n);
    snprintf(s.csrf, sizeof s.csrf, "csrf-%u", n);
    return s;
}

static long long later(void) { return (long long)time(NULL) + 3600; }

/* The ticket a lookup of s hands out: what sess_lookup holds while it reads from Redis
 * (0 when s is kept already, or the cache is off). */
static unsigned long long ticket_for(const sess *s)
{
    sess got;
    long long seen;
    unsigned long long t;
    sesscache_get(s->id, &got, &seen, &t);
    return t;
}

/* Keeps s the way sess_lookup does: a lookup that misses, then the put. */
static void keep(const sess *s) { sesscache_put(ticket_for(s), s, (long long)time(NULL), later()); }

static int kept(const sess *s)
{
    sess got;
    long long seen;
    unsigned long long t;
    if (!sesscache_get(s->id, &got, &seen, &t)) return 0;
    assert_int_equal(t, 0);                                  /* a hit hands out no ticket */
    assert_int_equal(got.uid, s->uid);
    assert_string_equal(got.csrf, s->csrf);
    assert_int_equal(got.ver.v[0], s->ver.v[0]);
    assert_int_equal(got.ver.v[1], s->ver.v[1]);
    return 1;
}

static void test_off_until_subscribed(void **state)
{
    (void)state;
    sesscache_set_live(0);
    sess a = session(1, 1);
    assert_int_equal(ticket_for(&a), 0);
    keep(&a);
    assert_false(kept(&a));
    sesscache_set_live(1);
    assert_false(kept(&a));                                  /* nothing from before */
    keep(&a);
    assert_true(kept(&a));
    sesscache_set_live(0);                                   /* the subscription is lost */
    assert_false(kept(&a));
    sesscache_set_live(1);
    assert_false(kept(&a));                                  /* and nothing comes back */
}

static void test_revoked_and_changed(void **state)
{
    (void)state;
    sesscache_set_live(1);
    sess a = session(1, 1), b = session(1, 2), c = session(2, 3);
    keep(&a);
    keep(&b);
    keep(&c);
    sesscache_forget_session(a.id);
    assert_false(kept(&a));
    assert_true(kept(&b));
    sesscache_forget_user(1);                                /* user 1's row changed */
    assert_false(kept(&b));
    assert_true(kept(&c));
    keep(&a);
    sesscache_forget_user(0);                                /* every user's */
    assert_false(kept(&a));
    assert_false(kept(&c));
}

static void test_race_with_a_revocation(void **state)
{
    (void)state;
    sesscache_set_live(1);
    sess a = session(1, 1), other = session(9, 9);
    unsigned long long t = ticket_for(&a);                   /* the read from Redis starts… */
    sesscache_forget_session(other.id);                      /* …anything is dropped meanwhile… */
    sesscache_put(t, &a, (long long)time(NULL), later());    /* …so what it read is not kept */
    assert_false(kept(&a));
    t = ticket_for(&a);
    sesscache_set_live(0);                                   /* nor across a lost subscription */
    sesscache_set_live(1);
    sesscache_put(t, &a, (long long)time(NULL), later());
    assert_false(kept(&a));
}

static void test_never_past_its_expiry(void **state)
{
    (void)state;
    sesscache_set_live(1);
    sess a = session(1, 1), b = session(1, 2), small = session(1, 3);
    long long now = (long long)time(NULL);
    sesscache_put(ticket_for(&a), &a, now, now + 1);     /* Redis drops it within the second */
    assert_false(kept(&a));
    b.ver.known = 0;                                          /* no versions: its row could not be checked */
    keep(&b);
    assert_false(kept(&b));
    keep(&small);
    sesscache_touched(small.id, now, now + 1);               /* a touch never makes a copy live longer… */
    assert_false(kept(&small));
    keep(&small);
    sesscache_touched(small.id, now + 5, later());           /* …but notes when it was last seen */
    sess got;
    long long seen = 0;
    unsigned long long t;
    assert_true(sesscache_get(small.id, &got, &seen, &t));
    assert_int_equal(seen, now + 5);
}

static void test_odd_ids(void **state)
{
    (void)state;
    sesscache_set_live(1);
    sess a = session(1, 1), got;
    long long seen;
    unsigned long long t = 1;
    keep(&a);
    assert_false(sesscache_get("", &got, &seen, &t));
    assert_int_equal(t, 0);                                  /* nor a ticket: it could never be kept */
    assert_false(sesscache_get("zz", &got, &seen, &t));
    char upper[SECRET_HEX + 1];
    snprintf(upper, sizeof upper, "%s", a.id);
    upper[0] = 'X';                                          /* not hex: never a slot */
    assert_false(sesscache_get(upper, &got, &seen, &t));
    sesscache_forget_session(upper);                         /* ignored, and harmless */
    assert_true(kept(&a));
    sess collide = session(1, 1 + SESSCACHE_SLOTS);          /* the same slot: evicts */
    keep(&collide);
    assert_true(kept(&collide));
    assert_false(kept(&a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_until_subscribed),
        cmocka_unit_test(test_revoked_and_changed),
        cmocka_unit_test(test_race_with_a_revocation),
        cmocka_unit_test(test_never_past_its_expiry),
        cmocka_unit_test(test_odd_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
