/* mentions.c — see mentions.h. GET /mentions: every message in my conversations that
 * mentions me (@username), reaches me with @all or @here, or holds one of my keywords, newest
 * first, unread ones marked. Stored mentions come from the mentions table (one indexed read);
 * keywords are not stored, so a reader who has some gets one scan instead, which also takes
 * the table's rows: the SQL finds keyword candidates with one regular expression (its parts
 * escaped here) and notify_mentions, the push job's own test, has the last word.
 * Who owns what: strings in the request's arena; PGresults cleared where they are read. */
#include "mentions.h"
#include "module.h"
#include "../store/pgarr.h"
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "notify.h"
#include "format.h"
#include "../core/buf.h"

#define MENTIONS_PAGE 50
/* The columns before the message's (MSG_COLS). */
enum { MN_CONV, MN_KIND, MN_TITLE, MN_UNREAD, MN_WHY, MN_MSG };

const db_stmt mentions_stmts[] = {
    /* From the table, through my current memberships: who left a conversation sees none of it. */
    {"mentions_list", "SELECT m.conversation_id, c.kind, c.title, m.seq > me.read_seq, mn.kind, " MSG_COLS " "
                      "FROM mentions mn JOIN members me ON me.user_id = mn.user_id AND me.conversation_id = mn.conversation_id "
                      "JOIN messages m ON m.conversation_id = mn.conversation_id AND m.seq = mn.seq "
                      "JOIN conversations c ON c.id = m.conversation_id " MSG_JOINS " "
                      "WHERE mn.user_id = $1 AND me.request IS NULL AND m.deleted_at IS NULL "
                      "AND ($2::bigint = 0 OR mn.message_id < $2) ORDER BY mn.message_id DESC LIMIT $3"},
    /* With keywords: the table's rows, or a body matching $2. */
    {"mentions_scan", "SELECT m.conversation_id, c.kind, c.title, m.seq > me.read_seq, coalesce(mn.kind, 'keyword'), "
                      MSG_COLS " FROM members me JOIN messages m ON m.conversation_id = me.conversation_id "
                      "JOIN conversations c ON c.id = m.conversation_id " MSG_JOINS " "
                      "LEFT JOIN mentions mn ON mn.user_id = $1 AND mn.conversation_id = m.conversation_id AND mn.seq = m.seq "
                      "WHERE me.user_id = $1 AND me.request IS NULL AND m.deleted_at IS NULL AND m.kind = 'text' "
                      "AND m.sender_id IS DISTINCT FROM $1 AND ($3::bigint = 0 OR m.id < $3) "
                      "AND (mn.user_id IS NOT NULL OR m.body ~* $2) ORDER BY m.id DESC LIMIT $4"},
    {"mentions_words", "SELECT array_to_string(keywords, E'\\n') FROM notify_prefs WHERE user_id = $1"},
    {NULL, NULL},
};

err_t mentions_params(svc *c, const conv *cv, const char *body, const char **names, const char **everyone)
{
    *names = NULL;
    *everyone = notify_everyone_allowed(cv->kind, cv->my_role) ? "true" : "false";
    if (!body) return ERR_OK;
    const char *found[64];
    size_t n = fmt_mentions(c->a, body, strlen(body), found, 64);
    if (!n) return ERR_OK;
    pgarr x;
    pgarr_init(&x);
    for (size_t i = 0; i < n; i++) pgarr_text(&x, found[i]);
    *names = pgarr_done(&x, c->a);
    return *names ? ERR_OK : ERR_INTERNAL;
}

/* Appends s[0..n) to b with every character a regular expression treats specially escaped. */
static void mn_escape(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80 && !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == ' '))
            buf_putc(b, '\\');
        buf_putc(b, (char)ch);
    }
}

/* GET /mentions?before=<message id> */
static err_t h_mentions(ctx *c)
{
    svc *s = &c->svc;
    const char *p0[] = {id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "mentions_words", 1, p0, &r);
    if (e) return e;
    const char *words = PQntuples(r) ? arena_strdup(s->a, PQgetvalue(r, 0, 0)) : "";
    PQclear(r);
    if (!words) return ERR_INTERNAL;
    long long before = 0;
    ctx_qint(c, "before", &before);
    if (!*words) {                                      /* no keywords: the table alone */
        const char *p[] = {id_str(s, s->user->id), id_str(s, before), id_str(s, MENTIONS_PAGE)};
        if ((e = db_exec(s->db, "mentions_list", 3, p, &r))) return e;
    } else {                                            /* each keyword between non-word characters */
        buf re;
        buf_init(&re);
        for (const char *k = words; *k;) {
            size_t kl = strcspn(k, "\n");
            buf_puts(&re, re.len ? "|(^|[^[:alnum:]_])" : "(^|[^[:alnum:]_])");
            mn_escape(&re, k, kl);
            buf_puts(&re, "($|[^[:alnum:]_])");
            k += kl;
            if (*k) k++;
        }
        const char *p[] = {id_str(s, s->user->id), re.oom ? NULL : arena_strndup(s->a, re.data, re.len), id_str(s, before),
                           id_str(s, MENTIONS_PAGE)};
        buf_free(&re);
        if (!p[1]) return ERR_INTERNAL;
        if ((e = db_exec(s->db, "mentions_scan", 4, p, &r))) return e;
    }
    json_t *arr = json_array();
    long long last = 0;
    for (int i = 0; arr && i < PQntuples(r); i++) {
        const char *why = PQgetvalue(r, i, MN_WHY), *body = PQgetvalue(r, i, MN_MSG + MC_BODY);
        last = atoll(PQgetvalue(r, i, MN_MSG + MC_ID));
        if (!strcmp(why, "keyword") && !notify_mentions(s->a, body, strlen(body), NULL, words)) continue;
        long long conv_id = atoll(PQgetvalue(r, i, MN_CONV));
        json_t *m = msg_row_json(s, r, i, MN_MSG, conv_id, s->user);
        json_array_append_new(arr, json_pack("{s:{s:I,s:s,s:s},s:b,s:s,s:o}", "conversation", "id", (json_int_t)conv_id,
                                             "kind", PQgetvalue(r, i, MN_KIND), "title", PQgetvalue(r, i, MN_TITLE),
                                             "unread", PQgetvalue(r, i, MN_UNREAD)[0] == 't', "kind", why,
                                             "message", m ? m : json_null()));
    }
    int full = PQntuples(r) == MENTIONS_PAGE;
    PQclear(r);
    c->out = arr ? json_pack("{s:o,s:o}", "mentions", arr, "next_before", full ? json_integer(last) : json_null()) : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec q_mentions[] = {
    {"before", "before", FV_INT, 0, 1, 9223372036854775807LL},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route mentions_routes[] = {
    {"GET", "/mentions", h_mentions, R_AUTH, "mentions", NULL, NULL, q_mentions},
};
const module mentions_module = {"mentions", MODULE_ROUTES(mentions_routes), mentions_stmts};
