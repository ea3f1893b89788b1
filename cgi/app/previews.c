/* previews.c — see previews.h; also POST …/messages/<seq>/preview/remove. Strings of the
 * results live in the request's arena or in the JSON they are added to. */
#include "previews.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "module.h"
#include "media.h"
#include "msg.h"
#include "people.h"
#include "events.h"
#include "../core/log.h"
#include "../core/outbound.h"
#include "../worker/jobs.h"

const db_stmt preview_stmts[] = {
    /* A message's link and its fetch are written by msg_insert itself (send_jobs.h). */
    {"prev_attach", "SELECT mp.seq, lp.url, lp.title, lp.description, lp.image_width, lp.image_height "
                    "FROM message_previews mp "
                    "JOIN link_previews lp ON lp.url = mp.url WHERE mp.conversation_id = $1 "
                    "AND mp.seq BETWEEN $2 AND $3 AND NOT mp.removed AND lp.status = 'ready' ORDER BY mp.seq"},
    {"prev_remove", "UPDATE message_previews SET removed = true WHERE conversation_id = $1 AND seq = $2 "
                    "AND NOT removed RETURNING 1"},
    /* A shown preview's image: the message is not deleted, the preview not removed. */
    {"prev_image", "SELECT lp.image_key, extract(epoch FROM lp.fetched_at)::bigint FROM message_previews mp "
                   "JOIN link_previews lp ON lp.url = mp.url JOIN messages m ON m.conversation_id = mp.conversation_id "
                   "AND m.seq = mp.seq WHERE mp.conversation_id = $1 AND mp.seq = $2 AND NOT mp.removed "
                   "AND m.deleted_at IS NULL AND lp.status = 'ready' AND lp.image_key IS NOT NULL"},
    {NULL, NULL},
};

static int pv_word(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

int preview_first_link(const char *body, size_t n, char *url, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        size_t skip = (n - i >= 7 && !strncasecmp(body + i, "http://", 7)) ? 7
                    : (n - i >= 8 && !strncasecmp(body + i, "https://", 8)) ? 8 : 0;
        if (!skip || (i > 0 && pv_word(body[i - 1]))) continue;
        size_t j = i;
        while (j < n && (unsigned char)body[j] > ' ' && !strchr("<>\"`", body[j])) j++;
        while (j > i + skip && strchr(".,;:!?)]}'*_", body[j - 1])) j--;    /* "(see https://x.org)." */
        const char *hash = memchr(body + i, '#', j - i);
        if (hash) j = (size_t)(hash - body);
        if (j - i <= skip || j - i >= cap) continue;
        memcpy(url, body + i, j - i);
        url[j - i] = '\0';
        /* the scheme in lower case, as the guard's parser wants it */
        for (size_t k = 0; k < skip; k++) url[k] = (char)(url[k] >= 'A' && url[k] <= 'Z' ? url[k] + 32 : url[k]);
        outbound_url u;
        const char *why;
        if (!outbound_parse(url, &u, &why)) return 1;
        i = j;
    }
    return 0;
}

err_t preview_attach(svc *c, long long conv_id, json_t *arr)
{
    size_t n = json_array_size(arr);
    if (!n) return ERR_OK;
    long long lo = json_integer_value(json_object_get(json_array_get(arr, 0), "seq"));
    long long hi = json_integer_value(json_object_get(json_array_get(arr, n - 1), "seq"));
    const char *p[] = {id_str(c, conv_id), id_str(c, lo), id_str(c, hi)};
    PGresult *r;
    err_t e = db_exec(c->db, "prev_attach", 3, p, &r);
    if (e) return e;
    size_t k = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long seq = atoll(PQgetvalue(r, i, 0));
        while (k < n && json_integer_value(json_object_get(json_array_get(arr, k), "seq")) < seq) k++;
        if (k == n) break;
        json_t *m = json_array_get(arr, k);
        if (json_integer_value(json_object_get(m, "seq")) != seq || json_is_true(json_object_get(m, "deleted"))) continue;
        outbound_url u;
        const char *why;
        const char *host = outbound_parse(PQgetvalue(r, i, 1), &u, &why) ? "" : u.host;
        json_t *pv = json_pack("{s:s,s:s,s:s,s:s}", "url", PQgetvalue(r, i, 1), "host", host, "title",
                               PQgetvalue(r, i, 2), "description", PQgetvalue(r, i, 3));
        if (pv && !PQgetisnull(r, i, 4))        /* served from here (never the page's own URL) */
            json_object_set_new(pv, "image", json_pack("{s:o,s:i,s:i}", "url",
                                json_sprintf("/api/v1/conversations/%lld/messages/%lld/preview/image", conv_id, seq),
                                "width", atoi(PQgetvalue(r, i, 4)), "height", atoi(PQgetvalue(r, i, 5))));
        json_object_set_new(m, "preview", pv);
    }
    PQclear(r);
    return ERR_OK;
}

/* POST /conversations/<id>/messages/<seq>/preview/remove (and DELETE …/preview): the sender
 * takes the preview away, for everyone. */
static err_t h_preview_remove(ctx *c)
{
    conv cv;
    long long seq;
    err_t e = conv_from_path(c, &cv);
    if (!e) e = param_id(c, "seq", &seq);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, seq)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "msg_meta", 2, p, &r))) return e;
    int found = PQntuples(r) > 0;
    long long sender = found && !PQgetisnull(r, 0, 1) ? atoll(PQgetvalue(r, 0, 1)) : 0;
    PQclear(r);
    if (!found) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such message.");
    if (sender != c->svc.user->id) return ctx_fail(c, ERR_FORBIDDEN, NULL, "Only the sender can remove a message's preview.");
    if ((e = db_exec(c->svc.db, "prev_remove", 2, p, &r))) return e;
    int removed = PQntuples(r) > 0;
    PQclear(r);
    if (!removed) return ctx_fail(c, ERR_NOT_FOUND, NULL, "This message has no preview.");
    ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:I}", "type", "message.preview", "conversation_id", (json_int_t)cv.id,
                                      "seq", (json_int_t)seq), 0, 0);
    json_t *m;
    if ((e = msg_get(&c->svc, cv.id, seq, &m))) return e;
    c->out = json_pack("{s:o}", "message", m);
    c->status = 200;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld#m%lld", cv.id, seq);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /conversations/<id>/messages/<seq>/preview/image: the preview's image, the WebP the
 * worker made (cgi/worker/preview_image.h), to the conversation's members only. */
static err_t h_preview_image(ctx *c)
{
    conv cv;
    long long seq;
    err_t e = conv_from_path(c, &cv);
    if (!e) e = param_id(c, "seq", &seq);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, cv.id), id_str(&c->svc, seq)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "prev_image", 2, p, &r))) return e;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "This message's preview has no image.");
    }
    const char *key = arena_strdup(c->svc.a, PQgetvalue(r, 0, 0));
    const char *etag = arena_printf(c->svc.a, "p%s-%s", key, PQgetvalue(r, 0, 1));
    PQclear(r);
    char path[STORE_PATH_MAX], rel[STORE_PATH_MAX];
    if (!key || store_preview_path(c->svc.cfg->media_dir, key, path) || store_preview_path(NULL, key, rel))
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "This message's preview has no image.");
    struct stat st;
    long long size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    return media_send(c, path, rel, size, "image/webp", etag, "inline; filename=\"preview.webp\"");
}

static const route preview_routes[] = {
    {"POST", "/conversations/:id/messages/:seq/preview/remove", h_preview_remove, R_AUTH, "conversation", NULL, NULL, NULL},
    {"DELETE", "/conversations/:id/messages/:seq/preview", h_preview_remove, R_AUTH, "conversation", NULL, NULL, NULL},
    {"GET", "/conversations/:id/messages/:seq/preview/image", h_preview_image, R_AUTH, NULL, NULL, NULL, NULL},
};
const module previews_module = {"previews", MODULE_ROUTES(preview_routes), preview_stmts};
