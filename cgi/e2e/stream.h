/* stream.h — libsodium's secretstream (XChaCha20-Poly1305) cut in chunks, as encrypted files
 * (file.h) and device-link transfers (link.h) both use it: each chunk holds chunk plaintext
 * bytes and adds E2E_STREAM_ABYTES; the last one, possibly empty, is tagged FINAL. The caller
 * owns every buffer and checks their room; the stream state is wiped before returning. */
#ifndef PARLEY_E2E_STREAM_H
#define PARLEY_E2E_STREAM_H
#include <stddef.h>

enum {
    E2E_STREAM_ABYTES = 17,       /* what each chunk adds (tag byte and MAC) */
    E2E_STREAM_KEY_LEN = 32,
    E2E_STREAM_HEADER_LEN = 24,
};

/* Seals in[0..n) with key, writing the stream's header to header and the chunks to out (room
 * for n + (n / chunk + 1) * E2E_STREAM_ABYTES bytes); returns the bytes written to out. */
size_t e2e_stream_seal(const unsigned char key[E2E_STREAM_KEY_LEN], unsigned char header[E2E_STREAM_HEADER_LEN],
                       size_t chunk, const unsigned char *in, size_t n, unsigned char *out);
/* Opens the chunks in[0..n) of the stream header starts into out (room for n bytes); returns the
 * plaintext length, E2E_EAUTH (a chunk does not verify) or E2E_EFORMAT (a bad header, the end
 * before FINAL, anything after it, or more than max plaintext bytes). out is wiped on failure. */
long e2e_stream_open(const unsigned char key[E2E_STREAM_KEY_LEN], const unsigned char header[E2E_STREAM_HEADER_LEN],
                     size_t chunk, size_t max, const unsigned char *in, size_t n, unsigned char *out);

#endif
