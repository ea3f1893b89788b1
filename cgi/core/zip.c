/* zip.c — see zip.h. Formats from PKWARE's APPNOTE.TXT 6.3 (sections 4.3.7, 4.3.12, 4.3.16). */
#include "zip.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZIP_LIMIT 0xFFFFFF00ULL     /* the last offset a 32-bit field may hold, with margin */
#define ZIP_CHUNK 65536

static void zip_le16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void zip_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes all n bytes at the end, or fails the archive. */
static int zip_put(zipw *z, const void *data, size_t n)
{
    if (z->failed) return -1;
    if (z->off + n > ZIP_LIMIT) { z->failed = 1; errno = EFBIG; return -1; }
    const unsigned char *p = data;
    while (n) {
        ssize_t w = write(z->fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { z->failed = 1; if (w == 0) errno = EIO; return -1; }
        p += w;
        n -= (size_t)w;
        z->off += (uint64_t)w;
    }
    return 0;
}

int zip_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 1024 || name[0] == '/' || strchr(name, '\\')) return 0;
    for (const char *s = name;;) {                      /* every component: not "", ".", ".." */
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l == 0 || (l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.')) return 0;
        for (size_t i = 0; i < l; i++) if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
        if (!e) break;
        s = e + 1;
    }
    return 1;
}

int zip_open(zipw *z, int fd, time_t mtime)
{
    memset(z, 0, sizeof *z);
    z->fd = fd;
    struct tm tm;
    gmtime_r(&mtime, &tm);
    if (tm.tm_year < 80) tm.tm_year = 80;                 /* DOS dates start in 1980 */
    z->dtime = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    z->ddate = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
    return 0;
}

int zip_entry_begin(zipw *z, const char *name, int deflate)
{
    if (z->failed || z->open) { errno = EINVAL; return -1; }
    if (!zip_name_ok(name)) { errno = EINVAL; return -1; }
    if (z->n >= 0xFFFF) { z->failed = 1; errno = EFBIG; return -1; }
    if (z->n == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 32;
        zip_rec *r = realloc(z->ents, cap * sizeof *r);
        if (!r) { z->failed = 1; return -1; }
        z->ents = r;
        z->cap = cap;
    }
    zip_rec *e = &z->ents[z->n];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name))) { z->failed = 1; return -1; }
    z->n++;
    e->method = deflate ? 8 : 0;
    e->offset = (uint32_t)z->off;
    z->hdr_off = z->off;
    size_t nl = strlen(name);
    unsigned char h[30];
    zip_le32(h, 0x04034b50);
    zip_le16(h + 4, 20);                 /* version needed: 2.0 */
    zip_le16(h + 6, 0x0800);             /* UTF-8 names */
    zip_le16(h + 8, e->method);
    zip_le16(h + 10, z->dtime);
    zip_le16(h + 12, z->ddate);
    memset(h + 14, 0, 12);               /* crc, sizes: patched by zip_entry_end */
    zip_le16(h + 26, (uint16_t)nl);
    zip_le16(h + 28, 0);
    if (zip_put(z, h, sizeof h) || zip_put(z, name, nl)) return -1;
    z->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    z->usize = z->csize = 0;
    z->deflating = deflate;
    if (deflate) {
        memset(&z->zs, 0, sizeof z->zs);
        if (deflateInit2(&z->zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) { z->failed = 1; return -1; }
    }
    z->open = 1;
    return 0;
}

/* Runs deflate over the input set in z->zs with flush, writing what comes out. */
static int zip_deflate(zipw *z, int flush)
{
    unsigned char out[ZIP_CHUNK];
    int rc;
    do {
        z->zs.next_out = out;
        z->zs.avail_out = sizeof out;
        rc = deflate(&z->zs, flush);
        if (rc == Z_STREAM_ERROR) { z->failed = 1; return -1; }
        size_t have = sizeof out - z->zs.avail_out;
        if (have && zip_put(z, out, have)) return -1;
        z->csize += have;
    } while (z->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

int zip_entry_write(zipw *z, const void *data, size_t n)
{
    if (z->failed || !z->open) { errno = EINVAL; return -1; }
    const unsigned char *p = data;
    while (n) {                                    /* zlib counts in uInt */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        z->crc = (uint32_t)crc32(z->crc, p, k);
        z->usize += k;
        if (z->usize > ZIP_LIMIT) { z->failed = 1; errno = EFBIG; return -1; }
        if (z->deflating) {
            z->zs.next_in = (Bytef *)p;
            z->zs.avail_in = k;
            if (zip_deflate(z, Z_NO_FLUSH)) return -1;
        } else {
            if (zip_put(z, p, k)) return -1;
            z->csize += k;
        }
        p += k;
        n -= k;
    }
    return 0;
}

int zip_entry_end(zipw *z)
{
    if (z->failed || !z->open) { errno = EINVAL; return -1; }
    if (z->deflating) {
        z->zs.next_in = NULL;
        z->zs.avail_in = 0;
        int rc = zip_deflate(z, Z_FINISH);
        deflateEnd(&z->zs);
        z->deflating = 0;
        if (rc) return -1;
    }
    z->open = 0;
    zip_rec *e = &z->ents[z->n - 1];
    e->crc = z->crc;
    e->csize = (uint32_t)z->csize;
    e->usize = (uint32_t)z->usize;
    unsigned char f[12];
    zip_le32(f, e->crc);
    zip_le32(f + 4, e->csize);
    zip_le32(f + 8, e->usize);
    if (pwrite(z->fd, f, sizeof f, (off_t)(z->hdr_off + 14)) != (ssize_t)sizeof f) { z->failed = 1; return -1; }
    return 0;
}

int zip_add(zipw *z, const char *name, const void *data, size_t n, int deflate)
{
    if (zip_entry_begin(z, name, deflate) || zip_entry_write(z, data, n) || zip_entry_end(z)) return -1;
    return 0;
}

int zip_finish(zipw *z)
{
    if (z->failed || z->open) { errno = EINVAL; return -1; }
    uint64_t cd = z->off;
    for (size_t i = 0; i < z->n; i++) {
        zip_rec *e = &z->ents[i];
        size_t nl = strlen(e->name);
        unsigned char h[46];
        zip_le32(h, 0x02014b50);
        zip_le16(h + 4, 3 << 8 | 20);        /* made by: Unix, 2.0 */
        zip_le16(h + 6, 20);
        zip_le16(h + 8, 0x0800);
        zip_le16(h + 10, e->method);
        zip_le16(h + 12, z->dtime);
        zip_le16(h + 14, z->ddate);
        zip_le32(h + 16, e->crc);
        zip_le32(h + 20, e->csize);
        zip_le32(h + 24, e->usize);
        zip_le16(h + 28, (uint16_t)nl);
        zip_le16(h + 30, 0);                 /* extra */
        zip_le16(h + 32, 0);                 /* comment */
        zip_le16(h + 34, 0);                 /* disk */
        zip_le16(h + 36, 0);                 /* internal attributes */
        zip_le32(h + 38, 0100644u << 16);    /* a regular file, rw-r--r-- */
        zip_le32(h + 42, e->offset);
        if (zip_put(z, h, sizeof h) || zip_put(z, e->name, nl)) return -1;
    }
    unsigned char end[22];
    zip_le32(end, 0x06054b50);
    zip_le16(end + 4, 0);
    zip_le16(end + 6, 0);
    zip_le16(end + 8, (uint16_t)z->n);
    zip_le16(end + 10, (uint16_t)z->n);
    zip_le32(end + 12, (uint32_t)(z->off - cd));
    zip_le32(end + 16, (uint32_t)cd);
    zip_le16(end + 20, 0);
    return zip_put(z, end, sizeof end);
}

void zip_free(zipw *z)
{
    if (z->deflating) deflateEnd(&z->zs);
    z->deflating = 0;
    for (size_t i = 0; i < z->n; i++) free(z->ents[i].name);
    free(z->ents);
    z->ents = NULL;
    z->n = z->cap = 0;
}
