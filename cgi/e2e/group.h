/* group.h — sender keys for groups: each device has a chain key and an Ed25519 signing key
 * per group, gives them (a distribution message) to every member device over the pairwise
 * sessions, and sends each group message once, encrypted under the chain's next message key
 * (KDF_CK as in ratchet.h; AEAD XChaCha20-Poly1305 keyed by HKDF info "Parley group key v1")
 * and signed. After any member device leaves or is removed, the sender makes a new key
 * (e2e_group_rotate) and distributes it to those who remain only.
 *
 * Wire (big-endian):
 *   group message  0x13 | key id (4) | iteration (4) | ciphertext (len + 16) | Ed25519 signature
 *                  (64) of everything before it; the AEAD's associated data is the first 9 bytes
 *   distribution   0x14 | key id (4) | iteration (4) | chain key (32) | signing public key (32)
 * A receiver keeps at most E2E_MAX_SKIP message keys of messages not yet arrived, refuses a
 * message more than E2E_MAX_SKIP ahead before any work in proportion, and refuses replays. */
#ifndef PARLEY_E2E_GROUP_H
#define PARLEY_E2E_GROUP_H
#include "e2e.h"

typedef struct e2e_group_skipped { uint32_t it; unsigned char mk[32]; } e2e_group_skipped;

/* One device's sender key in one group: our own (can send) or another device's (receive). */
typedef struct e2e_group_key {
    int own;
    uint32_t key_id, iteration;
    unsigned char chain[32];
    unsigned char sign_pk[32], sign_sk[64];    /* sign_sk all zero unless own */
    uint32_t nskipped;
    e2e_group_skipped skipped[E2E_MAX_SKIP];   /* oldest first */
} e2e_group_key;

enum {
    E2E_KIND_GROUP = 0x13, E2E_KIND_DISTRIBUTION = 0x14,
    E2E_GROUP_HEADER_LEN = 9,
    E2E_GROUP_OVERHEAD = E2E_GROUP_HEADER_LEN + E2E_TAG_LEN + 64,
    E2E_DISTRIBUTION_LEN = 1 + 4 + 4 + 32 + 32,
    E2E_GROUP_FIXED = 2 + 1 + 4 + 4 + 32 + 32 + 64 + 2,
    E2E_GROUP_MAX = E2E_GROUP_FIXED + (4 + 32) * E2E_MAX_SKIP,
};

/* A new sender key of our own with this id. */
int e2e_group_new(e2e_group_key *k, uint32_t key_id);
/* Replaces our sender key with a new one (id + 1, new chain and signing key): after removal. */
int e2e_group_rotate(e2e_group_key *k);
/* Our key's distribution message (E2E_DISTRIBUTION_LEN bytes): from the current iteration. */
long e2e_group_distribution(const e2e_group_key *k, unsigned char *out, size_t cap);
/* Another device's key from its distribution message (untrusted bytes, strictly read). */
int e2e_group_accept(e2e_group_key *k, const unsigned char *in, size_t n);
/* The key id a group message or distribution names, to find the state it needs. */
int e2e_group_peek(const unsigned char *in, size_t n, uint32_t *key_id);

/* Encrypts and signs (cap at least n + E2E_GROUP_OVERHEAD); returns the length. */
long e2e_group_encrypt(e2e_group_key *k, const unsigned char *plain, size_t n, unsigned char *out, size_t cap);
/* Verifies and decrypts into out; *k changes only on success. E2E_ESTATE when the message is
 * under another key id (e.g. a key made after this device was removed). */
long e2e_group_decrypt(e2e_group_key *k, const unsigned char *in, size_t n, unsigned char *out, size_t cap);

/* Versioned bytes ('G', version, own, ids, keys, skipped keys) and a strict decoder. */
long e2e_group_save(const e2e_group_key *k, unsigned char *out, size_t cap);
int e2e_group_load(e2e_group_key *k, const unsigned char *in, size_t n);

#endif
