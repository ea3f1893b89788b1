/* export_build.c — see export_build.h. */
#include "export_build.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runner.h"
#include "../app/conv.h"
#include "../app/email.h"
#include "../app/events.h"
#include "../app/exports.h"
#include "../app/msg.h"
#include "../app/users.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../core/zip.h"
#include "../media/store.h"

#define XB_STR2(x) #x
#define XB_STR(x) XB_STR2(x)

const db_stmt export_build_stmts[] = {
    {"xb_get", "SELECT user_id, status FROM exports WHERE id = $1"},
    {"xb_2fa", "SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL)"},
    {"xb_contacts", "SELECT u.username, u.display_name, " DB_TS("c.created_at") " FROM contacts c "
                    "JOIN users u ON u.id = c.contact_id WHERE c.user_id = $1 ORDER BY u.username"},
    {"xb_blocks", "SELECT u.username, u.display_name, " DB_TS("b.created_at") " FROM blocks b "
                  "JOIN users u ON u.id = b.blocked_id WHERE b.user_id = $1 ORDER BY u.username"},
    {"xb_convs", "SELECT conversation_id FROM members WHERE user_id = $1 ORDER BY conversation_id"},
    {"xb_msgs", "SELECT " MSG_COLS " FROM messages m " MSG_JOINS " WHERE m.conversation_id = $1 AND m.seq > $2 "
                "ORDER BY m.seq LIMIT " XB_STR(EXPORT_BATCH)},
    {"xb_media", "SELECT id, sha256, name, size, mime, " DB_TS("created_at") " FROM media WHERE uploader_id = $1 "
                 "ORDER BY id"},
    {"xb_ready", "UPDATE exports SET status = 'ready', size = $2, finished_at = now(), error = NULL, "
                 "expires_at = now() + interval '" XB_STR(EXPORTS_KEEP_DAYS) " days' WHERE id = $1 AND status = 'pending' "
                 "RETURNING " DB_TS("created_at") ", " DB_TS("finished_at") ", " DB_TS("expires_at")},
    {"xb_error", "UPDATE exports SET error = $2 WHERE id = $1 AND status = 'pending'"},
    {"xb_expired", "DELETE FROM exports WHERE id IN (SELECT id FROM exports WHERE expires_at < now() "
                   "OR (status = 'failed' AND finished_at < now() - interval '" XB_STR(EXPORTS_KEEP_DAYS) " days') "
                   "LIMIT " XB_STR(EXPORT_BATCH) ") RETURNING id"},
    {NULL, NULL},
};

/* What one build carries around. */
typedef struct xb {
    svc *s;
    zipw z;
    buf b;                      /* text being assembled for the open entry */
    const user_row *u;
    json_t *media;              /* {"<media id>": "media/<id>-<name>"} of the person's uploads */
    json_t *index;              /* [{"id","title","kind","count"}] of the conversations */
} xb;

/* Appends s to b with &, <, >, " and ' escaped. */
static void xb_esc(buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

/* Appends an archive path as an href: bytes other than A-Z a-z 0-9 - . _ ~ / percent-encoded
 * (a file named "a#b?.png" still links to itself), so nothing needs HTML escaping. */
static void xb_href(buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; p && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            buf_putc(b, (char)*p);
        else buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

/* Writes what b holds into the open entry and empties it. */
static int xb_flush(xb *x)
{
    if (x->b.oom) return -1;
    int rc = zip_entry_write(&x->z, x->b.data, x->b.len);
    buf_reset(&x->b);
    return rc;
}

/* A whole JSON entry (j stolen). */
static int xb_json(xb *x, const char *name, json_t *j)
{
    char *t = j ? json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    json_decref(j);
    if (!t) return -1;
    int rc = zip_add(&x->z, name, t, strlen(t), 1);
    free(t);
    return rc;
}

static void xb_head(buf *b, const char *title)
{
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'\">"
                "<title>");
    xb_esc(b, title);
    buf_puts(b, "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
                ".m{border-bottom:1px solid #ddd;padding:.5rem 0}.who{font-weight:600}.at{color:#666;font-size:.85em}"
                ".gone{color:#666;font-style:italic}.sys{color:#555}</style></head><body>\n");
}

static err_t xb_profile(xb *x)
{
    svc *s = x->s;
    const char *p[] = {id_str(s, x->u->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "xb_2fa", 1, p, &r);
    if (e) return e;
    int tf = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    json_t *u = user_json(x->u);
    if (!u) return ERR_INTERNAL;
    json_t *settings = json_pack("{s:b,s:b,s:b}", "read_receipts", x->u->read_receipts, "show_presence",
                                 x->u->show_presence, "two_factor", tf);
    json_object_set_new(u, "is_admin", json_boolean(x->u->is_admin));
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xb_json(x, "profile.json", json_pack("{s:o,s:o,s:s,s:s}", "user", u, "settings", settings ? settings : json_object(),
                                                "exported_at", now, "server", s->cfg->public_url))
           ? ERR_UNAVAILABLE : ERR_OK;
}

static err_t xb_contacts(xb *x)
{
    svc *s = x->s;
    const char *p[] = {id_str(s, x->u->id)};
    const char *stmts[] = {"xb_contacts", "xb_blocks"};
    json_t *out = json_object();
    for (int k = 0; k < 2; k++) {
        PGresult *r;
        err_t e = db_exec(s->db, stmts[k], 1, p, &r);
        if (e) { json_decref(out); return e; }
        json_t *arr = json_array();
        for (int i = 0; i < PQntuples(r); i++)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "username", PQgetvalue(r, i, 0), "display_name",
                                                 PQgetvalue(r, i, 1), "since", PQgetvalue(r, i, 2)));
        PQclear(r);
        json_object_set_new(out, k ? "blocked" : "contacts", arr);
    }
    return xb_json(x, "contacts.json", out) ? ERR_UNAVAILABLE : ERR_OK;
}

/* media/<id>-<name>: the stored name made safe as an entry name. */
static const char *xb_media_name(svc *s, long long id, const char *name)
{
    char *n = arena_printf(s->a, "media/%lld-%s", id, name);
    if (!n) return NULL;
    for (char *q = n + 6; *q; q++) if (*q == '/' || *q == '\\' || (unsigned char)*q < 0x20 || *q == 0x7f) *q = '_';
    return zip_name_ok(n) ? n : arena_printf(s->a, "media/%lld", id);
}

/* Lists the person's uploads (x->media), before the conversations link to them. */
static err_t xb_media_list(xb *x, PGresult **out)
{
    svc *s = x->s;
    const char *p[] = {id_str(s, x->u->id)};
    err_t e = db_exec(s->db, "xb_media", 1, p, out);
    if (e) return e;
    for (int i = 0; i < PQntuples(*out); i++) {
        const char *n = xb_media_name(s, atoll(PQgetvalue(*out, i, 0)), PQgetvalue(*out, i, 2));
        if (n) json_object_set_new(x->media, PQgetvalue(*out, i, 0), json_string(n));
    }
    return ERR_OK;
}

/* One message as a block of the conversation's page. */
static void xb_msg_html(xb *x, json_t *m)
{
    buf *b = &x->b;
    int deleted = json_is_true(json_object_get(m, "deleted"));
    const char *kind = json_string_value(json_object_get(m, "kind"));
    int sys = kind && !strcmp(kind, "system");
    buf_printf(b, "<div class=\"m%s\" id=\"m%lld\"><span class=\"who\">", sys ? " sys" : "",
               (long long)json_integer_value(json_object_get(m, "seq")));
    xb_esc(b, json_string_value(json_object_get(json_object_get(m, "sender"), "display_name")));
    buf_puts(b, "</span> <span class=\"at\">");
    xb_esc(b, json_string_value(json_object_get(m, "created_at")));
    if (!json_is_null(json_object_get(m, "edited_at"))) buf_puts(b, " (edited)");
    buf_puts(b, "</span><div>");
    if (deleted) buf_puts(b, "<p class=\"gone\">This message was deleted.</p>");
    else if (json_is_object(json_object_get(m, "e2e")))   /* the server never had its text */
        buf_puts(b, "<p class=\"gone\">Encrypted message (end-to-end: only the members' devices can read it).</p>");
    else {
        /* fmt_message's HTML: every character of the body escaped, a few marks formatted. */
        const char *h = json_string_value(json_object_get(m, "html"));
        buf_puts(b, h ? h : "");
    }
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(m, "attachments"), i, a) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(a, "id")));
        const char *file = json_string_value(json_object_get(x->media, id));
        buf_puts(b, "<p>\xF0\x9F\x93\x8E ");
        if (file) {
            buf_puts(b, "<a href=\"../");
            xb_href(b, file);
            buf_puts(b, "\">");
        }
        xb_esc(b, json_string_value(json_object_get(a, "name")));
        buf_puts(b, file ? "</a></p>" : " <span class=\"at\">(sent by someone else: not in this export)</span></p>");
    }
    buf_puts(b, "</div></div>\n");
}

/* Writes the conversation's messages, batch by batch: as JSON (html 0) or as the page. */
static err_t xb_messages(xb *x, long long conv_id, int html, long long *count)
{
    svc *s = x->s;
    arena scratch;                      /* each batch's rendering, freed after it */
    arena_init(&scratch);
    svc t = *s;
    t.a = &scratch;
    long long after = 0;
    err_t e = ERR_OK;
    *count = 0;
    for (;;) {
        runner_keepalive(s->db);
        char cs[24], as[24];
        snprintf(cs, sizeof cs, "%lld", conv_id);
        snprintf(as, sizeof as, "%lld", after);
        const char *p[] = {cs, as};
        PGresult *r;
        if ((e = db_exec(s->db, "xb_msgs", 2, p, &r))) break;
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            json_t *m = msg_row_json(&t, r, i, 0, conv_id, x->u);
            if (!m) { e = ERR_INTERNAL; break; }
            after = json_integer_value(json_object_get(m, "seq"));
            if (html) xb_msg_html(x, m);
            else {
                json_object_del(m, "mentions_me");
                char *j = json_dumps(m, JSON_COMPACT | JSON_ENSURE_ASCII);
                if (j) buf_printf(&x->b, "%s\n    %s", *count ? "," : "", j);
                free(j);
            }
            json_decref(m);
            ++*count;
        }
        PQclear(r);
        arena_reset(&scratch);
        if (!e && xb_flush(x)) e = ERR_UNAVAILABLE;
        if (e || n < EXPORT_BATCH) break;
    }
    arena_free(&scratch);
    return e;
}

static err_t xb_conversation(xb *x, long long conv_id)
{
    svc *s = x->s;
    conv cv;
    json_t *cj;
    err_t e = conv_load(s, conv_id, &cv);
    if (e == ERR_NOT_FOUND) return ERR_OK;              /* left since the list was read */
    if (e || (e = conv_json(s, &cv, 1, &cj))) return e;
    json_object_del(cj, "read_seq");
    const char *t0 = json_string_value(json_object_get(cj, "title"));
    const char *title = arena_strdup(s->a, t0 ? t0 : "");
    char name[64];
    long long n;
    /* conversations/<id>.json: {"conversation": …, "messages": [ … ]}, streamed. */
    char *head = json_dumps(cj, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(cj);
    if (!head) return ERR_INTERNAL;
    snprintf(name, sizeof name, "conversations/%lld.json", conv_id);
    int bad = zip_entry_begin(&x->z, name, 1);
    buf_printf(&x->b, "{\n  \"conversation\": %s,\n  \"messages\": [", head);
    free(head);
    if (bad || xb_flush(x)) return ERR_UNAVAILABLE;
    if ((e = xb_messages(x, conv_id, 0, &n))) return e;
    buf_puts(&x->b, "\n  ]\n}\n");
    if (xb_flush(x) || zip_entry_end(&x->z)) return ERR_UNAVAILABLE;
    /* conversations/<id>.html */
    snprintf(name, sizeof name, "conversations/%lld.html", conv_id);
    if (zip_entry_begin(&x->z, name, 1)) return ERR_UNAVAILABLE;
    xb_head(&x->b, *title ? title : "Conversation");
    buf_puts(&x->b, "<p><a href=\"../index.html\">All conversations</a></p><h1>");
    xb_esc(&x->b, *title ? title : "Conversation");
    buf_puts(&x->b, "</h1><p class=\"at\">");
    xb_esc(&x->b, cv.kind);
    buf_puts(&x->b, " \xC2\xB7 since ");
    xb_esc(&x->b, cv.created_at);
    buf_puts(&x->b, "</p>");
    if (*cv.description) {
        buf_puts(&x->b, "<p>");
        xb_esc(&x->b, cv.description);
        buf_puts(&x->b, "</p>");
    }
    buf_puts(&x->b, "\n");
    if (xb_flush(x)) return ERR_UNAVAILABLE;
    if ((e = xb_messages(x, conv_id, 1, &n))) return e;
    buf_puts(&x->b, "</body></html>\n");
    if (xb_flush(x) || zip_entry_end(&x->z)) return ERR_UNAVAILABLE;
    json_array_append_new(x->index, json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)conv_id, "title", title,
                                              "kind", cv.kind, "count", (json_int_t)n));
    return ERR_OK;
}

/* media/…: the person's files as stored (already compressed, mostly: stored, not deflated). */
static err_t xb_media_files(xb *x, PGresult *r, long long *missing)
{
    static __thread char chunk[1 << 16];
    *missing = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        runner_keepalive(x->s->db);
        const char *file = json_string_value(json_object_get(x->media, PQgetvalue(r, i, 0)));
        char path[STORE_PATH_MAX];
        store_blob_path(x->s->cfg->media_dir, PQgetvalue(r, i, 1), path);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || !file) {                           /* collected meanwhile: listed as missing */
            if (fd >= 0) close(fd);
            ++*missing;
            json_object_del(x->media, PQgetvalue(r, i, 0));
            continue;
        }
        int bad = zip_entry_begin(&x->z, file, 0);
        ssize_t got;
        while (!bad && (got = read(fd, chunk, sizeof chunk)) > 0) bad = zip_entry_write(&x->z, chunk, (size_t)got);
        if (!bad && got < 0) bad = 1;
        close(fd);
        if (bad || zip_entry_end(&x->z)) return ERR_UNAVAILABLE;
    }
    return ERR_OK;
}

static err_t xb_index(xb *x, PGresult *media)
{
    buf *b = &x->b;
    if (zip_entry_begin(&x->z, "index.html", 1)) return ERR_UNAVAILABLE;
    xb_head(b, "Your Parley data");
    buf_puts(b, "<h1>Your Parley data</h1><p>");
    xb_esc(b, x->u->display_name);
    buf_puts(b, " (@");
    xb_esc(b, x->u->username);
    buf_puts(b, ")</p><ul><li><a href=\"profile.json\">profile.json</a>: your profile and settings</li>"
                "<li><a href=\"contacts.json\">contacts.json</a>: your contacts and the people you blocked</li></ul>"
                "<h2>Conversations</h2><ul>\n");
    size_t i;
    json_t *c;
    json_array_foreach(x->index, i, c) {
        long long id = json_integer_value(json_object_get(c, "id"));
        buf_printf(b, "<li><a href=\"conversations/%lld.html\">", id);
        const char *t = json_string_value(json_object_get(c, "title"));
        xb_esc(b, t && *t ? t : "Conversation");
        buf_puts(b, "</a> <span class=\"at\">(");
        xb_esc(b, json_string_value(json_object_get(c, "kind")));
        buf_printf(b, ", %lld messages, <a href=\"conversations/%lld.json\">JSON</a>)</span></li>\n",
                   (long long)json_integer_value(json_object_get(c, "count")), id);
    }
    buf_puts(b, "</ul><h2>Files you uploaded</h2><ul>\n");
    for (int k = 0; k < PQntuples(media); k++) {
        const char *file = json_string_value(json_object_get(x->media, PQgetvalue(media, k, 0)));
        if (!file) continue;
        buf_puts(b, "<li><a href=\"");
        xb_href(b, file);
        buf_puts(b, "\">");
        xb_esc(b, PQgetvalue(media, k, 2));
        buf_printf(b, "</a> <span class=\"at\">(%s bytes, ", PQgetvalue(media, k, 3));
        xb_esc(b, PQgetvalue(media, k, 5));
        buf_puts(b, ")</span></li>\n");
    }
    buf_puts(b, "</ul></body></html>\n");
    return xb_flush(x) || zip_entry_end(&x->z) ? ERR_UNAVAILABLE : ERR_OK;
}

/* Builds the archive for u into fd. */
static err_t xb_write(xb *x, int fd)
{
    svc *s = x->s;
    zip_open(&x->z, fd, time(NULL));
    err_t e = xb_profile(x);
    if (!e) e = xb_contacts(x);
    PGresult *media = NULL, *convs = NULL;
    if (!e) e = xb_media_list(x, &media);
    const char *p[] = {id_str(s, x->u->id)};
    if (!e) e = db_exec(s->db, "xb_convs", 1, p, &convs);
    for (int i = 0; !e && i < PQntuples(convs); i++) e = xb_conversation(x, atoll(PQgetvalue(convs, i, 0)));
    long long missing = 0;
    if (!e) e = xb_media_files(x, media, &missing);
    if (!e) e = xb_index(x, media);
    if (!e && zip_finish(&x->z)) e = ERR_UNAVAILABLE;
    if (!e && fsync(fd)) e = ERR_UNAVAILABLE;
    if (missing) log_info("export: %lld uploaded files were gone from the store", missing);
    if (convs) PQclear(convs);
    if (media) PQclear(media);
    return e;
}

err_t export_build_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *jid = json_object_get(payload, "export_id");
    if (!json_is_integer(jid)) { snprintf(why, whylen, "payload needs export_id"); return ERR_INVALID_FIELD; }
    long long id = json_integer_value(jid);
    const char *p[] = {id_str(s, id)};
    PGresult *r;
    err_t e = db_exec(s->db, "xb_get", 1, p, &r);
    if (e) return e;
    int pending = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 1), "pending");
    long long uid = pending ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (!pending) return ERR_OK;                     /* built already, or deleted: nothing to do */
    user_row *u;
    if ((e = users_by_id(s, uid, &u))) return e == ERR_NOT_FOUND ? ERR_OK : e;
    s->user = u;                                     /* the conversations as this person sees them */
    char tmp[STORE_PATH_MAX], dst[STORE_PATH_MAX];
    exports_path(s->cfg->media_dir, id, dst);
    int fd = -1;
    if (store_tmp_path(s->cfg->media_dir, tmp) || store_mkparents(tmp) || store_mkparents(dst) ||
        (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
        snprintf(why, whylen, "cannot create the export file: %s", strerror(errno));
        return ERR_UNAVAILABLE;
    }
    xb x = {.s = s, .u = u, .media = json_object(), .index = json_array()};
    buf_init(&x.b);
    e = x.media && x.index ? xb_write(&x, fd) : ERR_INTERNAL;
    int zerr = errno;
    zip_free(&x.z);
    buf_free(&x.b);
    json_decref(x.media);
    json_decref(x.index);
    off_t size = lseek(fd, 0, SEEK_END);
    if (close(fd) && !e) e = ERR_UNAVAILABLE;
    if (!e && rename(tmp, dst)) { zerr = errno; e = ERR_UNAVAILABLE; }
    if (e) {
        unlink(tmp);
        snprintf(why, whylen, "writing the archive failed: %s", zerr == EFBIG ? "larger than 4 GiB"
                 : e == ERR_UNAVAILABLE ? strerror(zerr) : err_lookup(e)->message);
        const char *q[] = {id_str(s, id), zerr == EFBIG ? "Your data is larger than an export can hold (4 GiB)."
                                                        : "The export could not be written."};
        db_run(s->db, "xb_error", 2, q);
        return e;
    }
    char sz[24];
    snprintf(sz, sizeof sz, "%lld", (long long)size);
    const char *q[] = {id_str(s, id), sz};
    if ((e = db_exec(s->db, "xb_ready", 2, q, &r))) return e;   /* the file stays; a retry replaces it */
    if (PQntuples(r) != 1) {                          /* deleted meanwhile (with the account) */
        PQclear(r);
        unlink(dst);
        return ERR_OK;
    }
    json_t *ev = json_pack("{s:s,s:{s:I,s:s,s:I,s:s,s:s,s:s,s:o}}", "type", "export.ready", "export", "id", (json_int_t)id,
                           "status", "ready", "size", (json_int_t)size, "created_at", PQgetvalue(r, 0, 0),
                           "finished_at", PQgetvalue(r, 0, 1), "expires_at", PQgetvalue(r, 0, 2),
                           "download_url", json_sprintf("/api/v1/me/exports/%lld/download", id));
    PQclear(r);
    log_info("export: %lld for user %lld ready, %lld bytes", id, uid, (long long)size);
    ev_users(s, &uid, 1, ev);
    /* And by mail, to a verified address: the person may not be looking. */
    user_row *owner;
    if (email_enabled(s->cfg) && !users_by_id(s, uid, &owner) && owner->email && owner->email_verified &&
        email_queue(s, "export_ready", uid, owner->email))
        log_warn("export: %lld ready, but its mail could not be queued", id);
    return ERR_OK;
}

err_t export_cleanup_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    (void)payload;
    long long total = 0;
    int n;
    do {
        PGresult *r;
        err_t e = db_exec(s->db, "xb_expired", 0, NULL, &r);
        if (e) { snprintf(why, whylen, "deleting expired exports: statement failed"); return e; }
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            char path[STORE_PATH_MAX];
            exports_path(s->cfg->media_dir, atoll(PQgetvalue(r, i, 0)), path);
            if (unlink(path) && errno != ENOENT) log_warn("export: cannot delete %s: %s", path, strerror(errno));
        }
        PQclear(r);
        total += n;
    } while (n == EXPORT_BATCH);
    if (total) log_info("export: deleted %lld expired exports", total);
    return ERR_OK;
}
