/* notify.h — who is notified of what (routes in notify.c): per conversation all messages,
 * mentions only or nothing, and a mute until a time; per person do-not-disturb hours in
 * their time zone and keywords that count as mentions. parley-worker's push job applies
 * them (cgi/worker/push_send.c); notify_mentions is the one test of "mentions me" both use. */
#ifndef PARLEY_NOTIFY_H
#define PARLEY_NOTIFY_H
#include <stddef.h>
#include "../core/arena.h"
#include "svc.h"
#include "conv.h"

#define NOTIFY_MAX_KEYWORDS 20
#define NOTIFY_KEYWORD_MAX 40     /* characters */

/* The level a conversation of this kind has when the person chose none. */
const char *notify_default_level(const char *kind);
/* 1 when body[0..len) mentions username (@username, as the formatter links it) or holds one
 * of keywords (one per line; NULL or "" for none) as a
 * whole word, case folded for ASCII. */
int notify_mentions(arena *a, const char *body, size_t len, const char *username, const char *keywords);
/* 1 when body mentions @all: everyone in a group or channel (only owners and admins post in
 * a channel, so only they can). */
int notify_mentions_all(arena *a, const char *body, size_t len);
/* 1 when body mentions @here: the members who have Parley open (presence online or away)
 * when the notification is decided. */
int notify_mentions_here(arena *a, const char *body, size_t len);
/* Whether @all and @here in a message of a sender with role (members.role; NULL: none) in
 * a conversation of kind notify as mentions: in groups always, in channels only from owners
 * and admins (in others' messages they are plain text); never in direct conversations. */
int notify_everyone_allowed(const char *kind, const char *role);

#define NOTIFY_CONFIRM_MEMBERS 50   /* above this, @all / @here need "confirm_all": true */
typedef struct ctx ctx;
/* Before a message with body is stored in cv: @all or @here in a group or channel of more
 * than NOTIFY_CONFIRM_MEMBERS members needs the sender's confirmation ("confirm_all": true,
 * or a form's 1): otherwise 409 conflict with field "confirm_all" and a sentence naming how
 * many people it notifies (the page shows it above the composer, which then carries the
 * confirmation). */
err_t notify_everyone_check(ctx *c, const conv *cv, const char *body);

extern const db_stmt notify_stmts[];

/* The caller's {"time_zone","dnd":{"start","end"}|null,"keywords":[…]} (new reference). */
err_t notify_prefs_json(svc *s, json_t **out);

#endif
