/* test_e2e_link.c — linking a new device (cgi/e2e/link.h): the code round-trips and refuses
 * what is not one; both devices derive the same channel key, and another code, a swapped
 * public key or another link id derive another; a transfer round-trips at chunk boundaries
 * and is refused when opened with a wrong code's key, tampered with, truncated or extended. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/link.h"

enum { CHUNK = E2E_LINK_CHUNK, FULL = E2E_LINK_CHUNK + E2E_LINK_ABYTES, HEAD = E2E_LINK_HEAD_LEN };

/* Two devices' fresh keys, a code's secret and id, and the key each derives. */
typedef struct pair {
    unsigned char new_sk[32], new_pk[32], old_sk[32], old_pk[32], secret[16], k_new[32], k_old[32];
    char id[11];
} pair;

static void make_pair(pair *p)
{
    assert_int_equal(e2e_link_keypair(p->new_sk, p->new_pk), 0);
    assert_int_equal(e2e_link_keypair(p->old_sk, p->old_pk), 0);
    randombytes_buf(p->secret, sizeof p->secret);
    memcpy(p->id, "0123456789", 11);
    assert_int_equal(e2e_link_key(p->k_new, p->new_sk, p->old_pk, p->new_pk, p->old_pk, p->secret, p->id), 0);
    assert_int_equal(e2e_link_key(p->k_old, p->old_sk, p->new_pk, p->new_pk, p->old_pk, p->secret, p->id), 0);
}

static void test_code(void **state)
{
    (void)state;
    unsigned char secret[16], back[16];
    char code[E2E_LINK_CODE_DIGITS + 1], id[11];
    for (int i = 0; i < 16; i++) secret[i] = (unsigned char)(i * 17 + 3);
    secret[0] = 0xff, secret[1] = 0xff, secret[2] = 0, secret[3] = 0;      /* the largest and smallest words */
    assert_int_equal(e2e_link_code("0000012345", secret, code), 0);
    assert_int_equal(strlen(code), 50);
    assert_memory_equal(code, "0000012345" "65535" "00000", 20);
    assert_int_equal(e2e_link_code_parse(code, strlen(code), id, back), 0);
    assert_string_equal(id, "0000012345");
    assert_memory_equal(back, secret, 16);
    /* As typed: grouped with spaces and dashes. */
    char typed[80];
    size_t n = 0;
    for (int i = 0; i < 50; i++) {
        if (i && i % 5 == 0) typed[n++] = i % 10 ? ' ' : '-';
        typed[n++] = code[i];
    }
    memset(back, 0, 16);
    assert_int_equal(e2e_link_code_parse(typed, n, id, back), 0);
    assert_memory_equal(back, secret, 16);
    /* Not a code: too short, too long, a letter, a word over 65535; nor an id that is not ten digits. */
    assert_int_equal(e2e_link_code_parse(code, 49, id, back), E2E_EFORMAT);
    char longer[52];
    memcpy(longer, code, 50), longer[50] = '1';
    assert_int_equal(e2e_link_code_parse(longer, 51, id, back), E2E_EFORMAT);
    char bad[51];
    memcpy(bad, code, 51);
    bad[20] = 'a';
    assert_int_equal(e2e_link_code_parse(bad, 50, id, back), E2E_EFORMAT);
    memcpy(bad, code, 51);
    memcpy(bad + 10, "65536", 5);
    assert_int_equal(e2e_link_code_parse(bad, 50, id, back), E2E_EFORMAT);
    assert_int_equal(e2e_link_code_parse("", 0, id, back), E2E_EFORMAT);
    assert_int_equal(e2e_link_code("12345", secret, code), E2E_EFORMAT);
    assert_int_equal(e2e_link_code("012345678x", secret, code), E2E_EFORMAT);
}

static void test_key_agreement(void **state)
{
    (void)state;
    pair p;
    make_pair(&p);
    assert_memory_equal(p.k_new, p.k_old, 32);
    unsigned char k[32], sk[32], pk[32];
    /* Another code (one bit of the secret), another id, or the server's key put in place of
     * the new device's: the old device derives another key. */
    unsigned char other[16];
    memcpy(other, p.secret, 16);
    other[15] ^= 1;
    assert_int_equal(e2e_link_key(k, p.old_sk, p.new_pk, p.new_pk, p.old_pk, other, p.id), 0);
    assert_memory_not_equal(k, p.k_new, 32);
    assert_int_equal(e2e_link_key(k, p.old_sk, p.new_pk, p.new_pk, p.old_pk, p.secret, "0123456788"), 0);
    assert_memory_not_equal(k, p.k_new, 32);
    assert_int_equal(e2e_link_keypair(sk, pk), 0);
    assert_int_equal(e2e_link_key(k, p.old_sk, pk, pk, p.old_pk, p.secret, p.id), 0);
    assert_memory_not_equal(k, p.k_new, 32);
    /* A low-order point is refused; an id that is not ten digits long too. */
    unsigned char zero[32] = {0};
    assert_int_equal(e2e_link_key(k, p.old_sk, zero, zero, p.old_pk, p.secret, p.id), E2E_EKEY);
    assert_int_equal(e2e_link_key(k, p.old_sk, p.new_pk, p.new_pk, p.old_pk, p.secret, "123"), E2E_EFORMAT);
    /* Fresh keys each time. */
    pair q;
    make_pair(&q);
    assert_memory_not_equal(q.new_pk, p.new_pk, 32);
    assert_memory_not_equal(q.k_new, p.k_new, 32);
}

/* Seals n random bytes under p's old-device key; opens with the new device's. */
static void round_trip(const pair *p, size_t n)
{
    unsigned char *in = malloc(n + 1), *sealed = malloc(e2e_link_sealed_len(n)), *out = malloc(e2e_link_sealed_len(n));
    randombytes_buf(in, n);
    size_t len = e2e_link_sealed_len(n);
    assert_int_equal(len, HEAD + n + (n / CHUNK + 1) * E2E_LINK_ABYTES);
    assert_int_equal(e2e_link_seal(p->k_old, in, n, sealed, len), (long)len);
    assert_int_equal(e2e_link_open(p->k_new, sealed, len, out, len), (long)n);
    if (n) assert_memory_equal(out, in, n);
    if (n >= 16) assert_null(memmem(sealed, len, in, 16));
    assert_int_equal(e2e_link_seal(p->k_old, in, n, sealed, len - 1), E2E_ESPACE);
    free(in), free(sealed), free(out);
}

static void test_round_trips(void **state)
{
    (void)state;
    pair p;
    make_pair(&p);
    const size_t sizes[] = {0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) round_trip(&p, sizes[i]);
    unsigned char one;
    assert_int_equal(e2e_link_seal(p.k_old, &one, (size_t)E2E_LINK_MAX + 1, &one, (size_t)-1), E2E_EFORMAT);
}

static void test_refused(void **state)
{
    (void)state;
    pair p;
    make_pair(&p);
    size_t n = 2 * CHUNK + 100, len = e2e_link_sealed_len(n);
    unsigned char *in = malloc(n), *sealed = malloc(len + FULL), *out = calloc(1, len + FULL);
    randombytes_buf(in, n);
    assert_int_equal(e2e_link_seal(p.k_old, in, n, sealed, len), (long)len);
    /* The key of a wrong code. */
    unsigned char other[16], k[32];
    memcpy(other, p.secret, 16);
    other[0] ^= 0x80;
    assert_int_equal(e2e_link_key(k, p.new_sk, p.old_pk, p.new_pk, p.old_pk, other, p.id), 0);
    assert_int_equal(e2e_link_open(k, sealed, len, out, len), E2E_EAUTH);
    /* A flipped bit in the stream's header or in any chunk. */
    const size_t at[] = {2, HEAD - 1, HEAD, HEAD + 5000, HEAD + FULL + 1, len - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        sealed[at[i]] ^= 0x04;
        assert_int_equal(e2e_link_open(p.k_new, sealed, len, out, len), E2E_EAUTH);
        for (size_t j = 0; j < n; j++) assert_int_equal(out[j], 0);          /* nothing of it is left */
        sealed[at[i]] ^= 0x04;
    }
    /* Another version or kind in the head. */
    sealed[0] = 'F';
    assert_int_equal(e2e_link_open(p.k_new, sealed, len, out, len), E2E_EFORMAT);
    sealed[0] = 'L', sealed[1] = 2;
    assert_int_equal(e2e_link_open(p.k_new, sealed, len, out, len), E2E_EFORMAT);
    sealed[1] = E2E_VERSION;
    /* Truncated: before FINAL at a chunk boundary, inside a chunk, inside the head. */
    const size_t cuts[] = {0, 1, HEAD, HEAD + 1, HEAD + FULL, HEAD + 2 * FULL, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        long rc = e2e_link_open(p.k_new, sealed, cuts[i], out, len);
        assert_true(rc == E2E_EFORMAT || rc == E2E_EAUTH);
    }
    assert_int_equal(e2e_link_open(p.k_new, sealed, HEAD + FULL, out, len), E2E_EFORMAT);
    /* Chunks reordered; bytes after FINAL. */
    unsigned char *swapped = malloc(len);
    memcpy(swapped, sealed, len);
    memcpy(swapped + HEAD, sealed + HEAD + FULL, FULL);
    memcpy(swapped + HEAD + FULL, sealed + HEAD, FULL);
    assert_int_equal(e2e_link_open(p.k_new, swapped, len, out, len), E2E_EAUTH);
    sealed[len] = 0;
    assert_int_equal(e2e_link_open(p.k_new, sealed, len + 1, out, len + 1), E2E_EAUTH);
    /* And intact, it still opens. */
    assert_int_equal(e2e_link_open(p.k_new, sealed, len, out, len), (long)n);
    assert_memory_equal(out, in, n);
    assert_int_equal(e2e_link_open(p.k_new, sealed, len, out, len - HEAD - 1), E2E_ESPACE);
    free(in), free(sealed), free(out), free(swapped);
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code),
        cmocka_unit_test(test_key_agreement),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
