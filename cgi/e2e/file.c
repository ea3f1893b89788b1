/* file.c — see file.h; the chunks are stream.h's, with no limit but the buffers'. */
#include "file.h"
#include <stdint.h>
#include <sodium.h>
#include "e2e.h"
#include "stream.h"

_Static_assert(E2E_FILE_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES, "chunk overhead");
_Static_assert(E2E_FILE_KEY_LEN == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key length");
_Static_assert(E2E_FILE_HEADER_LEN == crypto_secretstream_xchacha20poly1305_HEADERBYTES, "header length");

size_t e2e_file_sealed_len(size_t n)
{
    return n + (n / E2E_FILE_CHUNK + 1) * E2E_FILE_ABYTES;
}

long e2e_file_seal(unsigned char key[E2E_FILE_KEY_LEN], unsigned char header[E2E_FILE_HEADER_LEN],
                   const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t total = e2e_file_sealed_len(n);
    if (cap < total || total > (size_t)0x7fffffff) return E2E_ESPACE;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    return (long)e2e_stream_seal(key, header, E2E_FILE_CHUNK, in, n, out);
}

long e2e_file_open(const unsigned char key[E2E_FILE_KEY_LEN], const unsigned char header[E2E_FILE_HEADER_LEN],
                   const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (cap < n) return E2E_ESPACE;
    return e2e_stream_open(key, header, E2E_FILE_CHUNK, SIZE_MAX, in, n, out);
}
