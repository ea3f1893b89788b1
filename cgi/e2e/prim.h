/* prim.h — the primitives the protocols stand on, as the module uses them and as the
 * Wycheproof vectors test them (natively and in static/e2e.wasm): HMAC-SHA-256/512, HKDF
 * (RFC 5869) built on libsodium's HMAC (libsodium 1.0.18 has no HKDF), X25519, Ed25519
 * verification and the two ChaCha20-Poly1305 AEADs. The caller owns every buffer. */
#ifndef PARLEY_E2E_PRIM_H
#define PARLEY_E2E_PRIM_H
#include <stddef.h>

enum { E2E_SHA256 = 32, E2E_SHA512 = 64 };   /* a hash is named by its output length */

/* HMAC with SHA-256 (hash = E2E_SHA256) or SHA-512 (E2E_SHA512) into out[hash]. Any key length. */
int e2e_hmac(int hash, const unsigned char *key, size_t klen, const unsigned char *msg, size_t mlen, unsigned char *out);

/* HKDF-Extract: prk[hash] = HMAC(salt, ikm); an empty salt means hash zero bytes. */
int e2e_hkdf_extract(int hash, const unsigned char *salt, size_t slen, const unsigned char *ikm, size_t ilen,
                     unsigned char *prk);
/* HKDF-Expand: okm[0..olen) from prk (at least hash bytes) and info. -1 when olen > 255 * hash. */
int e2e_hkdf_expand(int hash, const unsigned char *prk, size_t plen, const unsigned char *info, size_t nlen,
                    unsigned char *okm, size_t olen);
/* Extract then expand. */
int e2e_hkdf(int hash, const unsigned char *salt, size_t slen, const unsigned char *ikm, size_t ilen,
             const unsigned char *info, size_t nlen, unsigned char *okm, size_t olen);

/* X25519: out = scalar * point. E2E_EKEY when the result is all zero (a low-order point). */
int e2e_x25519(const unsigned char scalar[32], const unsigned char point[32], unsigned char out[32]);

/* Ed25519: 0 when sig[64] is pk's signature of msg, E2E_EAUTH otherwise. */
int e2e_ed25519_verify(const unsigned char sig[64], const unsigned char *msg, size_t mlen, const unsigned char pk[32]);

/* AEAD: XChaCha20-Poly1305 (nonce 24 bytes) or ChaCha20-Poly1305 IETF (nonce 12 bytes), chosen by
 * nlen. Seal writes mlen + 16 bytes to out; open writes clen - 16 bytes and returns their count,
 * or E2E_EAUTH (bad tag), E2E_EFORMAT (bad key, nonce length or too short a ciphertext). */
long e2e_aead_seal(const unsigned char *key, size_t klen, const unsigned char *nonce, size_t nlen,
                   const unsigned char *ad, size_t alen, const unsigned char *msg, size_t mlen, unsigned char *out);
long e2e_aead_open(const unsigned char *key, size_t klen, const unsigned char *nonce, size_t nlen,
                   const unsigned char *ad, size_t alen, const unsigned char *ct, size_t clen, unsigned char *out);

#endif
