/* test_e2e_ratchet.c — one-to-one sessions of cgi/e2e/ as two devices see them: X3DH with and
 * without a one-time prekey, messages in order and out of order, 1,000 skipped then delivered,
 * 1,001 ahead refused in bounded time, replays refused, a flipped bit anywhere refused, both
 * sides sending at once, and the state saved and loaded mid-conversation (plus strict loading
 * of bad state bytes). Sessions are ~70 KB, so the test keeps them on the heap it frees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/keys.h"
#include "../../cgi/e2e/ratchet.h"
#include "../../cgi/e2e/safety.h"

typedef struct pair {
    e2e_identity alice, bob;
    e2e_prekey spk, opk;
    e2e_session *a, *b;
} pair;

typedef struct wire { unsigned char b[512]; long n; } wire;

static int pair_setup(void **state)
{
    pair *p = calloc(1, sizeof *p);
    p->a = calloc(1, sizeof *p->a);
    p->b = calloc(1, sizeof *p->b);
    *state = p;
    return 0;
}

static int pair_teardown(void **state)
{
    pair *p = *state;
    free(p->a);
    free(p->b);
    free(p);
    return 0;
}

static void send_(e2e_session *s, const char *text, wire *w)
{
    w->n = e2e_session_encrypt(s, (const unsigned char *)text, strlen(text), w->b, sizeof w->b);
    assert_true(w->n > 0);
}

static void expect(e2e_session *s, const wire *w, const char *text)
{
    unsigned char out[512];
    long n = e2e_session_decrypt(s, w->b, (size_t)w->n, out, sizeof out);
    if (n < 0) fail_msg("decrypt of \"%s\": %s", text, e2e_strerror((int)n));
    assert_int_equal(n, (long)strlen(text));
    assert_memory_equal(out, text, strlen(text));
}

static long try_(e2e_session *s, const wire *w)
{
    unsigned char out[512];
    return e2e_session_decrypt(s, w->b, (size_t)w->n, out, sizeof out);
}

/* Alice fetches Bob's bundle (with a one-time prekey when opk) and sends "hello"; Bob answers. */
static void start(pair *p, int opk)
{
    assert_int_equal(e2e_identity_new(&p->alice, NULL), 0);
    assert_int_equal(e2e_identity_new(&p->bob, NULL), 0);
    assert_int_equal(e2e_signed_prekey_new(&p->spk, &p->bob, 7), 0);
    assert_int_equal(e2e_onetime_prekey_new(&p->opk, 42), 0);
    unsigned char bundle[E2E_BUNDLE_MAX];
    long bn = e2e_bundle_encode(&p->bob, &p->spk, opk ? &p->opk : NULL, bundle, sizeof bundle);
    assert_true(bn > 0);
    e2e_bundle b;
    assert_int_equal(e2e_bundle_decode(&b, bundle, (size_t)bn), 0);
    assert_int_equal(e2e_session_initiate(p->a, &p->alice, &b), 0);
    wire w;
    send_(p->a, "hello", &w);
    assert_int_equal(w.b[0], E2E_KIND_PREKEY);
    unsigned char ik[32];
    uint32_t spk_id, opk_id;
    int has;
    assert_int_equal(e2e_prekey_message_peek(w.b, (size_t)w.n, ik, &spk_id, &has, &opk_id), 0);
    assert_memory_equal(ik, p->alice.sign_pk, 32);
    assert_int_equal(spk_id, 7);
    assert_int_equal(has, opk);
    if (opk) assert_int_equal(opk_id, 42);
    unsigned char out[64];
    long n = e2e_session_respond(p->b, &p->bob, &p->spk, opk ? &p->opk : NULL, w.b, (size_t)w.n, out, sizeof out);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    assert_memory_equal(e2e_session_remote(p->b), p->alice.sign_pk, 32);
    assert_memory_equal(e2e_session_remote(p->a), p->bob.sign_pk, 32);
    send_(p->b, "hi alice", &w);
    assert_int_equal(w.b[0], E2E_KIND_RATCHET);
    expect(p->a, &w, "hi alice");
}

static void test_x3dh_and_in_order(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w;
    char text[32];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "a%d", i);
        send_(p->a, text, &w);
        assert_int_equal(w.b[0], E2E_KIND_RATCHET);   /* no longer a prekey message */
        expect(p->b, &w, text);
        snprintf(text, sizeof text, "b%d", i);
        send_(p->b, text, &w);
        expect(p->a, &w, text);
    }
}

static void test_without_onetime_prekey(void **state)
{
    pair *p = *state;
    start(p, 0);
    wire w;
    send_(p->a, "no one-time key", &w);
    expect(p->b, &w, "no one-time key");
}

static void test_bundle_bad_signature(void **state)
{
    pair *p = *state;
    e2e_identity_new(&p->bob, NULL);
    e2e_signed_prekey_new(&p->spk, &p->bob, 1);
    unsigned char bundle[E2E_BUNDLE_MAX];
    long bn = e2e_bundle_encode(&p->bob, &p->spk, NULL, bundle, sizeof bundle);
    e2e_bundle b;
    bundle[40] ^= 1;   /* inside the signed prekey */
    assert_int_equal(e2e_bundle_decode(&b, bundle, (size_t)bn), E2E_EAUTH);
    bundle[40] ^= 1;
    assert_int_equal(e2e_bundle_decode(&b, bundle, (size_t)bn - 1), E2E_EFORMAT);
    bundle[0] = 9;
    assert_int_equal(e2e_bundle_decode(&b, bundle, (size_t)bn), E2E_EFORMAT);
}

static void test_out_of_order(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w[6];
    const char *t[6] = { "m0", "m1", "m2", "m3", "m4", "m5" };
    for (int i = 0; i < 6; i++) send_(p->a, t[i], &w[i]);
    int order[6] = { 3, 0, 5, 1, 4, 2 };
    for (int i = 0; i < 6; i++) expect(p->b, &w[order[i]], t[order[i]]);
    /* Across a ratchet step: Bob answers, Alice sends on a new chain, an old one arrives last. */
    wire late, next;
    send_(p->a, "late", &late);
    send_(p->b, "turn", &next);
    expect(p->a, &next, "turn");
    send_(p->a, "new chain", &next);
    expect(p->b, &next, "new chain");
    expect(p->b, &late, "late");
}

static void test_thousand_skipped_then_delivered(void **state)
{
    pair *p = *state;
    start(p, 1);
    static wire w[E2E_MAX_SKIP + 1];
    char text[32];
    for (int i = 0; i <= E2E_MAX_SKIP; i++) {
        snprintf(text, sizeof text, "n%d", i);
        send_(p->a, text, &w[i]);
    }
    /* The last first: 1,000 keys kept ... */
    expect(p->b, &w[E2E_MAX_SKIP], "n1000");
    assert_int_equal(p->b->nskipped, E2E_MAX_SKIP);
    /* ... then every one of the 1,000 delivered, from the newest down. */
    for (int i = E2E_MAX_SKIP - 1; i >= 0; i--) {
        snprintf(text, sizeof text, "n%d", i);
        expect(p->b, &w[i], text);
    }
    assert_int_equal(p->b->nskipped, 0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_too_far_refused_in_bounded_time(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w;
    for (int i = 0; i <= E2E_MAX_SKIP + 1; i++) send_(p->a, "x", &w);   /* n = 1,002: 1,001 skipped */
    unsigned char before[E2E_SESSION_MAX], after[E2E_SESSION_MAX];
    long bn = e2e_session_save(p->b, before, sizeof before);
    double t0 = now_ms();
    assert_int_equal(try_(p->b, &w), E2E_ETOOFAR);
    double honest = now_ms() - t0;
    /* A forged header claiming message 4,000,000,000 costs no more than that. */
    wire forged = w;
    forged.b[E2E_HEADER_LEN - 4] = 0xEE;
    t0 = now_ms();
    assert_int_equal(try_(p->b, &forged), E2E_ETOOFAR);
    double far = now_ms() - t0;
    /* Nothing was derived: no key kept, the state unchanged byte for byte, and quickly. */
    assert_int_equal(p->b->nskipped, 0);
    long an = e2e_session_save(p->b, after, sizeof after);
    assert_int_equal(an, bn);
    assert_memory_equal(before, after, (size_t)bn);
    assert_true(honest < 5.0 && far < 5.0);
}

static void test_replay_refused(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w1, w2;
    send_(p->a, "once", &w1);
    send_(p->a, "twice", &w2);
    expect(p->b, &w1, "once");
    assert_int_equal(try_(p->b, &w1), E2E_EREPLAY);
    /* A skipped key is used once too. */
    wire w3, w4;
    send_(p->a, "three", &w3);
    send_(p->a, "four", &w4);
    expect(p->b, &w4, "four");
    expect(p->b, &w3, "three");
    assert_int_equal(try_(p->b, &w3), E2E_EREPLAY);
    expect(p->b, &w2, "twice");
    assert_int_equal(try_(p->b, &w2), E2E_EREPLAY);
    /* The first prekey message again, after the session has moved on. */
    assert_true(try_(p->b, &w4) < 0);
}

static void test_flipped_bit_anywhere(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w;
    send_(p->a, "every bit counts", &w);
    unsigned char before[E2E_SESSION_MAX];
    long bn = e2e_session_save(p->b, before, sizeof before);
    for (long i = 0; i < w.n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            wire bad = w;
            bad.b[i] ^= (unsigned char)(1u << bit);
            long rc = try_(p->b, &bad);
            if (rc >= 0) fail_msg("byte %ld bit %d flipped was accepted", i, bit);
        }
    }
    /* Truncated or extended, too. */
    wire cut = w;
    cut.n -= 1;
    assert_true(try_(p->b, &cut) < 0);
    unsigned char after[E2E_SESSION_MAX];
    long an = e2e_session_save(p->b, after, sizeof after);
    assert_int_equal(an, bn);
    assert_memory_equal(before, after, (size_t)bn);
    expect(p->b, &w, "every bit counts");
}

static void test_both_send_at_once(void **state)
{
    pair *p = *state;
    start(p, 1);
    for (int round = 0; round < 5; round++) {
        wire a1, a2, b1, b2;
        send_(p->a, "from a 1", &a1);
        send_(p->b, "from b 1", &b1);
        send_(p->a, "from a 2", &a2);
        send_(p->b, "from b 2", &b2);
        expect(p->b, &a2, "from a 2");
        expect(p->a, &b1, "from b 1");
        expect(p->b, &a1, "from a 1");
        expect(p->a, &b2, "from b 2");
    }
}

static void test_save_load_mid_conversation(void **state)
{
    pair *p = *state;
    start(p, 1);
    wire w[3];
    send_(p->a, "before", &w[0]);
    send_(p->a, "kept for later", &w[1]);
    send_(p->a, "after", &w[2]);
    expect(p->b, &w[0], "before");
    expect(p->b, &w[2], "after");           /* one skipped key in the state */
    static unsigned char sa[E2E_SESSION_MAX], sb[E2E_SESSION_MAX];
    long na = e2e_session_save(p->a, sa, sizeof sa), nb = e2e_session_save(p->b, sb, sizeof sb);
    assert_true(na > 0 && nb > 0);
    assert_int_equal(nb, E2E_SESSION_FIXED + 68);
    memset(p->a, 0xAA, sizeof *p->a);
    memset(p->b, 0xBB, sizeof *p->b);
    assert_int_equal(e2e_session_load(p->a, sa, (size_t)na), 0);
    assert_int_equal(e2e_session_load(p->b, sb, (size_t)nb), 0);
    expect(p->b, &w[1], "kept for later");
    wire r;
    send_(p->b, "reply", &r);
    expect(p->a, &r, "reply");
    send_(p->a, "on", &r);
    expect(p->b, &r, "on");
    /* The saved bytes again: equal after a load and save. */
    static unsigned char again[E2E_SESSION_MAX];
    e2e_session *c = calloc(1, sizeof *c);
    assert_int_equal(e2e_session_load(c, sa, (size_t)na), 0);
    assert_int_equal(e2e_session_save(c, again, sizeof again), na);
    assert_memory_equal(again, sa, (size_t)na);
    /* Strict loading: wrong tag, version, flag bits, count, length. */
    sa[0] = 'X';
    assert_int_equal(e2e_session_load(c, sa, (size_t)na), E2E_EFORMAT);
    sa[0] = 'S';
    sa[1] = 2;
    assert_int_equal(e2e_session_load(c, sa, (size_t)na), E2E_EFORMAT);
    sa[1] = E2E_VERSION;
    sa[2] |= 0x80;
    assert_int_equal(e2e_session_load(c, sa, (size_t)na), E2E_EFORMAT);
    sa[2] &= 0x7F;
    assert_int_equal(e2e_session_load(c, sa, (size_t)na - 1), E2E_EFORMAT);
    sb[E2E_SESSION_FIXED - 1] = 2;           /* claims two skipped keys, holds one */
    assert_int_equal(e2e_session_load(c, sb, (size_t)nb), E2E_EFORMAT);
    sb[E2E_SESSION_FIXED - 2] = 0xFF;        /* claims more than E2E_MAX_SKIP */
    assert_int_equal(e2e_session_load(c, sb, (size_t)nb), E2E_EFORMAT);
    assert_int_equal(e2e_session_load(c, sa, 0), E2E_EFORMAT);
    free(c);
}

static void test_identity_and_prekey_state(void **state)
{
    (void)state;
    e2e_identity id, back;
    unsigned char seed[32] = { 1, 2, 3 };
    e2e_identity_new(&id, seed);
    unsigned char buf[E2E_IDENTITY_STATE_LEN];
    assert_int_equal(e2e_identity_save(&id, buf, sizeof buf), E2E_IDENTITY_STATE_LEN);
    assert_int_equal(e2e_identity_load(&back, buf, sizeof buf), 0);
    assert_memory_equal(&back, &id, sizeof id);
    buf[40] ^= 1;   /* the public half no longer matches the seed */
    assert_int_equal(e2e_identity_load(&back, buf, sizeof buf), E2E_EFORMAT);
    e2e_prekey pk, pk2;
    e2e_signed_prekey_new(&pk, &id, 9);
    unsigned char pb[E2E_PREKEY_STATE_LEN];
    assert_int_equal(e2e_prekey_save(&pk, pb, sizeof pb), E2E_PREKEY_STATE_LEN);
    assert_int_equal(e2e_prekey_load(&pk2, pb, sizeof pb), 0);
    assert_memory_equal(&pk2, &pk, sizeof pk);
    assert_int_equal(e2e_prekey_verify(id.sign_pk, pk2.pk, pk2.sig), 0);
    assert_int_equal(e2e_prekey_load(&pk2, pb, sizeof pb + 0 - 1), E2E_EFORMAT);
}

static void test_safety_number(void **state)
{
    (void)state;
    e2e_identity a, b, c;
    e2e_identity_new(&a, NULL);
    e2e_identity_new(&b, NULL);
    e2e_identity_new(&c, NULL);
    char ab[61], ba[61], ac[61];
    e2e_safety_number(a.sign_pk, (const unsigned char *)"17", 2, b.sign_pk, (const unsigned char *)"23", 2, ab);
    e2e_safety_number(b.sign_pk, (const unsigned char *)"23", 2, a.sign_pk, (const unsigned char *)"17", 2, ba);
    e2e_safety_number(a.sign_pk, (const unsigned char *)"17", 2, c.sign_pk, (const unsigned char *)"23", 2, ac);
    assert_int_equal(strlen(ab), 60);
    for (int i = 0; i < 60; i++) assert_true(ab[i] >= '0' && ab[i] <= '9');
    assert_string_equal(ab, ba);          /* both people see the same digits */
    assert_string_not_equal(ab, ac);      /* a changed identity key changes them */
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_x3dh_and_in_order, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_without_onetime_prekey, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_bundle_bad_signature, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_thousand_skipped_then_delivered, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_too_far_refused_in_bounded_time, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_replay_refused, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_flipped_bit_anywhere, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_both_send_at_once, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_save_load_mid_conversation, pair_setup, pair_teardown),
        cmocka_unit_test(test_identity_and_prekey_state),
        cmocka_unit_test(test_safety_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
