/* preview_job.c — see preview_job.h. The page's bytes live in a buf freed here. */
#include "preview_job.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "preview_fetch.h"
#include "../app/events.h"
#include "../core/htmlmeta.h"
#include "../core/log.h"

enum { PREVIEW_PAGE_MAX = 1 << 20, PREVIEW_TIMEOUT_S = 5 };

const db_stmt preview_job_stmts[] = {
    {"prevjob_store", "UPDATE link_previews SET status = $2, title = $3, description = $4, fetched_at = now(), "
                      "expires_at = now() + CASE WHEN $2 = 'ready' THEN interval '1 day' ELSE interval '1 hour' END "
                      "WHERE url = $1"},
    {"prevjob_messages", "SELECT conversation_id, seq FROM message_previews WHERE url = $1 AND NOT removed "
                         "ORDER BY conversation_id, seq LIMIT 1000"},
    {NULL, NULL},
};

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
    const char *p[] = {url, ok ? "ready" : "failed", ok ? m->title : "", ok ? m->description : ""};
    err_t e = db_run(s->db, "prevjob_store", 4, p);
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
