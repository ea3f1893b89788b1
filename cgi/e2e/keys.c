/* keys.c — identities, prekeys and bundles (keys.h). No allocation; the caller owns all. */
#include "keys.h"
#include "e2e.h"
#include "prim.h"
#include "wire.h"
#include <string.h>
#include <sodium.h>

void e2e_wipe(void *p, size_t n) { sodium_memzero(p, n); }

/* Fills the X25519 pair from the Ed25519 one; E2E_EKEY if the public key does not map. */
static int identity_derive(e2e_identity *id)
{
    if (crypto_sign_ed25519_pk_to_curve25519(id->dh_pk, id->sign_pk) != 0) return E2E_EKEY;
    if (crypto_sign_ed25519_sk_to_curve25519(id->dh_sk, id->sign_sk) != 0) return E2E_EKEY;
    return 0;
}

int e2e_identity_new(e2e_identity *id, const unsigned char *seed)
{
    if (seed) crypto_sign_seed_keypair(id->sign_pk, id->sign_sk, seed);
    else crypto_sign_keypair(id->sign_pk, id->sign_sk);
    return identity_derive(id);
}

int e2e_signed_prekey_new(e2e_prekey *pk, const e2e_identity *id, uint32_t kid)
{
    pk->id = kid;
    crypto_box_keypair(pk->pk, pk->sk);
    crypto_sign_detached(pk->sig, NULL, pk->pk, 32, id->sign_sk);
    return 0;
}

int e2e_onetime_prekey_new(e2e_prekey *pk, uint32_t kid)
{
    pk->id = kid;
    crypto_box_keypair(pk->pk, pk->sk);
    memset(pk->sig, 0, sizeof pk->sig);
    return 0;
}

int e2e_prekey_verify(const unsigned char identity[32], const unsigned char spk[32], const unsigned char sig[64])
{
    return e2e_ed25519_verify(sig, spk, 32, identity);
}

long e2e_identity_save(const e2e_identity *id, unsigned char *out, size_t cap)
{
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, 'I');
    e2e_w_u8(&w, E2E_VERSION);
    e2e_w_bytes(&w, id->sign_sk, 64);
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_identity_load(e2e_identity *id, const unsigned char *in, size_t n)
{
    e2e_reader r;
    e2e_r_init(&r, in, n);
    unsigned tag = e2e_r_u8(&r), ver = e2e_r_u8(&r);
    e2e_r_bytes(&r, id->sign_sk, 64);
    if (!e2e_r_done(&r) || tag != 'I' || ver != E2E_VERSION) return E2E_EFORMAT;
    /* The secret key holds the seed and the public key: they must agree. */
    unsigned char pk[32], sk[64];
    crypto_sign_seed_keypair(pk, sk, id->sign_sk);
    int same = sodium_memcmp(sk, id->sign_sk, 64) == 0;
    sodium_memzero(sk, sizeof sk);
    if (!same) return E2E_EFORMAT;
    memcpy(id->sign_pk, pk, 32);
    return identity_derive(id);
}

long e2e_prekey_save(const e2e_prekey *pk, unsigned char *out, size_t cap)
{
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, 'K');
    e2e_w_u8(&w, E2E_VERSION);
    e2e_w_u32(&w, pk->id);
    e2e_w_bytes(&w, pk->sk, 32);
    e2e_w_bytes(&w, pk->sig, 64);
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_prekey_load(e2e_prekey *pk, const unsigned char *in, size_t n)
{
    e2e_reader r;
    e2e_r_init(&r, in, n);
    unsigned tag = e2e_r_u8(&r), ver = e2e_r_u8(&r);
    pk->id = e2e_r_u32(&r);
    e2e_r_bytes(&r, pk->sk, 32);
    e2e_r_bytes(&r, pk->sig, 64);
    if (!e2e_r_done(&r) || tag != 'K' || ver != E2E_VERSION) return E2E_EFORMAT;
    crypto_scalarmult_curve25519_base(pk->pk, pk->sk);
    return 0;
}

long e2e_bundle_encode(const e2e_identity *id, const e2e_prekey *spk, const e2e_prekey *opk, unsigned char *out,
                       size_t cap)
{
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, E2E_VERSION);
    e2e_w_bytes(&w, id->sign_pk, 32);
    e2e_w_u32(&w, spk->id);
    e2e_w_bytes(&w, spk->pk, 32);
    e2e_w_bytes(&w, spk->sig, 64);
    e2e_w_u8(&w, opk ? 1 : 0);
    if (opk) {
        e2e_w_u32(&w, opk->id);
        e2e_w_bytes(&w, opk->pk, 32);
    }
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_bundle_decode(e2e_bundle *b, const unsigned char *in, size_t n)
{
    e2e_reader r;
    e2e_r_init(&r, in, n);
    unsigned ver = e2e_r_u8(&r);
    e2e_r_bytes(&r, b->identity, 32);
    b->spk_id = e2e_r_u32(&r);
    e2e_r_bytes(&r, b->spk, 32);
    e2e_r_bytes(&r, b->spk_sig, 64);
    unsigned has = e2e_r_u8(&r);
    b->has_opk = has == 1;
    b->opk_id = 0;
    memset(b->opk, 0, 32);
    if (has == 1) {
        b->opk_id = e2e_r_u32(&r);
        e2e_r_bytes(&r, b->opk, 32);
    }
    if (!e2e_r_done(&r) || ver != E2E_VERSION || has > 1) return E2E_EFORMAT;
    return e2e_prekey_verify(b->identity, b->spk, b->spk_sig);
}
