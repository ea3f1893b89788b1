/* test_media_proc.c — the media worker's pure part: cutting EXIF and XMP out of WebP files
 * (libvips 8.14 writes them despite "strip"). The handler itself runs on real files in
 * tests/stack/test_media.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../cgi/worker/media_proc.h"

/* Appends a chunk (padded to even length) at b + *n. */
static void chunk(unsigned char *b, size_t *n, const char *type, const char *data, size_t len)
{
    memcpy(b + *n, type, 4);
    b[*n + 4] = (unsigned char)len;
    b[*n + 5] = b[*n + 6] = b[*n + 7] = 0;
    memcpy(b + *n + 8, data, len);
    *n += 8 + len;
    if (len & 1) b[(*n)++] = 0;
}

static size_t riff(unsigned char *b, size_t n)
{
    memcpy(b, "RIFF", 4);
    b[4] = (unsigned char)(n - 8);
    b[5] = (unsigned char)((n - 8) >> 8);
    b[6] = b[7] = 0;
    memcpy(b + 8, "WEBP", 4);
    return n;
}

static void test_webp_strip(void **state)
{
    (void)state;
    unsigned char b[512];
    size_t n = 12;
    chunk(b, &n, "VP8X", "\x2c\0\0\0\x31\0\0\x31\0\0", 10);   /* ICC + EXIF + XMP flags */
    chunk(b, &n, "ICCP", "icc", 3);
    chunk(b, &n, "VP8 ", "pixels", 6);
    chunk(b, &n, "EXIF", "Exif\0\0GPS 48N", 14);
    chunk(b, &n, "XMP ", "<x:xmpmeta/>", 12);
    riff(b, n);
    size_t m = media_proc_webp_strip(b, n);
    unsigned char want[512];
    size_t k = 12;
    chunk(want, &k, "VP8X", "\x20\0\0\0\x31\0\0\x31\0\0", 10);
    chunk(want, &k, "ICCP", "icc", 3);
    chunk(want, &k, "VP8 ", "pixels", 6);
    riff(want, k);
    assert_int_equal(m, k);
    assert_memory_equal(b, want, k);
    assert_int_equal(media_proc_webp_strip(b, m), m);          /* nothing left to cut */
}

static void test_webp_strip_leaves_the_rest(void **state)
{
    (void)state;
    unsigned char b[64] = "RIFF\0\0\0\0WEBPEXIF\xff\0\0\0";      /* a chunk longer than the file */
    assert_int_equal(media_proc_webp_strip(b, 20), 20);
    assert_memory_equal(b + 12, "EXIF", 4);
    unsigned char png[16] = "\x89PNG\r\n\x1a\nEXIF";
    assert_int_equal(media_proc_webp_strip(png, 16), 16);
    assert_int_equal(media_proc_webp_strip(png, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webp_strip),
        cmocka_unit_test(test_webp_strip_leaves_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
