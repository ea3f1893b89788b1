/* qr.h — a QR code as a small SVG document (libqrencode), for the two-factor set-up page:
 * phones scan it instead of typing the secret. */
#ifndef PARLEY_QR_H
#define PARLEY_QR_H
#include "../core/arena.h"

/* The SVG of text (error correction M, a quiet zone of four modules), in the arena; NULL
 * when text is too long for a QR code or memory runs out. */
char *qr_svg(arena *a, const char *text);

#endif
