/* link.c — see link.h. The stream state and derived secrets live on the stack and are wiped
 * before returning. */
#include "link.h"
#include <string.h>
#include <sodium.h>
#include "e2e.h"
#include "prim.h"

typedef crypto_secretstream_xchacha20poly1305_state link_state;
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
    link_state st;
    out[0] = 'L', out[1] = E2E_VERSION;
    crypto_secretstream_xchacha20poly1305_init_push(&st, out + 2, key);
    size_t off = 0, w = E2E_LINK_HEAD_LEN;
    for (;;) {
        size_t len = n - off < E2E_LINK_CHUNK ? n - off : E2E_LINK_CHUNK;
        int last = off + len == n && len < E2E_LINK_CHUNK;     /* a full last chunk is followed by an empty FINAL */
        unsigned long long got = 0;
        crypto_secretstream_xchacha20poly1305_push(&st, out + w, &got, in + off, len, NULL, 0,
                                                   last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        w += (size_t)got, off += len;
        if (last) break;
    }
    sodium_memzero(&st, sizeof st);
    return (long)w;
}

long e2e_link_open(const unsigned char key[32], const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n < E2E_LINK_HEAD_LEN || in[0] != 'L' || in[1] != E2E_VERSION) return E2E_EFORMAT;
    if (cap < n - E2E_LINK_HEAD_LEN) return E2E_ESPACE;
    link_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, in + 2, key) != 0) return E2E_EFORMAT;
    size_t off = E2E_LINK_HEAD_LEN, w = 0;
    const size_t full = E2E_LINK_CHUNK + E2E_LINK_ABYTES;
    long rc = E2E_EFORMAT;                                     /* the end came before FINAL */
    while (off < n) {
        size_t len = n - off < full ? n - off : full;
        if (len < E2E_LINK_ABYTES) break;
        unsigned long long got = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, out + w, &got, &tag, in + off, len, NULL, 0) != 0) {
            rc = E2E_EAUTH;
            break;
        }
        w += (size_t)got, off += len;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            rc = off == n ? (long)w : E2E_EFORMAT;              /* nothing may follow FINAL */
            break;
        }
        if (len < full || w > E2E_LINK_MAX) break;             /* a short chunk must be the FINAL one */
    }
    sodium_memzero(&st, sizeof st);
    if (rc < 0) sodium_memzero(out, w);
    return rc;
}
