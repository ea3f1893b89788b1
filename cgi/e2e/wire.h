/* wire.h — bounded big-endian writing and reading of the module's byte formats. A writer or
 * reader borrows the caller's buffer; once a bound is crossed it stays failed, so a format
 * is written or read straight through and checked once at the end. */
#ifndef PARLEY_E2E_WIRE_H
#define PARLEY_E2E_WIRE_H
#include <stddef.h>
#include <stdint.h>

typedef struct e2e_writer { unsigned char *p; size_t cap, len; int bad; } e2e_writer;
typedef struct e2e_reader { const unsigned char *p; size_t len, off; int bad; } e2e_reader;

void e2e_w_init(e2e_writer *w, unsigned char *buf, size_t cap);
void e2e_w_u8(e2e_writer *w, unsigned v);
void e2e_w_u16(e2e_writer *w, unsigned v);
void e2e_w_u32(e2e_writer *w, uint32_t v);
void e2e_w_bytes(e2e_writer *w, const unsigned char *b, size_t n);

void e2e_r_init(e2e_reader *r, const unsigned char *buf, size_t len);
unsigned e2e_r_u8(e2e_reader *r);
unsigned e2e_r_u16(e2e_reader *r);
uint32_t e2e_r_u32(e2e_reader *r);
/* Copies n bytes into out (zeroes out when past the end). */
void e2e_r_bytes(e2e_reader *r, unsigned char *out, size_t n);
/* 1 when every read stayed in bounds and the whole input was consumed. */
int e2e_r_done(const e2e_reader *r);

#endif
