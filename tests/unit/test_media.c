/* test_media.c — the pieces of uploads that need no server: the streaming multipart parser
 * (however the body is cut), tus headers, image sizes from headers, file names, what is shown
 * inline, the blob store on a scratch directory, and download headers. */
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
#include "unit_fixture.h"
#include "../../cgi/app/media.h"
#include "../../cgi/http/multipart.h"
#include "../../cgi/http/resp.h"
#include "../../cgi/http/tus.h"
#include "../../cgi/media/imghdr.h"
#include "../../cgi/media/sniff.h"
#include "../../cgi/media/store.h"

/* ---- multipart ---- */

typedef struct seen {
    char log[4096];        /* "B name|file;" … data … "E;" */
    size_t n;
    int stop_at_begin;     /* make the n-th begin fail */
    int begins;
} seen;

static void put(seen *s, const char *p, size_t n)
{
    if (s->n + n >= sizeof s->log) n = sizeof s->log - s->n - 1;
    memcpy(s->log + s->n, p, n);
    s->n += n;
    s->log[s->n] = '\0';
}

static int t_begin(void *ud, const mp_part *p)
{
    seen *s = ud;
    if (++s->begins == s->stop_at_begin) return -1;
    char b[1024];
    snprintf(b, sizeof b, "B %s|%s|%s|%d;", p->name, p->filename, p->content_type, p->is_file);
    put(s, b, strlen(b));
    return 0;
}
static int t_data(void *ud, const char *d, size_t n) { put(ud, d, n); return 0; }
static int t_end(void *ud) { put(ud, "E;", 2); return 0; }
static const mp_cb CB = {t_begin, t_data, t_end};

static err_t parse_in_steps(const char *body, size_t len, size_t step, seen *s)
{
    static mp m;
    memset(s, 0, sizeof *s);
    err_t e = mp_init(&m, "multipart/form-data; boundary=\"b0und\"");
    assert_int_equal(e, ERR_OK);
    for (size_t off = 0; off < len && !e; off += step)
        e = mp_feed(&m, body + off, len - off < step ? len - off : step, &CB, s);
    return e ? e : mp_finish(&m);
}

static const char FORM[] =
    "preamble is ignored\r\n"
    "--b0und\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nT0K\r\n"
    "--b0und\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
    "Content-Type: image/png\r\n\r\n\x89PNG\r\n--b0un not yet\r\n\r\n"
    "--b0und\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
    "--b0und--\r\nepilogue";

static void test_multipart_any_cut(void **state)
{
    (void)state;
    seen whole, cut;
    assert_int_equal(parse_in_steps(FORM, sizeof FORM - 1, sizeof FORM, &whole), ERR_OK);
    assert_string_equal(whole.log, "B csrf_token|||0;T0KE;B file|a \"b\".png|image/png|1;\x89PNG\r\n--b0un not yet\r\nE;"
                                   "B empty|||0;E;");
    for (size_t step = 1; step < 40; step++) {
        assert_int_equal(parse_in_steps(FORM, sizeof FORM - 1, step, &cut), ERR_OK);
        assert_string_equal(cut.log, whole.log);
    }
}

static void test_multipart_bad(void **state)
{
    (void)state;
    static mp m;
    seen s;
    assert_int_equal(mp_init(&m, "application/json"), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(mp_init(&m, "multipart/form-data"), ERR_BAD_REQUEST);
    assert_int_equal(mp_init(&m, "multipart/form-data; boundary="), ERR_BAD_REQUEST);
    assert_int_equal(mp_init(&m, "multipart/form-data; boundary=a<b"), ERR_BAD_REQUEST);
    assert_true(mp_is_multipart("Multipart/Form-Data; boundary=x"));
    assert_false(mp_is_multipart("multipart/form-datax"));
    /* unterminated, no disposition, header block too long */
    const char *cut = "--b0und\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nxyz";
    assert_int_equal(parse_in_steps(cut, strlen(cut), 5, &s), ERR_BAD_REQUEST);
    const char *nodisp = "--b0und\r\nContent-Type: text/plain\r\n\r\nx\r\n--b0und--";
    assert_int_equal(parse_in_steps(nodisp, strlen(nodisp), 64, &s), ERR_BAD_REQUEST);
    size_t big = MP_MAX_HEADER + 100;
    char *h = malloc(big + 64);
    assert_non_null(h);
    strcpy(h, "--b0und\r\nX: ");
    memset(h + 12, 'a', big);
    strcpy(h + 12 + big, "\r\n\r\n");
    assert_int_equal(parse_in_steps(h, strlen(h), 4096, &s), ERR_BAD_REQUEST);
    free(h);
}

static void test_multipart_callback_stops(void **state)
{
    (void)state;
    static mp m;
    seen s;
    memset(&s, 0, sizeof s);
    s.stop_at_begin = 2;
    assert_int_equal(mp_init(&m, "multipart/form-data; boundary=b0und"), ERR_OK);
    err_t e = mp_feed(&m, FORM, sizeof FORM - 1, &CB, &s);
    assert_int_equal(e, ERR_BAD_REQUEST);
    assert_int_equal(s.begins, 2);
    assert_int_equal(mp_feed(&m, "more", 4, &CB, &s), ERR_BAD_REQUEST);   /* nothing after a stop */
}

/* ---- tus ---- */

static void test_tus(void **state)
{
    (void)state;
    long long v;
    assert_int_equal(tus_number("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(tus_number("104857600", &v), 0);
    assert_int_equal(v, 104857600);
    assert_int_equal(tus_number("-1", &v), -1);
    assert_int_equal(tus_number(" 1", &v), -1);
    assert_int_equal(tus_number("12345678901234567", &v), -1);
    assert_int_equal(tus_number("", &v), -1);
    assert_int_equal(tus_number(NULL, &v), -1);
    char name[TUS_MAX_NAME], type[TUS_MAX_TYPE];
    /* "résumé.pdf", "application/pdf", and a key without a value */
    assert_int_equal(tus_metadata("filename csOpc3Vtw6kucGRm,filetype YXBwbGljYXRpb24vcGRm,is_confidential", name, type), 0);
    assert_string_equal(name, "r\xc3\xa9sum\xc3\xa9.pdf");
    assert_string_equal(type, "application/pdf");
    assert_int_equal(tus_metadata(NULL, name, type), 0);
    assert_string_equal(name, "");
    assert_int_equal(tus_metadata("filename !!!", name, type), -1);           /* not base64 */
    assert_int_equal(tus_metadata("filename YQ==,filename Yg==", name, type), -1);   /* repeated */
    assert_int_equal(tus_metadata("filename YQ==,", name, type), -1);          /* trailing comma */
    assert_int_equal(tus_metadata("filename AA==", name, type), -1);           /* a NUL inside */
    assert_int_equal(tus_metadata("filename Cg==", name, type), -1);           /* a newline */
}

/* ---- image sizes ---- */

static void test_imghdr(void **state)
{
    (void)state;
    long w, h;
    unsigned char png[24] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                             0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50};           /* 50,000 × 50,000 */
    assert_int_equal(imghdr_size(png, sizeof png, &w, &h), 0);
    assert_int_equal(w, 50000);
    assert_int_equal(h, 50000);
    assert_int_equal(imghdr_size(png, 20, &w, &h), -1);                         /* cut short */
    unsigned char gif[10] = {'G', 'I', 'F', '8', '9', 'a', 0x40, 0x01, 0xf0, 0x00};
    assert_int_equal(imghdr_size(gif, sizeof gif, &w, &h), 0);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    /* JPEG: an APP1 segment first, then SOF2 (progressive) 600 × 400 */
    unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x06, 'E', 'x', 'i', 'f', 0xff, 0xc2, 0x00, 0x11, 0x08,
                           0x01, 0x90, 0x02, 0x58, 0x03};
    assert_int_equal(imghdr_size(jpg, sizeof jpg, &w, &h), 0);
    assert_int_equal(w, 600);
    assert_int_equal(h, 400);
    jpg[3] = 0xda;                                                             /* scan before a frame */
    assert_int_equal(imghdr_size(jpg, sizeof jpg, &w, &h), -1);
    unsigned char zero[24];
    memcpy(zero, png, sizeof zero);
    memset(zero + 16, 0, 8);                                                   /* 0 × 0 is no image */
    assert_int_equal(imghdr_size(zero, sizeof zero, &w, &h), -1);
    assert_int_equal(imghdr_size((const unsigned char *)"hello", 5, &w, &h), -1);
}

/* ---- names and kinds ---- */

static void test_clean_name(void **state)
{
    arena *a = *state;
    assert_string_equal(media_clean_name(a, "photo.jpg"), "photo.jpg");
    assert_string_equal(media_clean_name(a, "C:\\Users\\me\\cv.pdf"), "cv.pdf");
    assert_string_equal(media_clean_name(a, "../../etc/passwd"), "passwd");
    assert_string_equal(media_clean_name(a, "evil\xe2\x80\xaegnp.exe"), "evilgnp.exe");   /* RLO */
    assert_string_equal(media_clean_name(a, "tab\tand\x01""ctl"), "tabandctl");
    assert_string_equal(media_clean_name(a, ".hidden"), "hidden");
    assert_string_equal(media_clean_name(a, "dir/"), "file");
    assert_string_equal(media_clean_name(a, "\xff\xfe"), "file");                          /* not UTF-8 */
    assert_string_equal(media_clean_name(a, "caf\xc3\xa9 \xf0\x9f\x93\xb7.png"), "caf\xc3\xa9 \xf0\x9f\x93\xb7.png");
    char longname[600];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(strlen(media_clean_name(a, longname)), 255);
}

static void test_sniff_kind(void **state)
{
    (void)state;
    char m[SNIFF_MIME_MAX];
    strcpy(m, "image/png");
    assert_string_equal(sniff_kind(m, NULL), "image");
    strcpy(m, "image/svg+xml");
    assert_string_equal(sniff_kind(m, "image/svg+xml"), "file");            /* never inline */
    strcpy(m, "text/html");
    assert_string_equal(sniff_kind(m, "image/png"), "file");                /* the claim is ignored */
    strcpy(m, "video/webm");
    assert_string_equal(sniff_kind(m, NULL), "video");
    assert_string_equal(sniff_kind(m, "audio/webm;codecs=opus"), "audio");   /* a voice note */
    assert_string_equal(m, "audio/webm");
    strcpy(m, "video/mp4");
    assert_string_equal(sniff_kind(m, "audio/mp4"), "video");
    strcpy(m, "audio/ogg");
    assert_string_equal(sniff_kind(m, NULL), "audio");
}

/* ---- the store ---- */

static void test_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/parley-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char media[256];
    snprintf(media, sizeof media, "%s/media", dir);                 /* created on first use */
    store_put p;
    assert_int_equal(store_put_begin(media, &p), ERR_OK);
    assert_int_equal(store_put_write(&p, "hello ", 6), ERR_OK);
    assert_int_equal(store_put_write(&p, "world", 5), ERR_OK);
    char sha[STORE_SHA_HEX];
    assert_int_equal(store_put_finish(&p, sha), ERR_OK);
    assert_string_equal(sha, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    assert_int_equal(p.size, 11);
    char tmp[STORE_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", p.tmp);
    assert_int_equal(store_put_commit(media, &p, sha), ERR_OK);
    char path[STORE_PATH_MAX];
    assert_int_equal(store_blob_path(media, sha, path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 11);
    assert_int_not_equal(stat(tmp, &st), 0);                          /* moved, not copied */
    /* the same bytes again: the new temporary file is dropped, the blob stays */
    assert_int_equal(store_put_begin(media, &p), ERR_OK);
    assert_int_equal(store_put_write(&p, "hello world", 11), ERR_OK);
    assert_int_equal(store_put_finish(&p, sha), ERR_OK);
    snprintf(tmp, sizeof tmp, "%s", p.tmp);
    assert_int_equal(store_put_commit(media, &p, sha), ERR_OK);
    assert_int_not_equal(stat(tmp, &st), 0);
    long long size;
    char sha2[STORE_SHA_HEX];
    assert_int_equal(store_hash_file(path, sha2, &size), ERR_OK);
    assert_string_equal(sha2, sha);
    /* an aborted put leaves nothing */
    assert_int_equal(store_put_begin(media, &p), ERR_OK);
    snprintf(tmp, sizeof tmp, "%s", p.tmp);
    store_put_abort(&p);
    store_put_abort(&p);
    assert_int_not_equal(stat(tmp, &st), 0);
    /* names that are not hashes never become paths */
    assert_int_equal(store_blob_path(media, "../../etc/passwd", path), -1);
    assert_string_equal(path, "");
    assert_int_equal(store_derived_path(media, sha, "../x", path), -1);
    assert_int_equal(store_upload_path(media, "0123456789abcdef0123456789abcdeg", path), -1);
    assert_int_equal(store_rel_path(sha, "t320.webp", path), 0);
    assert_string_equal(path, "derived/b9/4d/b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9.t320.webp");
    store_blob_delete(media, sha);
    assert_int_not_equal(stat(path, &st), 0);
    /* A media directory whose tmp/ someone else made first (a data export did): the blob's
     * whole tree is created on commit all the same. */
    char other[300];
    snprintf(other, sizeof other, "%s/other", dir);
    assert_int_equal(mkdir(other, 0750), 0);
    snprintf(tmp, sizeof tmp, "%s/tmp", other);
    assert_int_equal(mkdir(tmp, 0750), 0);
    assert_int_equal(store_put_begin(other, &p), ERR_OK);
    assert_int_equal(store_put_write(&p, "hello world", 11), ERR_OK);
    assert_int_equal(store_put_finish(&p, sha), ERR_OK);
    assert_int_equal(store_put_commit(other, &p, sha), ERR_OK);
    assert_int_equal(store_blob_path(other, sha, path), 0);
    assert_int_equal(stat(path, &st), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- download headers ---- */

static void test_download_headers(void **state)
{
    (void)state;
    resp r;
    buf out;
    resp_init(&r);
    buf_init(&out);
    r.content_type = "image/png";
    r.file_path = "/nonexistent";
    r.file_length = 1234;
    resp_header(&r, "Content-Disposition", "inline; filename=\"a.png\"");
    resp_serialize(&r, 0, &out);
    const char *s = out.data;
    assert_non_null(strstr(s, "Content-Length: 1234\r\n"));
    assert_non_null(strstr(s, "Content-Security-Policy: sandbox; default-src 'none'\r\n"));
    assert_non_null(strstr(s, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(s, "Cache-Control: private"));
    assert_null(strstr(s, "no-store"));
    assert_null(strstr(s, "script-src"));
    assert_int_equal(strcmp(s + out.len - 4, "\r\n\r\n"), 0);          /* the bytes follow */
    buf_reset(&out);
    r.file_by_server = 1;                                               /* the web server sends it */
    resp_serialize(&r, 0, &out);
    assert_null(strstr(out.data, "Content-Length"));
    resp_free(&r);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multipart_any_cut),
        cmocka_unit_test(test_multipart_bad),
        cmocka_unit_test(test_multipart_callback_stops),
        cmocka_unit_test(test_tus),
        cmocka_unit_test(test_imghdr),
        cmocka_unit_test_setup_teardown(test_clean_name, arena_setup, arena_teardown),
        cmocka_unit_test(test_sniff_kind),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_download_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
