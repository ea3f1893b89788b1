/* retention.h — the "retention" job: messages older than the retention limit become
 * tombstones, exactly as a deleted message does (body, reactions and attached files gone,
 * the row kept so that seq stays gap-free). The limit of a conversation is the shorter of
 * the instance's message_retention_days (instance_settings; 0 keeps messages forever) and
 * the conversation's retention_days (NULL keeps them forever). Queued every hour (key
 * retention:<UTC hour>) and run at once by `parley retention run`. It works in batches of
 * RETENTION_BATCH messages, each its own short transaction, so no table is locked for long;
 * files no longer attached to anything are collected by media.cleanup. The count goes to
 * the log and the audit log ("retention.run"). Idempotent: a tombstone is not touched again. */
#ifndef PARLEY_RETENTION_H
#define PARLEY_RETENTION_H
#include <jansson.h>
#include "../app/svc.h"

#define RETENTION_BATCH 1000
#define RETENTION_MAX_DAYS 36500

extern const db_stmt retention_stmts[];

err_t retention_run(svc *s, json_t *payload, char *why, size_t whylen);
/* The same, saying how many messages became tombstones in how many conversations (both
 * also logged and audited when not zero). */
err_t retention_apply(svc *s, long long *messages, long long *conversations, char *why, size_t whylen);

#endif
