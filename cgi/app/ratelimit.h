/* ratelimit.h — fixed-window counters in Redis (INCR + EXPIRE NX). */
#ifndef PARLEY_RATELIMIT_H
#define PARLEY_RATELIMIT_H
#include "ctx.h"

/* ERR_RATE_LIMITED (with c->retry_after set) once key has reached the rule's limit. */
err_t rl_check(ctx *c, const char *key, const rate_rule *rule);
/* Counts one event against key. */
err_t rl_hit(ctx *c, const char *key, const rate_rule *rule);

#endif
