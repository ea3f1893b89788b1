/* ratelimit.h — fixed-window budgets in Redis. A slot is taken atomically *before* the work
 * it limits (one script: increment, compare, expire), so requests sent at once cannot
 * overshoot the limit; work that turns out not to count (a login that succeeded) gives its
 * slot back. */
#ifndef PARLEY_RATELIMIT_H
#define PARLEY_RATELIMIT_H
#include "ctx.h"

/* Takes one slot of rule's budget under rl:<key>. ERR_RATE_LIMITED (with c->retry_after
 * set, and no slot taken) when the budget of the current window is spent. */
err_t rl_take(svc *c, const char *key, const rate_rule *rule);
/* Gives back a slot taken by rl_take (never below zero); key NULL does nothing. */
err_t rl_give(svc *c, const char *key);

#endif
