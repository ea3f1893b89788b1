/* preview_job.c — see preview_job.h. The page's and the image's bytes live in bufs freed here. */
#include "preview_job.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "preview_fetch.h"
#include "preview_image.h"
#include "../media/store.h"
#include "../app/events.h"
#include "../core/htmlmeta.h"
#include "../core/log.h"

enum { PREVIEW_PAGE_MAX = 1 << 20, PREVIEW_TIMEOUT_S = 5 };

const db_stmt preview_job_stmts[] = {
    {"prevjob_store", "UPDATE link_previews SET status = $2, title = $3, description = $4, fetched_at = now(), "
                      "image_key = $5, image_width = $6::int, image_height = $7::int, "
                      "expires_at = now() + CASE WHEN $2 = 'ready' THEN interval '1 day' ELSE interval '1 hour' END "
                      "WHERE url = $1"},
    {"prevjob_messages", "SELECT conversation_id, seq FROM message_previews WHERE url = $1 AND NOT removed "
                         "ORDER BY conversation_id, seq LIMIT 1000"},
    /* The clean-up (preview_gc): expired cache rows no message shows; their image files go after. */
    {"prevjob_gc", "DELETE FROM link_previews WHERE url IN (SELECT lp.url FROM link_previews lp WHERE lp.expires_at < now() "
                   "AND NOT EXISTS (SELECT 1 FROM message_previews mp WHERE mp.url = lp.url) LIMIT 500) "
                   "RETURNING image_key"},
    {"prevjob_key_used", "SELECT EXISTS (SELECT 1 FROM link_previews WHERE image_key = $1)"},
    {NULL, NULL},
};

/* The page's og:image (m->image, relative to page_url) made into key's thumbnail; *w and *h
 * its size, 0 when there is none (no image, refused, not an image: logged). Only the disk
 * failing is an error. */
static err_t prevjob_image(svc *s, const char *page_url, const char *ref, const char *key, int *w, int *h)
{
    *w = *h = 0;
    char at[OUTBOUND_URL_MAX + 1], reason[512] = "";
    if (!*ref) return ERR_OK;
    if (preview_image_url(page_url, ref, at, sizeof at)) {
        log_info("previews: %s: its image's URL is not one to fetch", page_url);
        return ERR_OK;
    }
    buf img;
    buf_init(&img);
    preview_fetched got;
    int refused = 0;
    err_t e = ERR_OK;
    if (preview_fetch(s->cfg->outbound_allow, at, "image/", PREVIEW_IMAGE_MAX, PREVIEW_IMAGE_TIMEOUT_S, &img, &got,
                      &refused, reason, sizeof reason))
        log_info("previews: image of %s: %s", page_url, reason);
    else if (got.truncated)
        log_info("previews: image of %s: over %d bytes", page_url, PREVIEW_IMAGE_MAX);
    else if ((e = preview_image_make(s->cfg, img.data, img.len, key, w, h, reason, sizeof reason)) || !*w)
        log_info("previews: image of %s: %s", page_url, reason);
    buf_free(&img);
    return e;
}

err_t preview_fetch_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    const char *url = json_string_value(json_object_get(payload, "url"));
    if (!url) {
        snprintf(why, whylen, "payload must be {\"url\": \"…\"}");
        return ERR_INVALID_FIELD;
    }
    buf page;
    buf_init(&page);
    preview_fetched got;
    int refused = 0;
    char reason[512] = "";
    htmlmeta *m = calloc(1, sizeof *m);
    if (!m) return ERR_INTERNAL;
    int ok = !preview_fetch(s->cfg->outbound_allow, url, "text/html", PREVIEW_PAGE_MAX, PREVIEW_TIMEOUT_S, &page, &got,
                            &refused, reason, sizeof reason);
    if (ok) ok = htmlmeta_extract(page.data, page.len, m) > 0 && (*m->title || *m->description);
    else log_info("previews: %s", reason);
    buf_free(&page);
    char key[STORE_SHA_HEX], ws[16], hs[16];
    int w = 0, h = 0;
    preview_image_key(url, key);
    err_t e = ok ? prevjob_image(s, *got.url ? got.url : url, m->image, key, &w, &h) : ERR_OK;
    if (e) {
        free(m);
        snprintf(why, whylen, "storing the preview's image: %s", err_lookup(e)->message);
        return e;
    }
    if (!w) {                                      /* none now: what an earlier fetch made goes */
        char path[STORE_PATH_MAX];
        if (!store_preview_path(s->cfg->media_dir, key, path)) unlink(path);
    }
    snprintf(ws, sizeof ws, "%d", w);
    snprintf(hs, sizeof hs, "%d", h);
    const char *p[] = {url, ok ? "ready" : "failed", ok ? m->title : "", ok ? m->description : "",
                       w ? key : NULL, w ? ws : NULL, w ? hs : NULL};
    e = db_run(s->db, "prevjob_store", 7, p);
    free(m);
    if (e) {
        snprintf(why, whylen, "storing the preview: %s", err_lookup(e)->message);
        return e;
    }
    if (!ok) return ERR_OK;
    PGresult *r;
    if ((e = db_exec(s->db, "prevjob_messages", 1, p, &r))) {
        snprintf(why, whylen, "finding its messages: %s", err_lookup(e)->message);
        return e;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        long long conv_id = atoll(PQgetvalue(r, i, 0)), seq = atoll(PQgetvalue(r, i, 1));
        ev_conv(s, conv_id, json_pack("{s:s,s:I,s:I}", "type", "message.preview", "conversation_id", (json_int_t)conv_id,
                                      "seq", (json_int_t)seq), 0, 0);
    }
    PQclear(r);
    return ERR_OK;
}

err_t preview_gc(svc *s, long long *rows, long long *files)
{
    int n;
    do {
        PGresult *r;
        err_t e = db_exec(s->db, "prevjob_gc", 0, NULL, &r);
        if (e) return e;
        n = PQntuples(r);
        *rows += n;
        for (int i = 0; i < n; i++) {
            if (PQgetisnull(r, i, 0)) continue;
            const char *p[] = {PQgetvalue(r, i, 0)};
            PGresult *u;
            /* The same URL cached again meanwhile (its key is the same) keeps its file. */
            if (db_exec(s->db, "prevjob_key_used", 1, p, &u)) continue;
            char path[STORE_PATH_MAX];
            if (!strcmp(PQgetvalue(u, 0, 0), "f") && !store_preview_path(s->cfg->media_dir, p[0], path) && !unlink(path))
                (*files)++;
            PQclear(u);
        }
        PQclear(r);
    } while (n == 500);
    return ERR_OK;
}
