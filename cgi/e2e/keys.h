/* keys.h — a device's keys: its identity (one Ed25519 key pair; the X25519 key for agreement
 * is derived from it by the birational map, so a device publishes one 32-byte key), its
 * signed prekey (X25519, signed by the identity) and its one-time prekeys (X25519); and the
 * prekey bundle another device fetches to start a session (X3DH). Structures are plain
 * values the caller owns; secrets should be wiped with e2e_wipe when done. */
#ifndef PARLEY_E2E_KEYS_H
#define PARLEY_E2E_KEYS_H
#include <stddef.h>
#include <stdint.h>

typedef struct e2e_identity {
    unsigned char sign_pk[32], sign_sk[64];   /* Ed25519: the device's published identity */
    unsigned char dh_pk[32], dh_sk[32];       /* X25519, derived from the Ed25519 pair */
} e2e_identity;

typedef struct e2e_prekey {                   /* a signed prekey or a one-time prekey */
    uint32_t id;
    unsigned char pk[32], sk[32];
    unsigned char sig[64];                    /* signed prekey only: identity's signature of pk */
} e2e_prekey;

/* What a device publishes and another fetches: decoded, checked (signature verified). */
typedef struct e2e_bundle {
    unsigned char identity[32];               /* Ed25519 public key */
    uint32_t spk_id;
    unsigned char spk[32], spk_sig[64];
    int has_opk;
    uint32_t opk_id;
    unsigned char opk[32];
} e2e_bundle;

enum {
    E2E_IDENTITY_STATE_LEN = 2 + 64,          /* 'I', version, Ed25519 secret key */
    E2E_PREKEY_STATE_LEN = 2 + 4 + 32 + 64,   /* 'K', version, id, secret, signature */
    E2E_BUNDLE_MAX = 1 + 32 + 4 + 32 + 64 + 1 + 4 + 32,
};

/* Makes a new identity (seed NULL: random; else from the 32-byte seed, for tests). */
int e2e_identity_new(e2e_identity *id, const unsigned char *seed);
/* A signed prekey with this id (signed by the identity); a one-time prekey (no signature). */
int e2e_signed_prekey_new(e2e_prekey *pk, const e2e_identity *id, uint32_t kid);
int e2e_onetime_prekey_new(e2e_prekey *pk, uint32_t kid);
/* 0 when spk's signature by the Ed25519 identity is good, E2E_EAUTH otherwise. */
int e2e_prekey_verify(const unsigned char identity[32], const unsigned char spk[32], const unsigned char sig[64]);

/* Identity and prekeys as versioned bytes (secrets: keep them encrypted at rest). */
long e2e_identity_save(const e2e_identity *id, unsigned char *out, size_t cap);
int e2e_identity_load(e2e_identity *id, const unsigned char *in, size_t n);
long e2e_prekey_save(const e2e_prekey *pk, unsigned char *out, size_t cap);
int e2e_prekey_load(e2e_prekey *pk, const unsigned char *in, size_t n);

/* The bundle's bytes: version, identity, spk id, spk, signature, then 0, or 1 with opk id and
 * opk. encode takes the device's own keys (opk may be NULL); decode reads untrusted bytes and
 * verifies the signed prekey's signature: E2E_EFORMAT or E2E_EAUTH on failure. */
long e2e_bundle_encode(const e2e_identity *id, const e2e_prekey *spk, const e2e_prekey *opk, unsigned char *out,
                       size_t cap);
int e2e_bundle_decode(e2e_bundle *b, const unsigned char *in, size_t n);

/* sodium_memzero, for callers that do not include sodium.h. */
void e2e_wipe(void *p, size_t n);

#endif
