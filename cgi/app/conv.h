/* conv.h — conversations as the domain sees them: loading one for a member (everyone else
 * gets ERR_NOT_FOUND, so ids reveal nothing), roles, direct conversations and system
 * messages. The message store is msg.h. */
#ifndef PARLEY_CONV_H
#define PARLEY_CONV_H
#include "ctx.h"

typedef struct conv {
    long long id, last_seq, read_seq;
    const char *kind, *title, *description, *created_at, *last_activity_at, *my_role;  /* arena */
    int e2e;
    long long avatar_id;   /* a group's or channel's picture (media id), or 0 */
    const char *muted_until;   /* the caller is muted here until then (arena), or NULL */
    long long retention_days;   /* messages older than this become tombstones; 0: kept forever */
    int blocked;     /* direct: a block stands between the caller and the other person, so
                        nothing either does here reaches the other (no sends, edits, deletes,
                        reactions, typing, read or delivered positions) */
    const char *request;   /* direct: "pending" while this is a message request for the caller,
                              "deleted" once they deleted it (requests.h); else NULL */
    int hooks_out;   /* a group or channel with outgoing webhooks: a send there may queue their
                        jobs (send_jobs.c); without, its statement leaves that part out */
} conv;

extern const db_stmt conv_stmts[];

/* The conversation id as seen by the caller, who must be a member. */
err_t conv_load(svc *c, long long id, conv *out);
/* The inbox, the conversation page and its settings page, which other modules' forms
 * re-render on failure (route refills). */
err_t h_convs(ctx *c);
err_t h_conv_show(ctx *c);
err_t h_conv_settings(ctx *c);
/* Loads the conversation named by the path parameter "id". */
err_t conv_from_path(ctx *c, conv *out);
/* Rows of (id, kind, title) as [{"id","kind","title"}…], the short form lists and
 * suggestions use (new reference; NULL when out of memory). */
json_t *conv_refs_json(PGresult *r);
int conv_is_admin(const conv *cv);          /* owner or admin */
int conv_can_post(const conv *cv);          /* anyone but a channel's plain members and the muted */
/* ERR_NOT_ALLOWED (neutral, as for sending) when cv->blocked; doing names the action. */
err_t conv_unblocked(svc *c, const conv *cv, const char *doing);
/* ERR_FORBIDDEN, saying until when, while the caller is muted here; doing names the action. */
err_t conv_unmuted(svc *c, const conv *cv, const char *doing);
/* JSON of a conversation; with_members adds "members" (and "peer" for direct ones). */
err_t conv_json(svc *c, const conv *cv, int with_members, json_t **out);
/* Finds or creates the direct conversation of the caller and peer (ERR_NOT_ALLOWED if a
 * block stands between them). */
err_t conv_direct_open(svc *c, user_row *peer, long long *id, int *created);
/* The same for the end-to-end encrypted direct conversation of the two when e2e (a
 * conversation of its own beside the plain one). */
err_t conv_direct_open_e2e(svc *c, user_row *peer, int e2e, long long *id, int *created);
/* Adds uid as a member with role inside the caller's transaction; ERR_ALREADY_MEMBER if
 * they are one already. */
err_t conv_add_member(svc *c, long long conv_id, long long uid, const char *role);
/* Appends a system message (sender = the caller) to the conversation; *seq (if seq is not
 * NULL) gets its number, for the event published after commit. */
err_t conv_system(svc *c, long long conv_id, const char *text, long long *seq);
/* "conversation.created" for a conversation the caller just created: the caller gets it as
 * conv_json shows it to them; every other member gets it as a plain member with nothing
 * read (and, for a direct one, with the caller as "peer"). */
void conv_event_created(svc *c, long long conv_id);

#endif
