/* safety.c — safety numbers (safety.h). Nothing allocated; the caller owns out. */
#include "safety.h"
#include <string.h>
#include <sodium.h>

/* One person's 30 digits into out[30]. */
static void half(const unsigned char ik[32], const unsigned char *id, size_t len, char out[30])
{
    static const unsigned char version[2] = { 0, 0 };
    unsigned char h[64];
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, version, 2);
    crypto_hash_sha512_update(&st, ik, 32);
    crypto_hash_sha512_update(&st, id, len);
    crypto_hash_sha512_final(&st, h);
    for (int i = 1; i < E2E_SAFETY_ITERATIONS; i++) {
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, h, 64);
        crypto_hash_sha512_update(&st, ik, 32);
        crypto_hash_sha512_final(&st, h);
    }
    for (int c = 0; c < 6; c++) {
        uint64_t v = 0;
        for (int j = 0; j < 5; j++) v = v << 8 | h[c * 5 + j];
        v %= 100000;
        for (int d = 4; d >= 0; d--) { out[c * 5 + d] = (char)('0' + v % 10); v /= 10; }
    }
}

int e2e_safety_number(const unsigned char ik_a[32], const unsigned char *id_a, size_t la, const unsigned char ik_b[32],
                      const unsigned char *id_b, size_t lb, char out[E2E_SAFETY_DIGITS + 1])
{
    char a[30], b[30];
    half(ik_a, id_a, la, a);
    half(ik_b, id_b, lb, b);
    int a_first = memcmp(a, b, 30) <= 0;
    memcpy(out, a_first ? a : b, 30);
    memcpy(out + 30, a_first ? b : a, 30);
    out[60] = '\0';
    return 0;
}
