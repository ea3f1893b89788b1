/* test_e2e_group.c — sender keys of cgi/e2e/group.h as the devices of a group see them: a
 * member added gets the sender's key and reads what follows; a member removed cannot read the
 * next message once the sender rotated; re-added, it reads again with the new key. Also out of
 * order, replays, forged signatures, too far ahead, and the state saved and loaded strictly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/group.h"

enum { DEVICES = 3 };
/* The sender's own key and each receiving device's copy of it (all on the heap, freed here). */
typedef struct group { e2e_group_key *own; e2e_group_key *recv[DEVICES]; } group;
typedef struct msg { unsigned char b[256]; long n; } msg;

static int group_setup(void **state)
{
    group *g = calloc(1, sizeof *g);
    g->own = calloc(1, sizeof *g->own);
    for (int i = 0; i < DEVICES; i++) g->recv[i] = calloc(1, sizeof *g->recv[i]);
    *state = g;
    return 0;
}

static int group_teardown(void **state)
{
    group *g = *state;
    free(g->own);
    for (int i = 0; i < DEVICES; i++) free(g->recv[i]);
    free(g);
    return 0;
}

/* The sender's distribution message, accepted by device d (it travels over a pairwise session). */
static void give(group *g, int d)
{
    unsigned char dist[E2E_DISTRIBUTION_LEN];
    assert_int_equal(e2e_group_distribution(g->own, dist, sizeof dist), E2E_DISTRIBUTION_LEN);
    assert_int_equal(e2e_group_accept(g->recv[d], dist, sizeof dist), 0);
}

static void send_(group *g, const char *text, msg *m)
{
    m->n = e2e_group_encrypt(g->own, (const unsigned char *)text, strlen(text), m->b, sizeof m->b);
    assert_int_equal(m->n, (long)strlen(text) + E2E_GROUP_OVERHEAD);
}

static long try_(e2e_group_key *k, const msg *m, unsigned char *out)
{
    return e2e_group_decrypt(k, m->b, (size_t)m->n, out, 256);
}

static void expect(e2e_group_key *k, const msg *m, const char *text)
{
    unsigned char out[256];
    long n = try_(k, m, out);
    if (n < 0) fail_msg("group decrypt of \"%s\": %s", text, e2e_strerror((int)n));
    assert_int_equal(n, (long)strlen(text));
    assert_memory_equal(out, text, (size_t)n);
}

static void test_add_remove_readd(void **state)
{
    group *g = *state;
    unsigned char out[256];
    msg m;
    assert_int_equal(e2e_group_new(g->own, 1), 0);
    give(g, 0);
    give(g, 1);
    send_(g, "to both", &m);
    expect(g->recv[0], &m, "to both");
    expect(g->recv[1], &m, "to both");
    /* Added: device 2 gets the key as it stands now and reads what follows (not what came before). */
    give(g, 2);
    assert_true(try_(g->recv[2], &m, out) < 0);
    send_(g, "welcome", &m);
    for (int d = 0; d < 3; d++) expect(g->recv[d], &m, "welcome");
    /* Removed: device 1 leaves; the sender rotates and gives the new key to 0 and 2 only. */
    assert_int_equal(e2e_group_rotate(g->own), 0);
    assert_int_equal(g->own->key_id, 2);
    give(g, 0);
    give(g, 2);
    send_(g, "after removal", &m);
    expect(g->recv[0], &m, "after removal");
    expect(g->recv[2], &m, "after removal");
    assert_int_equal(try_(g->recv[1], &m, out), E2E_ESTATE);
    /* Even with the old key's id forced, the old chain does not open the new message. */
    g->recv[1]->key_id = 2;
    assert_true(try_(g->recv[1], &m, out) < 0);
    /* Re-added: it gets the current key and reads again. */
    give(g, 1);
    send_(g, "back again", &m);
    for (int d = 0; d < 3; d++) expect(g->recv[d], &m, "back again");
}

static void test_out_of_order_replay_forgery(void **state)
{
    group *g = *state;
    unsigned char out[256];
    e2e_group_new(g->own, 5);
    give(g, 0);
    msg m[4];
    const char *t[4] = { "g0", "g1", "g2", "g3" };
    for (int i = 0; i < 4; i++) send_(g, t[i], &m[i]);
    expect(g->recv[0], &m[2], "g2");
    expect(g->recv[0], &m[0], "g0");
    assert_int_equal(try_(g->recv[0], &m[0], out), E2E_EREPLAY);
    assert_int_equal(try_(g->recv[0], &m[2], out), E2E_EREPLAY);
    /* Any flipped bit: signature, ciphertext or header. */
    for (long i = 0; i < m[3].n; i++) {
        msg bad = m[3];
        bad.b[i] ^= 0x10;
        assert_true(try_(g->recv[0], &bad, out) < 0);
    }
    expect(g->recv[0], &m[3], "g3");
    expect(g->recv[0], &m[1], "g1");
    /* A member cannot forge as the sender: it has the chain but not the signing key. */
    e2e_group_key *forger = calloc(1, sizeof *forger);
    memcpy(forger, g->recv[1], sizeof *forger);
    give(g, 1);
    memcpy(forger, g->recv[1], sizeof *forger);
    forger->own = 1;   /* its sign_sk is zero: the signature will not verify */
    msg f;
    f.n = e2e_group_encrypt(forger, (const unsigned char *)"forged", 6, f.b, sizeof f.b);
    assert_true(f.n > 0);
    assert_int_equal(try_(g->recv[1], &f, out), E2E_EAUTH);
    free(forger);
}

static void test_too_far(void **state)
{
    group *g = *state;
    unsigned char out[256];
    e2e_group_new(g->own, 1);
    give(g, 0);
    msg m;
    for (int i = 0; i <= E2E_MAX_SKIP + 1; i++) send_(g, "x", &m);
    assert_int_equal(try_(g->recv[0], &m, out), E2E_ETOOFAR);
    assert_int_equal(g->recv[0]->nskipped, 0);
    assert_int_equal(g->recv[0]->iteration, 0);
}

static void test_save_load(void **state)
{
    group *g = *state;
    e2e_group_new(g->own, 9);
    give(g, 0);
    msg m[3];
    send_(g, "a", &m[0]);
    send_(g, "b", &m[1]);
    send_(g, "c", &m[2]);
    expect(g->recv[0], &m[2], "c");
    static unsigned char so[E2E_GROUP_MAX], sr[E2E_GROUP_MAX];
    long no = e2e_group_save(g->own, so, sizeof so), nr = e2e_group_save(g->recv[0], sr, sizeof sr);
    assert_int_equal(no, E2E_GROUP_FIXED);
    assert_int_equal(nr, E2E_GROUP_FIXED + 2 * 36);
    memset(g->own, 0x55, sizeof *g->own);
    memset(g->recv[0], 0x66, sizeof *g->recv[0]);
    assert_int_equal(e2e_group_load(g->own, so, (size_t)no), 0);
    assert_int_equal(e2e_group_load(g->recv[0], sr, (size_t)nr), 0);
    expect(g->recv[0], &m[0], "a");
    expect(g->recv[0], &m[1], "b");
    msg d;
    send_(g, "d", &d);
    expect(g->recv[0], &d, "d");
    /* Strict: a receiver's state carrying a signing secret, a wrong count or length. */
    e2e_group_key *k = g->recv[1];
    sr[2 + 1 + 4 + 4 + 32 + 32] = 1;
    assert_int_equal(e2e_group_load(k, sr, (size_t)nr), E2E_EFORMAT);
    sr[2 + 1 + 4 + 4 + 32 + 32] = 0;
    assert_int_equal(e2e_group_load(k, sr, (size_t)nr - 1), E2E_EFORMAT);
    sr[E2E_GROUP_FIXED - 1] = 3;
    assert_int_equal(e2e_group_load(k, sr, (size_t)nr), E2E_EFORMAT);
    sr[E2E_GROUP_FIXED - 1] = 2;
    sr[1] = 0;
    assert_int_equal(e2e_group_load(k, sr, (size_t)nr), E2E_EFORMAT);
    /* Distribution messages are read strictly too. */
    unsigned char dist[E2E_DISTRIBUTION_LEN + 1] = { 0 };
    assert_int_equal(e2e_group_distribution(g->own, dist, sizeof dist), E2E_DISTRIBUTION_LEN);
    assert_int_equal(e2e_group_accept(k, dist, sizeof dist), E2E_EFORMAT);
    assert_int_equal(e2e_group_accept(k, dist, E2E_DISTRIBUTION_LEN - 1), E2E_EFORMAT);
    dist[0] = E2E_KIND_GROUP;
    assert_int_equal(e2e_group_accept(k, dist, E2E_DISTRIBUTION_LEN), E2E_EFORMAT);
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_remove_readd, group_setup, group_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_replay_forgery, group_setup, group_teardown),
        cmocka_unit_test_setup_teardown(test_too_far, group_setup, group_teardown),
        cmocka_unit_test_setup_teardown(test_save_load, group_setup, group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
