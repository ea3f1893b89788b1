/* ratchet.c — the Double Ratchet (ratchet.h). Decryption works on copies of the chain and
 * root keys and changes the session only after the AEAD has verified, so a forged or
 * replayed message leaves no trace. Secrets on the stack are wiped; nothing is allocated. */
#include "ratchet.h"
#include "prim.h"
#include "wire.h"
#include "x3dh.h"
#include <string.h>
#include <sodium.h>

static const unsigned char RK_INFO[] = "Parley ratchet v1";

/* KDF_RK: (rk, ck) = HKDF(salt = rk, ikm = dh_out). rk is updated in place. */
static void kdf_rk(unsigned char rk[32], const unsigned char dh_out[32], unsigned char ck[32])
{
    unsigned char okm[64];
    e2e_hkdf(E2E_SHA256, rk, 32, dh_out, 32, RK_INFO, sizeof RK_INFO - 1, okm, 64);
    memcpy(rk, okm, 32);
    memcpy(ck, okm + 32, 32);
    sodium_memzero(okm, sizeof okm);
}

/* KDF_CK: mk = HMAC(ck, 0x01), ck = HMAC(ck, 0x02). */
void e2e_chain_step(unsigned char ck[32], unsigned char mk[32])
{
    static const unsigned char one = 1, two = 2;
    unsigned char next[32];
    e2e_hmac(E2E_SHA256, ck, 32, &one, 1, mk);
    e2e_hmac(E2E_SHA256, ck, 32, &two, 1, next);
    memcpy(ck, next, 32);
    sodium_memzero(next, sizeof next);
}

void e2e_message_keys(const unsigned char mk[32], const char *info, unsigned char kn[56])
{
    e2e_hkdf(E2E_SHA256, NULL, 0, mk, 32, (const unsigned char *)info, strlen(info), kn, 56);
}

static long seal(const unsigned char mk[32], const unsigned char *ad, size_t alen, const unsigned char *plain,
                 size_t n, unsigned char *out)
{
    unsigned char kn[56];
    e2e_message_keys(mk, "Parley message key v1", kn);
    long rc = e2e_aead_seal(kn, 32, kn + 32, 24, ad, alen, plain, n, out);
    sodium_memzero(kn, sizeof kn);
    return rc;
}

static long open_(const unsigned char mk[32], const unsigned char *ad, size_t alen, const unsigned char *ct, size_t n,
                  unsigned char *out)
{
    unsigned char kn[56];
    e2e_message_keys(mk, "Parley message key v1", kn);
    long rc = e2e_aead_open(kn, 32, kn + 32, 24, ad, alen, ct, n, out);
    sodium_memzero(kn, sizeof kn);
    return rc;
}

const unsigned char *e2e_session_remote(const e2e_session *s)
{
    return (s->flags & E2E_S_INITIATOR) ? s->ad + 32 : s->ad;
}

int e2e_session_initiate(e2e_session *s, const e2e_identity *me, const e2e_bundle *b)
{
    unsigned char sk[32], dh_out[32];
    memset(s, 0, offsetof(e2e_session, skipped));
    int rc = e2e_x3dh_initiate(me, b, NULL, s->pend_ek, sk);
    if (rc) return rc;
    memcpy(s->ad, me->sign_pk, 32);
    memcpy(s->ad + 32, b->identity, 32);
    crypto_box_keypair(s->dhs_pk, s->dhs_sk);
    memcpy(s->dhr, b->spk, 32);
    memcpy(s->rk, sk, 32);
    rc = e2e_x25519(s->dhs_sk, s->dhr, dh_out);
    if (rc) { sodium_memzero(sk, sizeof sk); return rc; }
    kdf_rk(s->rk, dh_out, s->cks);
    s->pend_spk = b->spk_id;
    s->pend_opk = b->opk_id;
    s->flags = E2E_S_DHR | E2E_S_CKS | E2E_S_PENDING | E2E_S_INITIATOR | (b->has_opk ? E2E_S_PEND_OPK : 0);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(dh_out, sizeof dh_out);
    return 0;
}

long e2e_session_encrypt(e2e_session *s, const unsigned char *plain, size_t n, unsigned char *out, size_t cap)
{
    if (!(s->flags & E2E_S_CKS)) return E2E_ESTATE;
    size_t pre = (s->flags & E2E_S_PENDING) ? E2E_PREKEY_PREFIX_LEN : 0;
    if (n > cap || cap - n < pre + E2E_HEADER_LEN + E2E_TAG_LEN) return E2E_ESPACE;
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    if (pre) {
        e2e_w_u8(&w, E2E_KIND_PREKEY);
        e2e_w_bytes(&w, s->ad, 32);
        e2e_w_bytes(&w, s->pend_ek, 32);
        e2e_w_u32(&w, s->pend_spk);
        e2e_w_u8(&w, (s->flags & E2E_S_PEND_OPK) ? 1 : 0);
        e2e_w_u32(&w, s->pend_opk);
    }
    unsigned char *hdr = out + w.len;
    e2e_w_u8(&w, E2E_KIND_RATCHET);
    e2e_w_bytes(&w, s->dhs_pk, 32);
    e2e_w_u32(&w, s->pn);
    e2e_w_u32(&w, s->ns);
    unsigned char ad[64 + E2E_HEADER_LEN], mk[32];
    memcpy(ad, s->ad, 64);
    memcpy(ad + 64, hdr, E2E_HEADER_LEN);
    e2e_chain_step(s->cks, mk);
    s->ns++;
    long c = seal(mk, ad, sizeof ad, plain, n, out + w.len);
    sodium_memzero(mk, sizeof mk);
    return c < 0 ? c : (long)w.len + c;
}

/* Stores the message keys of [from, to) of chain ck (a copy) under ratchet key dh, dropping
 * the oldest kept keys when more than E2E_MAX_SKIP would be kept. to - from <= E2E_MAX_SKIP. */
static void skip_store(e2e_session *s, const unsigned char dh[32], const unsigned char ck_in[32], uint32_t from,
                       uint32_t to)
{
    if (to <= from) return;
    uint32_t k = to - from;
    if (s->nskipped + k > E2E_MAX_SKIP) {
        uint32_t drop = s->nskipped + k - E2E_MAX_SKIP;
        memmove(s->skipped, s->skipped + drop, (s->nskipped - drop) * sizeof s->skipped[0]);
        sodium_memzero(s->skipped + s->nskipped - drop, drop * sizeof s->skipped[0]);
        s->nskipped -= drop;
    }
    unsigned char ck[32];
    memcpy(ck, ck_in, 32);
    for (uint32_t i = from; i < to; i++) {
        e2e_skipped *e = &s->skipped[s->nskipped++];
        memcpy(e->dh, dh, 32);
        e->n = i;
        e2e_chain_step(ck, e->mk);
    }
    sodium_memzero(ck, sizeof ck);
}

/* Advances a copy of ck by `steps`, then writes that message's key mk and the next chain key. */
static void chain_at(const unsigned char ck_in[32], uint32_t steps, unsigned char mk[32], unsigned char next[32])
{
    memcpy(next, ck_in, 32);
    for (uint32_t i = 0; i < steps; i++) e2e_chain_step(next, mk);
    e2e_chain_step(next, mk);
}

long e2e_session_decrypt(e2e_session *s, const unsigned char *msg, size_t n, unsigned char *out, size_t cap)
{
    if (n >= 1 && msg[0] == E2E_KIND_PREKEY) {
        /* A repeated prekey message on an existing session: its identity must be the peer's. */
        if (n < E2E_PREKEY_PREFIX_LEN || (s->flags & E2E_S_INITIATOR) ||
            sodium_memcmp(msg + 1, e2e_session_remote(s), 32) != 0)
            return E2E_EFORMAT;
        msg += E2E_PREKEY_PREFIX_LEN;
        n -= E2E_PREKEY_PREFIX_LEN;
    }
    if (n < E2E_HEADER_LEN + E2E_TAG_LEN || msg[0] != E2E_KIND_RATCHET) return E2E_EFORMAT;
    size_t clen = n - E2E_HEADER_LEN;
    if (cap < clen - E2E_TAG_LEN) return E2E_ESPACE;
    e2e_reader r;
    e2e_r_init(&r, msg, E2E_HEADER_LEN);
    unsigned char dh[32];
    (void)e2e_r_u8(&r);
    e2e_r_bytes(&r, dh, 32);
    uint32_t pn = e2e_r_u32(&r), idx = e2e_r_u32(&r);
    const unsigned char *ct = msg + E2E_HEADER_LEN;
    unsigned char ad[64 + E2E_HEADER_LEN], mk[32], ck[32], rk[32], dh_out[32];
    memcpy(ad, s->ad, 64);
    memcpy(ad + 64, msg, E2E_HEADER_LEN);
    long rc;

    /* 1. A key kept for a message that arrived late: used once, then deleted. */
    for (uint32_t i = 0; i < s->nskipped; i++) {
        e2e_skipped *e = &s->skipped[i];
        if (e->n != idx || sodium_memcmp(e->dh, dh, 32) != 0) continue;
        rc = open_(e->mk, ad, sizeof ad, ct, clen, out);
        if (rc < 0) return rc;
        memmove(e, e + 1, (s->nskipped - i - 1) * sizeof *e);
        sodium_memzero(&s->skipped[--s->nskipped], sizeof *e);
        s->flags &= ~(unsigned)E2E_S_PENDING;
        return rc;
    }
    /* 2. The current receiving chain. */
    if ((s->flags & E2E_S_DHR) && (s->flags & E2E_S_CKR) && sodium_memcmp(dh, s->dhr, 32) == 0) {
        if (idx < s->nr) return E2E_EREPLAY;
        if (idx - s->nr > E2E_MAX_SKIP) return E2E_ETOOFAR;
        chain_at(s->ckr, idx - s->nr, mk, ck);
        rc = open_(mk, ad, sizeof ad, ct, clen, out);
        sodium_memzero(mk, sizeof mk);
        if (rc < 0) { sodium_memzero(ck, sizeof ck); return rc; }
        skip_store(s, s->dhr, s->ckr, s->nr, idx);
        memcpy(s->ckr, ck, 32);
        s->nr = idx + 1;
        s->flags &= ~(unsigned)E2E_S_PENDING;
        sodium_memzero(ck, sizeof ck);
        return rc;
    }
    /* 3. A new ratchet key: both gaps are bounded before any work. */
    int had_ckr = (s->flags & E2E_S_CKR) != 0;
    if (had_ckr && pn > s->nr && pn - s->nr > E2E_MAX_SKIP) return E2E_ETOOFAR;
    if (idx > E2E_MAX_SKIP) return E2E_ETOOFAR;
    if (e2e_x25519(s->dhs_sk, dh, dh_out) != 0) return E2E_EKEY;
    unsigned char ck0[32];
    memcpy(rk, s->rk, 32);
    kdf_rk(rk, dh_out, ck0);
    chain_at(ck0, idx, mk, ck);
    rc = open_(mk, ad, sizeof ad, ct, clen, out);
    sodium_memzero(mk, sizeof mk);
    if (rc < 0) {
        sodium_memzero(ck0, sizeof ck0);
        sodium_memzero(ck, sizeof ck);
        sodium_memzero(rk, sizeof rk);
        sodium_memzero(dh_out, sizeof dh_out);
        return rc;
    }
    if (had_ckr) skip_store(s, s->dhr, s->ckr, s->nr, pn);
    skip_store(s, dh, ck0, 0, idx);
    s->pn = s->ns;
    s->ns = 0;
    s->nr = idx + 1;
    memcpy(s->dhr, dh, 32);
    memcpy(s->ckr, ck, 32);
    memcpy(s->rk, rk, 32);
    crypto_box_keypair(s->dhs_pk, s->dhs_sk);
    if (e2e_x25519(s->dhs_sk, s->dhr, dh_out) != 0) rc = E2E_EKEY;   /* cannot happen: dh worked above */
    kdf_rk(s->rk, dh_out, s->cks);
    s->flags |= E2E_S_DHR | E2E_S_CKR | E2E_S_CKS;
    s->flags &= ~(unsigned)E2E_S_PENDING;
    sodium_memzero(ck0, sizeof ck0);
    sodium_memzero(ck, sizeof ck);
    sodium_memzero(rk, sizeof rk);
    sodium_memzero(dh_out, sizeof dh_out);
    return rc;
}

int e2e_prekey_message_peek(const unsigned char *msg, size_t n, unsigned char ik_a[32], uint32_t *spk_id,
                            int *has_opk, uint32_t *opk_id)
{
    e2e_reader r;
    e2e_r_init(&r, msg, n < E2E_PREKEY_PREFIX_LEN ? n : E2E_PREKEY_PREFIX_LEN);
    unsigned kind = e2e_r_u8(&r);
    e2e_r_bytes(&r, ik_a, 32);
    unsigned char ek[32];
    e2e_r_bytes(&r, ek, 32);
    *spk_id = e2e_r_u32(&r);
    unsigned has = e2e_r_u8(&r);
    *opk_id = e2e_r_u32(&r);
    *has_opk = has == 1;
    if (!e2e_r_done(&r) || n < E2E_PREKEY_PREFIX_LEN + E2E_HEADER_LEN + E2E_TAG_LEN || kind != E2E_KIND_PREKEY ||
        has > 1)
        return E2E_EFORMAT;
    return 0;
}

long e2e_session_respond(e2e_session *s, const e2e_identity *me, const e2e_prekey *spk, const e2e_prekey *opk,
                         const unsigned char *msg, size_t n, unsigned char *out, size_t cap)
{
    unsigned char ik_a[32], sk[32];
    uint32_t spk_id, opk_id;
    int has_opk;
    int rc = e2e_prekey_message_peek(msg, n, ik_a, &spk_id, &has_opk, &opk_id);
    if (rc) return rc;
    if (spk->id != spk_id || (has_opk && (!opk || opk->id != opk_id)) || (!has_opk && opk)) return E2E_ESTATE;
    memset(s, 0, offsetof(e2e_session, skipped));
    s->nskipped = 0;
    rc = e2e_x3dh_respond(me, spk, has_opk ? opk : NULL, ik_a, msg + 33, sk);
    if (rc) return rc;
    memcpy(s->ad, ik_a, 32);
    memcpy(s->ad + 32, me->sign_pk, 32);
    memcpy(s->dhs_pk, spk->pk, 32);
    memcpy(s->dhs_sk, spk->sk, 32);
    memcpy(s->rk, sk, 32);
    sodium_memzero(sk, sizeof sk);
    return e2e_session_decrypt(s, msg + E2E_PREKEY_PREFIX_LEN, n - E2E_PREKEY_PREFIX_LEN, out, cap);
}

long e2e_session_save(const e2e_session *s, unsigned char *out, size_t cap)
{
    e2e_writer w;
    e2e_w_init(&w, out, cap);
    e2e_w_u8(&w, 'S');
    e2e_w_u8(&w, E2E_VERSION);
    e2e_w_u8(&w, s->flags);
    e2e_w_bytes(&w, s->ad, 64);
    e2e_w_bytes(&w, s->dhs_sk, 32);
    e2e_w_bytes(&w, s->dhr, 32);
    e2e_w_bytes(&w, s->rk, 32);
    e2e_w_bytes(&w, s->cks, 32);
    e2e_w_bytes(&w, s->ckr, 32);
    e2e_w_u32(&w, s->ns);
    e2e_w_u32(&w, s->nr);
    e2e_w_u32(&w, s->pn);
    e2e_w_bytes(&w, s->pend_ek, 32);
    e2e_w_u32(&w, s->pend_spk);
    e2e_w_u32(&w, s->pend_opk);
    e2e_w_u16(&w, s->nskipped);
    for (uint32_t i = 0; i < s->nskipped; i++) {
        e2e_w_bytes(&w, s->skipped[i].dh, 32);
        e2e_w_u32(&w, s->skipped[i].n);
        e2e_w_bytes(&w, s->skipped[i].mk, 32);
    }
    return w.bad ? E2E_ESPACE : (long)w.len;
}

int e2e_session_load(e2e_session *s, const unsigned char *in, size_t n)
{
    e2e_reader r;
    if (n < E2E_SESSION_FIXED || n > E2E_SESSION_MAX) return E2E_EFORMAT;
    e2e_r_init(&r, in, n);
    unsigned tag = e2e_r_u8(&r), ver = e2e_r_u8(&r);
    s->flags = e2e_r_u8(&r);
    e2e_r_bytes(&r, s->ad, 64);
    e2e_r_bytes(&r, s->dhs_sk, 32);
    e2e_r_bytes(&r, s->dhr, 32);
    e2e_r_bytes(&r, s->rk, 32);
    e2e_r_bytes(&r, s->cks, 32);
    e2e_r_bytes(&r, s->ckr, 32);
    s->ns = e2e_r_u32(&r);
    s->nr = e2e_r_u32(&r);
    s->pn = e2e_r_u32(&r);
    e2e_r_bytes(&r, s->pend_ek, 32);
    s->pend_spk = e2e_r_u32(&r);
    s->pend_opk = e2e_r_u32(&r);
    unsigned count = e2e_r_u16(&r);
    if (r.bad || tag != 'S' || ver != E2E_VERSION || (s->flags & ~(unsigned)E2E_S_ALL) || count > E2E_MAX_SKIP ||
        n - r.off != (size_t)count * (32 + 4 + 32)) {
        s->nskipped = 0;
        return E2E_EFORMAT;
    }
    s->nskipped = count;
    for (unsigned i = 0; i < count; i++) {
        e2e_r_bytes(&r, s->skipped[i].dh, 32);
        s->skipped[i].n = e2e_r_u32(&r);
        e2e_r_bytes(&r, s->skipped[i].mk, 32);
    }
    if (!e2e_r_done(&r)) { s->nskipped = 0; return E2E_EFORMAT; }
    crypto_scalarmult_curve25519_base(s->dhs_pk, s->dhs_sk);
    return 0;
}
