/* mentions.h — mentions written at send time (table mentions, sql/027_send_path.sql): the
 * sending statement (msg_insert) and an edit (msg_edit) store one row per member a message
 * names (@username) or reaches (@all, @here in a group or channel); GET /mentions reads them
 * (and scans for the reader's keywords, which are not stored). */
#ifndef PARLEY_MENTIONS_H
#define PARLEY_MENTIONS_H
#include "svc.h"
#include "conv.h"

extern const db_stmt mentions_stmts[];

/* The SQL of the members a message mentions, as (user id, kind) rows: names is the
 * parameter holding the @names (text[], NULL: none), everyone the one saying whether @all and
 * @here count (boolean), sender the sender's id (who is never mentioned); $1 is the
 * conversation. Pasted into msg_insert and msg_edit, so both decide alike. */
#define MENTIONS_WANT(names, everyone, sender) \
    "SELECT mu.id, CASE WHEN mu.username = ANY (" names "::text[]) THEN 'user' WHEN 'all' = ANY (" names "::text[]) " \
    "THEN 'all' ELSE 'here' END FROM members mm JOIN users mu ON mu.id = mm.user_id WHERE " names "::text[] IS NOT NULL " \
    "AND mm.conversation_id = $1 AND mm.user_id IS DISTINCT FROM " sender " AND (mu.username = ANY (" names "::text[]) " \
    "OR (" everyone "::boolean AND " names "::text[] && ARRAY['all', 'here']))"

/* The parameters of MENTIONS_WANT for body in cv, in the arena: *names the formatter's
 * @names (fmt_mentions: none inside code) as a text[] literal, NULL when there are none (or
 * body is NULL: end-to-end encrypted); *everyone "true" when the sender may reach everyone
 * with @all / @here there (notify_everyone_allowed), else "false". */
err_t mentions_params(svc *c, const conv *cv, const char *body, const char **names, const char **everyone);

#endif
