/* pubsub.h — the hub's one Redis subscriber: PSUBSCRIBE parley:u:* (a user's events),
 * parley:c:* (a conversation's new messages, see convmap.h) and parley:ended; hands every
 * event to hub_deliver or convmap_deliver, noting its id for the log follower (follow.h);
 * a quiet subscription is pinged (store/kvsub.h), and after losing Redis it reconnects.
 * What it missed meanwhile the follower delivers from event_log. */
#ifndef PARLEY_PUBSUB_H
#define PARLEY_PUBSUB_H
#include <stddef.h>

#include "../store/db.h"

extern const db_stmt pubsub_stmts[];
/* The highest event id handed out so far (the sequence event_ids), or -1 if PostgreSQL
 * cannot say. */
long long pubsub_latest(db *d);
/* Once at start: raises event_ids to the counter older versions kept in Redis, if any. */
void pubsub_raise(db *d, const char *redis_addr, long timeout_ms);
/* Thread body: runs forever; arg is the config (const config *). */
void *pubsub_main(void *arg);
/* The id at the front of an event's JSON ({"id":<id>,…}, one line), or -1. */
long long pubsub_event_id(const char *s, size_t n);
/* Parses "parley:u:<uid>"; 0 on success. */
int pubsub_channel_uid(const char *channel, long long *uid);

#endif
