/* link.c — see link.h; the transfer's chunks are stream.h's. Derived secrets live on the
 * stack and are wiped before returning. */
#include "link.h"
#include <string.h>
#include <sodium.h>
#include "e2e.h"
#include "prim.h"
#include "stream.h"

_Static_assert(E2E_LINK_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES, "chunk overhead");
_Static_assert(E2E_LINK_HEAD_LEN == 2 + crypto_secretstream_xchacha20poly1305_HEADERBYTES, "head length");

static const char LINK_INFO[] = "parley-link-v1";

int e2e_link_keypair(unsigned char sk[32], unsigned char pk[32])
{
    randombytes_buf(sk, 32);
    return crypto_scalarmult_base(pk, sk) == 0 ? E2E_OK : E2E_EKEY;
}

int e2e_link_code(const char *id, const unsigned char secret[E2E_LINK_SECRET_LEN], char *out)
{
    for (int i = 0; i < E2E_LINK_ID_DIGITS; i++)
        if (id[i] < '0' || id[i] > '9') return E2E_EFORMAT;
    if (id[E2E_LINK_ID_DIGITS] != '\0') return E2E_EFORMAT;
    memcpy(out, id, E2E_LINK_ID_DIGITS);
    char *p = out + E2E_LINK_ID_DIGITS;
    for (int w = 0; w < E2E_LINK_SECRET_LEN / 2; w++) {
        unsigned v = (unsigned)secret[2 * w] << 8 | secret[2 * w + 1];
        for (int d = 4; d >= 0; d--) p[d] = (char)('0' + v % 10), v /= 10;
        p += 5;
    }
    *p = '\0';
    return E2E_OK;
}

int e2e_link_code_parse(const char *text, size_t len, char id[E2E_LINK_ID_DIGITS + 1],
                        unsigned char secret[E2E_LINK_SECRET_LEN])
{
    char d[E2E_LINK_CODE_DIGITS];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == ' ' || ch == '-') continue;
        if (ch < '0' || ch > '9' || n == E2E_LINK_CODE_DIGITS) return E2E_EFORMAT;
        d[n++] = ch;
    }
    if (n != E2E_LINK_CODE_DIGITS) return E2E_EFORMAT;
    unsigned char s[E2E_LINK_SECRET_LEN];
    for (int w = 0; w < E2E_LINK_SECRET_LEN / 2; w++) {
        unsigned v = 0;
        for (int k = 0; k < 5; k++) v = v * 10 + (unsigned)(d[E2E_LINK_ID_DIGITS + 5 * w + k] - '0');
        if (v > 0xffff) { sodium_memzero(s, sizeof s); return E2E_EFORMAT; }
        s[2 * w] = (unsigned char)(v >> 8), s[2 * w + 1] = (unsigned char)v;
    }
    memcpy(id, d, E2E_LINK_ID_DIGITS);
    id[E2E_LINK_ID_DIGITS] = '\0';
    memcpy(secret, s, sizeof s);
    sodium_memzero(s, sizeof s);
    sodium_memzero(d, sizeof d);
    return E2E_OK;
}

int e2e_link_key(unsigned char key[32], const unsigned char my_sk[32], const unsigned char peer_pk[32],
                 const unsigned char new_pk[32], const unsigned char old_pk[32],
                 const unsigned char secret[E2E_LINK_SECRET_LEN], const char *id)
{
    unsigned char shared[32], info[sizeof LINK_INFO - 1 + E2E_LINK_ID_DIGITS + 64];
    for (int i = 0; i < E2E_LINK_ID_DIGITS; i++)              /* ten digits, then the end */
        if (id[i] < '0' || id[i] > '9') return E2E_EFORMAT;
    if (id[E2E_LINK_ID_DIGITS] != '\0') return E2E_EFORMAT;
    int rc = e2e_x25519(my_sk, peer_pk, shared);
    if (rc < 0) return rc;
    size_t n = 0;
    memcpy(info + n, LINK_INFO, sizeof LINK_INFO - 1), n += sizeof LINK_INFO - 1;
    memcpy(info + n, id, E2E_LINK_ID_DIGITS), n += E2E_LINK_ID_DIGITS;
    memcpy(info + n, new_pk, 32), n += 32;
    memcpy(info + n, old_pk, 32), n += 32;
    rc = e2e_hkdf(E2E_SHA256, secret, E2E_LINK_SECRET_LEN, shared, sizeof shared, info, n, key, 32);
    sodium_memzero(shared, sizeof shared);
    return rc < 0 ? E2E_EFORMAT : E2E_OK;
}

size_t e2e_link_sealed_len(size_t n)
{
    return E2E_LINK_HEAD_LEN + n + (n / E2E_LINK_CHUNK + 1) * E2E_LINK_ABYTES;
}

long e2e_link_seal(const unsigned char key[32], const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n > E2E_LINK_MAX) return E2E_EFORMAT;
    size_t total = e2e_link_sealed_len(n);
    if (cap < total) return E2E_ESPACE;
    out[0] = 'L', out[1] = E2E_VERSION;
    return (long)(E2E_LINK_HEAD_LEN + e2e_stream_seal(key, out + 2, E2E_LINK_CHUNK, in, n, out + E2E_LINK_HEAD_LEN));
}

long e2e_link_open(const unsigned char key[32], const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n < E2E_LINK_HEAD_LEN || in[0] != 'L' || in[1] != E2E_VERSION) return E2E_EFORMAT;
    if (cap < n - E2E_LINK_HEAD_LEN) return E2E_ESPACE;
    return e2e_stream_open(key, in + 2, E2E_LINK_CHUNK, E2E_LINK_MAX, in + E2E_LINK_HEAD_LEN, n - E2E_LINK_HEAD_LEN, out);
}
