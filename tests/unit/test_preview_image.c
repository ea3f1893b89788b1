/* test_preview_image.c — a link preview's image: og:image URLs resolved against the page's
 * (absolute, scheme-relative, root-relative, relative, with a query or a fragment; data:,
 * javascript: and user names refused), the file key, and the thumbnail: a PNG becomes a
 * WebP of at most 320 px a side in previews/, while text, an SVG and a header declaring
 * too many pixels are refused without a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "../../cgi/worker/preview_image.h"
#include "../../cgi/worker/media_proc.h"
#include "../../cgi/core/outbound.h"

static void resolves(const char *base, const char *ref, const char *want)
{
    char out[OUTBOUND_URL_MAX + 1];
    int rc = preview_image_url(base, ref, out, sizeof out);
    if (!want) {
        assert_int_equal(rc, -1);
        return;
    }
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

static void test_url(void **state)
{
    (void)state;
    const char *page = "https://news.example.org/a/b/story.html?id=7";
    resolves(page, "https://cdn.example.net/i.png", "https://cdn.example.net/i.png");
    resolves(page, "HTTP://cdn.example.net/i.png", "http://cdn.example.net/i.png");
    resolves(page, "//cdn.example.net/i.png", "https://cdn.example.net/i.png");
    resolves(page, "/img/i.png", "https://news.example.org/img/i.png");
    resolves(page, "i.png", "https://news.example.org/a/b/i.png");
    resolves(page, "../c/i.png?w=1", "https://news.example.org/a/b/../c/i.png?w=1");
    resolves(page, "  /img/i.png#top \n", "https://news.example.org/img/i.png");
    resolves(page, "?big=1", "https://news.example.org/a/b/story.html?big=1");
    resolves("http://127.0.0.1:8081", "x.png", "http://127.0.0.1:8081/x.png");
    resolves("http://[::1]:9000/p/q", "/x.png", "http://[::1]:9000/x.png");
    resolves("https://example.org:443/p", "/x.png", "https://example.org/x.png");
    resolves(page, "data:image/png;base64,AAAA", NULL);
    resolves(page, "javascript:alert(1)", NULL);
    resolves(page, "ftp://example.org/i.png", NULL);
    resolves(page, "https://user:pw@example.org/i.png", NULL);
    resolves(page, "", NULL);
    resolves(page, "#only", NULL);
    resolves(page, "/with space.png", NULL);
    resolves("not a url", "/x.png", NULL);
    char small[16];
    assert_int_equal(preview_image_url(page, "/a/very/long/path.png", small, sizeof small), -1);
}

static void test_key(void **state)
{
    (void)state;
    char a[STORE_SHA_HEX], b[STORE_SHA_HEX];
    preview_image_key("https://example.org/", a);
    preview_image_key("https://example.org/", b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    preview_image_key("https://example.org/x", b);
    assert_string_not_equal(a, b);
}

/* A grey RGB PNG of w × h (declared; rows of real data only when real). Caller frees. */
static unsigned char *png(unsigned w, unsigned h, int real, size_t *n)
{
    size_t raw = real ? (size_t)h * (1 + w * 3) : 64;
    unsigned char *rows = calloc(1, raw);
    for (size_t i = 0; real && i < raw; i++) rows[i] = i % (1 + w * 3) ? 0x80 : 0;
    uLongf zn = compressBound(raw);
    unsigned char *z = malloc(zn);
    compress(z, &zn, rows, raw);
    free(rows);
    unsigned char *b = malloc(8 + 25 + 12 + zn + 12);
    size_t at = 0;
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    at = 8;
    unsigned char ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h, 8, 2, 0, 0, 0};
    const struct { const char *type; const unsigned char *d; size_t len; } ch[] = {
        {"IHDR", ihdr, 13}, {"IDAT", z, zn}, {"IEND", NULL, 0}};
    for (int i = 0; i < 3; i++) {
        b[at] = (unsigned char)(ch[i].len >> 24); b[at + 1] = (unsigned char)(ch[i].len >> 16);
        b[at + 2] = (unsigned char)(ch[i].len >> 8); b[at + 3] = (unsigned char)ch[i].len;
        memcpy(b + at + 4, ch[i].type, 4);
        if (ch[i].len) memcpy(b + at + 8, ch[i].d, ch[i].len);
        uLong crc = crc32(0, b + at + 4, (uInt)(4 + ch[i].len));
        at += 8 + ch[i].len;
        b[at] = (unsigned char)(crc >> 24); b[at + 1] = (unsigned char)(crc >> 16);
        b[at + 2] = (unsigned char)(crc >> 8); b[at + 3] = (unsigned char)crc;
        at += 4;
    }
    free(z);
    *n = at;
    return b;
}

static char dir[] = "/tmp/parley-preview-XXXXXX";

static void test_make(void **state)
{
    (void)state;
    config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.media_dir = dir;
    cfg.max_pixels = 50LL * 1000 * 1000;
    char key[STORE_SHA_HEX], why[256] = "", path[STORE_PATH_MAX];
    preview_image_key("http://example.org/page", key);
    assert_int_equal(store_preview_path(dir, key, path), 0);
    int w, h;
    size_t n;
    unsigned char *b = png(640, 400, 1, &n);
    assert_int_equal(preview_image_make(&cfg, b, n, key, &w, &h, why, sizeof why), ERR_OK);
    free(b);
    assert_int_equal(w, 320);
    assert_int_equal(h, 200);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char head[12];
    assert_int_equal(fread(head, 1, 12, f), 12);
    fclose(f);
    assert_memory_equal(head, "RIFF", 4);
    assert_memory_equal(head + 8, "WEBP", 4);
    unlink(path);
    /* Small images are not made bigger. */
    b = png(40, 30, 1, &n);
    assert_int_equal(preview_image_make(&cfg, b, n, key, &w, &h, why, sizeof why), ERR_OK);
    free(b);
    assert_int_equal(w, 40);
    assert_int_equal(h, 30);
    unlink(path);
    /* Not an image, whatever the server called it; an SVG; a bomb's header. */
    static const char text[] = "<html><body>not a picture</body></html>";
    assert_int_equal(preview_image_make(&cfg, text, sizeof text - 1, key, &w, &h, why, sizeof why), ERR_OK);
    assert_int_equal(w, 0);
    assert_non_null(strstr(why, "not a PNG"));
    static const char svg[] = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    assert_int_equal(preview_image_make(&cfg, svg, sizeof svg - 1, key, &w, &h, why, sizeof why), ERR_OK);
    assert_int_equal(w, 0);
    b = png(50000, 50000, 0, &n);
    assert_int_equal(preview_image_make(&cfg, b, n, key, &w, &h, why, sizeof why), ERR_OK);
    free(b);
    assert_int_equal(w, 0);
    assert_non_null(strstr(why, "PARLEY_MAX_PIXELS"));
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!mkdtemp(dir) || media_proc_init(argv[0])) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_make),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) rc = rc ? rc : 1;
    media_proc_shutdown();
    return rc;
}
