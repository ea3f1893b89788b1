/* ratelimit.c — see ratelimit.h. */
#include "ratelimit.h"
#include <stdlib.h>

err_t rl_check(ctx *c, const char *key, const rate_rule *rule)
{
    err_t e = kv_append(c->kv, "GET rl:%s", key);
    if (!e) e = kv_append(c->kv, "TTL rl:%s", key);
    if (e) { kv_close(c->kv); return e; }
    redisReply *r[2];
    e = kv_replies(c->kv, 2, r);
    if (!e && r[0]->type == REDIS_REPLY_STRING && atol(r[0]->str) >= rule->limit) {
        c->retry_after = r[1]->type == REDIS_REPLY_INTEGER && r[1]->integer > 0 ? r[1]->integer : 1;
        e = ERR_RATE_LIMITED;
    }
    kv_free_replies(2, r);
    return e;
}

err_t rl_hit(ctx *c, const char *key, const rate_rule *rule)
{
    err_t e = kv_append(c->kv, "INCR rl:%s", key);
    if (!e) e = kv_append(c->kv, "EXPIRE rl:%s %ld NX", key, rule->window);
    if (e) { kv_close(c->kv); return e; }
    redisReply *r[2];
    e = kv_replies(c->kv, 2, r);
    kv_free_replies(2, r);
    return e;
}
