/* svc.h — the service context the domain works in: the thread's PostgreSQL and Redis
 * connections, an arena for what it returns, the acting user and the detail of the last
 * error. It knows nothing of HTTP: a request's context embeds one (ctx.h), and the command
 * line, the events hub and the worker make their own (worker_svc). */
#ifndef PARLEY_SVC_H
#define PARLEY_SVC_H
#include <jansson.h>
#include "../core/arena.h"
#include "../core/config.h"
#include "../core/err.h"
#include "../store/db.h"
#include "../store/kv.h"

typedef struct user_row {
    long long id;
    const char *username, *display_name, *status_text, *created_at;   /* arena-owned */
    int read_receipts;      /* shares (and sees) read receipts */
    int show_presence;      /* shares (and sees) presence */
    long long avatar_id;    /* the avatar's media id, or 0 */
    int is_admin;           /* an administrator of the instance */
    int deactivated;        /* deactivated by an administrator: may not sign in */
    int must_change_password;   /* an administrator asked for a new password first */
    int has_2fa;            /* a second factor is set up: TOTP, or a passkey */
    int needs_2fa;          /* the instance requires a second factor it has not set up */
    const char *email;      /* the account's e-mail address, or NULL (private: /me only) */
    int email_verified;     /* its link was opened */
    int is_bot;             /* a bot account (023): acts by API token only, never by password */
    const char *time_zone;  /* notify_prefs.time_zone ("UTC" when unset): pages show times in it (arena-owned) */
    int clock24;            /* notify_prefs.clock24: pages show "15:05", not "3:05 PM" */
} user_row;

typedef struct svc {
    const config *cfg;
    db *db;
    kv *kv;
    arena *a;                /* what domain functions return lives here */
    user_row *user;          /* who acts: NULL for nobody (anonymous, or the system) */
    const char *err_field;   /* the detail of the last error (arena or static) */
    const char *err_msg;
    long retry_after;        /* seconds, with ERR_RATE_LIMITED */
    /* The last message this context inserted: its event id, and the conversation's member
     * epoch its statement read (sql/030), so that its event goes out once, by conversation. */
    long long sent_event, sent_epoch;
} svc;

/* Records the detail of an error and returns it, for `return svc_fail(...)`. */
err_t svc_fail(svc *s, err_t e, const char *field, const char *msg);
/* A context for work on the side of s (events after a commit): the same connections,
 * arena and user, with its own error detail, so a failure there is never the request's. */
svc svc_aside(const svc *s);
/* A number as text in the arena, for statement parameters. */
const char *id_str(svc *s, long long id);

#endif
