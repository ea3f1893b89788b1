/* inbox.c — GET /conversations: your conversations, most recent activity first, each with
 * its unread count, its last message and (for direct ones) the peer and their presence;
 * GET /unread, the total every page shows in its navigation; and POST
 * /conversations/read-all, "mark all as read". */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "msg.h"
#include "media.h"
#include "presence.h"
#include "users.h"
#include "inbox.h"
#include "conv.h"
#include "requests.h"
#include "../core/num.h"

/* Your conversations with their unread count, the peer of a direct one, and the last
 * message in MSG_COLS (from column INBOX_MSG). */
const db_stmt inbox_stmts[] = {
    {"conv_list", "SELECT c.id, c.kind, c.title, c.last_seq, " DB_TS("c.last_activity_at") ", m.role, m.read_seq, "
                  "(SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > m.read_seq "
                  "AND x.kind = 'text' AND x.deleted_at IS NULL AND x.sender_id IS DISTINCT FROM $1 LIMIT 1000) z), "
                  "c.e2e, c.description, c.avatar_media_id, " USERS_REF_COLS("p") ", lm.* "
                  "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                  "LEFT JOIN LATERAL (SELECT " USERS_REF_COLS("u") " FROM members o JOIN users u ON u.id = o.user_id "
                  "WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1) p ON true "
                  "LEFT JOIN LATERAL (SELECT " MSG_COLS " FROM messages m " MSG_JOINS " WHERE m.conversation_id = c.id "
                  "ORDER BY m.seq DESC LIMIT 1) lm ON true "
                  "WHERE m.user_id = $1 AND m.request IS NULL ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 500"},
    /* Unread messages in all your conversations, counted as on the list (at most 1000 a
     * conversation), and in how many; only conversations with something after your position. */
    {"inbox_unread", "SELECT coalesce(sum(n), 0), count(*) FILTER (WHERE n > 0) FROM (SELECT "
                     "(SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = m.conversation_id "
                     "AND x.seq > m.read_seq AND x.kind = 'text' AND x.deleted_at IS NULL "
                     "AND x.sender_id IS DISTINCT FROM $1 LIMIT 1000) z) AS n "
                     "FROM members m JOIN conversations c ON c.id = m.conversation_id "
                     "WHERE m.user_id = $1 AND c.last_seq > m.read_seq AND m.request IS NULL) t"},
    /* Your conversations with anything after your read position (for read-all). */
    {"inbox_behind", "SELECT m.conversation_id FROM members m JOIN conversations c ON c.id = m.conversation_id "
                     "WHERE m.user_id = $1 AND c.last_seq > m.read_seq ORDER BY m.conversation_id LIMIT 10000"},
    {NULL, NULL},
};
enum inbox_col { IC_ID, IC_KIND, IC_TITLE, IC_LAST_SEQ, IC_ACTIVITY, IC_ROLE, IC_READ_SEQ, IC_UNREAD, IC_E2E,
                 IC_DESCRIPTION, IC_AVATAR, IC_PEER, INBOX_MSG = IC_PEER + USERS_REF_NCOLS };

/* The list of GET /conversations (inbox.h). */
err_t inbox_list(ctx *c, json_t **out)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "conv_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
#define V(k) PQgetvalue(r, i, (k))
        int direct = !strcmp(V(IC_KIND), "direct");
        long long id = atoll(V(IC_ID));
        json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:b,s:s}",
                              "id", (json_int_t)id, "kind", V(IC_KIND),
                              "title", direct && !PQgetisnull(r, i, IC_PEER) ? V(IC_PEER + 2) : V(IC_TITLE),
                              "last_seq", (json_int_t)atoll(V(IC_LAST_SEQ)), "last_activity_at", V(IC_ACTIVITY),
                              "my_role", V(IC_ROLE), "read_seq", (json_int_t)atoll(V(IC_READ_SEQ)),
                              "unread", (json_int_t)atoll(V(IC_UNREAD)), "e2e", V(IC_E2E)[0] == 't',
                              "description", V(IC_DESCRIPTION));
#undef V
        if (!o) continue;
        if (direct && !PQgetisnull(r, i, IC_PEER)) json_object_set_new(o, "peer", users_ref_json(r, i, IC_PEER));
        json_object_set_new(o, "avatar_url", PQgetisnull(r, i, IC_AVATAR) ? json_null()
                            : json_sprintf("/api/v1/media/%s/thumb/320", PQgetvalue(r, i, IC_AVATAR)));
        json_t *lm = PQgetisnull(r, i, INBOX_MSG + MC_ID) ? json_null()
                     : msg_row_json(&c->svc, r, i, INBOX_MSG, id, c->svc.user);
        if (json_is_object(lm)) {                        /* any message's shape, plus an excerpt */
            const char *body = json_string_value(json_object_get(lm, "body"));
            const char *files = media_excerpt(&c->svc, json_object_get(lm, "attachments"));
            const char *ex = body && *body ? fmt_excerpt(c->svc.a, body, strlen(body), 120) : files ? files : "";
            if (json_is_object(json_object_get(lm, "e2e")) && !json_is_true(json_object_get(lm, "deleted")))
                ex = "Encrypted message";                /* the server cannot read it */
            json_object_set_new(lm, "excerpt", json_string(ex));
        }
        json_object_set_new(o, "last_message", lm ? lm : json_null());
        json_array_append_new(arr, o);
    }
    PQclear(r);
    json_t *peers = json_array(), *o;                    /* the direct peers, for presence dots */
    size_t k;
    json_array_foreach(arr, k, o)
        if (json_object_get(o, "peer")) json_array_append(peers, json_object_get(o, "peer"));
    presence_attach(&c->svc, peers);
    json_decref(peers);
    if (!arr) return ERR_INTERNAL;
    *out = arr;
    return ERR_OK;
}

/* GET /conversations */
err_t h_convs(ctx *c)
{
    json_t *arr;
    err_t e = inbox_list(c, &arr);
    if (e) return e;
    c->out = json_pack("{s:o}", "conversations", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

err_t inbox_unread(svc *c, long long *messages, long long *conversations)
{
    const char *p[] = {id_str(c, c->user->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "inbox_unread", 1, p, &r);
    if (e) return e;
    *messages = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : 0;
    *conversations = PQntuples(r) ? atoll(PQgetvalue(r, 0, 1)) : 0;
    PQclear(r);
    return ERR_OK;
}

/* GET /unread */
static err_t h_unread(ctx *c)
{
    long long n, k;
    err_t e = inbox_unread(&c->svc, &n, &k);
    if (e) return e;
    long long mreq, creq;                                /* the Requests and Contacts badges */
    if ((e = requests_counts(&c->svc, &mreq, &creq))) return e;
    c->out = json_pack("{s:I,s:I,s:I,s:I}", "unread", (json_int_t)n, "conversations", (json_int_t)k,
                       "requests", (json_int_t)mreq, "contact_requests", (json_int_t)creq);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /conversations/read-all: every conversation read up to its last message, as if each
 * were opened (one `read` event each); across a block the position stands still, as always. */
static err_t h_read_all(ctx *c)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "inbox_behind", 1, p, &r);
    if (e) return e;
    int n = PQntuples(r);
    long long *ids = arena_alloc(c->svc.a, sizeof *ids * (size_t)(n ? n : 1));
    for (int i = 0; ids && i < n; i++) ids[i] = atoll(PQgetvalue(r, i, 0));
    PQclear(r);
    if (!ids) return ERR_INTERNAL;
    long long marked = 0;
    for (int i = 0; i < n; i++) {
        conv cv;
        long long rs;
        if ((e = conv_load(&c->svc, ids[i], &cv)) == ERR_NOT_FOUND) continue;   /* left meanwhile */
        if (e) return e;
        if (cv.blocked || cv.last_seq <= cv.read_seq) continue;
        if ((e = msg_mark_read(&c->svc, &cv, cv.last_seq, &rs, NULL))) return e;
        if (rs > cv.read_seq) {
            msg_event_read(&c->svc, cv.id, c->svc.user->id, rs);
            marked++;
        }
    }
    c->out = json_pack("{s:I}", "marked", (json_int_t)marked);
    if (!c->rq.is_api) c->redirect = "/conversations?done=all_read";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const route inbox_routes[] = {
    {"GET", "/conversations", h_convs, R_AUTH, "conversations", NULL, NULL, NULL},
    {"GET", "/unread", h_unread, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/conversations/read-all", h_read_all, R_AUTH, "conversations", NULL, h_convs, NULL},
};
const module inbox_module = {"inbox", MODULE_ROUTES(inbox_routes), inbox_stmts};
