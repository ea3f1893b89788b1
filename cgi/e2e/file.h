/* file.h — attachments of encrypted conversations: a file is sealed with libsodium's
 * crypto_secretstream_xchacha20poly1305 under a fresh random key, in chunks of
 * E2E_FILE_CHUNK bytes, the last one (possibly empty) tagged FINAL. The blob uploaded holds
 * only the chunks; the key and the stream's 24-byte header travel inside the encrypted
 * message. Opening refuses a flipped bit, chunks reordered, dropped or cut (no FINAL at the
 * end), and anything after FINAL. No allocation: the caller owns every buffer. */
#ifndef PARLEY_E2E_FILE_H
#define PARLEY_E2E_FILE_H
#include <stddef.h>

enum {
    E2E_FILE_CHUNK = 65536,       /* plaintext bytes per chunk */
    E2E_FILE_ABYTES = 17,         /* what each chunk adds (tag byte and MAC) */
    E2E_FILE_KEY_LEN = 32,
    E2E_FILE_HEADER_LEN = 24,
};

/* The sealed size of an n-byte file: n plus E2E_FILE_ABYTES for each of n / CHUNK + 1 chunks. */
size_t e2e_file_sealed_len(size_t n);

/* Makes a fresh key and header and seals in[0..n) into out. Returns the sealed length
 * (e2e_file_sealed_len(n)), or E2E_ESPACE when cap is smaller. */
long e2e_file_seal(unsigned char key[E2E_FILE_KEY_LEN], unsigned char header[E2E_FILE_HEADER_LEN],
                   const unsigned char *in, size_t n, unsigned char *out, size_t cap);

/* Opens a sealed blob into out (cap at least n). Returns the plaintext length; E2E_EAUTH
 * when a chunk does not verify (tampered, reordered, another key or header, or bytes after
 * the FINAL chunk, which is always short, so they join it), E2E_EFORMAT when the blob ends
 * before a FINAL chunk or a chunk is too short to be one. */
long e2e_file_open(const unsigned char key[E2E_FILE_KEY_LEN], const unsigned char header[E2E_FILE_HEADER_LEN],
                   const unsigned char *in, size_t n, unsigned char *out, size_t cap);

#endif
