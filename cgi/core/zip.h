/* zip.h — a small streaming ZIP writer on zlib, for files Parley makes (a person's data
 * export). Entries are written one after another into an open file: each local header is
 * written first and its CRC and sizes patched in (pwrite) once the entry is complete, so no
 * data descriptors are needed and any unzip reads the result. Entries are deflated or stored
 * (already-compressed media). Plain ZIP, no ZIP64: an archive stops at 4 GiB less a little
 * and 65535 entries (zip_* then fail with errno EFBIG). Names are UTF-8 (flag bit 11),
 * relative, without "..", "\\" or empty components.
 * The writer owns its list of entries (zip_free); the caller owns the file descriptor. */
#ifndef PARLEY_ZIP_H
#define PARLEY_ZIP_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <zlib.h>

typedef struct zip_rec {
    char *name;                      /* malloc'd */
    uint32_t crc, csize, usize, offset;
    uint16_t method;
} zip_rec;

typedef struct zipw {
    int fd;
    uint64_t off;                    /* bytes written so far */
    zip_rec *ents;
    size_t n, cap;
    uint16_t dtime, ddate;           /* every entry's DOS time stamp */
    /* the entry being written */
    int open;
    int deflating;
    z_stream zs;
    uint32_t crc;
    uint64_t usize, csize, hdr_off;
    int failed;                      /* sticky: after a failure every call fails */
} zipw;

/* Starts an archive in fd (empty, positioned at 0); entries carry mtime. 0 or -1. */
int zip_open(zipw *z, int fd, time_t mtime);
/* A new entry; deflate 1 compresses it, 0 stores it. -1 (errno EINVAL) for a bad name. */
int zip_entry_begin(zipw *z, const char *name, int deflate);
int zip_entry_write(zipw *z, const void *data, size_t n);
int zip_entry_end(zipw *z);
/* A whole entry at once. */
int zip_add(zipw *z, const char *name, const void *data, size_t n, int deflate);
/* Writes the central directory; the archive is complete (the caller fsyncs and closes). */
int zip_finish(zipw *z);
void zip_free(zipw *z);
/* 1 when name may be an entry's name (see above). */
int zip_name_ok(const char *name);

#endif
