/* wire.c — bounded big-endian writer and reader (wire.h); they own no memory. */
#include "wire.h"
#include <string.h>

void e2e_w_init(e2e_writer *w, unsigned char *buf, size_t cap) { w->p = buf; w->cap = cap; w->len = 0; w->bad = 0; }

void e2e_w_bytes(e2e_writer *w, const unsigned char *b, size_t n)
{
    if (w->bad || n > w->cap - w->len) { w->bad = 1; return; }
    if (n) memcpy(w->p + w->len, b, n);
    w->len += n;
}

void e2e_w_u8(e2e_writer *w, unsigned v) { unsigned char b = (unsigned char)v; e2e_w_bytes(w, &b, 1); }
void e2e_w_u16(e2e_writer *w, unsigned v) { unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v }; e2e_w_bytes(w, b, 2); }
void e2e_w_u32(e2e_writer *w, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v };
    e2e_w_bytes(w, b, 4);
}

void e2e_r_init(e2e_reader *r, const unsigned char *buf, size_t len) { r->p = buf; r->len = len; r->off = 0; r->bad = 0; }

void e2e_r_bytes(e2e_reader *r, unsigned char *out, size_t n)
{
    if (r->bad || n > r->len - r->off) { r->bad = 1; memset(out, 0, n); return; }
    memcpy(out, r->p + r->off, n);
    r->off += n;
}

unsigned e2e_r_u8(e2e_reader *r) { unsigned char b[1]; e2e_r_bytes(r, b, 1); return b[0]; }
unsigned e2e_r_u16(e2e_reader *r) { unsigned char b[2]; e2e_r_bytes(r, b, 2); return (unsigned)b[0] << 8 | b[1]; }
uint32_t e2e_r_u32(e2e_reader *r)
{
    unsigned char b[4];
    e2e_r_bytes(r, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int e2e_r_done(const e2e_reader *r) { return !r->bad && r->off == r->len; }
