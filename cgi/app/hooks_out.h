/* hooks_out.h — outgoing webhooks: on each new message of a conversation (or only those
 * that mention the webhook's bot or start with its trigger word) the worker POSTs the
 * message as JSON to a URL, signed with HMAC-SHA-256 (cgi/worker/hook_send.c), and posts a
 * {"text"} reply back as the webhook's bot. Owners and admins manage them. */
#ifndef PARLEY_HOOKS_OUT_H
#define PARLEY_HOOKS_OUT_H
#include "conv.h"

enum { HOOK_OUT_SECRET_LEN = 6 + 43 };   /* "whsec_" + a 256-bit secret */

extern const db_stmt hooks_out_stmts[];

/* The conversation's outgoing webhooks as JSON (new reference in *out). */
err_t hooks_out_list_json(svc *c, long long conv_id, json_t **out);
/* 1 when body triggers a webhook with this trigger word ("" or NULL: none), mentions_only
 * flag and bot username: no condition matches everything; else either one that is set.
 * The send path decides the same in SQL (msg_insert, with send_jobs.h's parameters); messages
 * of bots (webhooks' own replies among them) trigger nothing. */
int hooks_out_triggered(const char *body, const char *trigger, int mentions_only, const char *username);

#endif
