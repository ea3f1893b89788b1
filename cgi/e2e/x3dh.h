/* x3dh.h — X3DH key agreement as in Signal's specification: the initiator (A) and responder
 * (B) reach the same 32-byte secret SK from DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B),
 * DH3 = DH(EK_A, SPK_B) and, when B offered one, DH4 = DH(EK_A, OPK_B), as
 * SK = HKDF-SHA-256(salt = 32 zero bytes, IKM = 32 0xFF bytes || DH1 || DH2 || DH3 [|| DH4],
 * info = "Parley X3DH v1"). Identity keys are the Ed25519 keys mapped to X25519. The
 * associated data AD = IK_A || IK_B (the Ed25519 public keys) is made by the session. */
#ifndef PARLEY_E2E_X3DH_H
#define PARLEY_E2E_X3DH_H
#include "keys.h"

/* A: from A's identity and B's decoded (so verified) bundle; writes the ephemeral public key
 * EK_A to send, and sk. ek_sk may be NULL (a fresh one is made) or a given secret (tests). */
int e2e_x3dh_initiate(const e2e_identity *a, const e2e_bundle *b, const unsigned char *ek_sk, unsigned char ek_pub[32],
                      unsigned char sk[32]);
/* B: from B's identity, the signed prekey and one-time prekey (NULL if none) the message names,
 * and A's identity (Ed25519) and ephemeral key from the message. */
int e2e_x3dh_respond(const e2e_identity *b, const e2e_prekey *spk, const e2e_prekey *opk,
                     const unsigned char ik_a[32], const unsigned char ek_a[32], unsigned char sk[32]);

#endif
