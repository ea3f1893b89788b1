/* file.c — see file.h. The stream state lives on the stack and is wiped before returning. */
#include "file.h"
#include <sodium.h>
#include "e2e.h"

typedef crypto_secretstream_xchacha20poly1305_state file_state;
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
    file_state st;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
    size_t off = 0, w = 0;
    for (;;) {
        size_t len = n - off < E2E_FILE_CHUNK ? n - off : E2E_FILE_CHUNK;
        int last = off + len == n && len < E2E_FILE_CHUNK;     /* a full last chunk is followed by an empty FINAL */
        unsigned long long got = 0;
        crypto_secretstream_xchacha20poly1305_push(&st, out + w, &got, in + off, len, NULL, 0,
                                                   last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        w += (size_t)got, off += len;
        if (last) break;
    }
    sodium_memzero(&st, sizeof st);
    return (long)w;
}

long e2e_file_open(const unsigned char key[E2E_FILE_KEY_LEN], const unsigned char header[E2E_FILE_HEADER_LEN],
                   const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (cap < n) return E2E_ESPACE;
    file_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key) != 0) return E2E_EFORMAT;
    size_t off = 0, w = 0;
    long rc = E2E_EFORMAT;                                     /* the end came before FINAL */
    while (off < n) {
        size_t len = n - off < E2E_FILE_CHUNK + E2E_FILE_ABYTES ? n - off : E2E_FILE_CHUNK + E2E_FILE_ABYTES;
        if (len < E2E_FILE_ABYTES) { rc = E2E_EFORMAT; break; }
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
        if (len < E2E_FILE_CHUNK + E2E_FILE_ABYTES) break;     /* a short chunk must be the FINAL one */
    }
    sodium_memzero(&st, sizeof st);
    if (rc < 0) sodium_memzero(out, w);
    return rc;
}
