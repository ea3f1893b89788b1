/* media_proc.c — see media_proc.h. */
#include "media_proc.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>
#include "../app/events.h"
#include "../core/log.h"
#include "../media/store.h"
#include "../core/clock.h"

extern char **environ;

enum {
    MPROC_TOOL_S = 60,        /* ffmpeg and ffprobe together, at most (and half the job lease) */
    MPROC_CLEAN_Q = 90,       /* quality of the re-encoded original (JPEG, WebP) */
    MPROC_THUMB_Q = 80,       /* quality of the WebP thumbnails */
    MPROC_THUMB_EFFORT = 2,   /* WebP effort for thumbnails: a fifth less CPU than the default 4 */
    MPROC_CLEAN_EFFORT = 4,   /* libvips' default, for a full-size WebP people download */
};

const db_stmt media_proc_stmts[] = {
    {"mproc_load", "SELECT sha256, mime, kind, uploader_id FROM media WHERE id = $1::bigint"},
    /* Only one still processing: an earlier attempt may have saved it after all. */
    {"mproc_gave_up", "UPDATE media SET state = 'failed' WHERE id = $1::bigint AND state = 'processing' RETURNING kind"},
    {"mproc_save",
     /* A size the worker could not read keeps the one the upload read from the header. */
     "UPDATE media SET width = COALESCE($2::int, width), height = COALESCE($3::int, height), duration_ms = $4::int, thumbs = $5::boolean,"
     "  clean = $6::boolean, kind = $7, mime = $8, state = $9 WHERE id = $1::bigint"},
    /* Who may see it: the uploader and the members of every conversation carrying it. */
    {"mproc_audience",
     "SELECT uploader_id FROM media WHERE id = $1::bigint"
     " UNION SELECT mb.user_id FROM message_media mm JOIN members mb ON mb.conversation_id = mm.conversation_id"
     " WHERE mm.media_id = $1::bigint"},
    {NULL, NULL},
};

/* An image type the worker decodes: only this loader ever opens such a file. */
typedef struct mproc_fmt {
    const char *mime;
    int (*load)(const char *filename, VipsImage **out, ...);
    int clean;                /* re-encoded without metadata; GIFs are served as they are */
} mproc_fmt;

static const mproc_fmt mproc_fmts[] = {
    {"image/jpeg", vips_jpegload, 1},
    {"image/png", vips_pngload, 1},
    {"image/webp", vips_webpload, 1},
    {"image/gif", vips_gifload, 0},
    {NULL, NULL, 0},
};

/* The entry for a sniffed type, or NULL when the worker never decodes it. */
static const mproc_fmt *mproc_fmt_find(const char *mime)
{
    for (const mproc_fmt *f = mproc_fmts; f->mime; f++)
        if (!strcmp(f->mime, mime)) return f;
    return NULL;
}

/* What processing found, written to the row. */
typedef struct mproc_out {
    int width, height;        /* upright size; 0 when unknown */
    long long duration_ms;    /* -1 when unknown */
    int thumbs, clean, failed;
    const char *kind, *mime;  /* a voice note in WebM turns from video into audio */
} mproc_out;

int media_proc_init(const char *argv0)
{
    if (VIPS_INIT(argv0)) return -1;
    vips_concurrency_set(1);        /* one thread per pipeline: jobs already run in parallel */
    vips_cache_set_max(0);          /* every image is new: a cache only holds memory */
    vips_block_untrusted_set(TRUE); /* loaders not fit for hostile input can never run */
    return 0;
}

void media_proc_shutdown(void) { vips_shutdown(); }

/* Logs libvips' error text (process-wide, so possibly mixed with another job's) and clears it. */
static void mproc_vips_error(long long id, const char *what)
{
    const char *m = vips_error_buffer();
    size_t n = strcspn(m, "\n");
    log_warn("media %lld: %s: %.*s", id, what, (int)(n > 300 ? 300 : n), m);
    vips_error_clear();
}

/* After libvips failed to write: 1 when the disk itself refuses (retry the job later), 0
 * when it was the image (it cannot be decoded). */
static int mproc_disk_refuses(const char *dir)
{
    char p[STORE_PATH_MAX];
    static const char probe[4096];
    if (store_tmp_path(dir, p)) return 1;
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return 1;
    int bad = write(fd, probe, sizeof probe) != (ssize_t)sizeof probe;
    close(fd);
    unlink(p);
    return bad;
}

/* Moves tmp to the derived file what of sha. ERR_UNAVAILABLE when the disk refuses. */
static err_t mproc_place(const char *dir, const char *tmp, const char *sha, const char *what)
{
    char dst[STORE_PATH_MAX];
    if (store_derived_path(dir, sha, what, dst) || store_mkparents(dst) || rename(tmp, dst)) {
        unlink(tmp);
        return ERR_UNAVAILABLE;
    }
    return ERR_OK;
}

size_t media_proc_webp_strip(unsigned char *b, size_t n)
{
    if (n < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WEBP", 4)) return n;
    size_t in = 12, out = 12;
    while (in + 8 <= n) {
        size_t len = (size_t)b[in + 4] | (size_t)b[in + 5] << 8 | (size_t)b[in + 6] << 16 | (size_t)b[in + 7] << 24;
        size_t whole = 8 + len + (len & 1);
        if (whole > n - in) return n;                       /* malformed: leave it alone */
        if (!memcmp(b + in, "VP8X", 4) && len >= 1) b[in + 8] &= (unsigned char)~0x0c;   /* no EXIF, no XMP */
        if (memcmp(b + in, "EXIF", 4) && memcmp(b + in, "XMP ", 4)) {
            memmove(b + out, b + in, whole);
            out += whole;
        }
        in += whole;
    }
    size_t riff = out - 8;
    b[4] = (unsigned char)riff;
    b[5] = (unsigned char)(riff >> 8);
    b[6] = (unsigned char)(riff >> 16);
    b[7] = (unsigned char)(riff >> 24);
    return out;
}

/* Saves im as WebP (quality q, effort 0-6) without metadata into derived what of sha; *bad
 * when libvips failed (decoding happens here: the pipeline runs as it is encoded). libvips 8.14 writes EXIF
 * (GPS included) and XMP into WebP despite "strip", so the chunks are cut out here. */
static err_t mproc_save_webp(const char *dir, VipsImage *im, const char *sha, const char *what, int q, int effort,
                             int *bad)
{
    char tmp[STORE_PATH_MAX];
    void *buf = NULL;                          /* g_malloc'd by libvips; freed here */
    size_t len = 0;
    if (vips_webpsave_buffer(im, &buf, &len, "Q", q, "effort", effort, "strip", TRUE, NULL)) {
        *bad = 1;
        return ERR_OK;
    }
    len = media_proc_webp_strip(buf, len);
    int fd = store_tmp_path(dir, tmp) ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
    if (fd >= 0) ok &= close(fd) == 0;
    g_free(buf);
    if (!ok) {
        if (fd >= 0) unlink(tmp);
        return ERR_UNAVAILABLE;
    }
    return mproc_place(dir, tmp, sha, what);
}

/* t1280.webp from src (shrink-on-load, upright), then t320.webp from that in memory, so the
 * source is decoded once. *bad when the image cannot be decoded. */
static err_t mproc_thumbs(const char *dir, const char *src, const char *sha, int *bad)
{
    VipsImage *big = NULL, *mem = NULL, *small = NULL;
    err_t e = ERR_OK;
    if (vips_thumbnail(src, &big, 1280, "height", 1280, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, NULL) ||
        !(mem = vips_image_copy_memory(big))) {     /* at most 1280 × 1280 × 4 bytes */
        *bad = 1;
        goto out;
    }
    if ((e = mproc_save_webp(dir, mem, sha, "t1280.webp", MPROC_THUMB_Q, MPROC_THUMB_EFFORT, bad)) || *bad) goto out;
    if (vips_thumbnail_image(mem, &small, 320, "height", 320, "size", VIPS_SIZE_DOWN, "no_rotate", TRUE, NULL)) {
        *bad = 1;
        goto out;
    }
    e = mproc_save_webp(dir, small, sha, "t320.webp", MPROC_THUMB_Q, MPROC_THUMB_EFFORT, bad);
out:
    if (small) g_object_unref(small);
    if (mem) g_object_unref(mem);
    if (big) g_object_unref(big);
    return e;
}

/* "clean": the image upright, re-encoded in its own format without any metadata. An image
 * that must turn by 90° is read with random access (libvips keeps it in memory up to
 * 100 MB, beyond that in a temporary file); everything else streams. */
static err_t mproc_clean(const char *dir, const mproc_fmt *f, const char *src, const char *sha, int pages, int turn, int *bad)
{
    VipsImage *in = NULL, *up = NULL;
    char tmp[STORE_PATH_MAX];
    err_t e = ERR_OK;
    VipsAccess access = turn ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL;
    /* An animation keeps all its frames (and is not turned: its frames are stacked). */
    int rc = pages > 1 ? f->load(src, &in, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, "n", -1, NULL)
                       : f->load(src, &in, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!rc && pages > 1) up = g_object_ref(in);
    else if (!rc) rc = vips_autorot(in, &up, NULL);
    if (rc) {
        *bad = 1;
        goto out;
    }
    if (!strcmp(f->mime, "image/webp")) {
        e = mproc_save_webp(dir, up, sha, "clean", MPROC_CLEAN_Q, MPROC_CLEAN_EFFORT, bad);
        goto out;
    }
    if (store_tmp_path(dir, tmp)) { e = ERR_INTERNAL; goto out; }
    if (!strcmp(f->mime, "image/jpeg")) rc = vips_jpegsave(up, tmp, "Q", MPROC_CLEAN_Q, "strip", TRUE, NULL);
    else rc = vips_pngsave(up, tmp, "strip", TRUE, NULL);
    if (rc) {
        unlink(tmp);
        *bad = 1;
        goto out;
    }
    e = mproc_place(dir, tmp, sha, "clean");
out:
    if (up) g_object_unref(up);
    if (in) g_object_unref(in);
    return e;
}

/* An image file (an upload, or a video's poster frame) of type f: thumbnails, and clean
 * when want_clean; fills o's size, thumbs, clean and failed. */
static err_t mproc_image(const config *cfg, long long id, const mproc_fmt *f, const char *src, const char *sha,
                         int want_clean, mproc_out *o)
{
    VipsImage *h;
    /* Only the header: a sequential load decodes nothing until pixels are asked for. */
    if (f->load(src, &h, "access", VIPS_ACCESS_SEQUENTIAL, NULL)) {
        mproc_vips_error(id, "not a readable image");
        o->failed = 1;
        return ERR_OK;
    }
    int pages = vips_image_get_n_pages(h);
    int w = vips_image_get_width(h), hh = vips_image_get_page_height(h);
    int turn = vips_image_get_orientation_swap(h);
    g_object_unref(h);
    long long pixels = (long long)w * hh * (pages > 0 ? pages : 1);
    if (pixels > cfg->max_pixels) {
        log_warn("media %lld: %d x %d x %d pages is over PARLEY_MAX_PIXELS (%lld): not decoded", id, w, hh, pages,
                 cfg->max_pixels);
        o->failed = 1;
        return ERR_OK;
    }
    int bad = 0;
    err_t e = mproc_thumbs(cfg->media_dir, src, sha, &bad);
    if (!e && !bad && want_clean && f->clean) {
        e = mproc_clean(cfg->media_dir, f, src, sha, f->load == vips_webpload ? pages : 1, turn, &bad);
        o->clean = !e && !bad;
    }
    if (!e && bad) {
        if (mproc_disk_refuses(cfg->media_dir)) e = ERR_UNAVAILABLE;
        mproc_vips_error(id, e ? "the disk refused a derived file" : "cannot be decoded");
    }
    if (e || bad) {
        o->failed = !e;
        o->clean = 0;
        return e;
    }
    o->thumbs = 1;
    o->width = turn ? hh : w;
    o->height = turn ? w : hh;
    return ERR_OK;
}

/* --- video and audio ---------------------------------------------------------------- */

/* 1 when both ffmpeg and ffprobe are on PATH; says once in the log when they are not. */
static int mproc_have_ffmpeg(void)
{
    static atomic_int known = -1;
    int k = atomic_load(&known);
    if (k >= 0) return k;
    const char *path = getenv("PATH");
    int found = 0;
    for (int tool = 0; tool < 2; tool++) {
        const char *name = tool ? "ffprobe" : "ffmpeg";
        int here = 0;
        for (const char *p = path ? path : ""; *p && !here;) {
            size_t n = strcspn(p, ":");
            char f[STORE_PATH_MAX];
            if (n && snprintf(f, sizeof f, "%.*s/%s", (int)n, p, name) < (int)sizeof f) here = access(f, X_OK) == 0;
            p += n + (p[n] == ':');
        }
        found += here;
    }
    k = found == 2;
    if (atomic_exchange(&known, k) < 0 && !k) log_warn("ffmpeg not installed: no video posters or durations");
    return k;
}

/* Runs argv (argv[0] from PATH; never a shell) with stdin from /dev/null and stdout into
 * out (NUL-terminated; what does not fit is read and dropped). Killed at deadline (of
 * clock_now_ms). Returns its exit status, -1 when it could not start, -2 when it was killed. */
static int mproc_tool(char *const argv[], long long deadline, char *out, size_t outlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC)) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);   /* no database or Redis socket leaks in */
    posix_spawnattr_init(&at);
    sigset_t none, dfl;          /* the worker blocks SIGTERM and ignores SIGPIPE: not the tool */
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGINT);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]);
    if (rc) {
        close(p[0]);
        return -1;
    }
    size_t n = 0;
    int killed = 0, st = 0;
    for (;;) {                                   /* read until EOF or the deadline */
        long long left = deadline - clock_now_ms();
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        if (left <= 0) { kill(pid, SIGKILL); killed = 1; break; }
        if (poll(&pf, 1, (int)left) <= 0) continue;
        char scratch[512];
        int room = n + 1 < outlen;
        ssize_t r = read(p[0], room ? out + n : scratch, room ? outlen - 1 - n : sizeof scratch);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (room) n += (size_t)r;
    }
    close(p[0]);
    out[n] = '\0';
    while (!killed && waitpid(pid, &st, WNOHANG) == 0) {   /* stdout closed: it should end now */
        if (clock_now_ms() > deadline) { kill(pid, SIGKILL); killed = 1; break; }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (killed) {
        waitpid(pid, &st, 0);
        return -2;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ffmpeg's demuxer for a sniffed type: the input is read as that container and nothing
 * else (no playlists, no other protocols). NULL: not one we process. */
static const char *mproc_demuxer(const char *mime)
{
    static const struct { const char *mime, *fmt; } m[] = {
        {"video/mp4", "mov"}, {"video/quicktime", "mov"}, {"audio/mp4", "mov"}, {"audio/x-m4a", "mov"},
        {"video/webm", "matroska"}, {"audio/webm", "matroska"}, {"video/x-matroska", "matroska"},
        {"audio/ogg", "ogg"}, {"video/ogg", "ogg"}, {"audio/mpeg", "mp3"}, {"audio/x-wav", "wav"},
        {"audio/wav", "wav"}, {"audio/flac", "flac"}, {"audio/x-flac", "flac"}, {NULL, NULL},
    };
    for (int i = 0; m[i].mime; i++)
        if (!strcmp(m[i].mime, mime)) return m[i].fmt;
    return NULL;
}

/* Video or audio: streams, duration and a poster frame. o->failed when ffprobe cannot read
 * it. ERR_UNAVAILABLE only for disk trouble with the poster. */
static err_t mproc_av(svc *s, long long id, const char *blob, const char *sha, mproc_out *o)
{
    const char *fmt = mproc_demuxer(o->mime);
    if (!fmt || !mproc_have_ffmpeg()) return ERR_OK;
    /* One budget for all three runs, well within the lease: a file that makes ffmpeg hang
     * must not outlive it (another worker would take the job and hang the same way). */
    long budget = s->cfg->job_lease / 2 < MPROC_TOOL_S ? s->cfg->job_lease / 2 : MPROC_TOOL_S;
    long long deadline = clock_now_ms() + (budget > 0 ? budget : 1) * 1000LL;
    char *in = arena_printf(s->a, "file:%s", blob);
    if (!in) return ERR_INTERNAL;
    char out[4096];
    char *probe[] = {"ffprobe", "-v", "error", "-protocol_whitelist", "file", "-f", (char *)fmt, "-show_entries",
                     "format=duration:stream=codec_type", "-of", "csv=p=0", in, NULL};
    int rc = mproc_tool(probe, deadline, out, sizeof out);
    if (rc) {
        log_warn("media %lld: ffprobe %s (%s)", id, rc == -2 ? "ran out of time" : "cannot read it", o->mime);
        o->failed = 1;
        return ERR_OK;
    }
    int video = 0, audio = 0;
    char *save;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {   /* "video", "audio", "2.000000" */
        char *end;
        double sec = strtod(line, &end);
        if (end != line && (*end == '\0' || *end == '\r') && sec >= 0 && sec < 1e7) o->duration_ms = (long long)(sec * 1000 + 0.5);
        else if (!strncmp(line, "video", 5)) video = 1;
        else if (!strncmp(line, "audio", 5)) audio = 1;
    }
    if (!video && audio && !strcmp(o->kind, "video")) {            /* a voice note in WebM */
        o->kind = "audio";
        if (!strcmp(o->mime, "video/webm")) o->mime = "audio/webm";
        else if (!strcmp(o->mime, "video/mp4")) o->mime = "audio/mp4";
    }
    if (o->duration_ms < 0 && (video || audio)) {
        /* Browsers' recordings carry no duration: count it while copying the packets. */
        char *count[] = {"ffmpeg", "-nostdin", "-v", "error", "-protocol_whitelist", "file", "-f", (char *)fmt, "-i", in,
                         "-map", "0", "-c", "copy", "-f", "null", "-progress", "pipe:1", "-stats_period", "3600", "-",
                         NULL};           /* one report at the end: it must fit in out */
        if (mproc_tool(count, deadline, out, sizeof out) == 0) {
            for (char *at = out; (at = strstr(at, "out_time_us=")); at++) {   /* the last report wins */
                long long us = atoll(at + 12);
                if (us >= 0) o->duration_ms = us / 1000;
            }
        }
    }
    if (!video) return ERR_OK;
    char png[STORE_PATH_MAX];
    if (store_tmp_path(s->cfg->media_dir, png)) return ERR_INTERNAL;
    char *frame[] = {"ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-protocol_whitelist", "file", "-f",
                     (char *)fmt, "-ss", "0", "-i", in, "-frames:v", "1", "-f", "image2", "-c:v", "png", "-y", png, NULL};
    if (mproc_tool(frame, deadline, out, sizeof out)) {
        unlink(png);
        log_warn("media %lld: ffmpeg made no poster frame; no thumbnail", id);
        return ERR_OK;                       /* it plays, maybe: a download without a poster */
    }
    mproc_out poster = {.duration_ms = -1};
    err_t e = mproc_image(s->cfg, id, mproc_fmt_find("image/png"), png, sha, 0, &poster);
    unlink(png);
    o->thumbs = poster.thumbs;
    o->width = poster.width;
    o->height = poster.height;
    return e;
}

/* --- the job ------------------------------------------------------------------------ */

/* "media.ready" to everyone who may see it (after the row is saved). */
static void mproc_publish(svc *s, long long id, const char *ids, const mproc_out *o, const char *state)
{
    PGresult *r;
    const char *p[] = {ids};
    if (db_exec(s->db, "mproc_audience", 1, p, &r)) {
        log_warn("media %lld: media.ready not published (database)", id);
        return;
    }
    size_t n = (size_t)PQntuples(r);
    long long *uids = arena_alloc(s->a, sizeof *uids * (n + 1));      /* arena-owned */
    for (size_t i = 0; uids && i < n; i++) uids[i] = atoll(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    if (!uids) return;
    json_t *m = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:b}", "id", (json_int_t)id, "state", state, "kind", o->kind,
                          "width", o->width ? json_integer(o->width) : json_null(),
                          "height", o->height ? json_integer(o->height) : json_null(),
                          "duration_ms", o->duration_ms >= 0 ? json_integer(o->duration_ms) : json_null(),
                          "thumbs", o->thumbs);
    ev_users(s, uids, n, m ? json_pack("{s:s, s:o}", "type", "media.ready", "media", m) : NULL);
}

err_t media_proc_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *v = json_object_get(payload, "media_id");
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        snprintf(why, whylen, "payload has no media_id");
        return ERR_INVALID_FIELD;
    }
    long long id = json_integer_value(v);
    const char *ids = id_str(s, id);
    const char *p[] = {ids};
    PGresult *r;
    err_t e = db_exec(s->db, "mproc_load", 1, p, &r);
    if (e) {
        snprintf(why, whylen, "loading media %lld: %s", id, err_lookup(e)->message);
        return e;
    }
    if (PQntuples(r) != 1) {                     /* deleted meanwhile: nothing to do */
        PQclear(r);
        log_info("media %lld: gone before it was processed", id);
        return ERR_OK;
    }
    const char *kind = PQgetvalue(r, 0, 2);
    if (strcmp(kind, "image") && strcmp(kind, "video") && strcmp(kind, "audio")) {
        log_warn("media %lld: kind %s is never processed; job ignored", id, kind);   /* files, opaque blobs */
        PQclear(r);
        return ERR_OK;
    }
    const char *sha = arena_strdup(s->a, PQgetvalue(r, 0, 0));
    mproc_out o = {.duration_ms = -1, .kind = arena_strdup(s->a, PQgetvalue(r, 0, 2)),
                   .mime = arena_strdup(s->a, PQgetvalue(r, 0, 1))};
    PQclear(r);
    char blob[STORE_PATH_MAX];
    struct stat st;
    if (!sha || !o.kind || !o.mime) return ERR_INTERNAL;
    if (store_blob_path(s->cfg->media_dir, sha, blob) || stat(blob, &st) || store_init(s->cfg->media_dir)) {
        snprintf(why, whylen, "media %lld: blob %.12s… missing or media directory unwritable", id, sha);
        return ERR_UNAVAILABLE;
    }
    const mproc_fmt *f = mproc_fmt_find(o.mime);
    if (!strcmp(o.kind, "image") && f) e = mproc_image(s->cfg, id, f, blob, sha, 1, &o);
    else if (!strcmp(o.kind, "image")) o.failed = 1;                  /* an image type we never decode */
    else e = mproc_av(s, id, blob, sha, &o);
    if (e) {
        snprintf(why, whylen, "media %lld: writing derived files: %s", id, err_lookup(e)->message);
        return e;
    }
    const char *state = o.failed ? "failed" : "ready";
    char w[16], h[16], d[24];
    snprintf(w, sizeof w, "%d", o.width);
    snprintf(h, sizeof h, "%d", o.height);
    snprintf(d, sizeof d, "%lld", o.duration_ms);
    const char *q[] = {ids, o.width ? w : NULL, o.height ? h : NULL, o.duration_ms >= 0 ? d : NULL,
                       o.thumbs ? "true" : "false", o.clean ? "true" : "false", o.kind, o.mime, state};
    if ((e = db_run(s->db, "mproc_save", 9, q))) {
        snprintf(why, whylen, "media %lld: saving: %s", id, err_lookup(e)->message);
        return e;
    }
    log_info("media %lld: %s %s %dx%d %lld ms%s%s", id, o.kind, state, o.width, o.height, o.duration_ms,
             o.thumbs ? " thumbs" : "", o.clean ? " clean" : "");
    malloc_trim(0);              /* give back what decoding took: jobs are rare, RSS is not */
    mproc_publish(s, id, ids, &o, state);
    return ERR_OK;
}

err_t media_proc_gave_up(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *v = json_object_get(payload, "media_id");
    if (!json_is_integer(v) || json_integer_value(v) < 1) return ERR_OK;      /* nothing it names */
    long long id = json_integer_value(v);
    const char *ids = id_str(s, id);
    const char *p[] = {ids};
    PGresult *r;
    err_t e = db_exec(s->db, "mproc_gave_up", 1, p, &r);
    if (e) {
        snprintf(why, whylen, "media %lld: marking it failed: %s", id, err_lookup(e)->message);
        return e;
    }
    mproc_out o = {.duration_ms = -1, .kind = PQntuples(r) == 1 ? arena_strdup(s->a, PQgetvalue(r, 0, 0)) : NULL};
    PQclear(r);
    if (!o.kind) return ERR_OK;                  /* gone, or no longer processing */
    log_warn("media %lld: processing failed for good; marked failed", id);
    mproc_publish(s, id, ids, &o, "failed");
    return ERR_OK;
}
