/* typing.c — "is typing…": at most one event per person and conversation every 3 s,
 * stored nowhere (ephemeral), and typing counts as activity for presence. */
#include "module.h"
#include <stdio.h>
#include "../core/log.h"
#include "conv.h"
#include "events.h"
#include "presence.h"
#include "users.h"
#include "smallsite.h"

/* POST /conversations/<id>/typing: at most one event per person and conversation every 3 s
 * (the NX key is the limiter); more are answered 204 and dropped. Ephemeral: nothing stored,
 * and a Redis failure only loses the event. */
static err_t h_conv_typing(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    c->status = 204;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld", cv.id);
    if (!conv_can_post(&cv)) return ERR_OK;              /* a channel's readers write nothing */
    char key[64];
    snprintf(key, sizeof key, "parley:typing:%lld:%lld", cv.id, c->svc.user->id);
    int first;                                           /* NX: not while the last one is fresh */
    if (ticket_put(&c->svc, key, "1", 3, 1, &first)) {
        log_warn("events: typing in %lld not published (store)", cv.id);
        return ERR_OK;
    }
    if (!first) return ERR_OK;
    presence_change(&c->svc, NULL, c->svc.user->id, PRES_TOUCH);   /* typing is activity (an away typist is back) */
    if (cv.blocked) return ERR_OK;                       /* a blocked peer hears nothing, as for messages */
    ev_conv(&c->svc, cv.id, json_pack("{s:s,s:I,s:o}", "type", "typing", "conversation_id", (json_int_t)cv.id,
                                      "user", users_ref_of(c->svc.user)), 0, c->svc.user->id);
    return ERR_OK;
}

/* ---- routes (module.h) ---- */

static const route typing_routes[] = {
    {"POST", "/conversations/:id/typing", h_conv_typing, R_AUTH, "conversation", NULL, h_conv_show, NULL},
};
const module typing_module = {"typing", MODULE_ROUTES(typing_routes), NULL};
