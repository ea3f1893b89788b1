/* link.h — linking a new device of the same person (docs/SECURITY.md, "Linking a device"):
 * the one-time code the new device shows (a link id the server chose and a 128-bit secret
 * the server never sees, as 50 digits), the channel key both devices derive from an X25519
 * agreement of fresh keys bound to that secret and to both public keys, and the transfer
 * sealed under it with crypto_secretstream_xchacha20poly1305 in chunks. The server relays
 * the public keys and the sealed bytes; swapping a key leaves it without the secret, so it
 * can neither read the transfer nor make one the new device accepts. No allocation: the
 * caller owns every buffer. */
#ifndef PARLEY_E2E_LINK_H
#define PARLEY_E2E_LINK_H
#include <stddef.h>

enum {
    E2E_LINK_SECRET_LEN = 16,
    E2E_LINK_ID_DIGITS = 10,                    /* the server's link id: ten decimal digits */
    E2E_LINK_CODE_DIGITS = 10 + 8 * 5,          /* the id, then the secret as 8 words of 5 digits */
    E2E_LINK_CHUNK = 65536,                     /* plaintext bytes per chunk */
    E2E_LINK_ABYTES = 17,                       /* what each chunk adds (tag byte and MAC) */
    E2E_LINK_HEAD_LEN = 2 + 24,                 /* 'L', version, the stream's header */
    E2E_LINK_MAX = 50 * 1024 * 1024,            /* the most a transfer may hold (plaintext) */
};

/* A fresh X25519 key pair for one link (random; never reused). */
int e2e_link_keypair(unsigned char sk[32], unsigned char pk[32]);

/* The code: id (E2E_LINK_ID_DIGITS digits) then each 16-bit big-endian word of the secret as
 * 5 digits, into out[E2E_LINK_CODE_DIGITS + 1] (NUL-terminated). E2E_EFORMAT if id is not
 * ten digits. */
int e2e_link_code(const char *id, const unsigned char secret[E2E_LINK_SECRET_LEN], char *out);
/* Reads a typed or scanned code: digits, with any spaces and dashes between them ignored.
 * id gets the ten digits and a NUL, secret the 16 bytes. E2E_EFORMAT when it is not 50
 * digits or a 5-digit word is over 65535. */
int e2e_link_code_parse(const char *text, size_t len, char id[E2E_LINK_ID_DIGITS + 1],
                        unsigned char secret[E2E_LINK_SECRET_LEN]);

/* The channel key: HKDF-SHA-256 with the secret as salt, X25519(my_sk, peer_pk) as input key
 * material, and "parley-link-v1" || id || new_pk || old_pk as info (new_pk: the new device's
 * key, old_pk: the old one's, whichever of them is mine). E2E_EKEY for a low-order peer key. */
int e2e_link_key(unsigned char key[32], const unsigned char my_sk[32], const unsigned char peer_pk[32],
                 const unsigned char new_pk[32], const unsigned char old_pk[32],
                 const unsigned char secret[E2E_LINK_SECRET_LEN], const char *id);

/* The sealed size of an n-byte transfer: the head, then n plus E2E_LINK_ABYTES for each of
 * n / CHUNK + 1 chunks (the last, possibly empty, tagged FINAL). */
size_t e2e_link_sealed_len(size_t n);
/* Seals in[0..n) under key into out. The sealed length, E2E_ESPACE when cap is smaller, or
 * E2E_EFORMAT when n is over E2E_LINK_MAX. */
long e2e_link_seal(const unsigned char key[32], const unsigned char *in, size_t n, unsigned char *out, size_t cap);
/* Opens a sealed transfer into out (cap at least n). The plaintext length; E2E_EAUTH when a
 * chunk does not verify (another code or key, tampered, reordered, or bytes after FINAL),
 * E2E_EFORMAT when the head is wrong or the bytes end before the FINAL chunk (truncated).
 * Nothing of a refused transfer is left in out. */
long e2e_link_open(const unsigned char key[32], const unsigned char *in, size_t n, unsigned char *out, size_t cap);

#endif
