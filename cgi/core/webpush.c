/* webpush.c — see webpush.h. */
#include "webpush.h"
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

/* A P-256 key from its private scalar (big-endian, 32 bytes) and/or public point. */
static EVP_PKEY *wp_key(const unsigned char *priv, const unsigned char *pub)
{
    EVP_PKEY *key = NULL;
    BIGNUM *d = priv ? BN_secure_new() : NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (bld && ctx && (!priv || (d && BN_bin2bn(priv, 32, d))) &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        (!pub || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, WEBPUSH_KEY_LEN)) &&
        (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_clear_free(d);
    return key;
}

int webpush_key_valid(const unsigned char key[WEBPUSH_KEY_LEN])
{
    if (key[0] != 4) return 0;
    EVP_PKEY *k = wp_key(NULL, key);
    EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
    int ok = ctx && EVP_PKEY_public_check(ctx) == 1;     /* on the curve, not the point at infinity */
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

/* ECDH: the shared x coordinate of mine and the peer's point (checked on the curve when the
 * subscription was stored, webpush_key_valid, and again by the import). */
static int wp_ecdh_key(EVP_PKEY *mine, const unsigned char peer[WEBPUSH_KEY_LEN], unsigned char shared[32])
{
    EVP_PKEY *theirs = wp_key(NULL, peer);
    EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
    size_t len = 32;
    int ok = ctx && theirs && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
             EVP_PKEY_derive(ctx, shared, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(theirs);
    return ok ? 0 : -1;
}

/* The same from priv's raw scalar (with pub_mine, its point). */
static int wp_ecdh(const unsigned char priv[32], const unsigned char pub_mine[WEBPUSH_KEY_LEN],
                   const unsigned char peer[WEBPUSH_KEY_LEN], unsigned char shared[32])
{
    EVP_PKEY *mine = wp_key(priv, pub_mine);
    int rc = mine ? wp_ecdh_key(mine, peer, shared) : -1;
    EVP_PKEY_free(mine);
    return rc;
}

static void wp_hmac(const unsigned char *key, size_t klen, const unsigned char *a, size_t alen, const unsigned char *b,
                    size_t blen, unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, a, alen);
    if (b) crypto_auth_hmacsha256_update(&st, b, blen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* The content key and nonce (RFC 8291 section 3.4, RFC 8188 section 2.2): HKDF with the
 * auth secret over the shared secret and both public keys, then with the salt. */
static void wp_keys(const unsigned char shared[32], const unsigned char auth[WEBPUSH_AUTH_LEN],
                    const unsigned char ua_public[WEBPUSH_KEY_LEN], const unsigned char as_public[WEBPUSH_KEY_LEN],
                    const unsigned char salt[WEBPUSH_SALT_LEN], unsigned char cek[16], unsigned char nonce[12])
{
    static const char key_label[] = "WebPush: info";                  /* followed by its NUL */
    static const char cek_info[] = "Content-Encoding: aes128gcm\0\1", nonce_info[] = "Content-Encoding: nonce\0\1";
    unsigned char prk[32], ikm[32], okm[32], info[sizeof key_label + 2 * WEBPUSH_KEY_LEN + 1];
    wp_hmac(auth, WEBPUSH_AUTH_LEN, shared, 32, NULL, 0, prk);
    memcpy(info, key_label, sizeof key_label);
    memcpy(info + sizeof key_label, ua_public, WEBPUSH_KEY_LEN);
    memcpy(info + sizeof key_label + WEBPUSH_KEY_LEN, as_public, WEBPUSH_KEY_LEN);
    info[sizeof info - 1] = 1;
    wp_hmac(prk, 32, info, sizeof info, NULL, 0, ikm);
    wp_hmac(salt, WEBPUSH_SALT_LEN, ikm, 32, NULL, 0, prk);
    wp_hmac(prk, 32, (const unsigned char *)cek_info, sizeof cek_info - 1, NULL, 0, okm);
    memcpy(cek, okm, 16);
    wp_hmac(prk, 32, (const unsigned char *)nonce_info, sizeof nonce_info - 1, NULL, 0, okm);
    memcpy(nonce, okm, 12);
    sodium_memzero(prk, sizeof prk);
    sodium_memzero(ikm, sizeof ikm);
    sodium_memzero(okm, sizeof okm);
}

/* AES-128-GCM one way or the other; the tag is the last 16 bytes of the ciphertext. */
static long wp_gcm(int enc, const unsigned char cek[16], const unsigned char nonce[12], const unsigned char *in,
                   size_t n, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    long done = -1;
    size_t body = enc ? n : n - 16;
    if (ctx && (enc || n >= 16) &&
        EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL, enc) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
        EVP_CipherInit_ex(ctx, NULL, NULL, cek, nonce, enc) == 1 &&
        (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(in + body)) == 1) &&
        EVP_CipherUpdate(ctx, out, &len, in, (int)body) == 1 && EVP_CipherFinal_ex(ctx, out + len, &fin) == 1 &&
        (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + len + fin) == 1))
        done = (long)len + fin + (enc ? 16 : 0);
    EVP_CIPHER_CTX_free(ctx);
    return done;
}

/* webpush_encrypt with the sender's key already made: mine (as_public its point). */
static long wp_encrypt_key(EVP_PKEY *mine, const unsigned char ua_public[WEBPUSH_KEY_LEN],
                           const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char as_public[WEBPUSH_KEY_LEN],
                           const unsigned char salt[WEBPUSH_SALT_LEN], const unsigned char *plain, size_t n,
                           unsigned char *out, size_t cap)
{
    if (n + WEBPUSH_OVERHEAD - WEBPUSH_HEADER_LEN > WEBPUSH_RECORD_SIZE || cap < n + WEBPUSH_OVERHEAD) return -1;
    unsigned char shared[32], cek[16], nonce[12];
    if (wp_ecdh_key(mine, ua_public, shared)) return -1;
    wp_keys(shared, auth, ua_public, as_public, salt, cek, nonce);
    memcpy(out, salt, WEBPUSH_SALT_LEN);
    unsigned char *h = out + WEBPUSH_SALT_LEN;
    h[0] = (WEBPUSH_RECORD_SIZE >> 24) & 0xff, h[1] = (WEBPUSH_RECORD_SIZE >> 16) & 0xff;
    h[2] = (WEBPUSH_RECORD_SIZE >> 8) & 0xff, h[3] = WEBPUSH_RECORD_SIZE & 0xff;
    h[4] = WEBPUSH_KEY_LEN;
    memcpy(h + 5, as_public, WEBPUSH_KEY_LEN);
    /* The plaintext and the last record's delimiter (2), encrypted in place after the header. */
    unsigned char *body = out + WEBPUSH_HEADER_LEN;
    memcpy(body, plain, n);
    body[n] = 2;
    long c = wp_gcm(1, cek, nonce, body, n + 1, body);
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(cek, sizeof cek);
    return c < 0 ? -1 : WEBPUSH_HEADER_LEN + c;
}

long webpush_encrypt(const unsigned char ua_public[WEBPUSH_KEY_LEN], const unsigned char auth[WEBPUSH_AUTH_LEN],
                     const unsigned char as_private[32], const unsigned char as_public[WEBPUSH_KEY_LEN],
                     const unsigned char salt[WEBPUSH_SALT_LEN], const unsigned char *plain, size_t n,
                     unsigned char *out, size_t cap)
{
    EVP_PKEY *mine = wp_key(as_private, as_public);
    long rc = mine ? wp_encrypt_key(mine, ua_public, auth, as_public, salt, plain, n, out, cap) : -1;
    EVP_PKEY_free(mine);
    return rc;
}

/* The new key pair is used as made: exporting its scalar and importing it again cost a fifth
 * of a notification's time. */
long webpush_encrypt_fresh(const unsigned char ua_public[WEBPUSH_KEY_LEN], const unsigned char auth[WEBPUSH_AUTH_LEN],
                           const unsigned char *plain, size_t n, unsigned char *out, size_t cap)
{
    unsigned char pub[WEBPUSH_KEY_LEN], salt[WEBPUSH_SALT_LEN];
    size_t publen = 0;
    long rc = -1;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (k && EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &publen) == 1 &&
        publen == WEBPUSH_KEY_LEN) {
        randombytes_buf(salt, sizeof salt);
        rc = wp_encrypt_key(k, ua_public, auth, pub, salt, plain, n, out, cap);
    }
    EVP_PKEY_free(k);
    return rc;
}

long webpush_decrypt(const unsigned char ua_private[32], const unsigned char ua_public[WEBPUSH_KEY_LEN],
                     const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char *body, size_t n,
                     unsigned char *out, size_t cap)
{
    if (n < WEBPUSH_OVERHEAD || body[WEBPUSH_SALT_LEN + 4] != WEBPUSH_KEY_LEN || cap < n - WEBPUSH_HEADER_LEN) return -1;
    const unsigned char *salt = body, *as_public = body + WEBPUSH_SALT_LEN + 5;
    unsigned long rs = (unsigned long)body[16] << 24 | (unsigned long)body[17] << 16 | (unsigned long)body[18] << 8 | body[19];
    if (rs < n - WEBPUSH_HEADER_LEN) return -1;                        /* one record only */
    unsigned char shared[32], cek[16], nonce[12];
    if (wp_ecdh(ua_private, ua_public, as_public, shared)) return -1;
    wp_keys(shared, auth, ua_public, as_public, salt, cek, nonce);
    long m = wp_gcm(0, cek, nonce, body + WEBPUSH_HEADER_LEN, n - WEBPUSH_HEADER_LEN, out);
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(cek, sizeof cek);
    while (m > 0 && out[m - 1] == 0) m--;                              /* padding */
    if (m <= 0 || out[m - 1] != 2) return -1;                          /* the last record's delimiter */
    return m - 1;
}
