/* test_e2e_file.c — encrypted attachments (cgi/e2e/file.h), which Wycheproof does not cover:
 * round trips at every chunk boundary, a fresh key and header each time, and refusals of a
 * cut blob, a dropped or reordered chunk, bytes after FINAL, a flipped bit anywhere, and
 * another key or header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/file.h"

enum { CHUNK = E2E_FILE_CHUNK, SEALED_CHUNK = E2E_FILE_CHUNK + E2E_FILE_ABYTES };

/* A sealed file and what it was sealed from (heap; freed by sealed_free). */
typedef struct sealed {
    unsigned char key[E2E_FILE_KEY_LEN], header[E2E_FILE_HEADER_LEN];
    unsigned char *plain, *blob, *out;
    size_t n, len;
} sealed;

static sealed seal(size_t n)
{
    sealed s;
    s.n = n;
    s.plain = malloc(n + 1);
    randombytes_buf(s.plain, n);
    s.len = e2e_file_sealed_len(n);
    s.blob = malloc(s.len + SEALED_CHUNK);                 /* room to append */
    s.out = malloc(s.len + SEALED_CHUNK);
    assert_int_equal(e2e_file_seal(s.key, s.header, s.plain, n, s.blob, s.len), (long)s.len);
    return s;
}

static void sealed_free(sealed *s) { free(s->plain), free(s->blob), free(s->out); }

static long open_blob(sealed *s, const unsigned char *blob, size_t len)
{
    return e2e_file_open(s->key, s->header, blob, len, s->out, s->len + SEALED_CHUNK);
}

static void test_round_trips(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        sealed s = seal(sizes[i]);
        assert_int_equal(s.len, sizes[i] + (sizes[i] / CHUNK + 1) * E2E_FILE_ABYTES);
        assert_int_equal(open_blob(&s, s.blob, s.len), (long)sizes[i]);
        if (sizes[i]) assert_memory_equal(s.out, s.plain, sizes[i]);
        /* The plaintext is nowhere in the blob (a 100-byte random file would not be by chance). */
        if (sizes[i] >= 16) assert_null(memmem(s.blob, s.len, s.plain, 16));
        sealed_free(&s);
    }
    /* The same bytes twice: a fresh key and header, other ciphertext. */
    unsigned char data[64] = "the same attachment, sealed twice";
    unsigned char k1[32], h1[24], k2[32], h2[24], b1[200], b2[200];
    assert_int_equal(e2e_file_seal(k1, h1, data, sizeof data, b1, sizeof b1), 64 + 17);
    assert_int_equal(e2e_file_seal(k2, h2, data, sizeof data, b2, sizeof b2), 64 + 17);
    assert_memory_not_equal(k1, k2, 32);
    assert_memory_not_equal(h1, h2, 24);
    assert_memory_not_equal(b1, b2, 64 + 17);
    /* Too small a buffer either way. */
    assert_int_equal(e2e_file_seal(k1, h1, data, sizeof data, b1, 64 + 16), E2E_ESPACE);
    assert_int_equal(e2e_file_open(k1, h1, b1, 64 + 17, b2, 64 + 16), E2E_ESPACE);
}

static void test_cut_dropped_reordered(void **state)
{
    (void)state;
    sealed s = seal(3 * CHUNK + 5);                         /* four chunks, the last one short */
    /* Cut anywhere: at a chunk boundary (no FINAL) or inside a chunk. */
    const size_t cuts[] = {0, 1, 16, SEALED_CHUNK, SEALED_CHUNK + 1, 2 * SEALED_CHUNK, 3 * SEALED_CHUNK, s.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        long rc = open_blob(&s, s.blob, cuts[i]);
        assert_true(rc == E2E_EFORMAT || rc == E2E_EAUTH);
    }
    /* A chunk dropped from the middle. */
    unsigned char *b = malloc(s.len);
    memcpy(b, s.blob, SEALED_CHUNK);
    memcpy(b + SEALED_CHUNK, s.blob + 2 * SEALED_CHUNK, s.len - 2 * SEALED_CHUNK);
    assert_int_equal(open_blob(&s, b, s.len - SEALED_CHUNK), E2E_EAUTH);
    /* Two chunks swapped. */
    memcpy(b, s.blob, s.len);
    memcpy(b, s.blob + SEALED_CHUNK, SEALED_CHUNK);
    memcpy(b + SEALED_CHUNK, s.blob, SEALED_CHUNK);
    assert_int_equal(open_blob(&s, b, s.len), E2E_EAUTH);
    /* A chunk repeated. */
    memcpy(b, s.blob, s.len);
    memcpy(b + SEALED_CHUNK, s.blob, SEALED_CHUNK);
    assert_int_equal(open_blob(&s, b, s.len), E2E_EAUTH);
    free(b);
    /* Anything after FINAL: a whole chunk more, or one byte. The FINAL chunk is always short,
     * so what follows joins it and breaks its MAC. */
    memcpy(s.blob + s.len, s.blob, SEALED_CHUNK);
    assert_int_equal(open_blob(&s, s.blob, s.len + SEALED_CHUNK), E2E_EAUTH);
    assert_int_equal(open_blob(&s, s.blob, s.len + 1), E2E_EAUTH);
    /* Intact, it still opens. */
    assert_int_equal(open_blob(&s, s.blob, s.len), (long)s.n);
    sealed_free(&s);
}

static void test_flipped_bits_and_other_keys(void **state)
{
    (void)state;
    sealed s = seal(CHUNK + 300);
    /* Every bit of a short file; for the long one, bits in each chunk's tag, body and MAC. */
    sealed t = seal(40);
    for (size_t i = 0; i < t.len * 8; i++) {
        t.blob[i / 8] ^= (unsigned char)(1 << (i % 8));
        assert_int_equal(open_blob(&t, t.blob, t.len), E2E_EAUTH);
        t.blob[i / 8] ^= (unsigned char)(1 << (i % 8));
    }
    const size_t at[] = {0, 1, 500, SEALED_CHUNK - 1, SEALED_CHUNK, SEALED_CHUNK + 150, s.len - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        s.blob[at[i]] ^= 0x20;
        assert_int_equal(open_blob(&s, s.blob, s.len), E2E_EAUTH);
        s.blob[at[i]] ^= 0x20;
    }
    assert_int_equal(open_blob(&s, s.blob, s.len), (long)s.n);
    /* Another key, another header, or the other file's: refused. */
    for (int i = 0; i < 32 * 8; i += 37) {
        s.key[i / 8] ^= (unsigned char)(1 << (i % 8));
        assert_int_equal(open_blob(&s, s.blob, s.len), E2E_EAUTH);
        s.key[i / 8] ^= (unsigned char)(1 << (i % 8));
    }
    for (int i = 0; i < 24 * 8; i += 29) {
        s.header[i / 8] ^= (unsigned char)(1 << (i % 8));
        assert_int_equal(open_blob(&s, s.blob, s.len), E2E_EAUTH);
        s.header[i / 8] ^= (unsigned char)(1 << (i % 8));
    }
    assert_int_equal(e2e_file_open(t.key, t.header, s.blob, s.len, s.out, s.len), E2E_EAUTH);
    sealed_free(&s);
    sealed_free(&t);
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_cut_dropped_reordered),
        cmocka_unit_test(test_flipped_bits_and_other_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
