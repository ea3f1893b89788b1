/* webauthn.h — the byte formats of passkeys (W3C Web Authentication Level 2): authenticator
 * data, the attestation object of a registration, the COSE form of a P-256 public key, and
 * the ES256 signature of a sign-in, checked with OpenSSL (libsodium has no P-256). All of it
 * is outside input; parsing never allocates and points into the caller's buffers. The JSON
 * half (clientDataJSON: type, challenge, origin) is the caller's (cgi/app/passkeys.c). */
#ifndef PARLEY_WEBAUTHN_H
#define PARLEY_WEBAUTHN_H
#include <stddef.h>
#include <stdint.h>

enum {
    WA_FLAG_UP = 0x01,          /* the user was present (touched the key, clicked) */
    WA_FLAG_UV = 0x04,          /* the user was verified (PIN, fingerprint, face) */
    WA_FLAG_AT = 0x40,          /* attested credential data follows (registration) */
    WA_FLAG_ED = 0x80,          /* extensions follow */
    WA_RPID_HASH_LEN = 32,
    WA_P256_POINT_LEN = 65,     /* 0x04 || x || y */
    WA_CRED_ID_MAX = 1023,      /* the spec's limit for a credential id */
};

typedef struct wa_authdata {
    const unsigned char *rp_id_hash;       /* SHA-256 of the relying party id, 32 bytes */
    unsigned flags;
    uint32_t sign_count;
    int has_credential;                    /* AT: the three below are set */
    const unsigned char *cred_id;
    size_t cred_id_len;
    unsigned char public_key[WA_P256_POINT_LEN];
} wa_authdata;

/* Authenticator data d[0..n): 0 on success. A credential public key must be an ES256 (EC2,
 * P-256, alg -7) COSE key: other algorithms are refused (-1). */
int wa_authdata_parse(const unsigned char *d, size_t n, wa_authdata *out);
/* A registration's attestation object ({"fmt","attStmt","authData"}): its authenticator data
 * (which must carry a credential) into out, and where it lies in *ad / *ad_len (for the
 * caller's checks). The attestation statement is not trusted, so not checked: Parley asks
 * for none. 0 on success. */
int wa_attestation_parse(const unsigned char *obj, size_t n, wa_authdata *out, const unsigned char **ad,
                         size_t *ad_len);
/* The COSE_Key at k[0..n) as an uncompressed P-256 point; 0 on success. */
int wa_cose_p256(const unsigned char *k, size_t n, unsigned char out[WA_P256_POINT_LEN]);
/* 1 when sig (DER ECDSA) is public_key's signature over authdata || SHA-256(client_data). */
int wa_verify_es256(const unsigned char public_key[WA_P256_POINT_LEN], const unsigned char *authdata, size_t ad_len,
                    const unsigned char *client_data, size_t cd_len, const unsigned char *sig, size_t sig_len);

#endif
