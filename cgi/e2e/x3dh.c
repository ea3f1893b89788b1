/* x3dh.c — X3DH (x3dh.h). The DH outputs live on the stack and are wiped; nothing allocated. */
#include "x3dh.h"
#include "e2e.h"
#include "prim.h"
#include <string.h>
#include <sodium.h>

static const unsigned char X3DH_INFO[] = "Parley X3DH v1";

/* ikm = F || dh1 || dh2 || dh3 [|| dh4] → sk. */
static int x3dh_kdf(unsigned char ikm[32 * 5], size_t n, unsigned char sk[32])
{
    memset(ikm, 0xFF, 32);
    int rc = e2e_hkdf(E2E_SHA256, NULL, 0, ikm, n, X3DH_INFO, sizeof X3DH_INFO - 1, sk, 32);
    sodium_memzero(ikm, 32 * 5);
    return rc;
}

int e2e_x3dh_initiate(const e2e_identity *a, const e2e_bundle *b, const unsigned char *ek_sk, unsigned char ek_pub[32],
                      unsigned char sk[32])
{
    unsigned char ik_b[32], ek[32], ikm[32 * 5];
    if (crypto_sign_ed25519_pk_to_curve25519(ik_b, b->identity) != 0) return E2E_EKEY;
    if (ek_sk) memcpy(ek, ek_sk, 32);
    else randombytes_buf(ek, 32);
    crypto_scalarmult_curve25519_base(ek_pub, ek);
    int rc = e2e_x25519(a->dh_sk, b->spk, ikm + 32);
    if (!rc) rc = e2e_x25519(ek, ik_b, ikm + 64);
    if (!rc) rc = e2e_x25519(ek, b->spk, ikm + 96);
    if (!rc && b->has_opk) rc = e2e_x25519(ek, b->opk, ikm + 128);
    sodium_memzero(ek, sizeof ek);
    if (rc) { sodium_memzero(ikm, sizeof ikm); return rc; }
    return x3dh_kdf(ikm, b->has_opk ? 160 : 128, sk);
}

int e2e_x3dh_respond(const e2e_identity *b, const e2e_prekey *spk, const e2e_prekey *opk,
                     const unsigned char ik_a[32], const unsigned char ek_a[32], unsigned char sk[32])
{
    unsigned char ika_x[32], ikm[32 * 5];
    if (crypto_sign_ed25519_pk_to_curve25519(ika_x, ik_a) != 0) return E2E_EKEY;
    int rc = e2e_x25519(spk->sk, ika_x, ikm + 32);
    if (!rc) rc = e2e_x25519(b->dh_sk, ek_a, ikm + 64);
    if (!rc) rc = e2e_x25519(spk->sk, ek_a, ikm + 96);
    if (!rc && opk) rc = e2e_x25519(opk->sk, ek_a, ikm + 128);
    if (rc) { sodium_memzero(ikm, sizeof ikm); return rc; }
    return x3dh_kdf(ikm, opk ? 160 : 128, sk);
}
