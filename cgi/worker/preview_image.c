/* preview_image.c — see preview_image.h. libvips' images and buffers are unreferenced or
 * freed here; every other buffer is the caller's. */
#include "preview_image.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sodium.h>
#include <vips/vips.h>
#include "media_proc.h"
#include "../media/sniff.h"

enum { PIMG_Q = 80, PIMG_EFFORT = 2 };   /* as media thumbnails (media_proc.c) */

void preview_image_key(const char *page_url, char key[STORE_SHA_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"preview:", 8);
    crypto_hash_sha256_update(&st, (const unsigned char *)page_url, strlen(page_url));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(key, STORE_SHA_HEX, h, sizeof h);
}

/* The one loader each accepted type may be read with. */
typedef struct pimg_fmt {
    const char *mime;
    int (*load)(void *buf, size_t len, VipsImage **out, ...);
} pimg_fmt;

static const pimg_fmt pimg_fmts[] = {
    {"image/jpeg", vips_jpegload_buffer},
    {"image/png", vips_pngload_buffer},
    {"image/webp", vips_webpload_buffer},
    {"image/gif", vips_gifload_buffer},
    {NULL, NULL},
};

/* Writes bytes[0..n) as key's file through tmp/ (an atomic rename). 0 or -1. */
static int pimg_write(const char *dir, const char *key, const void *bytes, size_t n)
{
    char tmp[STORE_PATH_MAX], dst[STORE_PATH_MAX];
    if (store_tmp_path(dir, tmp) || store_preview_path(dir, key, dst)) return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 && store_init(dir) == 0) fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return -1;
    int ok = write(fd, bytes, n) == (ssize_t)n;
    ok &= close(fd) == 0;
    if (!ok || store_mkparents(dst) || rename(tmp, dst)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

err_t preview_image_make(const config *cfg, const void *data, size_t n, const char *key, int *w, int *h, char *why,
                         size_t whylen)
{
    *w = *h = 0;
    char mime[SNIFF_MIME_MAX];
    const pimg_fmt *f = NULL;
    if (sniff_buffer(data, n, mime) == 0)
        for (const pimg_fmt *i = pimg_fmts; i->mime; i++)
            if (!strcmp(i->mime, mime)) f = i;
    if (!f) {
        snprintf(why, whylen, "not a PNG, JPEG, GIF or WebP image but %s", mime);
        return ERR_OK;
    }
    VipsImage *hd = NULL, *t = NULL;
    void *out = NULL;                         /* g_malloc'd by libvips; freed here */
    size_t len = 0;
    err_t e = ERR_OK;
    /* Only the header first: a sequential load decodes nothing until pixels are asked for. */
    if (f->load((void *)data, n, &hd, "access", VIPS_ACCESS_SEQUENTIAL, NULL)) {
        snprintf(why, whylen, "%s: not a readable image", mime);
        goto out;
    }
    long long pixels = (long long)vips_image_get_width(hd) * vips_image_get_page_height(hd);
    if (pixels > cfg->max_pixels) {
        snprintf(why, whylen, "%d x %d is over PARLEY_MAX_PIXELS: not decoded", vips_image_get_width(hd),
                 vips_image_get_page_height(hd));
        goto out;
    }
    /* The first frame, shrunk while loading where the format can (JPEG, WebP: a fraction of
     * the time and memory), turned upright, never upscaled. libvips picks the loader by the
     * same magic bytes libmagic and the header check above agreed on. */
    if (vips_thumbnail_buffer((void *)data, n, &t, PREVIEW_IMAGE_BOX, "height", PREVIEW_IMAGE_BOX, "size",
                              VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, NULL) ||
        vips_webpsave_buffer(t, &out, &len, "Q", PIMG_Q, "effort", PIMG_EFFORT, "strip", TRUE, NULL)) {
        snprintf(why, whylen, "%s: cannot be decoded", mime);
        goto out;
    }
    len = media_proc_webp_strip(out, len);
    if (pimg_write(cfg->media_dir, key, out, len)) {
        snprintf(why, whylen, "the media directory refused the preview image");
        e = ERR_UNAVAILABLE;
        goto out;
    }
    *w = vips_image_get_width(t);
    *h = vips_image_get_height(t);
out:
    if (out) g_free(out);
    if (t) g_object_unref(t);
    if (hd) g_object_unref(hd);
    vips_error_clear();
    return e;
}
