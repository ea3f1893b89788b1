/* modules.c — the one list of modules; see module.h. */
#include "module.h"
#include <pthread.h>
#include <stdlib.h>
#include "../core/metrics.h"
#include "../worker/jobs.h"

extern const module home_module, account_module, profile_module, security_module, contacts_module, inbox_module,
    conv_module, members_module, msg_module, typing_module, presence_module, broadcast_module, users_module,
    tokens_module, people_module, events_module, search_module, media_module, twofactor_module, admin_module,
    audit_module, reports_module, moderation_module, passkey_module, exports_module, observe_module,
    email_module, evlog_module;
extern const module devices_module;   /* the key directory of end-to-end encryption */
extern const module push_module, notify_module, mentions_module;
extern const module theme_module;
extern const module e2emsg_module;    /* encrypted conversations' envelopes */
extern const module small_module;     /* the small-site store: Redis's part in PostgreSQL */
extern const module longpoll_module;  /* GET /events on a small site, answered here */
extern const module hooks_module;     /* incoming webhooks: POST /hooks/<secret> */
extern const module bots_module;      /* bot accounts and their tokens */
extern const module hooks_out_module; /* outgoing webhooks (sent by parley-worker) */
extern const module digest_module;    /* e-mail digests' one-click unsubscribe */
extern const module requests_module;  /* message requests */
extern const module previews_module;  /* link previews: removal, and the statements of the send path */
extern const module invitations_module; /* group invitations from non-contacts */
extern const module links_module;     /* linking a new device: relayed sealed transfers */
extern const module react_page_module; /* every emoji for a reaction, without JavaScript */
static const module store_module = {"store", NULL, 0, db_core_stmts};   /* the store's own */
/* Changes that cause background work queue it in their own transaction (cgi/worker/jobs.h);
 * administrators list and retry jobs from the admin area with the worker's own statements. */
static const module jobs_module = {"jobs", NULL, 0, jobs_enqueue_stmts};
static const module jobs_admin_module = {"jobs-admin", NULL, 0, jobs_stmts};

const module *const modules[] = {
    &home_module, &account_module, &profile_module, &security_module, &contacts_module, &inbox_module,
    &conv_module, &members_module, &msg_module, &typing_module, &presence_module, &broadcast_module,
    &search_module, &media_module, &twofactor_module, &admin_module, &audit_module, &reports_module,
    &moderation_module, &passkey_module, &exports_module, &observe_module, &email_module,
    &users_module, &tokens_module, &people_module, &devices_module,
    &theme_module,
    &events_module, &evlog_module, &store_module, &jobs_module, &jobs_admin_module,
    &push_module, &notify_module, &mentions_module, &e2emsg_module,
    &small_module, &longpoll_module,
    &hooks_module, &bots_module, &hooks_out_module,
    &digest_module,
    &requests_module,
    &previews_module,
    &invitations_module,
    &links_module,
    &react_page_module,
    NULL,
};

static pthread_once_t modules_once = PTHREAD_ONCE_INIT;
static route *modules_table;                 /* built once; lives as long as the process */
static size_t modules_n;
static const db_stmt **modules_sets;

static void modules_build(void)
{
    size_t n = 0, k = 0;
    for (const module *const *m = modules; *m; m++) n += (*m)->nroutes, k++;
    modules_table = calloc(n ? n : 1, sizeof *modules_table);
    modules_sets = calloc(k + 1, sizeof *modules_sets);
    if (!modules_table || !modules_sets) err_abort(__FILE__, __LINE__, "out of memory building the route table");
    k = 0;
    for (const module *const *m = modules; *m; m++) {
        for (size_t i = 0; i < (*m)->nroutes; i++) modules_table[modules_n++] = (*m)->routes[i];
        if ((*m)->stmts) modules_sets[k++] = (*m)->stmts;
    }
    if (met_routes_init(modules_n)) err_abort(__FILE__, __LINE__, "out of memory building the request counters");
}

const route *modules_routes(size_t *n)
{
    pthread_once(&modules_once, modules_build);
    *n = modules_n;
    return modules_table;
}

const db_stmt *const *modules_stmts(void)
{
    pthread_once(&modules_once, modules_build);
    return modules_sets;
}
