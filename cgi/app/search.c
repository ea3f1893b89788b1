/* search.c — GET /search (messages, plus matching conversations and people on the first
 * page), /search/people and /search/conversations. Every statement starts from the
 * searcher's own memberships as they are now, so a removed member loses a conversation's
 * messages at once and nobody sees a conversation they are not in. */
#include "module.h"
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "people.h"
#include "../core/buf.h"
#include "ratelimit.h"
#include "search.h"
#include "users.h"

enum { SEARCH_PAGE = 20, SEARCH_MAX_OFFSET = 200, SEARCH_SIDE = 5 };

/* The title as the searcher sees it: a direct conversation is its peer's display name. */
#define SEARCH_TITLE "COALESCE(p.display_name, c.title)"
#define SEARCH_PEER "LEFT JOIN LATERAL (SELECT u.display_name FROM members o JOIN users u ON u.id = o.user_id " \
                    "WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1) p ON true "
/* A LIKE pattern matching folded text anywhere (escaped after folding). */
#define SEARCH_LIKE(x) "'%' || replace(replace(replace(parley_fold(" x "), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
/* $1 searcher, $2 plain words joined by U+001F (each a substring of the folded body), $3 the
 * structured text for websearch_to_tsquery, $4 from (username), $5 in (conversation ids, as
 * "{1,2}": a title is resolved to your conversations' ids first), $6 in (title),
 * $7 after, $8 before, $9 on (dates, UTC days), $10 is:mention (the searcher's username),
 * $11 has:link, $12 the longest plain word of 3+ characters again, alone, so that the
 * planner can start from the trigram index (as $3 lets it start from the tsvector index)
 * when that beats walking the searcher's conversations. q.rq is the query ranked and
 * highlighted (the plain words as prefixes: lexemes built by plainto_tsquery, never raw
 * input). */
#define SEARCH_FROM \
    " FROM (SELECT pats, CASE WHEN wq IS NULL THEN fq WHEN fq IS NULL OR numnode(fq) = 0 THEN wq::tsquery " \
    "ELSE fq || wq::tsquery END AS rq FROM (SELECT " \
    "CASE WHEN $3 <> '' THEN websearch_to_tsquery('public.parley_search', $3) END AS fq, " \
    "(SELECT array_agg(" SEARCH_LIKE("w") ") FROM unnest(string_to_array($2, chr(31))) w) AS pats, " \
    "(SELECT string_agg('(' || plainto_tsquery('public.parley_search', w)::text || ':*)', ' | ') " \
    "FROM unnest(string_to_array($2, chr(31))) w WHERE numnode(plainto_tsquery('public.parley_search', w)) > 0) AS wq" \
    ") q0) q, members me JOIN conversations c ON c.id = me.conversation_id " \
    "JOIN messages m ON m.conversation_id = c.id LEFT JOIN users s ON s.id = m.sender_id " SEARCH_PEER \
    "WHERE me.user_id = $1 AND m.kind = 'text' AND m.body IS NOT NULL AND m.deleted_at IS NULL " \
    "AND m.ciphertext IS NULL AND m.search_tsv IS NOT NULL " \
    "AND ($3 = '' OR m.search_tsv @@ websearch_to_tsquery('public.parley_search', $3)) " \
    "AND ($12::text IS NULL OR parley_fold(m.body) LIKE " SEARCH_LIKE("$12") ") " \
    "AND (q.pats IS NULL OR parley_fold(m.body) LIKE ALL (q.pats)) " \
    "AND ($4::text IS NULL OR s.username = $4) AND ($5::bigint[] IS NULL OR c.id = ANY ($5::bigint[])) " \
    "AND ($6::text IS NULL OR parley_fold(" SEARCH_TITLE ") LIKE " SEARCH_LIKE("$6") ") " \
    "AND ($7::date IS NULL OR m.created_at >= (($7::date + 1)::timestamp AT TIME ZONE 'UTC')) " \
    "AND ($8::date IS NULL OR m.created_at < ($8::date::timestamp AT TIME ZONE 'UTC')) " \
    "AND ($9::date IS NULL OR (m.created_at >= ($9::date::timestamp AT TIME ZONE 'UTC') " \
    "AND m.created_at < (($9::date + 1)::timestamp AT TIME ZONE 'UTC'))) " \
    "AND ($10::text IS NULL OR lower(m.body) ~ ('(^|[^a-z0-9_.-])@' || replace($10, '.', '\\.') || '($|[^a-z0-9_-])')) " \
    "AND (NOT $11::boolean OR m.body ~* 'https?://[^[:space:]]') "
#define SEARCH_SCORE "((0.1 + COALESCE(ts_rank(m.search_tsv, q.rq), 0)) / " \
    "(1 + extract(epoch FROM now() - m.created_at) / 604800.0))"
/* One hit's columns: a short message whole, a long one as fragments around the matches
 * (messages without words to match: their start). The snippet's highlights are U+0001…U+0002 (removed from the body
 * first); '<' and '&' travel as U+0003 and U+0004 so that ts_headline keeps what looks like
 * markup as text instead of dropping it. search_snippet_html escapes the rest. */
#define SEARCH_BODY "translate(m.body, '<&' || chr(1) || chr(2), chr(3) || chr(4))"
#define SEARCH_COLS "SELECT m.id, m.seq, c.id, c.kind, " SEARCH_TITLE ", " DB_TS("m.created_at") ", " \
    "CASE WHEN q.rq IS NULL OR numnode(q.rq) = 0 THEN left(" SEARCH_BODY ", 200) " \
    "WHEN length(m.body) <= 240 THEN ts_headline('public.parley_search', " SEARCH_BODY ", q.rq, " \
    "'HighlightAll=true, StartSel=' || chr(1) || ', StopSel=' || chr(2)) " \
    "ELSE ts_headline('public.parley_search', " SEARCH_BODY ", q.rq, " \
    "'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=24, MinWords=8, " \
    "FragmentDelimiter=\" … \"') END, " USERS_REF_COLS("s")
enum search_col { SC_ID, SC_SEQ, SC_CONV, SC_KIND, SC_TITLE, SC_CREATED, SC_SNIPPET, SC_SENDER };

const db_stmt search_stmts[] = {
    /* A generic plan cannot know whether a word is rare enough to start from an index: each
     * search is planned for its own parameters (for its transaction only). */
    {"search_custom_plan", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"},
    {"search_newest", SEARCH_COLS SEARCH_FROM "AND ($13::bigint IS NULL OR m.id < $13) ORDER BY m.id DESC LIMIT $14"},
    {"search_relevant", SEARCH_COLS SEARCH_FROM "ORDER BY " SEARCH_SCORE " DESC, m.id DESC OFFSET $13 LIMIT $14"},
    /* Your conversations whose title (as you see it) contains the text, most active first. */
    {"search_convs", "SELECT c.id, c.kind, " SEARCH_TITLE " FROM members me JOIN conversations c ON c.id = me.conversation_id "
                     SEARCH_PEER "WHERE me.user_id = $1 AND parley_fold(" SEARCH_TITLE ") LIKE " SEARCH_LIKE("$2") " "
                     "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $3"},
    /* People by username or name: prefixes as GET /users, plus close misspellings (pg_trgm);
     * your contacts first, never someone who blocked you. */
    {"search_people", "SELECT " USERS_PUBLIC_COLS("u") ", EXISTS (SELECT 1 FROM contacts ct WHERE ct.user_id = $1 "
                      "AND ct.contact_id = u.id) FROM users u "
                      "WHERE (parley_fold(u.username) LIKE parley_fold($2) || '%' "
                      "OR parley_fold(u.display_name) LIKE parley_fold($2) || '%' "
                      "OR parley_fold(u.display_name) LIKE '% ' || parley_fold($2) || '%' "
                      "OR parley_fold(u.username) % parley_fold($3) OR parley_fold(u.display_name) % parley_fold($3) "
                      "OR word_similarity(parley_fold($3), parley_fold(u.display_name)) > 0.5) "
                      "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = u.id AND b.blocked_id = $1) "
                      "ORDER BY EXISTS (SELECT 1 FROM contacts ct WHERE ct.user_id = $1 AND ct.contact_id = u.id) DESC, "
                      "parley_fold(u.username) = parley_fold($3) DESC, "
                      "GREATEST(similarity(parley_fold(u.username), parley_fold($3)), "
                      "similarity(parley_fold(u.display_name), parley_fold($3))) DESC, u.id LIMIT $4"},
    {NULL, NULL},
};

static err_t search_convs(svc *c, const char *text, int max, json_t **out);

/* The messages matching sq as the acting user may see them; sort "newest" pages by
 * before (a message id, 0: from the newest), "relevance" by offset. */
static err_t search_messages(svc *c, const search_query *sq, int newest, long long before, long long offset,
                             json_t **hits, json_t **next)
{
    const char *in_id = NULL, *in_title = NULL;
    if (sq->in) {
        const char *d = sq->in;
        while (*d >= '0' && *d <= '9') d++;
        if (!*d && d - sq->in <= 15) in_id = arena_printf(c->a, "{%s}", sq->in);
        else in_title = sq->in;
    }
    if (in_title) {             /* the few conversations named so, so that the plan starts there */
        json_t *convs, *cv;
        size_t k;
        err_t e = search_convs(c, in_title, 100, &convs);
        if (e) return e;
        buf ids;
        buf_init(&ids);
        buf_putc(&ids, '{');
        json_array_foreach(convs, k, cv)
            buf_printf(&ids, "%s%lld", k ? "," : "", (long long)json_integer_value(json_object_get(cv, "id")));
        buf_putc(&ids, '}');
        json_decref(convs);
        in_id = arena_strdup(c->a, buf_str(&ids));
        buf_free(&ids);
        if (!in_id) return ERR_INTERNAL;
    }
    const char *key = NULL;                  /* the longest word of 3+ bytes: the most selective */
    for (size_t i = 0; i < sq->nwords; i++)
        if (strlen(sq->words[i]) >= 3 && (!key || strlen(sq->words[i]) > strlen(key))) key = sq->words[i];
    const char *p[] = {
        id_str(c, c->user->id), search_words_joined(c->a, sq), sq->text, sq->from, in_id, in_title,
        sq->after[0] ? sq->after : NULL, sq->before[0] ? sq->before : NULL, sq->on[0] ? sq->on : NULL,
        sq->mention ? c->user->username : NULL, sq->link ? "true" : "false", key,
        newest ? (before ? id_str(c, before) : NULL) : id_str(c, offset), id_str(c, SEARCH_PAGE + 1),
    };
    PGresult *r, *pc;
    err_t e = db_begin(c->db);
    if (!e && !(e = db_exec(c->db, "search_custom_plan", 0, NULL, &pc))) PQclear(pc);
    if (!e) e = db_exec(c->db, newest ? "search_newest" : "search_relevant", 14, p, &r);
    if (e) { db_rollback(c->db); return e; }
    if ((e = db_commit(c->db))) { PQclear(r); return e; }
    json_t *arr = json_array();
    int n = PQntuples(r);
    for (int i = 0; arr && i < n && i < SEARCH_PAGE; i++) {
#define V(k) PQgetvalue(r, i, (k))
        long long cid = atoll(V(SC_CONV)), seq = atoll(V(SC_SEQ));
        json_t *h = json_pack("{s:I,s:I,s:{s:I,s:s,s:s},s:o,s:s,s:s,s:s}",
                              "id", (json_int_t)atoll(V(SC_ID)), "seq", (json_int_t)seq,
                              "conversation", "id", (json_int_t)cid, "kind", V(SC_KIND), "title", V(SC_TITLE),
                              "sender", users_ref_json(r, i, SC_SENDER), "created_at", V(SC_CREATED),
                              "snippet", search_snippet_html(c->a, V(SC_SNIPPET)),
                              "url", arena_printf(c->a, "/conversations/%lld?around=%lld#m%lld", cid, seq, seq));
#undef V
        json_array_append_new(arr, h);
    }
    json_t *nx = json_null();
    if (arr && n > SEARCH_PAGE) {
        if (newest) {
            json_t *last = json_array_get(arr, SEARCH_PAGE - 1);
            nx = json_pack("{s:I}", "before", json_integer_value(json_object_get(last, "id")));
        } else if (offset + SEARCH_PAGE < SEARCH_MAX_OFFSET) {
            nx = json_pack("{s:I}", "offset", (json_int_t)(offset + SEARCH_PAGE));
        }
    }
    PQclear(r);
    if (!arr) { json_decref(nx); return ERR_INTERNAL; }
    *hits = arr;
    *next = nx;
    return ERR_OK;
}

/* Your conversations whose title contains text (at most max). */
static err_t search_convs(svc *c, const char *text, int max, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id), text, id_str(c, max)};
    PGresult *r;
    err_t e = db_exec(c->db, "search_convs", 3, p, &r);
    if (e) return e;
    *out = conv_refs_json(r);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* People matching text, contacts first (at most max), each with "contact": true|false. */
static err_t search_people(svc *c, const char *text, int max, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id), people_like_escape(c->a, text), text, id_str(c, max)};
    PGresult *r;
    err_t e = db_exec(c->db, "search_people", 4, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        json_t *u = users_public_json(r, i, 0);
        if (u) json_object_set_new(u, "contact", json_boolean(PQgetvalue(r, i, USERS_PUBLIC_NCOLS)[0] == 't'));
        json_array_append_new(arr, u);
    }
    PQclear(r);
    *out = arr;
    return arr ? ERR_OK : ERR_INTERNAL;
}

/* The declared q, or (API) a 400, or (page) NULL for the empty form; takes a search slot. */
static err_t search_q(ctx *c, const char **q)
{
    *q = ctx_qstr(c, "q");
    if (*q && !**q) *q = NULL;
    if (!*q && c->rq.is_api) return ctx_fail(c, ERR_MISSING_FIELD, "q", "Say what to search for: ?q=…");
    if (!*q) return ERR_OK;
    const char *key = arena_printf(c->svc.a, "search:%lld", c->svc.user->id);
    return rl_take(&c->svc, key, &c->svc.cfg->rl_search);
}

/* GET /search?q=&sort=relevance|newest&before=&offset= */
static err_t h_search(ctx *c)
{
    const char *q, *sort = ctx_qstr(c, "sort");
    err_t e = search_q(c, &q);
    if (e) return e;
    if (sort && *sort && strcmp(sort, "relevance") && strcmp(sort, "newest"))
        return ctx_fail(c, ERR_INVALID_FIELD, "sort", "sort must be relevance or newest.");
    int newest = sort && !strcmp(sort, "newest");
    if (!q) {                                            /* the page with an empty search box */
        c->out = json_pack("{s:s,s:s,s:[],s:[],s:[],s:n}", "q", "", "sort", newest ? "newest" : "relevance",
                           "messages", "conversations", "people", "next");
        return c->out ? ERR_OK : ERR_INTERNAL;
    }
    search_query sq;
    const char *msg;
    if ((e = search_parse(c->svc.a, q, strlen(q), &sq, &msg)))
        return e == ERR_INVALID_FIELD ? ctx_fail(c, e, "q", msg) : e;
    long long before = 0, offset = 0;
    ctx_qint(c, "before", &before);
    ctx_qint(c, "offset", &offset);
    json_t *hits = NULL, *next = NULL, *convs = NULL, *people = NULL;
    if ((e = search_messages(&c->svc, &sq, newest, before, offset, &hits, &next))) return e;
    /* The first page also lists conversations and people named like the plain words. */
    const char *words = NULL;
    if (!before && !offset && sq.nwords && !sq.text[0] && !sq.from && !sq.in && !sq.before[0] && !sq.after[0] &&
        !sq.on[0] && !sq.mention && !sq.link) {
        words = sq.words[0];
        for (size_t i = 1; i < sq.nwords; i++) words = arena_printf(c->svc.a, "%s %s", words, sq.words[i]);
    }
    if (words && strlen(words) <= 64) {
        e = search_convs(&c->svc, words, SEARCH_SIDE, &convs);
        if (!e) e = search_people(&c->svc, words, SEARCH_SIDE, &people);
        if (e) { json_decref(hits); json_decref(next); json_decref(convs); return e; }
    }
    c->out = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "q", q, "sort", newest ? "newest" : "relevance",
                       "messages", hits, "next", next, "conversations", convs ? convs : json_array(),
                       "people", people ? people : json_array());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /search/people?q= and GET /search/conversations?q= */
static err_t search_names(ctx *c, int people)
{
    const char *q;
    err_t e = search_q(c, &q);
    if (e) return e;
    json_t *arr = NULL;
    if (q && (e = people ? search_people(&c->svc, q, 20, &arr) : search_convs(&c->svc, q, 20, &arr))) return e;
    c->out = json_pack("{s:s,s:o}", "q", q ? q : "", people ? "people" : "conversations", arr ? arr : json_array());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_search_people(ctx *c) { return search_names(c, 1); }
static err_t h_search_convs(ctx *c) { return search_names(c, 0); }

/* ---- routes (module.h) ---- */

static const field_spec q_search[] = {
    {"q", "Search", FV_TEXT, 0, 0, 256},
    {"sort", "sort", FV_TEXT, 0, 0, 16},
    {"before", "before", FV_INT, 0, 1, 999999999999999LL},
    {"offset", "offset", FV_INT, 0, 0, SEARCH_MAX_OFFSET},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_names[] = {{"q", "Search", FV_TEXT, 0, 0, 64}, {NULL, NULL, 0, 0, 0, 0}};

static const route search_routes[] = {
    {"GET", "/search", h_search, R_AUTH, "search", NULL, NULL, q_search},
    {"GET", "/search/people", h_search_people, R_AUTH, "search", NULL, NULL, q_names},
    {"GET", "/search/conversations", h_search_convs, R_AUTH, "search", NULL, NULL, q_names},
};
const module search_module = {"search", MODULE_ROUTES(search_routes), search_stmts};
