/* msg.h — the message store: a gap-free seq per conversation, idempotent sends, history
 * pages, reactions, read and delivered positions, and the events they announce. It works
 * on a conversation the caller loaded (conv.h). */
#ifndef PARLEY_MSG_H
#define PARLEY_MSG_H
#include "conv.h"
#include "users.h"

extern const db_stmt msg_stmts[];

/* A message's columns: m the message, s its sender, r the message it replies to, rs that
 * one's sender (MSG_JOINS joins them to "messages m"); msg_row_json reads them by the
 * names below, from any column offset, so the inbox's last message and history pages are
 * the same JSON. */
#define MSG_COLS MSG_COLS_WITH(MSG_ATTACH_COL)
/* MSG_COLS with its files column given: the sending statement reads them from its own
 * parameter (a statement's reads do not see its own inserts). */
#define MSG_COLS_WITH(attach) "m.id, m.seq, m.kind, m.body, " DB_TS("m.created_at") ", " DB_TS("m.edited_at") ", " \
                 "m.deleted_at IS NOT NULL, m.client_id, " USERS_REF_COLS("s") ", m.reply_to_seq, r.body, " \
                 "r.deleted_at IS NOT NULL, " USERS_REF_COLS("rs") ", " attach ", m.removed_by IS NOT NULL, " \
                 "m.e2e_device, encode(m.ciphertext, 'hex'), m.sender_name"
/* The files a message carries, in order, as a JSON array (NULL for none): MSG_ATTACH_AGG
 * aggregates the rows of media x, sorted by the expression order. */
#define MSG_ATTACH_AGG(order) "json_agg(json_build_object('id', x.id, 'name', x.name, 'mime', x.mime, " \
                       "'kind', x.kind, 'size', x.size, 'width', x.width, 'height', x.height, " \
                       "'duration_ms', x.duration_ms, 'state', x.state, 'thumbs', x.thumbs) ORDER BY " order ")"
#define MSG_ATTACH_COL "(SELECT " MSG_ATTACH_AGG("mm.position") " " \
                       "FROM message_media mm JOIN media x ON x.id = mm.media_id " \
                       "WHERE mm.conversation_id = m.conversation_id AND mm.seq = m.seq)"
#define MSG_JOINS "LEFT JOIN users s ON s.id = m.sender_id " \
                  "LEFT JOIN messages r ON r.conversation_id = m.conversation_id AND r.seq = m.reply_to_seq " \
                  "LEFT JOIN users rs ON rs.id = r.sender_id"
enum msg_col {
    MC_ID, MC_SEQ, MC_KIND, MC_BODY, MC_CREATED, MC_EDITED, MC_DELETED, MC_CLIENT_ID,
    MC_SENDER,                                    /* USERS_REF_NCOLS columns */
    MC_REPLY_SEQ = MC_SENDER + USERS_REF_NCOLS, MC_REPLY_BODY, MC_REPLY_DELETED,
    MC_REPLY_SENDER,                              /* USERS_REF_NCOLS columns */
    MC_ATTACH = MC_REPLY_SENDER + USERS_REF_NCOLS,
    MC_REMOVED,                                   /* removed by an administrator */
    MC_E2E_DEVICE, MC_E2E_GROUP,                  /* end-to-end: sending device, sender-key ciphertext */
    MC_SENDER_NAME,                               /* a webhook post's own name for itself (027), or NULL */
    MSG_NCOLS,
};
/* The message at row i, columns col.. (MSG_COLS), as the API's message JSON (reactions
 * empty: filled by the caller), as reader sees it (mentions); reader NULL renders it for
 * nobody in particular (events). New reference. */
json_t *msg_row_json(svc *c, PGresult *r, int i, int col, long long conv_id, const user_row *reader);

/* The body of a message: not blank, at most PARLEY_MAX_MESSAGE bytes. */
err_t msg_body_ok(svc *c, const char *body);
/* Sends a text message as the caller; its "message.created" row of event_log is written by
 * the same statement, and *event_id (NULL: not wanted) is its id. With a client_id already
 * used by the caller in this conversation, *created is 0 and *seq and *event_id the
 * original's (event_id 0 once the log forgot it). media_ids (a JSON array of the caller's
 * own uploads, checked with media_check_own; may be NULL) are attached in the same statement
 * as the message. */
err_t msg_send(svc *c, const conv *cv, const char *body, const char *client_id, long long reply_to,
               json_t *media_ids, int *created, long long *seq, long long *event_id);
/* msg_send with the name the message shows for its sender (an incoming webhook's "username",
 * 1–80 characters, checked by the caller; stored on the row, shown as "<name> (via <bot>)");
 * sender_name NULL is msg_send. */
err_t msg_send_as(svc *c, const conv *cv, const char *body, const char *sender_name, const char *client_id,
                  long long reply_to, json_t *media_ids, int *created, long long *seq, long long *event_id);
/* msg_send, and the message as the same statement returned it: *mine as the sender sees
 * it, *neutral for its event (new references, both NULL unless *created). One read fewer
 * than msg_send and msg_get. */
err_t msg_send_json(svc *c, const conv *cv, const char *body, const char *client_id, long long reply_to,
                    json_t *media_ids, int *created, long long *seq, long long *event_id, json_t **mine,
                    json_t **neutral);
/* One message as JSON (with reactions). ERR_NOT_FOUND when there is no such seq. */
err_t msg_get(svc *c, long long conv_id, long long seq, json_t **out);
/* The same rendered for no particular reader (for events): no "mention-me", mentions_me
 * false, reactions without "me". */
err_t msg_get_neutral(svc *c, long long conv_id, long long seq, json_t **out);
/* Where a page of history starts: one of before, after or around (seqs; 0: not given),
 * or from_start (after=0: from seq 1); limit 1–200 (0: the default, 50). Nothing given:
 * the newest page. */
typedef struct msg_cursor {
    long long before, after, around, limit;
    int from_start;
} msg_cursor;
/* A page of history at cur: {"messages","has_older","has_newer","last_seq"} (new
 * reference), as the acting user sees it. */
err_t msg_page(svc *c, const conv *cv, const msg_cursor *cur, json_t **out);
/* The cursor the request's declared query fields (before, after, around, limit) give. */
const msg_cursor *msg_cursor_of(ctx *c, msg_cursor *cur);
/* Moves the caller's read position up to seq; returns the new position and (unless unread
 * is NULL) the unread count. */
err_t msg_mark_read(svc *c, const conv *cv, long long seq, long long *read_seq, long long *unread);

/* A message event ("message.edited", "reaction") to the members of conv_id, with the
 * message rendered for no particular reader. */
void msg_event(svc *c, const char *type, long long conv_id, long long seq);
/* Publishes the "message.created" event of conv_id/seq under event_id, the id msg_send
 * logged it with (0: looked up, e.g. for a system message), with message, the message
 * rendered for nobody in particular (stolen; NULL: loaded here). */
void msg_event_created(svc *c, long long conv_id, long long seq, long long event_id, json_t *message);
/* {"type","conversation_id","seq","message"} for the message, rendered for no particular
 * reader (new reference; NULL when it cannot be loaded). The events hub replays with it. */
json_t *msg_event_json(svc *c, const char *type, long long conv_id, long long seq);
/* A "read" event: user_id has read conv_id up to read_seq (nothing when the caller keeps
 * read receipts off). */
void msg_event_read(svc *c, long long conv_id, long long user_id, long long read_seq);
/* A "delivered" event: user_id's client has received conv_id up to delivered_seq. */
void msg_event_delivered(svc *c, long long conv_id, long long user_id, long long delivered_seq);

#endif
