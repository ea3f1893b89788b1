/* ratelimit.c — see ratelimit.h. */
#include "ratelimit.h"
#include "smallsite.h"

/* KEYS[1] the counter, ARGV[1] the limit, ARGV[2] the window: 0 when a slot was taken,
 * else the seconds until the window ends. Over the limit the increment is undone, so a
 * flood of refused requests does not keep the window full. */
static const char rl_lua[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end "
    "if n <= tonumber(ARGV[1]) then return 0 end "
    "redis.call('DECR', KEYS[1]) "
    "local t = redis.call('TTL', KEYS[1]) "
    "if t < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) t = tonumber(ARGV[2]) end "
    "return t";

static const char rl_give_lua[] =
    "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end return 0";

err_t rl_take(svc *c, const char *key, const rate_rule *rule)
{
    long long wait = 0;
    if (small_site(c->cfg)) {
        err_t e = small_rl_take(c, key, rule->limit, rule->window, &wait);
        if (e) return e;
    } else {
        redisReply *r;
        err_t e = kv_cmd(c->kv, &r, "EVAL %s 1 rl:%s %ld %ld", rl_lua, key, rule->limit, rule->window);
        if (e) return e;
        wait = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
        freeReplyObject(r);
    }
    if (wait <= 0) return ERR_OK;
    c->retry_after = (long)wait;
    return ERR_RATE_LIMITED;
}

err_t rl_give(svc *c, const char *key)
{
    if (!key) return ERR_OK;
    if (small_site(c->cfg)) return small_rl_give(c, key);
    redisReply *r;
    err_t e = kv_cmd(c->kv, &r, "EVAL %s 1 rl:%s", rl_give_lua, key);
    if (!e) freeReplyObject(r);
    return e;
}
