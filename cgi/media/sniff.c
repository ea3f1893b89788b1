/* sniff.c — see sniff.h. */
#include "sniff.h"
#include <magic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static __thread magic_t sniff_handle;   /* per thread: a libmagic handle is not shareable */

/* This thread's libmagic handle, loaded on first use; 0 or -1. */
static int sniff_open(void)
{
    if (sniff_handle) return 0;
    sniff_handle = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
                              MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
    if (!sniff_handle) return -1;
    if (magic_load(sniff_handle, NULL)) { magic_close(sniff_handle); sniff_handle = NULL; return -1; }
    return 0;
}

int sniff_buffer(const void *data, size_t n, char mime[SNIFF_MIME_MAX])
{
    snprintf(mime, SNIFF_MIME_MAX, "application/octet-stream");
    if (sniff_open()) return -1;
    const char *t = magic_buffer(sniff_handle, data, n);
    if (!t) return -1;
    if (strlen(t) < SNIFF_MIME_MAX && strchr(t, '/')) snprintf(mime, SNIFF_MIME_MAX, "%s", t);
    return 0;
}

int sniff_file(const char *path, char mime[SNIFF_MIME_MAX])
{
    snprintf(mime, SNIFF_MIME_MAX, "application/octet-stream");
    if (sniff_open()) return -1;
    const char *t = magic_file(sniff_handle, path);
    if (!t) return -1;
    if (strlen(t) < SNIFF_MIME_MAX && strchr(t, '/')) snprintf(mime, SNIFF_MIME_MAX, "%s", t);
    return 0;
}

const char *sniff_kind(char mime[SNIFF_MIME_MAX], const char *declared)
{
    static const char *const images[] = {"image/png", "image/jpeg", "image/gif", "image/webp", NULL};
    static const char *const videos[] = {"video/mp4", "video/webm", "video/ogg", NULL};
    static const char *const audios[] = {"audio/ogg", "audio/mp4", "audio/x-m4a", "audio/webm", "audio/mpeg",
                                         "audio/x-wav", "audio/wav", "audio/flac", "audio/x-flac", NULL};
    for (int i = 0; images[i]; i++) if (!strcmp(mime, images[i])) return "image";
    for (int i = 0; audios[i]; i++) if (!strcmp(mime, audios[i])) return "audio";
    for (int i = 0; videos[i]; i++)
        if (!strcmp(mime, videos[i])) {
            /* Same container magic for sound only: trust the client just for which player. */
            if (declared && !strncasecmp(declared, "audio/", 6) && strcmp(mime, "video/mp4")) {
                memcpy(mime, "audio", 5);           /* "video/x" → "audio/x" */
                return "audio";
            }
            return "video";
        }
    return "file";
}
