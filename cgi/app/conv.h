/* conv.h — conversations as the domain sees them: loading one for a member (everyone else
 * gets ERR_NOT_FOUND, so ids reveal nothing), roles, direct conversations, system messages
 * and the message store. */
#ifndef PARLEY_CONV_H
#define PARLEY_CONV_H
#include "ctx.h"

typedef struct conv {
    long long id, last_seq, read_seq;
    const char *kind, *title, *description, *created_at, *last_activity_at, *my_role;  /* arena */
    int e2e;
    int blocked;     /* direct: a block stands between the caller and the other person, so
                        nothing either does here reaches the other (no sends, edits, deletes,
                        reactions, typing, read or delivered positions) */
} conv;

extern const db_stmt conv_stmts[];
extern const db_stmt msg_stmts[];

/* The conversation id as seen by the caller, who must be a member. */
err_t conv_load(ctx *c, long long id, conv *out);
/* Loads the conversation named by the path parameter "id". */
err_t conv_from_path(ctx *c, conv *out);
int conv_is_admin(const conv *cv);          /* owner or admin */
int conv_can_post(const conv *cv);          /* anyone but a channel's plain members */
/* ERR_NOT_ALLOWED (neutral, as for sending) when cv->blocked; doing names the action. */
err_t conv_unblocked(ctx *c, const conv *cv, const char *doing);
/* JSON of a conversation; with_members adds "members" (and "peer" for direct ones). */
err_t conv_json(ctx *c, const conv *cv, int with_members, json_t **out);
/* Finds or creates the direct conversation of the caller and peer (ERR_NOT_ALLOWED if a
 * block stands between them). */
err_t conv_direct_open(ctx *c, user_row *peer, long long *id, int *created);
/* Appends a system message (sender = the caller) to the conversation; *seq (if seq is not
 * NULL) gets its number, for the event published after commit. */
err_t conv_system(ctx *c, long long conv_id, const char *text, long long *seq);

/* Sends a text message as the caller. With a client_id already used by the caller in this
 * conversation, *created is 0 and *seq the original's. */
/* The body of a message: not blank, at most PARLEY_MAX_MESSAGE bytes. */
err_t msg_body_ok(ctx *c, const char *body);
err_t msg_send(ctx *c, const conv *cv, const char *body, const char *client_id, long long reply_to,
               int *created, long long *seq);
/* One message as JSON (with reactions). ERR_NOT_FOUND when there is no such seq. */
err_t msg_get(ctx *c, long long conv_id, long long seq, json_t **out);
/* The same rendered for no particular reader (for events): no "mention-me", mentions_me
 * false, reactions without "me". */
err_t msg_get_neutral(ctx *c, long long conv_id, long long seq, json_t **out);
/* A page of history per the request's before/after/around/limit query parameters:
 * {"messages","has_older","has_newer","last_seq"} (new reference). */
err_t msg_page(ctx *c, const conv *cv, json_t **out);
/* Moves the caller's read position up to seq; returns the new position and (unless unread
 * is NULL) the unread count. */
err_t msg_mark_read(ctx *c, const conv *cv, long long seq, long long *read_seq, long long *unread);

#endif
