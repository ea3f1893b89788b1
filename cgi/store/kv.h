/* kv.h — one Redis connection per worker thread (hiredis), with connect and command
 * timeouts; a lost connection is dropped and reopened on the next call. */
#ifndef PARLEY_KV_H
#define PARLEY_KV_H
#include <hiredis/hiredis.h>
#include "../core/err.h"

typedef struct kv {
    redisContext *c;       /* NULL when not connected */
    const char *addr;      /* "unix:/path" or "host:port", borrowed from config */
    long timeout_ms;
} kv;

void kv_init(kv *k, const char *addr, long timeout_ms);
void kv_close(kv *k);
err_t kv_ensure(kv *k);
/* One command (hiredis format: %s and %b are arguments, never spliced into the command).
 * On ERR_OK *out is the reply (freeReplyObject); an error reply is ERR_INTERNAL. */
err_t kv_cmd(kv *k, redisReply **out, const char *fmt, ...);
/* Pipelining: queue with kv_append, then read each reply with kv_reply in order. */
err_t kv_append(kv *k, const char *fmt, ...);
err_t kv_reply(kv *k, redisReply **out);
/* Reads all n queued replies (so the connection never desynchronises) into out[]; returns
 * the first error. The caller frees every non-NULL out[i] with kv_free_replies. */
err_t kv_replies(kv *k, int n, redisReply **out);
void kv_free_replies(int n, redisReply **r);

#endif
