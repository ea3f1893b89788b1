/* pubsub.h — the hub's one Redis subscriber: PSUBSCRIBE parley:u:* and hand every event to
 * hub_deliver; after losing Redis it reconnects and resyncs every stream. */
#ifndef PARLEY_PUBSUB_H
#define PARLEY_PUBSUB_H
#include <stddef.h>

/* The highest event id handed out so far (GET parley:evseq), or -1 if Redis is down. */
long long pubsub_latest(const char *addr, long timeout_ms);
/* Thread body: runs forever; arg is the config (const config *). */
void *pubsub_main(void *arg);
/* The id at the front of an event's JSON ({"id":<id>,…}, one line), or -1. */
long long pubsub_event_id(const char *s, size_t n);
/* Parses "parley:u:<uid>"; 0 on success. */
int pubsub_channel_uid(const char *channel, long long *uid);

#endif
