/* cbor.c — see cbor.h. */
#include "cbor.h"
#include <string.h>

/* The head at in: major type, argument, and where the content starts. */
static int cbor_head(const unsigned char *in, const unsigned char *end, int *major, uint64_t *arg,
                     const unsigned char **content)
{
    if (in >= end) return -1;
    *major = in[0] >> 5;
    unsigned info = in[0] & 31;
    const unsigned char *p = in + 1;
    if (info < 24) {
        *arg = info;
    } else if (info <= 27) {
        size_t n = (size_t)1 << (info - 24);       /* 1, 2, 4 or 8 bytes follow */
        if ((size_t)(end - p) < n) return -1;
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) v = v << 8 | p[i];
        p += n;
        *arg = v;
    } else {
        return -1;                                  /* 28-30 reserved, 31 indefinite: refused */
    }
    *content = p;
    return 0;
}

static int cbor_item_at(const unsigned char *in, const unsigned char *end, int depth, cbor_item *out)
{
    int major;
    uint64_t arg;
    const unsigned char *p;
    if (depth > CBOR_MAX_DEPTH || cbor_head(in, end, &major, &arg, &p)) return -1;
    out->n = arg;
    out->p = p;
    switch (major) {
    case 0: out->type = CBOR_UINT; out->end = p; return 0;
    case 1: out->type = CBOR_NEGINT; out->end = p; return 0;
    case 2:
    case 3:
        if (arg > (uint64_t)(end - p)) return -1;
        out->type = major == 2 ? CBOR_BYTES : CBOR_TEXT;
        out->end = p + arg;
        return 0;
    case 4:
    case 5: {
        /* Every item takes at least one byte: a count beyond the bytes left is a lie. */
        uint64_t items = major == 5 ? arg * 2 : arg;
        if (arg > (uint64_t)(end - p) || items > (uint64_t)(end - p)) return -1;
        out->type = major == 4 ? CBOR_ARRAY : CBOR_MAP;
        const unsigned char *q = p;
        for (uint64_t i = 0; i < items; i++) {
            cbor_item sub;
            if (cbor_item_at(q, end, depth + 1, &sub)) return -1;
            q = sub.end;
        }
        out->end = q;
        return 0;
    }
    case 7:
        if (arg < 20 || arg > 22 || p != in + 1) return -1;   /* false, true, null only */
        out->type = CBOR_SIMPLE;
        out->end = p;
        return 0;
    default:
        return -1;                                  /* 6: tags */
    }
}

int cbor_read(const unsigned char *in, size_t len, cbor_item *out)
{
    return in ? cbor_item_at(in, in + len, 0, out) : -1;
}

int cbor_int(const cbor_item *it, int64_t *out)
{
    if (it->n > INT64_MAX) return -1;
    if (it->type == CBOR_UINT) *out = (int64_t)it->n;
    else if (it->type == CBOR_NEGINT) *out = -1 - (int64_t)it->n;
    else return -1;
    return 0;
}

int cbor_map_get(const cbor_item *m, const char *key, int64_t ikey, cbor_item *out)
{
    if (m->type != CBOR_MAP) return -1;
    const unsigned char *q = m->p;
    for (uint64_t i = 0; i < m->n; i++) {
        cbor_item k, v;
        if (cbor_item_at(q, m->end, 1, &k) || cbor_item_at(k.end, m->end, 1, &v)) return -1;
        int64_t n;
        int hit = key ? k.type == CBOR_TEXT && k.n == strlen(key) && !memcmp(k.p, key, k.n)
                      : !cbor_int(&k, &n) && n == ikey;
        if (hit) { *out = v; return 0; }
        q = v.end;
    }
    return -1;
}
