/* cbor.h — a reader for the small part of CBOR (RFC 8949) that WebAuthn uses: unsigned and
 * negative integers, byte and text strings, arrays, maps and the simple values false, true
 * and null, all of definite length. Outside input (a browser's attestation object, a COSE
 * key): every length is checked against the bytes left, nesting is limited, and anything
 * else (indefinite lengths, tags, floats) is refused. Nothing is allocated: items point into
 * the caller's buffer. */
#ifndef PARLEY_CBOR_H
#define PARLEY_CBOR_H
#include <stddef.h>
#include <stdint.h>

enum { CBOR_MAX_DEPTH = 8 };

typedef enum cbor_type { CBOR_UINT, CBOR_NEGINT, CBOR_BYTES, CBOR_TEXT, CBOR_ARRAY, CBOR_MAP, CBOR_SIMPLE } cbor_type;

typedef struct cbor_item {
    cbor_type type;
    uint64_t n;                 /* UINT: the value; NEGINT: -1 - value; BYTES/TEXT: length;
                                   ARRAY: items; MAP: pairs; SIMPLE: 20 false, 21 true, 22 null */
    const unsigned char *p;     /* BYTES/TEXT: the bytes; ARRAY/MAP: the first item */
    const unsigned char *end;   /* one past the whole item, nested items included */
} cbor_item;

/* Reads one item at in[0..len); 0 on success. */
int cbor_read(const unsigned char *in, size_t len, cbor_item *out);
/* The value of an integer item as int64 (NEGINT counts down from -1); 0 on success, -1 when
 * it is not an integer or does not fit. */
int cbor_int(const cbor_item *it, int64_t *out);
/* In map m, the value whose key is the text key (or, with key NULL, the integer ikey); 0
 * when found, -1 when absent or m is malformed. */
int cbor_map_get(const cbor_item *m, const char *key, int64_t ikey, cbor_item *out);

#endif
