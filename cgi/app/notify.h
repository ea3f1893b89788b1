/* notify.h — who is notified of what (routes in notify.c): per conversation all messages,
 * mentions only or nothing, and a mute until a time; per person do-not-disturb hours in
 * their time zone and keywords that count as mentions. parley-worker's push job applies
 * them (cgi/worker/push_send.c); notify_mentions is the one test of "mentions me" both use. */
#ifndef PARLEY_NOTIFY_H
#define PARLEY_NOTIFY_H
#include <stddef.h>
#include "../core/arena.h"
#include "svc.h"

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

extern const db_stmt notify_stmts[];

/* The caller's {"time_zone","dnd":{"start","end"}|null,"keywords":[…]} (new reference). */
err_t notify_prefs_json(svc *s, json_t **out);

#endif
