/* media.c — uploads and downloads: receiving files into the store (raw bodies, forms, and
 * resumable tus uploads), who may fetch what, and answering downloads through the web
 * server (X-Sendfile, X-Accel-Redirect) or by streaming, with Range. */
#include "media.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "module.h"
#include "../store/pgarr.h"
#include "conv.h"
#include "format.h"
#include "../http/multipart.h"
#include "people.h"
#include "users.h"
#include "secret.h"
#include "../core/log.h"
#include "../core/utf8.h"
#include "../http/tus.h"
#include "../media/imghdr.h"
#include "../media/sniff.h"
#include "../worker/jobs.h"

/* The row every read takes, and whether the caller ($2) may see it: the uploader, members of
 * a conversation holding a live message that carries it, anyone for a person's avatar,
 * members for a conversation's avatar. */
#define MEDIA_COLS "m.id, m.uploader_id, m.sha256, m.size, m.name, m.mime, m.kind, m.width, m.height, " \
                   "m.duration_ms, m.state, m.thumbs, m.clean"
enum { MD_ID, MD_UPLOADER, MD_SHA, MD_SIZE, MD_NAME, MD_MIME, MD_KIND, MD_W, MD_H, MD_DUR, MD_STATE, MD_THUMBS,
       MD_CLEAN };

const db_stmt media_stmts[] = {
    {"media_used", "SELECT COALESCE(sum(size), 0) FROM media WHERE uploader_id = $1"},
    {"media_insert", "INSERT INTO media (uploader_id, sha256, size, name, mime, kind, width, height, state) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"},
    /* Held (per session) while a blob is put in place and its row inserted, so that the
     * clean-up never deletes a blob that a new row is about to use. */
    {"media_lock", "SELECT pg_advisory_lock(hashtextextended($1, 0))"},
    {"media_unlock", "SELECT pg_advisory_unlock(hashtextextended($1, 0))"},
    {"media_get", "SELECT " MEDIA_COLS " FROM media m WHERE m.id = $1 AND (m.uploader_id = $2 "
                  "OR EXISTS (SELECT 1 FROM message_media mm JOIN messages g ON g.conversation_id = mm.conversation_id "
                  "AND g.seq = mm.seq AND g.deleted_at IS NULL JOIN members k ON k.conversation_id = mm.conversation_id "
                  "AND k.user_id = $2 WHERE mm.media_id = m.id) "
                  "OR EXISTS (SELECT 1 FROM users u WHERE u.avatar_media_id = m.id) "
                  "OR EXISTS (SELECT 1 FROM conversations v JOIN members k ON k.conversation_id = v.id AND k.user_id = $2 "
                  "WHERE v.avatar_media_id = m.id))"},
    {"media_own", "SELECT count(*) FROM media WHERE id = ANY($1::bigint[]) AND uploader_id = $2"},
    {"media_own_image", "SELECT 1 FROM media WHERE id = $1 AND uploader_id = $2 AND kind = 'image'"},
    {"media_avatar_me", "UPDATE users SET avatar_media_id = $2, updated_at = now() WHERE id = $1"},
    {"media_avatar_conv", "UPDATE conversations SET avatar_media_id = $2 WHERE id = $1"},
    {"upload_insert", "INSERT INTO uploads (id, user_id, length, name, opaque, declared) VALUES ($1, $2, $3, $4, $5, $6)"},
    {"upload_get", "SELECT length, \"offset\", name, opaque, media_id, declared FROM uploads WHERE id = $1 AND user_id = $2"},
    {"upload_offset", "UPDATE uploads SET \"offset\" = $3, updated_at = now() WHERE id = $1 AND user_id = $2"},
    {"upload_done", "UPDATE uploads SET media_id = $3, updated_at = now() WHERE id = $1 AND user_id = $2"},
    {"upload_delete", "DELETE FROM uploads WHERE id = $1 AND user_id = $2"},
    {NULL, NULL},
};

/* ---- names ---------------------------------------------------------------------------- */

/* Decodes the code point at s (valid UTF-8) into *cp; returns its length in bytes. */
static size_t media_cp(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    if (s[0] < 0xE0) { *cp = (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F); return 2; }
    if (s[0] < 0xF0) { *cp = (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F); return 3; }
    *cp = (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3F) << 12 | (unsigned)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return 4;
}

const char *media_clean_name(arena *a, const char *name)
{
    const char *base = name ? name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = strlen(base);
    char *out = arena_alloc(a, n + 1);
    if (!out) return "file";
    size_t o = 0;
    if (utf8_valid(base, n)) {
        for (size_t i = 0; i < n;) {
            unsigned cp;
            size_t l = media_cp((const unsigned char *)base + i, &cp);
            int drop = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || utf8_cp_refused(cp) ||
                       cp == 0x200c || cp == 0x200d;
            if (!drop && o + l <= 255) { memcpy(out + o, base + i, l); o += l; }
            i += l;
        }
    }
    while (o && out[o - 1] == ' ') o--;
    size_t lead = strspn(out, " .");                     /* no hidden-file or blank names */
    if (lead >= o) return "file";
    out[o] = '\0';
    return out + lead;
}

/* ---- receiving ------------------------------------------------------------------------ */

err_t media_put_begin(svc *c, media_put *m, const char *name, const char *declared, int opaque, long long expect)
{
    memset(m, 0, sizeof *m);
    m->sp.fd = -1;
    const char *me = id_str(c, c->user->id);
    PGresult *r;
    err_t e = db_exec(c->db, "media_used", 1, &me, &r);
    if (e) return e;
    long long used = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    long long left = c->cfg->media_quota - used;
    m->limit = c->cfg->max_upload;
    if (left < m->limit) { m->limit = left < 0 ? 0 : left; m->over_quota = 1; }
    if (expect > m->limit) return media_put_write(c, m, NULL, (size_t)expect);   /* the 413, nothing read */
    snprintf(m->name, sizeof m->name, "%s", media_clean_name(c->a, name));
    snprintf(m->declared, sizeof m->declared, "%s", declared ? declared : "");
    m->opaque = opaque;
    return store_put_begin(c->cfg->media_dir, &m->sp);
}

err_t media_put_write(svc *c, media_put *m, const void *data, size_t n)
{
    if (m->sp.size + (long long)n > m->limit) {
        media_put_abort(m);
        if (m->over_quota)
            return svc_fail(c, ERR_BODY_TOO_LARGE, NULL,
                            arena_printf(c->a, "This would go over your storage quota of %lld MB: delete some files "
                                         "or ask your administrator for more room.", c->cfg->media_quota / 1000000));
        return svc_fail(c, ERR_BODY_TOO_LARGE, NULL,
                        arena_printf(c->a, "A file may be at most %lld MB.", c->cfg->max_upload / 1000000));
    }
    return data ? store_put_write(&m->sp, data, n) : ERR_OK;
}

void media_put_abort(media_put *m)
{
    store_put_abort(&m->sp);
}

/* Sniffs and records the finished file at path (sha and size known), moving it into the
 * store under the hash lock; *id is the new row. */
static err_t media_record(svc *c, const char *path, const char *sha, long long size, const char *name,
                          const char *declared, int opaque, long long *id)
{
    char mime[SNIFF_MIME_MAX] = "application/octet-stream";
    const char *kind = "opaque";
    long w = 0, h = 0;
    if (!opaque) {
        sniff_file(path, mime);
        kind = sniff_kind(mime, declared);
        if (!strcmp(kind, "image")) {            /* the size from the header, nothing decoded */
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            unsigned char *head = fd >= 0 ? arena_alloc(c->a, IMGHDR_SCAN) : NULL;
            ssize_t got = head ? pread(fd, head, IMGHDR_SCAN, 0) : -1;
            if (fd >= 0) close(fd);
            if (got > 0) imghdr_size(head, (size_t)got, &w, &h);
        }
    }
    /* Images and videos wait for the worker (others see them once metadata is stripped);
     * audio is playable at once and only gains a duration. */
    int visual = !strcmp(kind, "image") || !strcmp(kind, "video");
    int process = visual || !strcmp(kind, "audio");
    const char *lockp[] = {sha};
    PGresult *r;
    err_t e = db_exec(c->db, "media_lock", 1, lockp, &r);
    if (e) return e;
    PQclear(r);
    e = store_adopt(c->cfg->media_dir, path, sha);
    if (!e) e = db_begin(c->db);
    if (!e) {
        const char *p[] = {id_str(c, c->user->id), sha, id_str(c, size), name, mime, kind,
                           w ? id_str(c, w) : NULL, h ? id_str(c, h) : NULL, visual ? "processing" : "ready"};
        e = db_exec(c->db, "media_insert", 9, p, &r);
        if (!e) { *id = atoll(PQgetvalue(r, 0, 0)); PQclear(r); }
        if (!e && process) {
            long long job_id;
            const char *payload = arena_printf(c->a, "{\"media_id\":%lld}", *id);
            const char *key = arena_printf(c->a, "media.process:%lld", *id);
            e = jobs_enqueue(c->db, "media.process", payload, key, 0, &job_id);
        }
        if (!e) e = db_commit(c->db);
        else db_rollback(c->db);
    }
    if (db_exec(c->db, "media_unlock", 1, lockp, &r) == ERR_OK) PQclear(r);
    return e;
}

err_t media_put_finish(svc *c, media_put *m, long long *id)
{
    char sha[STORE_SHA_HEX];
    err_t e = store_put_finish(&m->sp, sha);
    if (!e) e = media_record(c, m->sp.tmp, sha, m->sp.size, m->name, m->declared, m->opaque, id);
    if (!e) m->sp.tmp[0] = '\0';                 /* moved into the store */
    media_put_abort(m);
    return e;
}

err_t media_adopt(svc *c, const char *path, const char *name, const char *declared, int opaque, long long *id)
{
    char sha[STORE_SHA_HEX];
    long long size;
    err_t e = store_hash_file(path, sha, &size);
    return e ? e : media_record(c, path, sha, size, media_clean_name(c->a, name), declared, opaque, id);
}

/* ---- reading -------------------------------------------------------------------------- */

/* The row of media id if the caller may see it; ERR_NOT_FOUND otherwise. */
static err_t media_row(svc *c, long long id, PGresult **out)
{
    const char *p[] = {id_str(c, id), id_str(c, c->user ? c->user->id : 0)};
    err_t e = db_exec(c->db, "media_get", 2, p, out);
    if (e) return e;
    if (PQntuples(*out) == 1) return ERR_OK;
    PQclear(*out);
    *out = NULL;
    return svc_fail(c, ERR_NOT_FOUND, NULL, "There is no such file, or you cannot see it.");
}

void media_json_urls(json_t *o)
{
    json_int_t id = json_integer_value(json_object_get(o, "id"));
    json_object_set_new(o, "url", json_sprintf("/api/v1/media/%lld", (long long)id));
    json_object_set_new(o, "thumb_url", json_is_true(json_object_get(o, "thumbs"))
                                        ? json_sprintf("/api/v1/media/%lld/thumb/320", (long long)id) : json_null());
    json_t *d = json_object_get(o, "duration_ms");        /* seconds, as players show it */
    json_object_set_new(o, "duration", json_is_integer(d) ? json_real((double)json_integer_value(d) / 1000.0) : json_null());
}

static json_t *media_row_json(PGresult *r)
{
#define V(k) PQgetvalue(r, 0, k)
#define OPTI(k) (PQgetisnull(r, 0, k) ? json_null() : json_integer(atoll(V(k))))
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:s,s:b}", "id", (json_int_t)atoll(V(MD_ID)),
                          "name", V(MD_NAME), "mime", V(MD_MIME), "kind", V(MD_KIND),
                          "size", (json_int_t)atoll(V(MD_SIZE)), "width", OPTI(MD_W), "height", OPTI(MD_H),
                          "duration_ms", OPTI(MD_DUR), "state", V(MD_STATE), "thumbs", V(MD_THUMBS)[0] == 't');
    if (o) media_json_urls(o);
    return o;
#undef V
#undef OPTI
}

err_t media_get_json(svc *c, long long id, json_t **out)
{
    PGresult *r;
    err_t e = media_row(c, id, &r);
    if (e) return e;
    *out = media_row_json(r);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t media_check_own(svc *c, json_t *ids, const char *field)
{
    size_t n = json_array_size(ids);
    if (n > MEDIA_MAX_PER_MESSAGE)
        return svc_fail(c, ERR_INVALID_FIELD, field, "At most 10 files can go in one message.");
    if (!n) return ERR_OK;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (json_integer_value(json_array_get(ids, k)) == json_integer_value(json_array_get(ids, i)))
                return svc_fail(c, ERR_INVALID_FIELD, field, "The same file is attached twice.");
    pgarr x;
    pgarr_init(&x);
    for (size_t i = 0; i < n; i++) pgarr_id(&x, json_integer_value(json_array_get(ids, i)));
    const char *arr = pgarr_done(&x, c->a);
    if (!arr) return ERR_INTERNAL;
    const char *p[] = {arr, id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "media_own", 2, p, &r);
    if (e) return e;
    size_t own = (size_t)atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return own == n ? ERR_OK : svc_fail(c, ERR_INVALID_FIELD, field, "You can only attach files you uploaded.");
}

const char *media_excerpt(svc *c, json_t *att)
{
    size_t n = json_array_size(att);
    if (!n) return NULL;
    const char *kind = json_string_value(json_object_get(json_array_get(att, 0), "kind"));
    const char *name = json_string_value(json_object_get(json_array_get(att, 0), "name"));
    const char *what = !kind ? "📎 File" : !strcmp(kind, "image") ? (n > 1 ? "📷 Photos" : "📷 Photo")
                     : !strcmp(kind, "video") ? "🎬 Video" : !strcmp(kind, "audio") ? "🎤 Voice message"
                     : arena_printf(c->a, "📎 %s", name ? name : "File");
    return n > 1 && strcmp(what, "📷 Photos") ? arena_printf(c->a, "%s (+%zu)", what, n - 1) : what;
}

/* ---- downloads ------------------------------------------------------------------------ */

/* Parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range against size. 1 with the range
 * set, 0 to send the whole file (no header, or several ranges), -1 when unsatisfiable. */
static int media_range(const char *h, long long size, long long *off, long long *len)
{
    if (!h || strncmp(h, "bytes=", 6) || strchr(h, ',')) return 0;
    h += 6;
    char *end;
    long long a = -1, b = -1;
    if (*h == '-') {
        long long n = strtoll(h + 1, &end, 10);
        if (end == h + 1 || *end || n <= 0) return -1;
        a = n >= size ? 0 : size - n;
        b = size - 1;
    } else {
        a = strtoll(h, &end, 10);
        if (end == h || *end != '-' || a < 0) return 0;
        h = end + 1;
        if (*h) {
            b = strtoll(h, &end, 10);
            if (*end || b < a) return 0;
        }
        if (b < 0 || b >= size) b = size - 1;
    }
    if (a >= size || size == 0) return -1;
    *off = a;
    *len = b - a + 1;
    return 1;
}

/* Content-Disposition with the name in both forms browsers read (RFC 6266). */
static const char *media_disposition(arena *a, const char *kind_of, const char *name)
{
    size_t n = strlen(name);
    char *ascii = arena_alloc(a, n + 1);
    if (!ascii) return kind_of;
    for (size_t i = 0; i <= n; i++)
        ascii[i] = name[i] && ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] >= 0x7f || name[i] == '"' ||
                               name[i] == '\\' || name[i] == '%' || name[i] == ';') ? '_' : name[i];
    return arena_printf(a, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind_of, ascii, url_encode(a, name));
}

err_t media_send(ctx *c, const char *path, const char *rel, long long size, const char *mime,
                        const char *etag, const char *disposition)
{
    resp *rs = c->rs;
    if (c->svc.cfg->sendfile == CONFIG_SENDFILE_X_SENDFILE) {
        char abs[PATH_MAX];
        if (!realpath(path, abs)) return svc_fail(&c->svc, ERR_NOT_FOUND, NULL, "The file is missing from storage.");
        rs->content_type = arena_strdup(c->svc.a, mime);
        rs->file_path = arena_strdup(c->svc.a, path);
        resp_header(rs, "Content-Disposition", disposition);
        resp_header(rs, "X-Sendfile", abs);
        rs->file_by_server = 1;
        c->status = 200;
        return ERR_OK;
    }
    rs->content_type = arena_strdup(c->svc.a, mime);
    rs->file_path = arena_strdup(c->svc.a, path);
    resp_header(rs, "Content-Disposition", disposition);
    if (c->svc.cfg->sendfile == CONFIG_SENDFILE_X_ACCEL) {
        resp_header(rs, "X-Accel-Redirect", arena_printf(c->svc.a, "/_parley_media/%s", rel));
        rs->file_by_server = 1;
        c->status = 200;
        return ERR_OK;
    }
    struct stat st;
    if (stat(path, &st) || st.st_size != size) {
        rs->file_path = NULL;
        log_error("media: %s is missing or has the wrong size", path);
        return svc_fail(&c->svc, ERR_NOT_FOUND, NULL, "The file is missing from storage.");
    }
    resp_header(rs, "Accept-Ranges", "bytes");
    const char *quoted = arena_printf(c->svc.a, "\"%s\"", etag);
    resp_header(rs, "ETag", quoted);
    const char *inm = ctx_header(c, "HTTP_IF_NONE_MATCH");
    if (inm && strstr(inm, quoted)) { c->status = 304; return ERR_OK; }
    long long off = 0, len = size;
    int rr = media_range(ctx_header(c, "HTTP_RANGE"), size, &off, &len);
    if (rr < 0) {
        rs->file_path = NULL;
        resp_header(rs, "Content-Range", arena_printf(c->svc.a, "bytes */%lld", size));
        return svc_fail(&c->svc, ERR_RANGE, NULL, "The requested byte range is outside the file.");
    }
    if (rr > 0) resp_header(rs, "Content-Range", arena_printf(c->svc.a, "bytes %lld-%lld/%lld", off, off + len - 1, size));
    rs->file_offset = off;
    rs->file_length = len;
    c->status = rr > 0 ? 206 : 200;
    return ERR_OK;
}

/* GET /media/<id>: the file itself (?download=1: always as an attachment). */
static err_t h_media_get(ctx *c)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    PGresult *r;
    if (e || (e = media_row(&c->svc, id, &r))) return e;
#define V(k) PQgetvalue(r, 0, k)
    int mine = atoll(V(MD_UPLOADER)) == c->svc.user->id;
    const char *kind = arena_strdup(c->svc.a, V(MD_KIND)), *sha = arena_strdup(c->svc.a, V(MD_SHA));
    const char *state = arena_strdup(c->svc.a, V(MD_STATE));
    const char *mime = arena_strdup(c->svc.a, V(MD_MIME)), *name = arena_strdup(c->svc.a, V(MD_NAME));
    long long size = atoll(V(MD_SIZE));
    int clean = V(MD_CLEAN)[0] == 't', image = !strcmp(kind, "image");
    int inline_ok = (image || !strcmp(kind, "video") || !strcmp(kind, "audio")) && strcmp(state, "failed");
    int processing = !strcmp(state, "processing");
    PQclear(r);
#undef V
    /* Others get an image only once its EXIF and GPS are gone, so never one that could not
     * be decoded (a bomb, a broken file): it keeps them. */
    if (image && !strcmp(state, "failed") && !mine)
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "This photo could not be processed; only its sender can open it.");
    if (image && processing && !mine) {
        resp_header(c->rs, "Retry-After", "2");
        return ctx_fail(c, ERR_UNAVAILABLE, NULL, "This photo is still being processed. Try again in a moment.");
    }
    long long dl;
    if (ctx_qint(c, "download", &dl) && dl) inline_ok = 0;
    char path[STORE_PATH_MAX], rel[STORE_PATH_MAX];
    const char *what = image && clean && !mine ? "clean" : NULL;
    if (what) {
        store_derived_path(c->svc.cfg->media_dir, sha, what, path);
        struct stat st;
        size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    } else store_blob_path(c->svc.cfg->media_dir, sha, path);
    store_rel_path(sha, what, rel);
    return media_send(c, path, rel, size, inline_ok ? mime : (strcmp(kind, "opaque") ? mime : "application/octet-stream"),
                      what ? arena_printf(c->svc.a, "%s-%s", sha, what) : sha,
                      media_disposition(c->svc.a, inline_ok ? "inline" : "attachment", name));
}

/* GET /media/<id>/thumb/<size>: a WebP thumbnail (320 or 1280 px box), or a video's poster. */
static err_t h_media_thumb(ctx *c)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    PGresult *r;
    if (e || (e = media_row(&c->svc, id, &r))) return e;
    const char *size = route_param(&c->params, "size");
    int thumbs = PQgetvalue(r, 0, MD_THUMBS)[0] == 't';
    const char *sha = arena_strdup(c->svc.a, PQgetvalue(r, 0, MD_SHA));
    const char *name = arena_strdup(c->svc.a, PQgetvalue(r, 0, MD_NAME));
    PQclear(r);
    if (!size || (strcmp(size, "320") && strcmp(size, "1280")))
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "Thumbnails come in 320 and 1280 pixels.");
    if (!thumbs) return ctx_fail(c, ERR_NOT_FOUND, NULL, "This file has no thumbnail.");
    const char *what = arena_printf(c->svc.a, "t%s.webp", size);
    char path[STORE_PATH_MAX], rel[STORE_PATH_MAX];
    store_derived_path(c->svc.cfg->media_dir, sha, what, path);
    store_rel_path(sha, what, rel);
    struct stat st;
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    return media_send(c, path, rel, bytes, "image/webp", arena_printf(c->svc.a, "%s-%s", sha, what),
                      media_disposition(c->svc.a, "inline", arena_printf(c->svc.a, "%s.webp", name)));
}

/* GET /media/<id>/meta: the file's description (after a media.ready event, say). */
static err_t h_media_meta(ctx *c)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    json_t *m;
    if (e || (e = media_get_json(&c->svc, id, &m))) return e;
    c->out = json_pack("{s:o}", "media", m);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- uploads -------------------------------------------------------------------------- */

/* Reads the rest of the request body into an open put. */
static err_t media_read_body(ctx *c, media_put *m)
{
    static __thread char chunk[1 << 17];
    long long len = c->rq.content_length, got = 0;
    while (len < 0 || got < len) {
        size_t want = len < 0 || len - got > (long long)sizeof chunk ? sizeof chunk : (size_t)(len - got);
        size_t n = io_read(c->io, chunk, want);
        if (n == 0) break;
        got += (long long)n;
        err_t e = media_put_write(&c->svc, m, chunk, n);
        if (e) return e;
    }
    if (len >= 0 && got != len) {
        media_put_abort(m);
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "The upload ended early; nothing was kept.");
    }
    return ERR_OK;
}

static err_t media_created(ctx *c, long long id)
{
    json_t *m;
    err_t e = media_get_json(&c->svc, id, &m);
    if (e) return e;
    c->out = json_pack("{s:o}", "media", m);
    c->status = 201;
    resp_header(c->rs, "Location", arena_printf(c->svc.a, "/api/v1/media/%lld", id));
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /media?name=<file name>: the body is the file (any type), or a form with files. */
static err_t h_media_upload(ctx *c)
{
    json_t *ids = json_object_get(c->in, "media_ids");
    if (json_array_size(ids))                       /* a form: upload_form stored them */
        return media_created(c, json_integer_value(json_array_get(ids, 0)));
    if (mp_is_multipart(c->rq.content_type))
        return ctx_fail(c, ERR_MISSING_FIELD, "file", "Choose a file to upload.");
    const char *name = ctx_qstr(c, "name");
    long long opaque = 0;
    ctx_qint(c, "opaque", &opaque);
    media_put m;
    err_t e = media_put_begin(&c->svc, &m, name ? name : "file", c->rq.content_type, (int)opaque,
                              c->rq.content_length);
    if (!e) e = media_read_body(c, &m);
    long long id;
    if (!e) e = media_put_finish(&c->svc, &m, &id);
    if (e) { media_put_abort(&m); return e; }
    return media_created(c, id);
}

/* Every tus request but OPTIONS must say which protocol version it speaks. */
static err_t tus_check(ctx *c)
{
    resp_header(c->rs, "Tus-Resumable", TUS_VERSION);
    const char *v = ctx_header(c, "HTTP_TUS_RESUMABLE");
    if (v && !strcmp(v, TUS_VERSION)) return ERR_OK;
    resp_header(c->rs, "Tus-Version", TUS_VERSION);
    return ctx_fail(c, ERR_PRECONDITION_FAILED, NULL, "Send Tus-Resumable: 1.0.0 (the tus protocol version).");
}

/* OPTIONS /uploads: what this server's tus supports. */
static err_t h_tus_options(ctx *c)
{
    resp_header(c->rs, "Tus-Resumable", TUS_VERSION);
    resp_header(c->rs, "Tus-Version", TUS_VERSION);
    resp_header(c->rs, "Tus-Extension", "creation,termination");
    resp_header(c->rs, "Tus-Max-Size", arena_printf(c->svc.a, "%lld", c->svc.cfg->max_upload));
    c->status = 204;
    return ERR_OK;
}

/* POST /uploads: creates a resumable upload of Upload-Length bytes. */
static err_t h_tus_create(ctx *c)
{
    err_t e = tus_check(c);
    if (e) return e;
    long long length;
    if (ctx_header(c, "HTTP_UPLOAD_DEFER_LENGTH"))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Uploads of unknown length are not supported: send Upload-Length.");
    if (tus_number(ctx_header(c, "HTTP_UPLOAD_LENGTH"), &length))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Upload-Length must be the file's size in bytes.");
    if (c->rq.content_length > 0)
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Create the upload first, then send its bytes with PATCH.");
    char name[TUS_MAX_NAME], type[TUS_MAX_TYPE];
    if (tus_metadata(ctx_header(c, "HTTP_UPLOAD_METADATA"), name, type))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Upload-Metadata must be key and base64 value pairs, separated by commas.");
    media_put probe;                                 /* the size and quota check, nothing stored */
    if ((e = media_put_begin(&c->svc, &probe, name, type, 0, length))) return e;
    media_put_abort(&probe);
    char id[33], path[STORE_PATH_MAX];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    if (store_upload_path(c->svc.cfg->media_dir, id, path)) return ERR_INTERNAL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 && errno == ENOENT && store_init(c->svc.cfg->media_dir) == 0)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return ERR_UNAVAILABLE;
    close(fd);
    long long opaque = 0;
    ctx_qint(c, "opaque", &opaque);
    const char *p[] = {id, id_str(&c->svc, c->svc.user->id), id_str(&c->svc, length),
                       media_clean_name(c->svc.a, name), opaque ? "true" : "false", type};
    if ((e = db_run(c->svc.db, "upload_insert", 6, p))) { unlink(path); return e; }
    resp_header(c->rs, "Location", arena_printf(c->svc.a, "/api/v1/uploads/%s", id));
    c->out = json_pack("{s:{s:s,s:I,s:I}}", "upload", "id", id, "length", (json_int_t)length, "offset", (json_int_t)0);
    c->status = 201;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

typedef struct tus_row { long long length, offset, media_id; const char *name, *declared; int opaque; } tus_row;

static err_t tus_load(ctx *c, const char *id, tus_row *t)
{
    if (!id || strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32)
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such upload.");
    const char *p[] = {id, id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "upload_get", 2, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such upload."); }
    t->length = atoll(PQgetvalue(r, 0, 0));
    t->offset = atoll(PQgetvalue(r, 0, 1));
    t->name = arena_strdup(c->svc.a, PQgetvalue(r, 0, 2));
    t->opaque = PQgetvalue(r, 0, 3)[0] == 't';
    t->media_id = PQgetisnull(r, 0, 4) ? 0 : atoll(PQgetvalue(r, 0, 4));
    t->declared = arena_strdup(c->svc.a, PQgetvalue(r, 0, 5));
    PQclear(r);
    return ERR_OK;
}

static err_t tus_answer(ctx *c, const char *id, const tus_row *t)
{
    resp_header(c->rs, "Upload-Offset", arena_printf(c->svc.a, "%lld", t->offset));
    resp_header(c->rs, "Upload-Length", arena_printf(c->svc.a, "%lld", t->length));
    json_t *m = NULL;
    if (t->media_id && media_get_json(&c->svc, t->media_id, &m) != ERR_OK) m = NULL;
    c->out = json_pack("{s:{s:s,s:I,s:I,s:s,s:o}}", "upload", "id", id, "length", (json_int_t)t->length,
                       "offset", (json_int_t)t->offset, "name", t->name, "media", m ? m : json_null());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET or HEAD /uploads/<id>: how far it got (Upload-Offset), and its media once complete. */
static err_t h_tus_head(ctx *c)
{
    const char *id = route_param(&c->params, "id");
    tus_row t;
    err_t e = tus_check(c);
    if (e || (e = tus_load(c, id, &t))) return e;
    return tus_answer(c, id, &t);
}

/* PATCH /uploads/<id>: appends the body at Upload-Offset; the last byte makes it a media. */
static err_t h_tus_patch(ctx *c)
{
    const char *id = route_param(&c->params, "id");
    tus_row t;
    err_t e = tus_check(c);
    if (e || (e = tus_load(c, id, &t))) return e;
    const char *ct = c->rq.content_type;
    if (!ct || strncasecmp(ct, "application/offset+octet-stream", 31))
        return ctx_fail(c, ERR_UNSUPPORTED_MEDIA, NULL, "Send the bytes as application/offset+octet-stream.");
    long long at;
    if (tus_number(ctx_header(c, "HTTP_UPLOAD_OFFSET"), &at))
        return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Upload-Offset must be a number of bytes.");
    if (at != t.offset)
        return ctx_fail(c, ERR_CONFLICT, NULL,
                        arena_printf(c->svc.a, "The upload is at byte %lld, not %lld: ask with HEAD and go on from there.",
                                     t.offset, at));
    if (t.media_id || t.offset == t.length) return tus_answer(c, id, &t);
    if (c->rq.content_length > t.length - t.offset)
        return ctx_fail(c, ERR_BODY_TOO_LARGE, NULL, "That is more bytes than the upload's length.");
    char path[STORE_PATH_MAX];
    store_upload_path(c->svc.cfg->media_dir, id, path);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ctx_fail(c, ERR_NOT_FOUND, NULL, "The upload's bytes are gone; start again.");
    if (flock(fd, LOCK_EX | LOCK_NB)) {             /* another PATCH is writing this upload */
        close(fd);
        return ctx_fail(c, ERR_CONFLICT, NULL, "Another request is sending this upload's bytes.");
    }
    /* Bytes past the recorded offset came from a request that died before it recorded them. */
    if (ftruncate(fd, t.offset) || lseek(fd, t.offset, SEEK_SET) != t.offset) { close(fd); return ERR_UNAVAILABLE; }
    static __thread char chunk[1 << 17];
    long long len = c->rq.content_length, got = 0;
    int failed = 0;
    while ((len < 0 || got < len) && t.offset + got < t.length) {
        long long room = t.length - t.offset - got;
        size_t want = room < (long long)sizeof chunk ? (size_t)room : sizeof chunk;
        if (len >= 0 && len - got < (long long)want) want = (size_t)(len - got);
        size_t n = io_read(c->io, chunk, want);
        if (n == 0) break;                           /* the connection dropped: keep what came */
        for (size_t w = 0; w < n;) {
            ssize_t k = write(fd, chunk + w, n - w);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) { failed = 1; break; }
            w += (size_t)k;
        }
        if (failed) break;
        got += (long long)n;
    }
    if (fdatasync(fd)) failed = 1;
    close(fd);                                        /* releases the lock */
    if (failed) return ERR_UNAVAILABLE;
    t.offset += got;
    const char *p[] = {id, id_str(&c->svc, c->svc.user->id), id_str(&c->svc, t.offset)};
    if ((e = db_run(c->svc.db, "upload_offset", 3, p))) return e;
    if (t.offset == t.length) {
        long long mid;
        if ((e = media_adopt(&c->svc, path, t.name, t.declared, t.opaque, &mid))) return e;
        const char *q[] = {id, id_str(&c->svc, c->svc.user->id), id_str(&c->svc, mid)};
        if ((e = db_run(c->svc.db, "upload_done", 3, q))) return e;
        t.media_id = mid;
        resp_header(c->rs, "Parley-Media-Id", id_str(&c->svc, mid));
    }
    resp_header(c->rs, "Upload-Offset", arena_printf(c->svc.a, "%lld", t.offset));
    c->status = 204;
    return ERR_OK;
}

/* DELETE /uploads/<id>: abandons an upload (tus termination). */
static err_t h_tus_delete(ctx *c)
{
    const char *id = route_param(&c->params, "id");
    tus_row t;
    err_t e = tus_check(c);
    if (e || (e = tus_load(c, id, &t))) return e;
    char path[STORE_PATH_MAX];
    if (!t.media_id && store_upload_path(c->svc.cfg->media_dir, id, path) == 0) unlink(path);
    const char *p[] = {id, id_str(&c->svc, c->svc.user->id)};
    if ((e = db_run(c->svc.db, "upload_delete", 2, p))) return e;
    c->status = 204;
    return ERR_OK;
}

/* ---- avatars -------------------------------------------------------------------------- */

/* The avatar the input names: "media_id", or the form's uploaded file; 0 for none (remove). */
static err_t avatar_input(ctx *c, long long *id)
{
    *id = 0;
    size_t pl = strlen(c->rq.path);
    if (!strcmp(c->rq.method, "DELETE") || (pl > 7 && !strcmp(c->rq.path + pl - 7, "/delete"))) return ERR_OK;
    json_t *ids = json_object_get(c->in, "media_ids");
    json_t *v = json_array_size(ids) ? json_array_get(ids, 0) : json_object_get(c->in, "media_id");
    if (!json_is_integer(v)) return ctx_fail(c, ERR_MISSING_FIELD, "media_id", "Choose a picture.");
    *id = json_integer_value(v);
    const char *p[] = {id_str(&c->svc, *id), id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "media_own_image", 2, p, &r);
    if (e) return e;
    int ok = PQntuples(r) == 1;
    PQclear(r);
    return ok ? ERR_OK : ctx_fail(c, ERR_INVALID_FIELD, "media_id", "The picture must be a photo you uploaded.");
}

/* PUT /me/avatar {"media_id"} (or a form with the file); DELETE removes it. */
static err_t h_avatar_me(ctx *c)
{
    long long id;
    err_t e = avatar_input(c, &id);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id ? id_str(&c->svc, id) : NULL};
    if ((e = db_run(c->svc.db, "media_avatar_me", 2, p))) return e;
    users_changed(&c->svc, c->svc.user->id);
    c->out = json_pack("{s:o}", "avatar_url", id ? json_sprintf("/api/v1/media/%lld/thumb/320", id) : json_null());
    if (!c->rq.is_api) c->redirect = "/me?done=avatar";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PUT /conversations/<id>/avatar: owners and admins of a group or channel. */
static err_t h_avatar_conv(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    if (!strcmp(cv.kind, "direct") || !conv_is_admin(&cv))
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only owners and admins of a group or channel can change its picture.");
    long long id;
    if ((e = avatar_input(c, &id))) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id ? id_str(&c->svc, id) : NULL};
    if ((e = db_run(c->svc.db, "media_avatar_conv", 2, p))) return e;
    c->out = json_pack("{s:o}", "avatar_url", id ? json_sprintf("/api/v1/media/%lld/thumb/320", id) : json_null());
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/settings?done=avatar", cv.id);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec q_upload[] = {
    {"name", "name", FV_BYTES, 0, 1, 1024},
    {"opaque", "opaque", FV_INT, 0, 0, 1},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_download[] = {
    {"download", "download", FV_INT, 0, 0, 1},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_avatar[] = {
    {"media_id", "Picture", FV_INT, 0, 1, 999999999999999LL},
    {"media_ids", "Picture", FV_IDS, 0, 0, 1},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route media_routes[] = {
    {"POST", "/media", h_media_upload, R_AUTH | R_UPLOAD | R_RAW_BODY | R_JSON_ONLY, NULL, NULL, NULL, q_upload},
    {"GET", "/media/:id", h_media_get, R_AUTH, NULL, NULL, NULL, q_download},
    {"GET", "/media/:id/meta", h_media_meta, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/media/:id/thumb/:size", h_media_thumb, R_AUTH, NULL, NULL, NULL, NULL},
    {"OPTIONS", "/uploads", h_tus_options, R_PUBLIC | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/uploads", h_tus_create, R_AUTH | R_JSON_ONLY | R_RAW_BODY, NULL, NULL, NULL, q_upload},
    {"GET", "/uploads/:id", h_tus_head, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"PATCH", "/uploads/:id", h_tus_patch, R_AUTH | R_JSON_ONLY | R_RAW_BODY, NULL, NULL, NULL, NULL},
    {"DELETE", "/uploads/:id", h_tus_delete, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"PUT", "/me/avatar", h_avatar_me, R_AUTH | R_UPLOAD, "me", f_avatar, NULL, NULL},
    {"POST", "/me/avatar", h_avatar_me, R_AUTH | R_UPLOAD, "me", f_avatar, NULL, NULL},
    {"DELETE", "/me/avatar", h_avatar_me, R_AUTH, "me", NULL, NULL, NULL},
    {"POST", "/me/avatar/delete", h_avatar_me, R_AUTH, "me", NULL, NULL, NULL},
    {"PUT", "/conversations/:id/avatar", h_avatar_conv, R_AUTH | R_UPLOAD, "conversation_settings", f_avatar, h_conv_settings, NULL},
    {"DELETE", "/conversations/:id/avatar", h_avatar_conv, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
    {"POST", "/conversations/:id/avatar/delete", h_avatar_conv, R_AUTH, "conversation_settings", NULL, h_conv_settings, NULL},
    {"POST", "/conversations/:id/avatar", h_avatar_conv, R_AUTH | R_UPLOAD, "conversation_settings", f_avatar, h_conv_settings, NULL},
};
const module media_module = {"media", MODULE_ROUTES(media_routes), media_stmts};
