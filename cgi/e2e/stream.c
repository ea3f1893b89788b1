/* stream.c — see stream.h. Nothing is allocated; the stream state lives on the stack. */
#include "stream.h"
#include <sodium.h>
#include "e2e.h"

typedef crypto_secretstream_xchacha20poly1305_state stream_state;
_Static_assert(E2E_STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES, "chunk overhead");
_Static_assert(E2E_STREAM_KEY_LEN == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key length");
_Static_assert(E2E_STREAM_HEADER_LEN == crypto_secretstream_xchacha20poly1305_HEADERBYTES, "header length");

size_t e2e_stream_seal(const unsigned char key[E2E_STREAM_KEY_LEN], unsigned char header[E2E_STREAM_HEADER_LEN],
                       size_t chunk, const unsigned char *in, size_t n, unsigned char *out)
{
    stream_state st;
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
    size_t off = 0, w = 0;
    for (;;) {
        size_t len = n - off < chunk ? n - off : chunk;
        int last = off + len == n && len < chunk;              /* a full last chunk is followed by an empty FINAL */
        unsigned long long got = 0;
        crypto_secretstream_xchacha20poly1305_push(&st, out + w, &got, in + off, len, NULL, 0,
                                                   last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        w += (size_t)got, off += len;
        if (last) break;
    }
    sodium_memzero(&st, sizeof st);
    return w;
}

long e2e_stream_open(const unsigned char key[E2E_STREAM_KEY_LEN], const unsigned char header[E2E_STREAM_HEADER_LEN],
                     size_t chunk, size_t max, const unsigned char *in, size_t n, unsigned char *out)
{
    stream_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0) return E2E_EFORMAT;
    size_t off = 0, w = 0;
    const size_t full = chunk + E2E_STREAM_ABYTES;
    long rc = E2E_EFORMAT;                                     /* the end came before FINAL */
    while (off < n) {
        size_t len = n - off < full ? n - off : full;
        if (len < E2E_STREAM_ABYTES) break;
        unsigned long long got = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, out + w, &got, &tag, in + off, len, NULL, 0) != 0) {
            rc = E2E_EAUTH;
            break;
        }
        w += (size_t)got, off += len;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            rc = off == n ? (long)w : E2E_EFORMAT;              /* nothing may follow FINAL */
            break;
        }
        if (len < full || w > max) break;                      /* a short chunk must be the FINAL one */
    }
    sodium_memzero(&st, sizeof st);
    if (rc < 0) sodium_memzero(out, w);
    return rc;
}
