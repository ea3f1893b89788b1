/* group.c — sender keys (group.h). Decryption verifies the signature, then works on a copy of
 * the chain and commits only once the AEAD verified. Nothing is allocated. */
#include "group.h"
#include "prim.h"
#include "ratchet.h"
#include "wire.h"
#include <string.h>
#include <sodium.h>

static const char GROUP_INFO[] = "Parley group key v1";

int e2e_group_new(e2e_group_key *k, uint32_t key_id)
{
    memset(k, 0, offsetof(e2e_group_key, skipped));
    k->own = 1;
    k->key_id = key_id;
    randombytes_buf(k->chain, 32);
    crypto_sign_keypair(k->sign_pk, k->sign_sk);
    return 0;
}

int e2e_group_rotate(e2e_group_key *k)
{
    if (!k->own) return E2E_ESTATE;
    uint32_t next = k->key_id + 1;
    sodium_memzero(k, offsetof(e2e_group_key, skipped));
    return e2e_group_new(k, next);
}

long e2e_group_distribution(const e2e_group_key *k, unsigned char *out, size_t cap)
{
    if (!k->own) return E2E_ESTATE;
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, E2E_KIND_DISTRIBUTION);
    e2e_w_u32(&w, k->key_id);
    e2e_w_u32(&w, k->iteration);
    e2e_w_bytes(&w, k->chain, 32);
    e2e_w_bytes(&w, k->sign_pk, 32);
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_group_accept(e2e_group_key *k, const unsigned char *in, size_t n)
{
    e2e_reader r;
    e2e_r_init(&r, in, n);
    unsigned kind = e2e_r_u8(&r);
    uint32_t id = e2e_r_u32(&r), it = e2e_r_u32(&r);
    unsigned char chain[32], pk[32];
    e2e_r_bytes(&r, chain, 32);
    e2e_r_bytes(&r, pk, 32);
    if (!e2e_r_done(&r) || kind != E2E_KIND_DISTRIBUTION) return E2E_EFORMAT;
    memset(k, 0, offsetof(e2e_group_key, skipped));
    k->key_id = id;
    k->iteration = it;
    memcpy(k->chain, chain, 32);
    memcpy(k->sign_pk, pk, 32);
    sodium_memzero(chain, sizeof chain);
    return 0;
}

int e2e_group_peek(const unsigned char *in, size_t n, uint32_t *key_id)
{
    if (n < 5 || (in[0] != E2E_KIND_GROUP && in[0] != E2E_KIND_DISTRIBUTION)) return E2E_EFORMAT;
    *key_id = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
    return 0;
}

long e2e_group_encrypt(e2e_group_key *k, const unsigned char *plain, size_t n, unsigned char *out, size_t cap)
{
    if (!k->own) return E2E_ESTATE;
    if (n > cap || cap - n < E2E_GROUP_OVERHEAD) return E2E_ESPACE;
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, E2E_KIND_GROUP);
    e2e_w_u32(&w, k->key_id);
    e2e_w_u32(&w, k->iteration);
    unsigned char mk[32], kn[56];
    e2e_chain_step(k->chain, mk);
    k->iteration++;
    e2e_message_keys(mk, GROUP_INFO, kn);
    long c = e2e_aead_seal(kn, 32, kn + 32, 24, out, E2E_GROUP_HEADER_LEN, plain, n, out + E2E_GROUP_HEADER_LEN);
    sodium_memzero(mk, sizeof mk);
    sodium_memzero(kn, sizeof kn);
    if (c < 0) return c;
    size_t len = E2E_GROUP_HEADER_LEN + (size_t)c;
    crypto_sign_detached(out + len, NULL, out, len, k->sign_sk);
    return (long)(len + 64);
}

static long group_open(const unsigned char mk[32], const unsigned char *in, size_t clen, unsigned char *out)
{
    unsigned char kn[56];
    e2e_message_keys(mk, GROUP_INFO, kn);
    long rc = e2e_aead_open(kn, 32, kn + 32, 24, in, E2E_GROUP_HEADER_LEN, in + E2E_GROUP_HEADER_LEN, clen, out);
    sodium_memzero(kn, sizeof kn);
    return rc;
}

long e2e_group_decrypt(e2e_group_key *k, const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n < E2E_GROUP_OVERHEAD || in[0] != E2E_KIND_GROUP) return E2E_EFORMAT;
    size_t clen = n - E2E_GROUP_HEADER_LEN - 64;
    if (cap < clen - E2E_TAG_LEN) return E2E_ESPACE;
    uint32_t id, it;
    e2e_reader r;
    e2e_r_init(&r, in + 1, 8);
    id = e2e_r_u32(&r);
    it = e2e_r_u32(&r);
    if (id != k->key_id) return E2E_ESTATE;
    if (e2e_ed25519_verify(in + n - 64, in, n - 64, k->sign_pk) != 0) return E2E_EAUTH;
    unsigned char mk[32], ck[32];
    long rc;
    if (it < k->iteration) {
        for (uint32_t i = 0; i < k->nskipped; i++) {
            if (k->skipped[i].it != it) continue;
            rc = group_open(k->skipped[i].mk, in, clen, out);
            if (rc < 0) return rc;
            memmove(&k->skipped[i], &k->skipped[i + 1], (k->nskipped - i - 1) * sizeof k->skipped[0]);
            sodium_memzero(&k->skipped[--k->nskipped], sizeof k->skipped[0]);
            return rc;
        }
        return E2E_EREPLAY;
    }
    uint32_t gap = it - k->iteration;
    if (gap > E2E_MAX_SKIP) return E2E_ETOOFAR;
    memcpy(ck, k->chain, 32);
    for (uint32_t i = 0; i <= gap; i++) e2e_chain_step(ck, mk);
    rc = group_open(mk, in, clen, out);
    sodium_memzero(mk, sizeof mk);
    if (rc < 0) { sodium_memzero(ck, sizeof ck); return rc; }
    /* Commit: keep the keys of the messages skipped over, dropping the oldest past the bound. */
    if (k->nskipped + gap > E2E_MAX_SKIP) {
        uint32_t drop = k->nskipped + gap - E2E_MAX_SKIP;
        memmove(k->skipped, k->skipped + drop, (k->nskipped - drop) * sizeof k->skipped[0]);
        k->nskipped -= drop;
    }
    for (uint32_t i = 0; i < gap; i++) {
        e2e_group_skipped *e = &k->skipped[k->nskipped++];
        e->it = k->iteration;
        e2e_chain_step(k->chain, e->mk);
        k->iteration++;
    }
    memcpy(k->chain, ck, 32);
    k->iteration = it + 1;
    sodium_memzero(ck, sizeof ck);
    return rc;
}

long e2e_group_save(const e2e_group_key *k, unsigned char *out, size_t cap)
{
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, 'G');
    e2e_w_u8(&w, E2E_VERSION);
    e2e_w_u8(&w, k->own ? 1 : 0);
    e2e_w_u32(&w, k->key_id);
    e2e_w_u32(&w, k->iteration);
    e2e_w_bytes(&w, k->chain, 32);
    e2e_w_bytes(&w, k->sign_pk, 32);
    e2e_w_bytes(&w, k->sign_sk, 64);
    e2e_w_u16(&w, k->nskipped);
    for (uint32_t i = 0; i < k->nskipped; i++) {
        e2e_w_u32(&w, k->skipped[i].it);
        e2e_w_bytes(&w, k->skipped[i].mk, 32);
    }
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_group_load(e2e_group_key *k, const unsigned char *in, size_t n)
{
    if (n < E2E_GROUP_FIXED || n > E2E_GROUP_MAX) return E2E_EFORMAT;
    e2e_reader r;
    e2e_r_init(&r, in, n);
    unsigned tag = e2e_r_u8(&r), ver = e2e_r_u8(&r), own = e2e_r_u8(&r);
    k->own = own == 1;
    k->key_id = e2e_r_u32(&r);
    k->iteration = e2e_r_u32(&r);
    e2e_r_bytes(&r, k->chain, 32);
    e2e_r_bytes(&r, k->sign_pk, 32);
    e2e_r_bytes(&r, k->sign_sk, 64);
    unsigned count = e2e_r_u16(&r);
    k->nskipped = 0;
    if (r.bad || tag != 'G' || ver != E2E_VERSION || own > 1 || count > E2E_MAX_SKIP ||
        n - r.off != (size_t)count * (4 + 32))
        return E2E_EFORMAT;
    /* Our own key's signing pair must agree; another's carries no secret. */
    if (own) {
        if (sodium_memcmp(k->sign_sk + 32, k->sign_pk, 32) != 0) return E2E_EFORMAT;
    } else if (!sodium_is_zero(k->sign_sk, 64)) {
        return E2E_EFORMAT;
    }
    for (unsigned i = 0; i < count; i++) {
        k->skipped[i].it = e2e_r_u32(&r);
        e2e_r_bytes(&r, k->skipped[i].mk, 32);
    }
    if (!e2e_r_done(&r)) return E2E_EFORMAT;
    k->nskipped = count;
    return 0;
}
