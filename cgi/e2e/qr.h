/* qr.h — a small QR code encoder (ISO/IEC 18004) for the safety number, so the page can show
 * it as a code to scan without a library fetched at run time. Enough for short texts: error
 * correction level M, versions 1 to 3 (one Reed–Solomon block), numeric mode when the text is
 * all digits (the 60 digits of a safety number fit version 2), byte mode otherwise; the mask
 * with the lowest penalty of the standard's four rules. No allocation: the caller owns out. */
#ifndef PARLEY_E2E_QR_H
#define PARLEY_E2E_QR_H
#include <stddef.h>

enum {
    E2E_QR_MAX_VERSION = 3,
    E2E_QR_MAX_SIDE = 17 + 4 * E2E_QR_MAX_VERSION,   /* 29 modules a side */
};

/* Encodes text[0..len) into out as side × side bytes, row by row, 1 for a dark module and 0
 * for a light one (no quiet zone: the caller draws 4 light modules around it). Returns the
 * side (21, 25 or 29), E2E_EFORMAT when the text does not fit version 3 at level M, or
 * E2E_ESPACE when cap is smaller than side × side. */
int e2e_qr_encode(const unsigned char *text, size_t len, unsigned char *out, size_t cap);

#endif
