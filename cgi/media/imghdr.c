/* imghdr.c — see imghdr.h. Every read is bounds-checked against n; the fuzz target
 * tests/fuzz/fuzz_imghdr.c drives it with arbitrary bytes. */
#include "imghdr.h"
#include <string.h>

static unsigned long be32(const unsigned char *p) { return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3]; }
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static unsigned long le24(const unsigned char *p) { return (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0]; }

static int imghdr_png(const unsigned char *d, size_t n, long *w, long *h)
{
    /* signature, then the IHDR chunk: length (13), "IHDR", width, height */
    if (n < 24 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) || memcmp(d + 12, "IHDR", 4)) return -1;
    *w = (long)be32(d + 16);
    *h = (long)be32(d + 20);
    return 0;
}

static int imghdr_gif(const unsigned char *d, size_t n, long *w, long *h)
{
    if (n < 10 || (memcmp(d, "GIF87a", 6) && memcmp(d, "GIF89a", 6))) return -1;
    *w = le16(d + 6);
    *h = le16(d + 8);
    return 0;
}

/* Walks the JPEG segments up to a start-of-frame marker (SOF0–SOF15 but DHT, JPG, DAC). */
static int imghdr_jpeg(const unsigned char *d, size_t n, long *w, long *h)
{
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return -1;
    size_t i = 2;
    while (i + 4 <= n) {
        if (d[i] != 0xFF) return -1;
        unsigned char m = d[i + 1];
        if (m == 0xFF) { i++; continue; }                       /* fill bytes */
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }   /* no length */
        if (m == 0xD9 || m == 0xDA) return -1;                  /* end, or scan data before a frame */
        unsigned len = be16(d + i + 2);
        if (len < 2) return -1;
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (len < 7 || i + 9 > n) return -1;
            *h = be16(d + i + 5);
            *w = be16(d + i + 7);
            return 0;
        }
        i += 2 + (size_t)len;
    }
    return -1;
}

static int imghdr_webp(const unsigned char *d, size_t n, long *w, long *h)
{
    if (n < 30 || memcmp(d, "RIFF", 4) || memcmp(d + 8, "WEBP", 4)) return -1;
    const unsigned char *c = d + 12;
    if (!memcmp(c, "VP8X", 4)) {                                /* extended: canvas size - 1, 24 bits each */
        *w = (long)le24(c + 12) + 1;
        *h = (long)le24(c + 15) + 1;
        return 0;
    }
    if (!memcmp(c, "VP8 ", 4)) {                                /* lossy: key frame start code, 14 bits each */
        if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a) return -1;
        *w = le16(c + 14) & 0x3fff;
        *h = le16(c + 16) & 0x3fff;
        return 0;
    }
    if (!memcmp(c, "VP8L", 4)) {                                /* lossless: signature 0x2f, 14 bits each */
        if (c[8] != 0x2f) return -1;
        unsigned long b = (unsigned long)c[9] | (unsigned long)c[10] << 8 | (unsigned long)c[11] << 16 |
                          (unsigned long)c[12] << 24;
        *w = (long)(b & 0x3fff) + 1;
        *h = (long)((b >> 14) & 0x3fff) + 1;
        return 0;
    }
    return -1;
}

int imghdr_size(const unsigned char *data, size_t n, long *w, long *h)
{
    *w = *h = 0;
    int rc = imghdr_png(data, n, w, h);
    if (rc) rc = imghdr_gif(data, n, w, h);
    if (rc) rc = imghdr_jpeg(data, n, w, h);
    if (rc) rc = imghdr_webp(data, n, w, h);
    if (rc || *w < 1 || *h < 1) { *w = *h = 0; return -1; }
    return 0;
}
