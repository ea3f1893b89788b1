/* svc.c — see svc.h. */
#include "svc.h"

err_t svc_fail(svc *s, err_t e, const char *field, const char *msg)
{
    s->err_field = field;
    s->err_msg = msg;
    return e;
}

svc svc_aside(const svc *s)
{
    svc b = *s;
    b.err_field = b.err_msg = NULL;
    b.retry_after = 0;
    return b;
}

const char *id_str(svc *s, long long id) { return arena_printf(s->a, "%lld", id); }
