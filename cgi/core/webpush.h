/* webpush.h — the encryption of Web Push messages (RFC 8291 over RFC 8188's aes128gcm): a
 * payload readable only by the browser that subscribed, whatever push service carries it.
 * ECDH on P-256 and AES-128-GCM come from OpenSSL (libsodium has neither), HMAC-SHA-256
 * (HKDF) from libsodium. Nothing is allocated; the caller owns every buffer. The sending
 * (VAPID, the worker's job, subscriptions) builds on this; issue 14 tracks it. */
#ifndef PARLEY_WEBPUSH_H
#define PARLEY_WEBPUSH_H
#include <stddef.h>

enum {
    WEBPUSH_KEY_LEN = 65,        /* an uncompressed P-256 point: the subscription's p256dh */
    WEBPUSH_AUTH_LEN = 16,       /* the subscription's auth secret */
    WEBPUSH_SALT_LEN = 16,
    WEBPUSH_HEADER_LEN = WEBPUSH_SALT_LEN + 4 + 1 + WEBPUSH_KEY_LEN,   /* salt, rs, idlen, key */
    WEBPUSH_OVERHEAD = WEBPUSH_HEADER_LEN + 1 + 16,                   /* + delimiter and tag */
    WEBPUSH_RECORD_SIZE = 4096,  /* one record: a push message is at most about 4 KB */
};

/* Encrypts plain[0..n) for the subscription (ua_public, auth) with the sender's key pair
 * (as_private: 32 bytes; as_public: its point) and salt, as one record into out (cap bytes,
 * at least n + WEBPUSH_OVERHEAD). Returns the bytes written, or -1 (a bad key, too long a
 * message, too small a buffer). Key pair and salt must be fresh for every message:
 * webpush_encrypt_fresh makes them; this form exists for the RFC's example. */
long webpush_encrypt(const unsigned char ua_public[WEBPUSH_KEY_LEN], const unsigned char auth[WEBPUSH_AUTH_LEN],
                     const unsigned char as_private[32], const unsigned char as_public[WEBPUSH_KEY_LEN],
                     const unsigned char salt[WEBPUSH_SALT_LEN], const unsigned char *plain, size_t n,
                     unsigned char *out, size_t cap);
/* The same with a new key pair and salt of its own. */
long webpush_encrypt_fresh(const unsigned char ua_public[WEBPUSH_KEY_LEN], const unsigned char auth[WEBPUSH_AUTH_LEN],
                           const unsigned char *plain, size_t n, unsigned char *out, size_t cap);
/* 1 when key is an uncompressed point on P-256 (what a subscription's p256dh must be). */
int webpush_key_valid(const unsigned char key[WEBPUSH_KEY_LEN]);
/* What the browser does: opens body[0..n) with the subscription's private key (32 bytes),
 * public key and auth secret into out. Returns the plaintext's length, or -1 when the body
 * is malformed or was not made for this key (for tests, and for a receiver of our own). */
long webpush_decrypt(const unsigned char ua_private[32], const unsigned char ua_public[WEBPUSH_KEY_LEN],
                     const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char *body, size_t n,
                     unsigned char *out, size_t cap);

#endif
