/* preview_image.h — a link preview's image: the page's og:image resolved against the page's
 * URL (preview_url.h), its bytes (fetched by preview_fetch.h through the outbound guard, at most
 * PREVIEW_IMAGE_MAX bytes in PREVIEW_IMAGE_TIMEOUT_S) sniffed with libmagic (PNG, JPEG, GIF
 * or WebP only, whatever the Content-Type said), its header read first by that format's
 * loader alone (more than cfg->max_pixels pixels and it is never decoded), then made into a
 * WebP thumbnail of at most PREVIEW_IMAGE_BOX pixels a side without metadata, written to
 * the media directory's previews/ under the URL's key (store.h). The fetched bytes are never
 * kept nor served: only the thumbnail made here is. Needs libvips started (media_proc_init). */
#ifndef PARLEY_PREVIEW_IMAGE_H
#define PARLEY_PREVIEW_IMAGE_H
#include <stddef.h>
#include "../core/config.h"
#include "../core/err.h"
#include "../media/store.h"
#include "preview_url.h"

enum { PREVIEW_IMAGE_BOX = 320, PREVIEW_IMAGE_MAX = 2 << 20, PREVIEW_IMAGE_TIMEOUT_S = 5 };

/* The file key of a page URL's image: hex SHA-256 of "preview:" and the URL. */
void preview_image_key(const char *page_url, char key[STORE_SHA_HEX]);
/* Makes the thumbnail of data[0..n) (the caller's) as key's file. ERR_OK with *w and *h its
 * size; ERR_OK with *w = *h = 0 and why set when the bytes are refused (not one of the four
 * types, too many pixels, cannot be decoded); ERR_UNAVAILABLE when the disk refuses. */
err_t preview_image_make(const config *cfg, const void *data, size_t n, const char *key, int *w, int *h, char *why,
                         size_t whylen);

#endif
