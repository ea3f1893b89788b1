/* inbox.h — the list of your conversations (GET /conversations), shared with the
 * conversation page, which shows the same list beside the conversation on wide screens. */
#ifndef PARLEY_INBOX_H
#define PARLEY_INBOX_H
#include "ctx.h"

/* Your conversations, most recent activity first, each with its unread count, last message
 * and (direct ones) the peer with presence. *out is a new JSON array the caller owns. */
err_t inbox_list(ctx *c, json_t **out);
/* Your unread messages in all conversations (each counted as on the list) and in how many
 * conversations; every page shows the total in its navigation. */
err_t inbox_unread(svc *c, long long *messages, long long *conversations);

#endif
