/* mentions.c — GET /mentions: every message in my conversations that mentions me
 * (@username) or holds one of my keywords, newest first, unread ones marked. The SQL finds
 * candidates with one regular expression (its parts escaped here); notify_mentions, the
 * push job's own test, has the last word, so the view and the notifications agree.
 * Who owns what: strings in the request's arena; PGresults cleared where they are read. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "notify.h"
#include "../core/buf.h"

#define MENTIONS_PAGE 50

const db_stmt mentions_stmts[] = {
    {"mentions_list", "SELECT m.conversation_id, c.kind, c.title, m.seq > me.read_seq, " MSG_COLS " "
                      "FROM members me JOIN messages m ON m.conversation_id = me.conversation_id "
                      "JOIN conversations c ON c.id = m.conversation_id " MSG_JOINS " "
                      "WHERE me.user_id = $1 AND m.deleted_at IS NULL AND m.kind = 'text' "
                      "AND m.sender_id IS DISTINCT FROM $1 AND ($3::bigint = 0 OR m.id < $3) AND m.body ~* $2 "
                      "ORDER BY m.id DESC LIMIT $4"},
    {"mentions_words", "SELECT array_to_string(keywords, E'\\n') FROM notify_prefs WHERE user_id = $1"},
    {NULL, NULL},
};

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
    /* @username, then each keyword, each between non-word characters. */
    buf re;
    buf_init(&re);
    buf_puts(&re, "(^|[^[:alnum:]_.-])@");
    mn_escape(&re, s->user->username, strlen(s->user->username));
    buf_puts(&re, "($|[^[:alnum:]_-])");
    for (const char *k = words; *k;) {
        size_t kl = strcspn(k, "\n");
        buf_puts(&re, "|(^|[^[:alnum:]_])");
        mn_escape(&re, k, kl);
        buf_puts(&re, "($|[^[:alnum:]_])");
        k += kl;
        if (*k) k++;
    }
    long long before = 0;
    ctx_qint(c, "before", &before);
    const char *p[] = {id_str(s, s->user->id), re.oom ? NULL : arena_strndup(s->a, re.data, re.len), id_str(s, before),
                       id_str(s, MENTIONS_PAGE)};
    buf_free(&re);
    if (!p[1]) return ERR_INTERNAL;
    if ((e = db_exec(s->db, "mentions_list", 4, p, &r))) return e;
    json_t *arr = json_array();
    long long last = 0;
    for (int i = 0; arr && i < PQntuples(r); i++) {
        const char *body = PQgetvalue(r, i, 4 + MC_BODY);
        last = atoll(PQgetvalue(r, i, 4 + MC_ID));
        if (!notify_mentions(s->a, body, strlen(body), s->user->username, words)) continue;
        long long conv_id = atoll(PQgetvalue(r, i, 0));
        json_t *m = msg_row_json(s, r, i, 4, conv_id, s->user);
        json_array_append_new(arr, json_pack("{s:{s:I,s:s,s:s},s:b,s:o}", "conversation", "id", (json_int_t)conv_id,
                                             "kind", PQgetvalue(r, i, 1), "title", PQgetvalue(r, i, 2), "unread",
                                             PQgetvalue(r, i, 3)[0] == 't', "message", m ? m : json_null()));
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
