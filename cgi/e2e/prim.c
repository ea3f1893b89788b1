/* prim.c — HMAC, HKDF (RFC 5869), X25519, Ed25519 verification and the AEADs over libsodium
 * (prim.h). Nothing is allocated; secrets on the stack are wiped before returning. */
#include "prim.h"
#include "e2e.h"
#include <string.h>
#include <sodium.h>

int e2e_init(void) { return sodium_init() < 0 ? -1 : 0; }

const char *e2e_strerror(int code)
{
    switch (code) {
    case E2E_OK: return "ok";
    case E2E_EFORMAT: return "malformed";
    case E2E_EAUTH: return "does not verify";
    case E2E_ETOOFAR: return "too far ahead";
    case E2E_EREPLAY: return "already received";
    case E2E_ESTATE: return "not possible in this state";
    case E2E_ESPACE: return "buffer too small";
    case E2E_EKEY: return "unusable key";
    default: return code >= 0 ? "ok" : "error";
    }
}

int e2e_hmac(int hash, const unsigned char *key, size_t klen, const unsigned char *msg, size_t mlen, unsigned char *out)
{
    if (hash == E2E_SHA256) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key, klen);
        crypto_auth_hmacsha256_update(&st, msg, mlen);
        crypto_auth_hmacsha256_final(&st, out);
        sodium_memzero(&st, sizeof st);
        return 0;
    }
    if (hash == E2E_SHA512) {
        crypto_auth_hmacsha512_state st;
        crypto_auth_hmacsha512_init(&st, key, klen);
        crypto_auth_hmacsha512_update(&st, msg, mlen);
        crypto_auth_hmacsha512_final(&st, out);
        sodium_memzero(&st, sizeof st);
        return 0;
    }
    return E2E_EFORMAT;
}

int e2e_hkdf_extract(int hash, const unsigned char *salt, size_t slen, const unsigned char *ikm, size_t ilen,
                     unsigned char *prk)
{
    static const unsigned char zero[64];
    if (hash != E2E_SHA256 && hash != E2E_SHA512) return E2E_EFORMAT;
    if (slen == 0) { salt = zero; slen = (size_t)hash; }
    return e2e_hmac(hash, salt, slen, ikm, ilen, prk);
}

int e2e_hkdf_expand(int hash, const unsigned char *prk, size_t plen, const unsigned char *info, size_t nlen,
                    unsigned char *okm, size_t olen)
{
    if (hash != E2E_SHA256 && hash != E2E_SHA512) return E2E_EFORMAT;
    if (plen < (size_t)hash || olen > 255 * (size_t)hash) return E2E_EFORMAT;
    unsigned char t[64];
    size_t tlen = 0, done = 0;
    for (unsigned i = 1; done < olen; i++) {
        unsigned char c = (unsigned char)i;
        /* T(i) = HMAC(PRK, T(i-1) | info | i), streamed so info needs no copy. */
        if (hash == E2E_SHA256) {
            crypto_auth_hmacsha256_state st;
            crypto_auth_hmacsha256_init(&st, prk, plen);
            crypto_auth_hmacsha256_update(&st, t, tlen);
            crypto_auth_hmacsha256_update(&st, info, nlen);
            crypto_auth_hmacsha256_update(&st, &c, 1);
            crypto_auth_hmacsha256_final(&st, t);
            sodium_memzero(&st, sizeof st);
        } else {
            crypto_auth_hmacsha512_state st;
            crypto_auth_hmacsha512_init(&st, prk, plen);
            crypto_auth_hmacsha512_update(&st, t, tlen);
            crypto_auth_hmacsha512_update(&st, info, nlen);
            crypto_auth_hmacsha512_update(&st, &c, 1);
            crypto_auth_hmacsha512_final(&st, t);
            sodium_memzero(&st, sizeof st);
        }
        tlen = (size_t)hash;
        size_t take = olen - done < tlen ? olen - done : tlen;
        memcpy(okm + done, t, take);
        done += take;
    }
    sodium_memzero(t, sizeof t);
    return 0;
}

int e2e_hkdf(int hash, const unsigned char *salt, size_t slen, const unsigned char *ikm, size_t ilen,
             const unsigned char *info, size_t nlen, unsigned char *okm, size_t olen)
{
    unsigned char prk[64];
    int rc = e2e_hkdf_extract(hash, salt, slen, ikm, ilen, prk);
    if (rc == 0) rc = e2e_hkdf_expand(hash, prk, (size_t)hash, info, nlen, okm, olen);
    sodium_memzero(prk, sizeof prk);
    return rc;
}

int e2e_x25519(const unsigned char scalar[32], const unsigned char point[32], unsigned char out[32])
{
    return crypto_scalarmult_curve25519(out, scalar, point) == 0 ? 0 : E2E_EKEY;
}

int e2e_ed25519_verify(const unsigned char sig[64], const unsigned char *msg, size_t mlen, const unsigned char pk[32])
{
    return crypto_sign_verify_detached(sig, msg, mlen, pk) == 0 ? 0 : E2E_EAUTH;
}

long e2e_aead_seal(const unsigned char *key, size_t klen, const unsigned char *nonce, size_t nlen,
                   const unsigned char *ad, size_t alen, const unsigned char *msg, size_t mlen, unsigned char *out)
{
    unsigned long long clen = 0;
    if (klen != 32) return E2E_EFORMAT;
    if (nlen == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
        crypto_aead_xchacha20poly1305_ietf_encrypt(out, &clen, msg, mlen, ad, alen, NULL, nonce, key);
    else if (nlen == crypto_aead_chacha20poly1305_ietf_NPUBBYTES)
        crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, msg, mlen, ad, alen, NULL, nonce, key);
    else
        return E2E_EFORMAT;
    return (long)clen;
}

long e2e_aead_open(const unsigned char *key, size_t klen, const unsigned char *nonce, size_t nlen,
                   const unsigned char *ad, size_t alen, const unsigned char *ct, size_t clen, unsigned char *out)
{
    unsigned long long mlen = 0;
    int rc;
    if (klen != 32 || clen < E2E_TAG_LEN) return E2E_EFORMAT;
    if (nlen == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
        rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, ct, clen, ad, alen, nonce, key);
    else if (nlen == crypto_aead_chacha20poly1305_ietf_NPUBBYTES)
        rc = crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, ct, clen, ad, alen, nonce, key);
    else
        return E2E_EFORMAT;
    return rc == 0 ? (long)mlen : E2E_EAUTH;
}
