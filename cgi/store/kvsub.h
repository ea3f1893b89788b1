/* kvsub.h — reading a Redis subscription that notices a hung Redis: the hub's subscriber
 * (events/pubsub.c) and parley.fcgi's session cache (app/sesscache.c) share it. A quiet
 * subscription is pinged every KVSUB_PING_MS; nothing heard for KVSUB_DEAD_MS (a hung, not
 * dead, Redis) counts as a lost connection, as does any read or write error. */
#ifndef PARLEY_KVSUB_H
#define PARLEY_KVSUB_H
#include "kv.h"

enum { KVSUB_PING_MS = 5000,    /* a quiet subscription is pinged this often… */
       KVSUB_DEAD_MS = 16000 }; /* …and taken for lost after this long without a word */

/* What kvsub_run calls: up(arg, again) once subscribed (again: not the first time),
 * message(m, arg) for each message (kvsub_run frees it), lost(arg, why) when the connection
 * is lost, before it subscribes again a second later. */
typedef struct kvsub_calls {
    void (*up)(void *arg, int again);
    void (*message)(redisReply *m, void *arg);
    void (*lost)(void *arg, const char *why);
} kvsub_calls;
/* Runs forever: connects to addr, sends subscribe (a SUBSCRIBE or PSUBSCRIBE command, whose
 * first confirmation it reads), and reads it, subscribing again after a loss. */
void kvsub_run(const char *addr, long timeout_ms, const char *subscribe, const kvsub_calls *calls, void *arg);

#endif
