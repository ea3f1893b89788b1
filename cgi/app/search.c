/* search.c — GET /search (messages, plus matching conversations and people on the first
 * page), /search/people and /search/conversations. Every statement starts from the
 * searcher's own memberships as they are now, so a removed member loses a conversation's
 * messages at once and nobody sees a conversation they are not in. */
#include "module.h"
#include "../store/pgarr.h"
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "people.h"
#include "ratelimit.h"
#include "search.h"
#include "users.h"

/* SEARCH_SMALL_*: up to so many conversations and messages, search tests every message
 * (search_page); SEARCH_RECENT: how many of everyone's newest messages the walk reads before
 * it asks the indexes instead; SEARCH_RARE: a plain word the trigram index finds in at most
 * so many messages is searched by the index alone, without a walk. */
enum { SEARCH_PAGE = 20, SEARCH_MAX_OFFSET = 200, SEARCH_SIDE = 5,
       SEARCH_SMALL_CONVS = 200, SEARCH_SMALL_MESSAGES = 20000, SEARCH_RECENT = 20000,
       SEARCH_RARE = 2000 };

/* The title as the searcher sees it: a direct conversation is its peer's display name. */
#define SEARCH_TITLE "COALESCE(p.display_name, c.title)"
#define SEARCH_PEER "LEFT JOIN LATERAL (SELECT u.display_name FROM members o JOIN users u ON u.id = o.user_id " \
                    "WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> $1 LIMIT 1) p ON true "
/* A LIKE pattern matching folded text anywhere (escaped after folding). */
#define SEARCH_LIKE(x) "'%' || replace(replace(replace(parley_fold(" x "), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
/* Text x folded is LIKE the folded pattern(s) p ("LIKE ALL (…)" for an array): compared as
 * written, ignoring case, when x is all ASCII (unaccent changes no ASCII character, so that
 * is the folded text), folded only otherwise: folding costs several times more, and the
 * walks below test thousands of rows. */
#define SEARCH_FOLD_LIKE(x, op, p) "CASE WHEN octet_length(" x ") = length(" x ") THEN " x " I" op " " p \
    " ELSE parley_fold(" x ") " op " " p " END"
/* The query as SQL values, one row q: pats, each plain word as a LIKE pattern on folded
 * text, and rq, what ranks and highlights (the structured part or-ed with each plain word as
 * a prefix: lexemes built by plainto_tsquery, never raw input). $2 the plain words joined by
 * U+001F, $3 the structured text for websearch_to_tsquery. */
#define SEARCH_Q \
    "(SELECT pats, CASE WHEN wq IS NULL THEN fq WHEN fq IS NULL OR numnode(fq) = 0 THEN wq::tsquery " \
    "ELSE fq || wq::tsquery END AS rq FROM (SELECT " \
    "CASE WHEN $3 <> '' THEN websearch_to_tsquery('public.parley_search', $3) END AS fq, " \
    "(SELECT array_agg(" SEARCH_LIKE("w") ") FROM unnest(string_to_array($2, chr(31))) w) AS pats, " \
    "(SELECT string_agg('(' || plainto_tsquery('public.parley_search', w)::text || ':*)', ' | ') " \
    "FROM unnest(string_to_array($2, chr(31))) w WHERE numnode(plainto_tsquery('public.parley_search', w)) > 0) AS wq" \
    ") q0) q"
/* Message m matches the query q and the operators and may be shown (plain text, not
 * deleted). $4 from (username), $5 in (conversation ids, "{1,2}": a title is resolved to
 * your conversations' ids first), $6 after, $7 before, $8 on (dates, UTC days), $9
 * is:mention (the searcher's username), $10 has: (link, or an attachment: file, image, video, audio). The caller joins members on the
 * searcher ($1). The tsvector test is written so that no index can serve it ("IS TRUE"): for
 * a few conversations the planner would rather intersect the GIN index with each one's
 * messages, which costs far more than testing them; search_indexed asks the index itself. */
#define SEARCH_MATCH \
    "m.kind = 'text' AND m.body IS NOT NULL AND m.deleted_at IS NULL AND m.ciphertext IS NULL " \
    "AND m.search_tsv IS NOT NULL AND ($3 = '' OR (m.search_tsv @@ websearch_to_tsquery('public.parley_search', $3)) IS TRUE) " \
    "AND (q.pats IS NULL OR " SEARCH_FOLD_LIKE("m.body", "LIKE ALL", "(q.pats)") ") " \
    "AND ($4::text IS NULL OR m.sender_id = (SELECT u.id FROM users u WHERE lower(u.username) = $4)) " \
    "AND ($5::bigint[] IS NULL OR m.conversation_id = ANY ($5::bigint[])) " \
    "AND ($6::date IS NULL OR m.created_at >= (($6::date + 1)::timestamp AT TIME ZONE 'UTC')) " \
    "AND ($7::date IS NULL OR m.created_at < ($7::date::timestamp AT TIME ZONE 'UTC')) " \
    "AND ($8::date IS NULL OR (m.created_at >= ($8::date::timestamp AT TIME ZONE 'UTC') " \
    "AND m.created_at < (($8::date + 1)::timestamp AT TIME ZONE 'UTC'))) " \
    "AND ($9::text IS NULL OR lower(m.body) ~ ('(^|[^a-z0-9_.-])@' || replace($9, '.', '\\.') || '($|[^a-z0-9_-])')) " \
    "AND ($10::text IS NULL OR ($10 = 'link' AND m.body ~* 'https?://[^[:space:]]') OR ($10 <> 'link' AND EXISTS " \
    "(SELECT 1 FROM message_media mm JOIN media x ON x.id = mm.media_id WHERE mm.conversation_id = m.conversation_id " \
    "AND mm.seq = m.seq AND ($10 = 'file' OR x.kind = $10)))) "
/* Relevance: how well the words match (ts_rank, counted up to 0.1: one occurrence of a word
 * ranks about 0.06) weighed by age in weeks. Capped so that a score is at most
 * 0.2 / (1 + age / week), which lets search_window stop at an age (search_messages). */
#define SEARCH_SCORE "((0.1 + LEAST(COALESCE(ts_rank(m.search_tsv, q.rq), 0)::float8, 0.1)) / " \
    "(1 + GREATEST(extract(epoch FROM now() - m.created_at)::float8, 0) / 604800.0))"
#define SEARCH_MINE "JOIN members me ON me.conversation_id = m.conversation_id AND me.user_id = $1 "
/* The order of a page: $11 true is newest first (by id), else by score. */
#define SEARCH_ORDER "ORDER BY CASE WHEN $11::boolean THEN h.id END DESC, h.score DESC, h.id DESC "
/* One hit's columns: a short message whole, a long one as fragments around the matches
 * (messages without words to match: their start). The snippet's highlights are U+0001…U+0002 (removed from the body
 * first); '<' and '&' travel as U+0003 and U+0004 so that ts_headline keeps what looks like
 * markup as text instead of dropping it. search_snippet_html escapes the rest and marks the
 * plain words found inside words too, with the last two columns: the words folded (U+001F
 * between) and how the message's non-ASCII characters fold (search.h). */
#define SEARCH_BODY "translate(m.body, '<&' || chr(1) || chr(2), chr(3) || chr(4))"
#define SEARCH_COLS "SELECT m.id, m.seq, c.id, c.kind, " SEARCH_TITLE ", " DB_TS("m.created_at") ", " \
    "CASE WHEN q.rq IS NULL OR numnode(q.rq) = 0 THEN left(" SEARCH_BODY ", 200) " \
    "WHEN length(m.body) <= 240 THEN ts_headline('public.parley_search', " SEARCH_BODY ", q.rq, " \
    "'HighlightAll=true, StartSel=' || chr(1) || ', StopSel=' || chr(2)) " \
    "ELSE ts_headline('public.parley_search', " SEARCH_BODY ", q.rq, " \
    "'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=24, MinWords=8, " \
    "FragmentDelimiter=\" … \"') END, " USERS_REF_COLS("s") ", " \
    "(SELECT string_agg(parley_fold(w), chr(31)) FROM unnest(string_to_array($2, chr(31))) w), " \
    "CASE WHEN octet_length(m.body) <> length(m.body) THEN (SELECT string_agg(DISTINCT ch || chr(31) || " \
    "parley_fold(ch), chr(30)) FROM regexp_split_to_table(m.body, '') ch WHERE ascii(ch) > 127) END "
enum search_col { SC_ID, SC_SEQ, SC_CONV, SC_KIND, SC_TITLE, SC_CREATED, SC_SNIPPET, SC_SENDER,
                  SC_FRAGS = SC_SENDER + USERS_REF_NCOLS, SC_FOLD };

/* Which messages match is found in one of four ways, each returning (id, score) for a page
 * (search_messages chooses): $1 the searcher, $2–$10 as SEARCH_Q and SEARCH_MATCH. */
const db_stmt search_stmts[] = {
    /* A generic plan cannot know whether a word is rare enough to start from an index: each
     * search is planned for its own parameters (for its transaction only). No parallel
     * workers or JIT compilation either: they cost more than these queries take. */
    {"search_settings", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                        "set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)"},
    /* How many of your conversations ($2: only these ids) up to $3, and their messages. */
    {"search_scope", "SELECT count(*), COALESCE(sum(last_seq), 0) FROM (SELECT c.last_seq FROM members me "
                     "JOIN conversations c ON c.id = me.conversation_id WHERE me.user_id = $1 "
                     "AND ($2::bigint[] IS NULL OR c.id = ANY ($2::bigint[])) LIMIT $3) s"},
    /* Every message of your conversations, tested one by one ($11 newest, $12 before an id,
     * $13 offset, $14 limit): for someone whose conversations hold few messages. */
    {"search_small", "WITH h AS MATERIALIZED (SELECT m.id, " SEARCH_SCORE " AS score FROM " SEARCH_Q ", members me "
                     "JOIN messages m ON m.conversation_id = me.conversation_id WHERE me.user_id = $1 AND "
                     SEARCH_MATCH "AND ($12::bigint IS NULL OR m.id < $12)) "
                     "SELECT h.id, h.score FROM h " SEARCH_ORDER "OFFSET $13 LIMIT $14"},
    /* The newest matches ($13 at most) among the newest $12 messages of everyone (NULL: all)
     * before the id $11, walking the id index down and stopping early. */
    {"search_recent", "SELECT m.id, " SEARCH_SCORE " FROM " SEARCH_Q ", (SELECT * FROM messages w "
                      "WHERE ($11::bigint IS NULL OR w.id < $11) ORDER BY w.id DESC LIMIT $12) m " SEARCH_MINE
                      "WHERE " SEARCH_MATCH "ORDER BY m.id DESC LIMIT $13"},
    /* About how many messages hold a word containing $1 (folded): from the tsvector's
     * statistics, its most common lexemes that contain it, times the rows. */
    {"search_common", "SELECT COALESCE(sum(x.f), 0) * (SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass) "
                      "FROM pg_stats s, LATERAL (SELECT unnest(s.most_common_elems::text::text[]) AS e, "
                      "unnest(s.most_common_elem_freqs) AS f) x WHERE s.schemaname = current_schema() "
                      "AND s.tablename = 'messages' AND s.attname = 'search_tsv' AND x.e LIKE " SEARCH_LIKE("$1")},
    /* The best matches ($12 offset, $13 limit) among the messages younger than $11 seconds,
     * by the index on created_at. */
    {"search_window", "SELECT m.id, " SEARCH_SCORE " AS score FROM " SEARCH_Q ", messages m " SEARCH_MINE
                      "WHERE " SEARCH_MATCH "AND m.created_at >= now() - $11::float8 * interval '1 second' "
                      "ORDER BY score DESC, m.id DESC OFFSET $12 LIMIT $13"},
    /* Every match from the indexes (trigrams of the plain word $15, or the tsvector for the
     * structured part), then only yours ($11–$14 as search_small): for rare words. */
    {"search_indexed", "WITH h AS MATERIALIZED (SELECT m.id, m.conversation_id, " SEARCH_SCORE " AS score FROM "
                       SEARCH_Q ", messages m WHERE " SEARCH_MATCH
                       "AND ($15::text IS NULL OR parley_fold(m.body) LIKE " SEARCH_LIKE("$15") ") "
                       "AND ($3 = '' OR m.search_tsv @@ websearch_to_tsquery('public.parley_search', $3)) "
                       "AND ($12::bigint IS NULL OR m.id < $12)) "
                       "SELECT h.id, h.score FROM h JOIN members me ON me.conversation_id = h.conversation_id "
                       "AND me.user_id = $1 " SEARCH_ORDER "OFFSET $13 LIMIT $14"},
    /* Whether a searchable message younger than $2 seconds holds a lexeme starting like one
     * of the plain words' lexemes ($1, joined by U+001F): if none does, no message of that age
     * ranks above zero for those words (ts_rank needs one of them), so a score is at most half
     * of SEARCH_SCORE's bound. A superset of what the words' prefix query matches. The lexemes
     * (rare, or a page would have ranked) come from the tsvector index; the age is written so
     * that messages_created cannot serve it, which would test a week of messages one by one. */
    {"search_ranked", "SELECT EXISTS (SELECT 1 FROM messages m WHERE m.search_tsv @@ to_tsquery('public.parley_search', "
                      "(SELECT string_agg('''' || replace(replace(l, '\\', '\\\\'), '''', '''''') || ''':*', ' | ') "
                      "FROM unnest(string_to_array($1, chr(31))) w, "
                      "unnest(tsvector_to_array(to_tsvector('public.parley_search', w))) l)) "
                      "AND (m.created_at >= now() - $2::float8 * interval '1 second') IS TRUE)"},
    /* How many searchable messages the trigram index finds for the plain word $1, counted
     * up to $2: the index reads only so many rows, rare word or not. */
    {"search_probe", "SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.kind = 'text' AND m.body IS NOT NULL "
                     "AND m.ciphertext IS NULL AND parley_fold(m.body) LIKE " SEARCH_LIKE("$1") " LIMIT $2) x"},
    /* The hits with ids $4, in that order, to show (checked again: yours, not deleted). */
    {"search_hits", SEARCH_COLS "FROM " SEARCH_Q ", unnest($4::bigint[]) WITH ORDINALITY AS h (id, n) "
                    "JOIN messages m ON m.id = h.id " SEARCH_MINE "JOIN conversations c ON c.id = m.conversation_id "
                    "LEFT JOIN users s ON s.id = m.sender_id " SEARCH_PEER
                    "WHERE m.kind = 'text' AND m.body IS NOT NULL AND m.deleted_at IS NULL AND m.ciphertext IS NULL "
                    "ORDER BY h.n"},
    /* Your conversations whose title (as you see it) contains the text, most active first
     * (the pattern is a subquery: made once, not for each of your conversations). */
    {"search_convs", "SELECT c.id, c.kind, " SEARCH_TITLE " FROM members me JOIN conversations c ON c.id = me.conversation_id "
                     SEARCH_PEER "WHERE me.user_id = $1 AND " SEARCH_FOLD_LIKE(SEARCH_TITLE, "LIKE", "(SELECT " SEARCH_LIKE("$2") ")") " "
                     "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $3"},
    /* The same answer for text holding a trigram (search_convs_of): starts from the titles
     * that contain it (conversations_title_trgm, migration 029) and from the direct
     * conversations with the people whose name does (users_display_trgm, by direct_key), a
     * superset of the titles as you see them, which the same test then narrows to yours. */
    {"search_convs_idx", "SELECT c.id, c.kind, " SEARCH_TITLE " FROM conversations c "
                         "JOIN members me ON me.conversation_id = c.id AND me.user_id = $1 " SEARCH_PEER
                         "WHERE c.id IN (SELECT x.id FROM conversations x WHERE parley_fold(x.title) LIKE " SEARCH_LIKE("$2") " "
                         "UNION ALL SELECT x.id FROM users u JOIN conversations x ON x.direct_key IN "
                         "(LEAST(u.id, $1::bigint) || ':' || GREATEST(u.id, $1::bigint), "
                         "LEAST(u.id, $1::bigint) || ':' || GREATEST(u.id, $1::bigint) || ':e2e') "
                         "WHERE parley_fold(u.display_name) LIKE " SEARCH_LIKE("$2") ") "
                         "AND " SEARCH_FOLD_LIKE(SEARCH_TITLE, "LIKE", "(SELECT " SEARCH_LIKE("$2") ")") " "
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

/* One candidate hit: a message id and its score (search_messages). */
typedef struct search_cand { long long id; double score; } search_cand;

/* Score descending, then id descending: the relevance order, as SEARCH_ORDER. */
static int search_cand_cmp(const void *x, const void *y)
{
    const search_cand *a = x, *b = y;
    if (a->score != b->score) return a->score < b->score ? 1 : -1;
    return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

/* Runs statement name with params p (in the open transaction) and reads its (id, score)
 * rows into cand (room for max); *n their number. */
static err_t search_cands(svc *c, const char *name, int np, const char *const *p, search_cand *cand, int max, int *n)
{
    PGresult *r;
    err_t e = db_exec(c->db, name, np, p, &r);
    if (e) return e;
    *n = 0;
    for (int i = 0; i < PQntuples(r) && *n < max; i++, (*n)++) {
        cand[i].id = atoll(PQgetvalue(r, i, 0));
        cand[i].score = strtod(PQgetvalue(r, i, 1), NULL);
    }
    PQclear(r);
    return ERR_OK;
}

/* The page of candidates (at most SEARCH_PAGE + 1: one more says there is a next page),
 * in search_begin's transaction. Where the searcher's conversations hold
 * few messages, all of them are tested (search_small). Otherwise the newest messages of
 * everyone are walked down until enough match (search_recent; most of a large membership's
 * messages are among them). Newest first, that is the page. By relevance, the worst score
 * among the newest `want` matches bounds how old a better match can be (a score is at most
 * 0.2 / (1 + age / week)), and search_window ranks the messages younger than that. Before
 * any walk, the longest plain word is looked up: the statistics may call it common
 * (search_common), and then the walk may go on to the oldest message (it was missing from the
 * newest messages only); else the trigram index counts its messages up to SEARCH_RARE + 1
 * (search_probe), and a rare or absent word is searched by the index alone (search_indexed),
 * which costs a few milliseconds where a walk through SEARCH_RECENT messages costs tens. When
 * the walk finds too few within SEARCH_RECENT messages the words are rare: the indexes find
 * every match instead (search_indexed), unless there is no index to use (one- or two-letter
 * words only, operators only) or the word is common. */
static err_t search_page(svc *c, const search_query *sq, const char *const *f, int newest, long long before,
                         long long offset, search_cand *cand, int *n)
{
    const int page = SEARCH_PAGE + 1, want = newest ? page : (int)offset + page;
    const char *key = NULL;                  /* the longest word of 3+ bytes: the most selective */
    for (size_t i = 0; i < sq->nwords; i++)
        if (strlen(sq->words[i]) >= 3 && (!key || strlen(sq->words[i]) > strlen(key))) key = sq->words[i];
    const char *bid = newest && before ? id_str(c, before) : NULL, *off = id_str(c, newest ? 0 : offset);
    const char *flag = newest ? "true" : "false", *lim = id_str(c, page);
    const char *sp[] = {f[0], f[4], id_str(c, SEARCH_SMALL_CONVS + 1)};
    PGresult *r;
    err_t e = db_exec(c->db, "search_scope", 3, sp, &r);
    if (e) return e;
    long long convs = atoll(PQgetvalue(r, 0, 0)), msgs = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    const char *p[15];
    memcpy(p, f, 10 * sizeof *p);
    if (convs <= SEARCH_SMALL_CONVS && msgs <= SEARCH_SMALL_MESSAGES) {
        p[10] = flag, p[11] = bid, p[12] = off, p[13] = lim;
        return search_cands(c, "search_small", 14, p, cand, page, n);
    }
    int indexed = key || sq->terms;
    if (key) {                    /* common (walk, to the oldest message if need be) or rare? */
        const char *kp[] = {key, id_str(c, SEARCH_RARE + 1)};
        if ((e = db_exec(c->db, "search_common", 1, kp, &r))) return e;
        double common = PQntuples(r) ? strtod(PQgetvalue(r, 0, 0), NULL) : 0;
        PQclear(r);
        if (common > SEARCH_RECENT) indexed = 0;         /* the indexes would cost more */
        else {                       /* the statistics miss rare words: the index counts them */
            if ((e = db_exec(c->db, "search_probe", 2, kp, &r))) return e;
            long long found = PQntuples(r) ? atoll(PQgetvalue(r, 0, 0)) : SEARCH_RARE + 1;
            PQclear(r);
            if (found <= SEARCH_RARE) {
                p[10] = flag, p[11] = bid, p[12] = off, p[13] = lim, p[14] = key;
                return search_cands(c, "search_indexed", 15, p, cand, page, n);
            }
        }
    }
    p[10] = bid, p[11] = indexed ? id_str(c, SEARCH_RECENT) : NULL, p[12] = id_str(c, want);
    if ((e = search_cands(c, "search_recent", 13, p, cand, want, n))) return e;
    if (*n == want && newest) return ERR_OK;
    if (*n == want) {
        double worst = cand[0].score, top = cand[0].score, best = 0.2;
        for (int i = 1; i < *n; i++) {
            if (cand[i].score < worst) worst = cand[i].score;
            if (cand[i].score > top) top = cand[i].score;
        }
        /* older than this (plus a second against rounding), no score reaches worst */
        const char *age = arena_printf(c->a, "%.3f", 604800.0 * (0.2 / worst - 1) + 1);
        /* plain words only, none of the page ranked (a score above 0.1 needs a rank): do any
         * messages of that age rank above zero? (A common lexeme would cost a long read.) */
        if (!sq->text[0] && top <= 0.1) {
            const char *rp[] = {f[1], age};
            if ((e = db_exec(c->db, "search_ranked", 2, rp, &r))) return e;
            if (PQntuples(r) && PQgetvalue(r, 0, 0)[0] == 'f') best = 0.1;
            PQclear(r);
        }
        p[10] = best < 0.2 ? arena_printf(c->a, "%.3f", 604800.0 * (best / worst - 1) + 1) : age;
        p[11] = off, p[12] = lim;
        return search_cands(c, "search_window", 13, p, cand, page, n);
    }
    if (!indexed) {                               /* the walk saw every message: these are all */
        if (newest) return ERR_OK;
        qsort(cand, (size_t)*n, sizeof *cand, search_cand_cmp);
        int skip = offset < *n ? (int)offset : *n;
        memmove(cand, cand + skip, (size_t)(*n - skip) * sizeof *cand);
        *n -= skip;
        if (*n > page) *n = page;
        return ERR_OK;
    }
    p[10] = flag, p[11] = bid, p[12] = off, p[13] = lim, p[14] = key;
    return search_cands(c, "search_indexed", 15, p, cand, page, n);
}

/* Opens the transaction every search runs in, with its settings (search_settings); the
 * caller commits or rolls back. */
static err_t search_begin(svc *c)
{
    PGresult *r;
    err_t e = db_begin(c->db);
    if (!e && (e = db_exec(c->db, "search_settings", 0, NULL, &r))) db_rollback(c->db);
    else if (!e) PQclear(r);
    return e;
}

/* The messages matching sq as the acting user may see them (in search_begin's
 * transaction); sort "newest" pages by before (a message id, 0: from the newest),
 * "relevance" by offset. */
static err_t search_messages(svc *c, const search_query *sq, int newest, long long before, long long offset,
                             json_t **hits, json_t **next)
{
    const char *in_id = NULL, *in_title = NULL;
    if (sq->in) {
        const char *d = sq->in;
        while (*d >= '0' && *d <= '9') d++;
        if (!*d && d - sq->in <= 15) {                     /* a conversation's id */
            long long id = atoll(sq->in);
            if (!(in_id = pgarr_ids(c->a, &id, *sq->in ? 1 : 0))) return ERR_INTERNAL;
        } else {
            in_title = sq->in;
        }
    }
    if (in_title) {             /* the few conversations named so, so that the plan starts there */
        json_t *convs, *cv;
        size_t k;
        err_t e = search_convs(c, in_title, 100, &convs);
        if (e) return e;
        pgarr ids;
        pgarr_init(&ids);
        json_array_foreach(convs, k, cv) pgarr_id(&ids, json_integer_value(json_object_get(cv, "id")));
        json_decref(convs);
        if (!(in_id = pgarr_done(&ids, c->a))) return ERR_INTERNAL;
    }
    const char *words = search_words_joined(c->a, sq);
    const char *f[] = {
        id_str(c, c->user->id), words, sq->text, sq->from, in_id,
        sq->after[0] ? sq->after : NULL, sq->before[0] ? sq->before : NULL, sq->on[0] ? sq->on : NULL,
        sq->mention ? c->user->username : NULL, sq->has,
    };
    /* the newest offset + page matches at most: in the arena, gone with the request */
    search_cand *cand = arena_alloc(c->a, (SEARCH_MAX_OFFSET + SEARCH_PAGE + 1) * sizeof *cand);
    if (!cand || !words) return ERR_INTERNAL;
    int n = 0;
    PGresult *r = NULL;
    err_t e = search_page(c, sq, f, newest, before, offset, cand, &n);
    if (!e) {
        pgarr ids;
        pgarr_init(&ids);
        for (int i = 0; i < n && i < SEARCH_PAGE; i++) pgarr_id(&ids, cand[i].id);
        const char *hp[] = {f[0], words, sq->text, pgarr_done(&ids, c->a)};
        e = hp[3] ? db_exec(c->db, "search_hits", 4, hp, &r) : ERR_INTERNAL;
    }
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
#define V(k) PQgetvalue(r, i, (k))
        long long cid = atoll(V(SC_CONV)), seq = atoll(V(SC_SEQ));
        json_t *h = json_pack("{s:I,s:I,s:{s:I,s:s,s:s},s:o,s:s,s:s,s:s}",
                              "id", (json_int_t)atoll(V(SC_ID)), "seq", (json_int_t)seq,
                              "conversation", "id", (json_int_t)cid, "kind", V(SC_KIND), "title", V(SC_TITLE),
                              "sender", users_ref_json(r, i, SC_SENDER), "created_at", V(SC_CREATED),
                              "snippet", search_snippet_html(c->a, V(SC_SNIPPET), V(SC_FRAGS), V(SC_FOLD)),
                              "url", arena_printf(c->a, "/conversations/%lld?around=%lld#m%lld", cid, seq, seq));
#undef V
        json_array_append_new(arr, h);
    }
    PQclear(r);
    json_t *nx = json_null();
    if (arr && n > SEARCH_PAGE) {
        if (newest) nx = json_pack("{s:I}", "before", (json_int_t)cand[SEARCH_PAGE - 1].id);
        else if (offset + SEARCH_PAGE < SEARCH_MAX_OFFSET) nx = json_pack("{s:I}", "offset", (json_int_t)(offset + SEARCH_PAGE));
    }
    if (!arr) { json_decref(nx); return ERR_INTERNAL; }
    *hits = arr;
    *next = nx;
    return ERR_OK;
}

/* Your conversations whose title contains text (at most max): from the trigram indexes when
 * text has a trigram (someone in thousands of conversations), else from your memberships. */
static err_t search_convs(svc *c, const char *text, int max, json_t **out)
{
    const char *p[] = {id_str(c, c->user->id), text, id_str(c, max)};
    PGresult *r;
    err_t e = db_exec(c->db, search_has_trigram(text) ? "search_convs_idx" : "search_convs", 3, p, &r);
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
    if ((e = search_begin(&c->svc))) return e;
    e = search_messages(&c->svc, &sq, newest, before, offset, &hits, &next);
    /* The first page also lists conversations and people named like the plain words. */
    const char *words = NULL;
    if (!e && !before && !offset && sq.nwords && !sq.text[0] && !sq.from && !sq.in && !sq.before[0] &&
        !sq.after[0] && !sq.on[0] && !sq.mention && !sq.has) {
        words = sq.words[0];
        for (size_t i = 1; i < sq.nwords; i++) words = arena_printf(c->svc.a, "%s %s", words, sq.words[i]);
    }
    if (words && strlen(words) <= 64) {
        e = search_convs(&c->svc, words, SEARCH_SIDE, &convs);
        if (!e) e = search_people(&c->svc, words, SEARCH_SIDE, &people);
    }
    if (e) db_rollback(c->svc.db);
    else e = db_commit(c->svc.db);
    if (e) { json_decref(hits); json_decref(next); json_decref(convs); json_decref(people); return e; }
    c->out = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "q", q, "sort", newest ? "newest" : "relevance",
                       "messages", hits, "next", next, "conversations", convs ? convs : json_array(),
                       "people", people ? people : json_array());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* A refused search's page (route refill): the form again with the text as typed and no
 * results; the message comes from the error. */
static err_t h_search_refill(ctx *c)
{
    const char *q = ctx_qstr(c, "q"), *sort = ctx_qstr(c, "sort");
    c->out = json_pack("{s:s,s:s,s:[],s:[],s:[],s:n}", "q", q ? q : "",
                       "sort", sort && !strcmp(sort, "newest") ? "newest" : "relevance",
                       "messages", "conversations", "people", "next");
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /search/people?q= and GET /search/conversations?q= */
static err_t search_names(ctx *c, int people)
{
    const char *q;
    err_t e = search_q(c, &q);
    if (e) return e;
    json_t *arr = NULL;
    if (q && (e = search_begin(&c->svc))) return e;
    if (q && (e = people ? search_people(&c->svc, q, 20, &arr) : search_convs(&c->svc, q, 20, &arr))) {
        db_rollback(c->svc.db);
        return e;
    }
    if (q && (e = db_commit(c->svc.db))) { json_decref(arr); return e; }
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
    {"GET", "/search", h_search, R_AUTH, "search", NULL, h_search_refill, q_search},
    {"GET", "/search/people", h_search_people, R_AUTH, "search", NULL, NULL, q_names},
    {"GET", "/search/conversations", h_search_convs, R_AUTH, "search", NULL, NULL, q_names},
};
const module search_module = {"search", MODULE_ROUTES(search_routes), search_stmts};
