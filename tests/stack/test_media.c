/* test_media.c — the media.process and media.cleanup jobs on real files, PostgreSQL and
 * Redis, as parley-worker runs them: images made here with libvips (a 12-megapixel JPEG with
 * EXIF GPS, an upright-by-EXIF JPEG, a PNG that declares 50,000 × 50,000 pixels in 1 KB, a
 * corrupt JPEG), a video and a voice note made with ffmpeg. Run by the stack tests
 * (PARLEY_DB and PARLEY_REDIS name the test stack's); the media directory is a scratch
 * directory of its own. The process's peak RSS must stay under TEST_MEDIA_RSS_MB. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <vips/vips.h>
#include <zlib.h>
#include "../../cgi/app/dispatch.h"
#include "../../cgi/app/users.h"
#include "../../cgi/media/store.h"
#include "../../cgi/worker/kinds.h"
#include "../../cgi/worker/media_gc.h"
#include "../../cgi/worker/media_proc.h"

/* The bound on the process's peak RSS while a job runs (this test under AddressSanitizer
 * included): thumbnails and a clean copy of a 12-megapixel JPEG, the 2.5-gigapixel PNG. */
#define TEST_MEDIA_RSS_MB 200

static config cfg;
static char dir[256];           /* the scratch media directory */
static char tmpdir[300];        /* where the test makes its inputs */
static int have_ffmpeg;

typedef struct fix {
    worker w;                   /* for users_create */
    db d;                       /* the worker's statements */
    kv k;
    arena a;
    svc s;                      /* the handlers' context, as runner.c makes it */
    long long uid;
} fix;

static int setup(void **state)
{
    fix *f = test_calloc(1, sizeof *f);
    worker_init(&f->w, &cfg);
    svc us;
    worker_svc(&f->w, &us);
    char name[40];
    unsigned char r[4];
    randombytes_buf(r, sizeof r);
    snprintf(name, sizeof name, "media%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
    user_row *u;
    assert_int_equal(users_create(&us, name, "Media Test", "media password", &u), ERR_OK);
    f->uid = u->id;
    db_init(&f->d, cfg.db, cfg.backend_timeout_ms, kinds_stmts());
    kv_init(&f->k, cfg.redis, cfg.backend_timeout_ms);
    arena_init(&f->a);
    f->s = (svc){.cfg = &cfg, .db = &f->d, .kv = &f->k, .a = &f->a};
    assert_int_equal(db_ensure(&f->d), ERR_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    db_close(&f->d);
    kv_close(&f->k);
    arena_free(&f->a);
    worker_free(&f->w);
    test_free(f);
    return 0;
}

/* One row of SQL with text parameters (test set-up only); the first value, or "". */
static char *sql1(fix *f, char *out, size_t n, const char *q, int np, const char *const *p)
{
    PGresult *r = PQexecParams(f->d.conn, q, np, NULL, p, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) fail_msg("%s: %s", q, PQerrorMessage(f->d.conn));
    snprintf(out, n, "%s", st == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return out;
}

/* Stores file as an upload of f's user would: the blob by hash, a media row; its id. */
static long long upload(fix *f, const char *file, const char *mime, const char *kind, char sha[STORE_SHA_HEX])
{
    long long size;
    assert_int_equal(store_hash_file(file, sha, &size), ERR_OK);
    assert_int_equal(store_adopt(dir, file, sha), ERR_OK);
    char uid[24], sz[24], id[24];
    snprintf(uid, sizeof uid, "%lld", f->uid);
    snprintf(sz, sizeof sz, "%lld", size);
    const char *p[] = {uid, sha, sz, mime, kind};
    sql1(f, id, sizeof id,
         "INSERT INTO media (uploader_id, sha256, size, name, mime, kind, state) VALUES ($1::bigint, $2, $3::bigint,"
         " 'test', $4, $5, CASE WHEN $5 IN ('image', 'video') THEN 'processing' ELSE 'ready' END) RETURNING id",
         5, p);
    return atoll(id);
}

static long vm_hwm_kb(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
    if (fp) fclose(fp);
    return kb;
}

/* Starts the peak RSS afresh from the current RSS (Linux: clear_refs 5), so that what a job
 * adds is measured apart from what set-up (a password hash, making the inputs) used. */
static void vm_hwm_reset(void)
{
    FILE *fp = fopen("/proc/self/clear_refs", "w");
    assert_non_null(fp);
    fputs("5", fp);
    fclose(fp);
}

static long job_peak_kb;        /* the highest peak RSS seen while a job ran */

/* Runs the handler as the worker would; asserts it succeeded. */
static void process(fix *f, long long id)
{
    char why[512] = "";
    json_t *payload = json_pack("{s:I}", "media_id", (json_int_t)id);
    arena_reset(&f->a);
    vm_hwm_reset();
    err_t e = media_proc_run(&f->s, payload, why, sizeof why);
    long kb = vm_hwm_kb();
    if (kb > job_peak_kb) job_peak_kb = kb;
    json_decref(payload);
    if (e) fail_msg("media.process %lld: %s", id, why);
}

typedef struct row { char state[16], kind[8], mime[32]; int width, height, thumbs, clean; long long duration_ms; } row;

static row load(fix *f, long long id)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[] = {ids};
    PGresult *r = PQexecParams(f->d.conn,
                               "SELECT state, kind, mime, coalesce(width, 0), coalesce(height, 0), thumbs, clean,"
                               " coalesce(duration_ms, -1) FROM media WHERE id = $1::bigint", 1, NULL, p, NULL, NULL, 0);
    assert_int_equal(PQntuples(r), 1);
    row w;
    snprintf(w.state, sizeof w.state, "%s", PQgetvalue(r, 0, 0));
    snprintf(w.kind, sizeof w.kind, "%s", PQgetvalue(r, 0, 1));
    snprintf(w.mime, sizeof w.mime, "%s", PQgetvalue(r, 0, 2));
    w.width = atoi(PQgetvalue(r, 0, 3));
    w.height = atoi(PQgetvalue(r, 0, 4));
    w.thumbs = !strcmp(PQgetvalue(r, 0, 5), "t");
    w.clean = !strcmp(PQgetvalue(r, 0, 6), "t");
    w.duration_ms = atoll(PQgetvalue(r, 0, 7));
    PQclear(r);
    return w;
}

/* The derived file what of sha: NULL when absent, else its header (caller unrefs). */
static VipsImage *derived(const char *sha, const char *what)
{
    char p[STORE_PATH_MAX];
    assert_int_equal(store_derived_path(dir, sha, what, p), 0);
    if (access(p, F_OK)) return NULL;
    VipsImage *im = vips_image_new_from_file(p, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    assert_non_null(im);
    return im;
}

static int exists(const char *sha, const char *what)
{
    char p[STORE_PATH_MAX];
    if (what) store_derived_path(dir, sha, what, p);
    else store_blob_path(dir, sha, p);
    return access(p, F_OK) == 0;
}

/* A thumbnail exists, is WebP, fits a box of side box, and carries no EXIF. */
static void assert_thumb(const char *sha, const char *what, int box, int *w, int *h)
{
    VipsImage *t = derived(sha, what);
    assert_non_null(t);
    assert_string_equal(vips_foreign_find_load(t->filename), "VipsForeignLoadWebpFile");
    assert_true(t->Xsize <= box && t->Ysize <= box);
    assert_true(t->Xsize == box || t->Ysize == box);
    assert_int_equal(vips_image_get_typeof(t, VIPS_META_EXIF_NAME), 0);
    *w = t->Xsize;
    *h = t->Ysize;
    g_object_unref(t);
}

/* A JPEG (or a WebP when the path ends so) of w × h from libvips (a gradient, so it is no
 * trivial file), with EXIF GPS when gps, and an EXIF orientation when orient > 1. */
static void make_jpeg(const char *path, int w, int h, int gps, int orient)
{
    VipsImage *x, *rgb, *u;
    assert_int_equal(vips_xyz(&x, w, h, NULL), 0);
    VipsImage *b[3];
    assert_int_equal(vips_extract_band(x, &b[0], 0, NULL), 0);
    assert_int_equal(vips_extract_band(x, &b[1], 1, NULL), 0);
    assert_int_equal(vips_add(b[0], b[1], &b[2], NULL), 0);
    assert_int_equal(vips_bandjoin(b, &rgb, 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(rgb, &u, NULL), 0);
    if (gps) {
        vips_image_set_string(u, "exif-ifd0-Make", "Parley Test Camera");
        vips_image_set_string(u, "exif-ifd3-GPSLatitudeRef", "N");
        vips_image_set_string(u, "exif-ifd3-GPSLatitude", "48/1 51/1 24/1");
        vips_image_set_string(u, "exif-ifd3-GPSLongitudeRef", "E");
        vips_image_set_string(u, "exif-ifd3-GPSLongitude", "2/1 21/1 3/1");
    }
    if (orient > 1) vips_image_set_int(u, VIPS_META_ORIENTATION, orient);
    size_t pl = strlen(path);
    if (pl > 5 && !strcmp(path + pl - 5, ".webp")) assert_int_equal(vips_webpsave(u, path, "Q", 85, NULL), 0);
    else assert_int_equal(vips_jpegsave(u, path, "Q", 85, NULL), 0);
    for (int i = 0; i < 3; i++) g_object_unref(b[i]);
    g_object_unref(x);
    g_object_unref(rgb);
    g_object_unref(u);
}

static void path_in_tmp(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", tmpdir, name); }

/* The 12-megapixel photo with GPS: thumbnails fit their boxes, nothing served keeps EXIF,
 * and the uploader hears media.ready. */
static void test_photo_with_gps(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "photo.jpg");
    make_jpeg(file, 4000, 3000, 1, 1);
    VipsImage *orig = vips_image_new_from_file(file, NULL);
    assert_non_null(orig);
    assert_true(vips_image_get_typeof(orig, "exif-ifd3-GPSLatitude") != 0);   /* the input really has GPS */
    g_object_unref(orig);
    long long id = upload(f, file, "image/jpeg", "image", sha);

    kv listener;                                          /* a subscriber, as an events hub is */
    kv_init(&listener, cfg.redis, cfg.backend_timeout_ms);
    assert_int_equal(kv_ensure(&listener), ERR_OK);
    redisContext *sub = listener.c;
    redisReply *rr = redisCommand(sub, "SUBSCRIBE parley:u:%lld", f->uid);
    assert_non_null(rr);
    freeReplyObject(rr);

    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_int_equal(w.width, 4000);
    assert_int_equal(w.height, 3000);
    assert_true(w.thumbs && w.clean);
    int tw, th;
    assert_thumb(sha, "t1280.webp", 1280, &tw, &th);
    assert_int_equal(tw, 1280);
    assert_int_equal(th, 960);
    assert_thumb(sha, "t320.webp", 320, &tw, &th);
    assert_int_equal(th, 240);
    VipsImage *clean = derived(sha, "clean");
    assert_non_null(clean);
    assert_string_equal(vips_foreign_find_load(clean->filename), "VipsForeignLoadJpegFile");
    assert_int_equal(clean->Xsize, 4000);
    assert_int_equal(vips_image_get_typeof(clean, VIPS_META_EXIF_NAME), 0);
    assert_int_equal(vips_image_get_typeof(clean, "exif-ifd3-GPSLatitude"), 0);
    g_object_unref(clean);

    struct timeval tv = {5, 0};
    redisSetTimeout(sub, tv);
    void *reply = NULL;
    assert_int_equal(redisGetReply(sub, &reply), REDIS_OK);
    rr = reply;
    assert_true(rr->type == REDIS_REPLY_ARRAY && rr->elements == 3);
    json_t *ev = json_loads(rr->element[2]->str, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "media.ready");
    json_t *m = json_object_get(ev, "media");
    assert_int_equal(json_integer_value(json_object_get(m, "id")), id);
    assert_string_equal(json_string_value(json_object_get(m, "state")), "ready");
    assert_int_equal(json_integer_value(json_object_get(m, "width")), 4000);
    assert_true(json_is_true(json_object_get(m, "thumbs")));
    json_decref(ev);
    freeReplyObject(rr);
    kv_close(&listener);

    process(f, id);                                        /* a second run changes nothing */
    w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_true(w.thumbs && w.clean);
}

/* A WebP with EXIF GPS: its clean copy and thumbnails carry no EXIF (libvips 8.14 would
 * keep it in WebP despite "strip"). */
static void test_webp_with_gps(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "photo.webp");
    make_jpeg(file, 1600, 1200, 1, 1);
    VipsImage *orig = vips_image_new_from_file(file, NULL);
    assert_non_null(orig);
    assert_true(vips_image_get_typeof(orig, "exif-ifd3-GPSLatitude") != 0);
    g_object_unref(orig);
    long long id = upload(f, file, "image/webp", "image", sha);
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_true(w.thumbs && w.clean);
    int tw, th;
    assert_thumb(sha, "t1280.webp", 1280, &tw, &th);
    assert_thumb(sha, "t320.webp", 320, &tw, &th);
    VipsImage *clean = derived(sha, "clean");
    assert_string_equal(vips_foreign_find_load(clean->filename), "VipsForeignLoadWebpFile");
    assert_int_equal(clean->Xsize, 1600);
    assert_int_equal(vips_image_get_typeof(clean, VIPS_META_EXIF_NAME), 0);
    assert_int_equal(vips_image_get_typeof(clean, "exif-ifd3-GPSLatitude"), 0);
    g_object_unref(clean);
}

/* EXIF orientation 6 (turn 90°): the stored size and every derived file are upright. */
static void test_orientation(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "turned.jpg");
    make_jpeg(file, 800, 600, 0, 6);
    long long id = upload(f, file, "image/jpeg", "image", sha);
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_int_equal(w.width, 600);
    assert_int_equal(w.height, 800);
    int tw, th;
    assert_thumb(sha, "t320.webp", 320, &tw, &th);
    assert_int_equal(tw, 240);
    assert_int_equal(th, 320);
    VipsImage *big = derived(sha, "t1280.webp");           /* fits as it is: never upscaled */
    assert_int_equal(big->Xsize, 600);
    assert_int_equal(big->Ysize, 800);
    g_object_unref(big);
    VipsImage *clean = derived(sha, "clean");
    assert_int_equal(clean->Xsize, 600);
    assert_int_equal(clean->Ysize, 800);
    assert_int_equal(vips_image_get_typeof(clean, VIPS_META_ORIENTATION), 0);
    g_object_unref(clean);
}

/* A small image is never upscaled (t1280 of a 1000-pixel image stays 1000 pixels). */
static void test_small_png(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "small.png");
    VipsImage *x, *u;
    assert_int_equal(vips_xyz(&x, 1000, 500, NULL), 0);
    assert_int_equal(vips_cast_uchar(x, &u, NULL), 0);
    assert_int_equal(vips_pngsave(u, file, NULL), 0);
    g_object_unref(x);
    g_object_unref(u);
    long long id = upload(f, file, "image/png", "image", sha);
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    VipsImage *t = derived(sha, "t1280.webp");
    assert_int_equal(t->Xsize, 1000);
    g_object_unref(t);
    VipsImage *clean = derived(sha, "clean");
    assert_string_equal(vips_foreign_find_load(clean->filename), "VipsForeignLoadPngFile");
    g_object_unref(clean);
}

/* A GIF of frames frames of 200 × 200 (an animation when more than one). */
static void make_gif(const char *path, int frames)
{
    VipsImage *x, *u;
    assert_int_equal(vips_xyz(&x, 200, 200 * frames, NULL), 0);
    assert_int_equal(vips_cast_uchar(x, &u, NULL), 0);
    vips_image_set_int(u, VIPS_META_PAGE_HEIGHT, 200);
    assert_int_equal(vips_gifsave(u, path, NULL), 0);
    g_object_unref(x);
    g_object_unref(u);
}

/* GIFs: thumbnails of the first frame, no clean copy (served as they are); the pixel limit
 * counts every frame, so a long animation under it per frame but over it in all is refused. */
static void test_gif(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "one.gif");
    make_gif(file, 1);
    long long id = upload(f, file, "image/gif", "image", sha);
    long long limit = cfg.max_pixels;
    cfg.max_pixels = 1000000;                                   /* 25 frames of 200 × 200 */
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_true(w.thumbs);
    assert_false(w.clean);
    assert_int_equal(w.width, 200);
    assert_int_equal(w.height, 200);
    assert_false(exists(sha, "clean"));
    path_in_tmp(file, sizeof file, "long.gif");
    make_gif(file, 30);
    id = upload(f, file, "image/gif", "image", sha);
    process(f, id);
    cfg.max_pixels = limit;
    w = load(f, id);
    assert_string_equal(w.state, "failed");
    assert_false(w.thumbs);
    assert_false(exists(sha, "t320.webp"));
}

static void png_chunk(FILE *fp, const char *type, const unsigned char *data, uint32_t n)
{
    unsigned char len[4] = {n >> 24, n >> 16, n >> 8, n};
    fwrite(len, 1, 4, fp);
    fwrite(type, 1, 4, fp);
    if (n) fwrite(data, 1, n, fp);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    crc = crc32(crc, data, n);
    unsigned char c[4] = {crc >> 24, crc >> 16, crc >> 8, crc};
    fwrite(c, 1, 4, fp);
}

/* 1 KB that declares 50,000 × 50,000 RGB pixels (7.5 GB decoded): never decoded. */
static void test_decompression_bomb(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "bomb.png");
    FILE *fp = fopen(file, "wb");
    assert_non_null(fp);
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, fp);
    unsigned char ihdr[13] = {0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50, 8, 2, 0, 0, 0};   /* 50000 × 50000, 8-bit RGB */
    png_chunk(fp, "IHDR", ihdr, sizeof ihdr);
    static unsigned char rows[200000];                   /* the first rows: filter 0, black */
    unsigned char z[1024];
    uLongf zn = sizeof z;
    assert_int_equal(compress2(z, &zn, rows, sizeof rows, 9), Z_OK);
    png_chunk(fp, "IDAT", z, (uint32_t)zn);
    png_chunk(fp, "IEND", NULL, 0);
    fclose(fp);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_true(st.st_size < 2048);
    long long id = upload(f, file, "image/png", "image", sha);
    vm_hwm_reset();
    long before = vm_hwm_kb();                              /* the RSS the job starts from */
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "failed");
    assert_false(w.thumbs);
    assert_false(w.clean);
    assert_false(exists(sha, "t320.webp"));
    assert_false(exists(sha, "t1280.webp"));
    assert_false(exists(sha, "clean"));
    long after = vm_hwm_kb();
    print_message("decompression bomb: RSS %ld KB before the job, peak %ld KB during it\n", before, after);
    assert_true(after - before < 16 * 1024);              /* nothing was decoded */
}

/* Not an image at all after its first bytes: failed, and the job itself succeeds. */
static void test_corrupt_jpeg(void **state)
{
    fix *f = *state;
    char file[400], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "corrupt.jpg");
    FILE *fp = fopen(file, "wb");
    unsigned char junk[3000];
    randombytes_buf(junk, sizeof junk);
    fwrite("\xff\xd8\xff\xe0", 1, 4, fp);
    fwrite(junk, 1, sizeof junk, fp);
    fclose(fp);
    long long id = upload(f, file, "image/jpeg", "image", sha);
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "failed");
    assert_false(w.thumbs);
    assert_false(exists(sha, "t320.webp"));
}

/* A missing row (deleted meanwhile) is success; a payload without media_id is not. */
static void test_missing_row(void **state)
{
    fix *f = *state;
    process(f, 999999999999LL);
    char why[512] = "";
    json_t *payload = json_pack("{s:s}", "media_id", "x");
    assert_int_not_equal(media_proc_run(&f->s, payload, why, sizeof why), ERR_OK);
    json_decref(payload);
    assert_non_null(strstr(why, "media_id"));
}

static void run(const char *cmd)
{
    if (system(cmd)) fail_msg("%s failed", cmd);
}

/* Without ffmpeg on PATH (in a child process, before this process ever looked for it): the
 * video is ready, without poster or duration, and the log says why once. */
static void test_video_without_ffmpeg(void **state)
{
    fix *f = *state;
    if (!have_ffmpeg) skip();
    char file[400], cmd[1024], sha[STORE_SHA_HEX], log[420];
    path_in_tmp(file, sizeof file, "plain.webm");
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -f lavfi -i testsrc=duration=1:size=160x120 -c:v libvpx -deadline realtime -cpu-used 8 -y %s", file);
    run(cmd);
    long long ids[2] = {upload(f, file, "video/webm", "video", sha), 0};
    path_in_tmp(file, sizeof file, "plain2.webm");             /* other bytes: a second job */
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -f lavfi -i testsrc=duration=1:size=160x100 -c:v libvpx -deadline realtime -cpu-used 8 -y %s", file);
    run(cmd);
    ids[1] = upload(f, file, "video/webm", "video", sha);
    path_in_tmp(log, sizeof log, "noffmpeg.log");
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {                                             /* its own connections, no ffmpeg */
        FILE *lf = freopen(log, "w", stderr);
        setenv("PATH", "/nonexistent", 1);
        db d;
        kv k;
        arena a;
        db_init(&d, cfg.db, cfg.backend_timeout_ms, kinds_stmts());
        kv_init(&k, cfg.redis, cfg.backend_timeout_ms);
        arena_init(&a);
        svc c = {.cfg = &cfg, .db = &d, .kv = &k, .a = &a};
        int bad = !lf;
        for (int i = 0; i < 2; i++) {
            char why[512];
            json_t *payload = json_pack("{s:I}", "media_id", (json_int_t)ids[i]);
            bad |= media_proc_run(&c, payload, why, sizeof why) != ERR_OK;
            json_decref(payload);
        }
        fflush(stderr);
        _exit(bad);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    for (int i = 0; i < 2; i++) {
        row w = load(f, ids[i]);
        assert_string_equal(w.state, "ready");
        assert_int_equal(w.duration_ms, -1);
        assert_false(w.thumbs);
    }
    FILE *lf = fopen(log, "r");
    char line[512];
    int said = 0;
    while (lf && fgets(line, sizeof line, lf)) said += strstr(line, "ffmpeg not installed: no video posters or durations") != NULL;
    if (lf) fclose(lf);
    assert_int_equal(said, 1);
}

/* An ffprobe that hangs is killed within half the job lease: the job ends, the video is
 * failed (in a child process whose PATH finds a hanging ffprobe first). */
static void test_tool_deadline(void **state)
{
    fix *f = *state;
    char bin[420], tool[440], sha[STORE_SHA_HEX], file[400];
    path_in_tmp(bin, sizeof bin, "hangbin");
    mkdir(bin, 0700);
    for (int i = 0; i < 2; i++) {
        snprintf(tool, sizeof tool, "%s/%s", bin, i ? "ffprobe" : "ffmpeg");
        FILE *fp = fopen(tool, "w");
        assert_non_null(fp);
        fputs("#!/bin/sh\nexec sleep 30\n", fp);
        fclose(fp);
        chmod(tool, 0755);
    }
    path_in_tmp(file, sizeof file, "hang.webm");
    FILE *fp = fopen(file, "wb");
    fprintf(fp, "\x1a\x45\xdf\xa3 not really a video %u", randombytes_random());
    fclose(fp);
    long long id = upload(f, file, "video/webm", "video", sha);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char path[600];
        snprintf(path, sizeof path, "%s:/usr/bin:/bin", bin);
        setenv("PATH", path, 1);
        config c = cfg;
        c.job_lease = 4;                                        /* 2 s for the tools */
        db d;
        kv k;
        arena a;
        db_init(&d, c.db, c.backend_timeout_ms, kinds_stmts());
        kv_init(&k, c.redis, c.backend_timeout_ms);
        arena_init(&a);
        svc sc = {.cfg = &c, .db = &d, .kv = &k, .a = &a};
        char why[512];
        json_t *payload = json_pack("{s:I}", "media_id", (json_int_t)id);
        time_t t0 = time(NULL);
        int bad = media_proc_run(&sc, payload, why, sizeof why) != ERR_OK || time(NULL) - t0 > 6;
        fflush(stderr);
        _exit(bad);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    row w = load(f, id);
    assert_string_equal(w.state, "failed");
    assert_false(w.thumbs);
}

/* A 2-second video, in WebM and in MP4: its duration, a poster frame as thumbnails, its size. */
static void test_video(void **state)
{
    fix *f = *state;
    if (!have_ffmpeg) skip();
    static const struct { const char *name, *codecs, *mime; } clips[] = {
        {"clip.webm", "-c:v libvpx -deadline realtime -cpu-used 8 -c:a libopus", "video/webm"},
        {"clip.mp4", "-c:v libx264 -pix_fmt yuv420p -c:a aac", "video/mp4"},
    };
    for (size_t i = 0; i < sizeof clips / sizeof clips[0]; i++) {
        char file[400], cmd[1024], sha[STORE_SHA_HEX];
        path_in_tmp(file, sizeof file, clips[i].name);
        snprintf(cmd, sizeof cmd, "ffmpeg -v error -f lavfi -i testsrc=duration=2:size=320x240:rate=25 -f lavfi "
                 "-i sine=duration=2 %s -y %s", clips[i].codecs, file);
        run(cmd);
        long long id = upload(f, file, clips[i].mime, "video", sha);
        process(f, id);
        row w = load(f, id);
        assert_string_equal(w.state, "ready");
        assert_string_equal(w.kind, "video");
        assert_true(w.duration_ms >= 1900 && w.duration_ms <= 2100);
        assert_int_equal(w.width, 320);
        assert_int_equal(w.height, 240);
        assert_true(w.thumbs);
        assert_false(w.clean);
        int tw, th;
        assert_thumb(sha, "t320.webp", 320, &tw, &th);
        assert_int_equal(th, 240);
        VipsImage *t = derived(sha, "t1280.webp");            /* never upscaled */
        assert_int_equal(t->Xsize, 320);
        g_object_unref(t);
    }
}

/* A voice note as browsers record it: WebM with only an audio stream and no duration in
 * its header (written live, as MediaRecorder does), which libmagic calls video/webm: it
 * becomes audio, with its duration counted from the packets, and no poster. */
static void test_voice_note(void **state)
{
    fix *f = *state;
    if (!have_ffmpeg) skip();
    char file[400], cmd[1024], sha[STORE_SHA_HEX];
    path_in_tmp(file, sizeof file, "voice.webm");
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -f lavfi -i sine=duration=2 -c:a libopus -f webm -live 1 -y %s", file);
    run(cmd);
    long long id = upload(f, file, "video/webm", "video", sha);
    process(f, id);
    row w = load(f, id);
    assert_string_equal(w.state, "ready");
    assert_string_equal(w.kind, "audio");
    assert_string_equal(w.mime, "audio/webm");
    assert_true(w.duration_ms >= 1900 && w.duration_ms <= 2100);
    assert_false(w.thumbs);
    assert_int_equal(w.width, 0);
}

/* Sets a file's modification time to days ago. */
static void age(const char *path, int days)
{
    struct timespec t[2] = {{time(NULL) - days * 86400L, 0}, {time(NULL) - days * 86400L, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* media.cleanup: old unreferenced rows go with their blobs, unless another row shares the
 * blob; abandoned uploads, old temporary files and orphan blobs go. */
static void test_cleanup(void **state)
{
    fix *f = *state;
    char a[400], b[400], c[400], shared[STORE_SHA_HEX], alone[STORE_SHA_HEX], orphan[STORE_SHA_HEX], v[64];
    path_in_tmp(a, sizeof a, "old1.bin");
    path_in_tmp(b, sizeof b, "old2.bin");
    path_in_tmp(c, sizeof c, "orphan.bin");
    const char *files[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        FILE *fp = fopen(files[i], "wb");
        fprintf(fp, "bytes %d %u", i, randombytes_random());
        fclose(fp);
    }
    long long old_shared = upload(f, a, "application/pdf", "file", shared);
    path_in_tmp(a, sizeof a, "old1again.bin");              /* the same bytes, uploaded again today */
    char blob[STORE_PATH_MAX];
    store_blob_path(dir, shared, blob);
    char cmd[STORE_PATH_MAX * 2 + 16];
    snprintf(cmd, sizeof cmd, "cp %s %s", blob, a);
    run(cmd);
    char again_sha[STORE_SHA_HEX];
    long long recent = upload(f, a, "application/pdf", "file", again_sha);
    assert_string_equal(again_sha, shared);
    long long old_alone = upload(f, b, "application/pdf", "file", alone);
    long long old_message = upload(f, c, "application/pdf", "file", orphan);   /* kept: a message carries it */
    char ids[3][24];
    snprintf(ids[0], 24, "%lld", old_shared);
    snprintf(ids[1], 24, "%lld", old_alone);
    snprintf(ids[2], 24, "%lld", old_message);
    for (int i = 0; i < 3; i++) {
        const char *p[] = {ids[i]};
        sql1(f, v, sizeof v, "UPDATE media SET created_at = now() - interval '2 days' WHERE id = $1::bigint", 1, p);
    }
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", f->uid);
    const char *pu[] = {uid};
    sql1(f, v, sizeof v, "UPDATE users SET avatar_media_id = NULL WHERE id = $1::bigint", 1, pu);
    const char *pm[] = {uid, ids[2]};
    sql1(f, v, sizeof v,
         "WITH c AS (INSERT INTO conversations (kind, title, created_by) VALUES ('group', 'media gc', $1::bigint) RETURNING id),"
         " m AS (INSERT INTO messages (conversation_id, seq, sender_id, kind, body)"
         "       SELECT id, 1, $1::bigint, 'text', 'with a file' FROM c RETURNING conversation_id, seq)"
         " INSERT INTO message_media (conversation_id, seq, position, media_id) SELECT conversation_id, seq, 1, $2::bigint FROM m",
         2, pm);
    /* An abandoned resumable upload, an old and a new temporary file, an orphan blob. */
    unsigned char r[16];
    char up_id[33], up_path[STORE_PATH_MAX], old_tmp[STORE_PATH_MAX], new_tmp[STORE_PATH_MAX], orphan_blob[STORE_PATH_MAX];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(up_id, sizeof up_id, r, sizeof r);
    const char *pup[] = {up_id, uid};
    sql1(f, v, sizeof v, "INSERT INTO uploads (id, user_id, length, name, updated_at) VALUES ($1, $2::bigint, 10, 'x',"
         " now() - interval '2 days')", 2, pup);
    store_upload_path(dir, up_id, up_path);
    store_tmp_path(dir, old_tmp);
    store_tmp_path(dir, new_tmp);
    unsigned char ob[32];
    randombytes_buf(ob, sizeof ob);
    char ob_hex[65];
    sodium_bin2hex(ob_hex, sizeof ob_hex, ob, sizeof ob);
    store_blob_path(dir, ob_hex, orphan_blob);
    assert_int_equal(store_mkparents(orphan_blob), 0);
    const char *made[] = {up_path, old_tmp, new_tmp, orphan_blob};
    for (int i = 0; i < 4; i++) {
        FILE *fp = fopen(made[i], "wb");
        assert_non_null(fp);
        fputs("x", fp);
        fclose(fp);
    }
    age(old_tmp, 2);
    age(orphan_blob, 2);

    char why[512] = "";
    arena_reset(&f->a);
    assert_int_equal(media_gc_run(&f->s, NULL, why, sizeof why), ERR_OK);

    const char *p0[] = {ids[0]}, *p1[] = {ids[1]}, *p2[] = {ids[2]};
    assert_string_equal(sql1(f, v, sizeof v, "SELECT count(*) FROM media WHERE id = $1::bigint", 1, p0), "0");
    assert_string_equal(sql1(f, v, sizeof v, "SELECT count(*) FROM media WHERE id = $1::bigint", 1, p1), "0");
    assert_string_equal(sql1(f, v, sizeof v, "SELECT count(*) FROM media WHERE id = $1::bigint", 1, p2), "1");
    assert_true(exists(shared, NULL));                       /* the recent row still names it */
    assert_false(exists(alone, NULL));
    assert_true(exists(orphan, NULL));
    assert_false(access(orphan_blob, F_OK) == 0);
    assert_false(access(up_path, F_OK) == 0);
    assert_false(access(old_tmp, F_OK) == 0);
    assert_true(access(new_tmp, F_OK) == 0);
    const char *pid[] = {up_id};
    assert_string_equal(sql1(f, v, sizeof v, "SELECT count(*) FROM uploads WHERE id = $1", 1, pid), "0");
    (void)recent;
}

/* Last: the highest peak RSS while any job ran (the 12-megapixel photo, the bomb, video). */
static void test_peak_rss(void **state)
{
    (void)state;
    print_message("peak RSS of the process while a job ran: %ld MB (bound %d MB)\n", job_peak_kb / 1024,
                  TEST_MEDIA_RSS_MB);
    assert_true(job_peak_kb > 0 && job_peak_kb < TEST_MEDIA_RSS_MB * 1024L);
}

int main(int argc, char **argv)
{
    (void)argc;
    char err[256] = "";
    snprintf(dir, sizeof dir, "/tmp/parley-media-test.XXXXXX");
    if (!mkdtemp(dir) || store_init(dir)) { perror("test_media: scratch directory"); return 1; }
    snprintf(tmpdir, sizeof tmpdir, "%s/in", dir);
    mkdir(tmpdir, 0700);
    setenv("PARLEY_MEDIA_DIR", dir, 1);
    if (config_load(&cfg, err, sizeof err) || sodium_init() < 0 || users_init(&cfg) || media_proc_init(argv[0])) {
        fprintf(stderr, "test_media: %s\n", err);
        return 1;
    }
    have_ffmpeg = system("ffmpeg -version >/dev/null 2>&1 && ffprobe -version >/dev/null 2>&1") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decompression_bomb),
        cmocka_unit_test(test_photo_with_gps),
        cmocka_unit_test(test_webp_with_gps),
        cmocka_unit_test(test_orientation),
        cmocka_unit_test(test_small_png),
        cmocka_unit_test(test_gif),
        cmocka_unit_test(test_corrupt_jpeg),
        cmocka_unit_test(test_missing_row),
        cmocka_unit_test(test_video_without_ffmpeg),
        cmocka_unit_test(test_video),
        cmocka_unit_test(test_tool_deadline),
        cmocka_unit_test(test_voice_note),
        cmocka_unit_test(test_cleanup),
        cmocka_unit_test(test_peak_rss),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);   /* one user and connections for all */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) fprintf(stderr, "test_media: %s left behind\n", dir);
    media_proc_shutdown();
    config_free(&cfg);
    return rc;
}
