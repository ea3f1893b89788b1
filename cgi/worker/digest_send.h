/* digest_send.h — missed-message e-mail digests, parley-worker's half. Two jobs:
 * `digest.message` (one per message, queued by the sending statement msg_insert, cgi/app/send_jobs.h)
 * notes the message for every member it should reach by mail, and `digest.send` (one per
 * person and conversation) mails them ONE digest of what is still unread when it is due. */
#ifndef PARLEY_DIGEST_SEND_H
#define PARLEY_DIGEST_SEND_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

extern const db_stmt digest_send_stmts[];

#define DIGEST_MAX_MESSAGES 30      /* messages shown in one digest; the rest are counted */
#define DIGEST_EXCERPT_CHARS 500    /* characters of each message shown */

/* digest.message {"conversation_id", "seq", "sender_id"}: for each member but the sender who
 * has a verified address, digests on, has not read it, has not blocked the sender, is not
 * muted and whose level lets the message notify them (mentions: @name, a keyword or @all),
 * starts a pending digest of the conversation (digest_pending) due in their delay, with its
 * digest.send job, or extends the one already pending. Run twice, it changes nothing. */
err_t digest_message_run(svc *s, json_t *payload, char *why, size_t whylen);

/* digest.send {"user_id", "conversation_id"}: when due, mails the messages of the pending
 * digest still unread (nothing when all were read or the person muted the conversation,
 * turned digests off or lost the verified address); inside do-not-disturb hours it is held
 * until they end (a later digest.send). Each mail has text and HTML parts and a one-click
 * List-Unsubscribe link. A failed delivery fails the job, retried with backoff. */
err_t digest_send_run(svc *s, json_t *payload, char *why, size_t whylen);

#endif
