/* answer.c — see answer.h. */
#include "answer.h"
#include <stdio.h>
#include <stdlib.h>
#include "../core/log.h"

void answer_error_head(ctx *c, err_t e)
{
    resp *rs = c->rs;
    buf_reset(&rs->body);
    rs->status = err_lookup(e)->status;
    if (e == ERR_INTERNAL)
        log_error("%s %s: internal error", c->rq.method ? c->rq.method : "?", c->rq.raw_uri ? c->rq.raw_uri : "?");
    if (e == ERR_RATE_LIMITED) {
        char s[24];
        snprintf(s, sizeof s, "%ld", c->svc.retry_after > 0 ? c->svc.retry_after : 1);
        resp_header(rs, "Retry-After", s);
    }
    if (e == ERR_UNAUTHORIZED && c->rq.is_api) resp_header(rs, "WWW-Authenticate", "Bearer realm=\"parley\"");
}

void answer_error_json(ctx *c, err_t e)
{
    const err_info *ei = err_lookup(e);
    answer_error_head(c, e);
    json_t *err = json_pack("{s:s,s:s}", "code", ei->code, "message", c->svc.err_msg ? c->svc.err_msg : ei->message);
    if (err && c->svc.err_field) json_object_set_new(err, "field", json_string(c->svc.err_field));
    json_t *body = err ? json_pack("{s:o}", "error", err) : NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;   /* malloc'd: freed below */
    c->rs->content_type = "application/json";
    buf_puts(&c->rs->body, text ? text : "{\"error\":{\"code\":\"internal\",\"message\":\"Out of memory.\"}}");
    free(text);
    json_decref(body);
}
