/* e2e.h — what every part of the end-to-end encryption module shares: the result codes, the
 * wire and state version bytes, and the one initialisation. The module (cgi/e2e/) is C11 on
 * libsodium alone: no I/O, no globals, no allocation; every function writes into buffers the
 * caller owns. It is built natively (tests, tools) and for wasm32-wasi (static/e2e.wasm); the
 * server programs do not link it (docs/ARCHITECTURE.md, "End-to-end encryption"). */
#ifndef PARLEY_E2E_H
#define PARLEY_E2E_H
#include <stddef.h>
#include <stdint.h>

/* Results: 0 or a length on success, one of these (negative) on failure. */
enum {
    E2E_OK = 0,
    E2E_EFORMAT = -1,   /* malformed bytes: wrong version, length, count or field */
    E2E_EAUTH = -2,     /* a tag or signature did not verify: tampered, or not for this key */
    E2E_ETOOFAR = -3,   /* a message further ahead than E2E_MAX_SKIP */
    E2E_EREPLAY = -4,   /* a message already received (or one too old to have a key kept) */
    E2E_ESTATE = -5,    /* not possible in this state (e.g. sending before a session exists) */
    E2E_ESPACE = -6,    /* the caller's buffer is too small */
    E2E_EKEY = -7,      /* a public key that is not usable (low order, not on the curve) */
};

enum {
    E2E_VERSION = 1,            /* the version byte of every wire message and state */
    E2E_KEY_LEN = 32,
    E2E_SIG_LEN = 64,
    E2E_TAG_LEN = 16,           /* the AEAD's tag: a ciphertext is 16 bytes longer */
    E2E_MAX_SKIP = 1000,        /* message keys kept for messages not yet arrived, in total */
};

/* Initialises libsodium; call once before anything else. 0, or -1 if libsodium cannot run. */
int e2e_init(void);

/* A name for a result code, for messages and tests (a static string). */
const char *e2e_strerror(int code);

#endif
