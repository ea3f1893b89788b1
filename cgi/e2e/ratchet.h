/* ratchet.h — one-to-one sessions: X3DH to start, then the Double Ratchet as in Signal's
 * specification (DH ratchet on X25519; KDF_RK = HKDF-SHA-256(salt = RK, IKM = DH output,
 * info "Parley ratchet v1") giving the new RK and a chain key; KDF_CK = HMAC-SHA-256(CK, 0x01)
 * for the message key and HMAC-SHA-256(CK, 0x02) for the next chain key; each message key
 * expands by HKDF-SHA-256(info "Parley message key v1") into an XChaCha20-Poly1305 key and
 * nonce; the AEAD's associated data is AD (IK_A || IK_B) followed by the header).
 *
 * Wire (big-endian), the first byte naming version (high nibble) and kind (low nibble):
 *   ratchet message  0x11 | ratchet public key (32) | PN (4) | N (4) | ciphertext (len + 16)
 *                    (the header is the first 41 bytes)
 *   prekey message   0x12 | IK_A (32) | EK_A (32) | SPK id (4) | has OPK (1) | OPK id (4)
 *                    | ratchet message — what the initiator sends until it first hears back.
 * Message keys of messages not yet arrived are kept, at most E2E_MAX_SKIP in all (the oldest
 * go first); a message more than E2E_MAX_SKIP ahead in a chain is refused before any work in
 * proportion to the gap; a message whose key was used or dropped is refused as a replay.
 * A failed decryption leaves the session exactly as it was. */
#ifndef PARLEY_E2E_RATCHET_H
#define PARLEY_E2E_RATCHET_H
#include "e2e.h"
#include "keys.h"

typedef struct e2e_skipped { unsigned char dh[32]; uint32_t n; unsigned char mk[32]; } e2e_skipped;

/* A session with one other device; a plain value (≈ 70 KB: keep it off small stacks). */
typedef struct e2e_session {
    unsigned flags;                            /* E2E_S_* below */
    unsigned char ad[64];                      /* IK_A || IK_B (Ed25519), A being the initiator */
    unsigned char dhs_pk[32], dhs_sk[32], dhr[32];
    unsigned char rk[32], cks[32], ckr[32];
    uint32_t ns, nr, pn;
    unsigned char pend_ek[32];                 /* the initiator's X3DH values, while pending */
    uint32_t pend_spk, pend_opk;
    uint32_t nskipped;
    e2e_skipped skipped[E2E_MAX_SKIP];         /* oldest first */
} e2e_session;

enum {
    E2E_S_DHR = 1, E2E_S_CKS = 2, E2E_S_CKR = 4, E2E_S_PENDING = 8, E2E_S_INITIATOR = 16, E2E_S_PEND_OPK = 32,
    E2E_S_ALL = 63,
    E2E_HEADER_LEN = 41,
    E2E_PREKEY_PREFIX_LEN = 1 + 32 + 32 + 4 + 1 + 4,
    E2E_MSG_OVERHEAD = E2E_PREKEY_PREFIX_LEN + E2E_HEADER_LEN + E2E_TAG_LEN,   /* at most, over the plaintext */
    E2E_SESSION_FIXED = 2 + 1 + 64 + 32 * 5 + 12 + 32 + 8 + 2,
    E2E_SESSION_MAX = E2E_SESSION_FIXED + (32 + 4 + 32) * E2E_MAX_SKIP,
    E2E_KIND_RATCHET = 0x11, E2E_KIND_PREKEY = 0x12,
};

/* The initiator starts a session with a device whose bundle it decoded (so verified). */
int e2e_session_initiate(e2e_session *s, const e2e_identity *me, const e2e_bundle *b);

/* What a prekey message names, so the responder can find its prekeys: A's identity, the
 * signed prekey id, and the one-time prekey id (*has_opk 0 when none). */
int e2e_prekey_message_peek(const unsigned char *msg, size_t n, unsigned char ik_a[32], uint32_t *spk_id,
                            int *has_opk, uint32_t *opk_id);
/* The responder makes the session from a prekey message and decrypts it into out; returns
 * the plaintext length. On failure *s is garbage: do not keep it. Delete the one-time prekey
 * after success. */
long e2e_session_respond(e2e_session *s, const e2e_identity *me, const e2e_prekey *spk, const e2e_prekey *opk,
                         const unsigned char *msg, size_t n, unsigned char *out, size_t cap);

/* Encrypts plain into out (cap at least n + E2E_MSG_OVERHEAD); returns the length written. */
long e2e_session_encrypt(e2e_session *s, const unsigned char *plain, size_t n, unsigned char *out, size_t cap);
/* Decrypts a ratchet (or repeated prekey) message into out; returns the plaintext length or
 * E2E_EFORMAT, E2E_EAUTH, E2E_ETOOFAR, E2E_EREPLAY, E2E_ESPACE; *s changes only on success. */
long e2e_session_decrypt(e2e_session *s, const unsigned char *msg, size_t n, unsigned char *out, size_t cap);

/* The other device's Ed25519 identity (a pointer into *s). */
const unsigned char *e2e_session_remote(const e2e_session *s);

/* The state as versioned bytes ('S', version, flags, keys, counters, skipped keys) and back;
 * load checks every length, count and flag of untrusted bytes. */
long e2e_session_save(const e2e_session *s, unsigned char *out, size_t cap);
int e2e_session_load(e2e_session *s, const unsigned char *in, size_t n);

/* Shared with group.c: the message key's AEAD key and nonce (56 bytes) under an info string. */
void e2e_message_keys(const unsigned char mk[32], const char *info, unsigned char kn[56]);
void e2e_chain_step(unsigned char ck[32], unsigned char mk[32]);

#endif
