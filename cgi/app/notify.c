/* notify.c — see notify.h. Routes: GET/PUT /conversations/<id>/notifications (and the POST
 * of its page's form), GET/PUT /me/notifications (the form on the Notifications page).
 * Who owns what: strings in the request's arena; PGresults cleared where they are read. */
#include "notify.h"
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "digest.h"
#include "push.h"
#include "../core/buf.h"
#include "format.h"
#include "../core/utf8.h"
#include "../core/tzfile.h"
#include "users.h"

const db_stmt notify_stmts[] = {
    {"notify_conv_get", "SELECT level, " DB_TS("muted_until") " FROM notify_settings WHERE user_id = $1 AND "
                        "conversation_id = $2 AND (level IS NOT NULL OR muted_until > now())"},
    /* level NULL: the kind's default; $3 minutes of mute from now, 0: none. */
    {"notify_conv_set", "INSERT INTO notify_settings (user_id, conversation_id, level, muted_until) "
                        "VALUES ($1, $2, $3, CASE WHEN $4::int > 0 THEN now() + $4::int * interval '1 minute' END) "
                        "ON CONFLICT (user_id, conversation_id) DO UPDATE SET level = EXCLUDED.level, "
                        "muted_until = EXCLUDED.muted_until"},
    {"notify_prefs_get", "SELECT time_zone, dnd_start, dnd_end, array_to_string(keywords, E'\\n'), email_digests, "
                         "digest_minutes FROM notify_prefs WHERE user_id = $1"},
    /* $6 e-mail digests on/off and $7 their delay in minutes: NULL keeps what was chosen. */
    {"notify_prefs_set", "INSERT INTO notify_prefs (user_id, time_zone, dnd_start, dnd_end, keywords, email_digests, "
                         "digest_minutes) VALUES ($1, $2, $3, $4, string_to_array($5, E'\\n'), coalesce($6::boolean, true), "
                         "coalesce($7::smallint, 10)) ON CONFLICT (user_id) DO UPDATE SET "
                         "time_zone = EXCLUDED.time_zone, dnd_start = EXCLUDED.dnd_start, dnd_end = EXCLUDED.dnd_end, "
                         "keywords = EXCLUDED.keywords, email_digests = coalesce($6::boolean, notify_prefs.email_digests), "
                         "digest_minutes = coalesce($7::smallint, notify_prefs.digest_minutes)"},
    {"notify_tz_known", "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"},
    {"notify_member_count", "SELECT count(*) FROM members WHERE conversation_id = $1"},
    {NULL, NULL},
};

const char *notify_default_level(const char *kind) { return kind && !strcmp(kind, "channel") ? "mentions" : "all"; }

static int nt_lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch; }
static int nt_wordch(unsigned char ch)
{
    return ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

/* 1 when word[0..wl) occurs in s[0..n) with no word character right before or after. */
static int nt_has_word(const char *s, size_t n, const char *word, size_t wl)
{
    if (!wl || wl > n) return 0;
    for (size_t i = 0; i + wl <= n; i++) {
        size_t k = 0;
        while (k < wl && nt_lower((unsigned char)s[i + k]) == nt_lower((unsigned char)word[k])) k++;
        if (k < wl) continue;
        if ((i && nt_wordch((unsigned char)s[i - 1]) && nt_wordch((unsigned char)word[0])) ||
            (i + wl < n && nt_wordch((unsigned char)s[i + wl]) && nt_wordch((unsigned char)word[wl - 1])))
            continue;
        return 1;
    }
    return 0;
}

int notify_mentions(arena *a, const char *body, size_t len, const char *username, const char *keywords)
{
    const char *names[64];
    size_t n = fmt_mentions(a, body, len, names, 64);
    for (size_t i = 0; username && i < n; i++)
        if (!strcmp(names[i], username)) return 1;
    for (const char *k = keywords; k && *k;) {
        size_t kl = strcspn(k, "\n");
        if (nt_has_word(body, len, k, kl)) return 1;
        k += kl;
        if (*k) k++;
    }
    return 0;
}

/* 1 when the formatter's mention list of body holds name. */
static int nt_mentions_name(arena *a, const char *body, size_t len, const char *name)
{
    const char *names[64];
    size_t n = fmt_mentions(a, body, len, names, 64);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return 1;
    return 0;
}

int notify_mentions_all(arena *a, const char *body, size_t len) { return nt_mentions_name(a, body, len, "all"); }
int notify_mentions_here(arena *a, const char *body, size_t len) { return nt_mentions_name(a, body, len, "here"); }

int notify_everyone_allowed(const char *kind, const char *role)
{
    if (!kind || !strcmp(kind, "direct") || !strcmp(kind, "system")) return 0;
    if (strcmp(kind, "channel")) return 1;
    return role && (!strcmp(role, "owner") || !strcmp(role, "admin"));
}

err_t notify_everyone_check(ctx *c, const conv *cv, const char *body)
{
    svc *s = &c->svc;
    if (!body || cv->e2e || !notify_everyone_allowed(cv->kind, cv->my_role)) return ERR_OK;
    size_t len = strlen(body);
    int all = notify_mentions_all(s->a, body, len), here = !all && notify_mentions_here(s->a, body, len);
    if (!all && !here) return ERR_OK;
    json_t *cj = json_object_get(c->in, "confirm_all");
    const char *cs = json_string_value(cj);
    if (json_is_true(cj) || (cs && (!strcmp(cs, "1") || !strcmp(cs, "true") || !strcmp(cs, "on")))) return ERR_OK;
    const char *p[] = {id_str(s, cv->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "notify_member_count", 1, p, &r);
    if (e) return e;
    long long n = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (n <= NOTIFY_CONFIRM_MEMBERS) return ERR_OK;
    return ctx_fail(c, ERR_CONFLICT, "confirm_all",
                    arena_printf(s->a, all ? "@all notifies all %lld members of this conversation. Send it anyway? "
                                             "(Press Send again; the API takes \"confirm_all\": true.)"
                                           : "@here notifies everyone of the %lld members who has Parley open now. Send "
                                             "it anyway? (Press Send again; the API takes \"confirm_all\": true.)", n));
}

/* ---- per conversation ---- */

static err_t notify_conv_out(ctx *c, const conv *cv)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id_str(&c->svc, cv->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "notify_conv_get", 2, p, &r);
    if (e) return e;
    int has = PQntuples(r) == 1;
    const char *chosen = has && !PQgetisnull(r, 0, 0) ? arena_strdup(c->svc.a, PQgetvalue(r, 0, 0)) : NULL;
    const char *until = has && !PQgetisnull(r, 0, 1) ? arena_strdup(c->svc.a, PQgetvalue(r, 0, 1)) : NULL;
    PQclear(r);
    const char *dflt = notify_default_level(cv->kind);
    c->out = json_pack("{s:{s:I,s:s,s:s},s:o,s:s,s:s,s:o}", "conversation", "id", (json_int_t)cv->id, "kind", cv->kind,
                       "title", cv->title ? cv->title : "", "level", chosen ? json_string(chosen) : json_null(),
                       "default_level", dflt, "effective_level", chosen ? chosen : dflt,
                       "muted_until", until ? json_string(until) : json_null());
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /conversations/<id>/notifications (and its page): a non-member gets 404. */
static err_t h_notify_conv(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    return e ? e : notify_conv_out(c, &cv);
}

/* PUT /conversations/<id>/notifications {"level": all|mentions|none|default, "mute_minutes"?} */
static err_t h_notify_conv_set(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    if (e) return e;
    const char *level = ctx_str(c, "level");
    if (!level || !*level || !strcmp(level, "default")) level = NULL;
    else if (strcmp(level, "all") && strcmp(level, "mentions") && strcmp(level, "none"))
        return ctx_fail(c, ERR_INVALID_FIELD, "level", "Choose all, mentions, none or default.");
    json_t *mj = json_object_get(c->in, "mute_minutes");
    long long minutes = json_is_integer(mj) ? (long long)json_integer_value(mj) : 0;
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id_str(&c->svc, cv.id), level, id_str(&c->svc, minutes)};
    if ((e = db_run(c->svc.db, "notify_conv_set", 4, p))) return e;
    if (!c->rq.is_api) c->redirect = arena_printf(c->svc.a, "/conversations/%lld/notifications?done=saved", cv.id);
    return notify_conv_out(c, &cv);
}

/* ---- per person ---- */

/* "HH:MM" → minutes after midnight, or -1. */
static int nt_clock(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++) if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

err_t notify_prefs_json(svc *s, json_t **out)
{
    const char *p[] = {id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "notify_prefs_get", 1, p, &r);
    if (e) return e;
    int has = PQntuples(r) == 1;
    json_t *kw = json_array();
    const char *k = has ? PQgetvalue(r, 0, 3) : "";
    while (kw && *k) {
        size_t kl = strcspn(k, "\n");
        json_array_append_new(kw, json_stringn(k, kl));
        k += kl;
        if (*k) k++;
    }
    json_t *dnd = json_null();
    if (has && !PQgetisnull(r, 0, 1)) {
        int a = atoi(PQgetvalue(r, 0, 1)), b = atoi(PQgetvalue(r, 0, 2));
        dnd = json_pack("{s:s,s:s}", "start", arena_printf(s->a, "%02d:%02d", a / 60, a % 60), "end",
                        arena_printf(s->a, "%02d:%02d", b / 60, b % 60));
    }
    *out = kw ? json_pack("{s:s,s:o,s:o,s:b,s:i}", "time_zone", has ? PQgetvalue(r, 0, 0) : "UTC", "dnd", dnd, "keywords", kw,
                          "email_digests", has ? PQgetvalue(r, 0, 4)[0] == 't' : 1,
                          "digest_minutes", has ? atoi(PQgetvalue(r, 0, 5)) : DIGEST_DEFAULT_MINUTES) : NULL;
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* GET /me/notifications */
static err_t h_notify_prefs(ctx *c)
{
    json_t *o;
    err_t e = notify_prefs_json(&c->svc, &o);
    if (e) return e;
    c->out = o;
    return ERR_OK;
}

/* PUT /me/notifications {"time_zone", "dnd_start": "HH:MM"|"", "dnd_end", "keywords": "a, b",
 * "email_digests"?: bool, "digest_minutes"?: 1..1440} (the last two kept when absent) */
static err_t h_notify_prefs_set(ctx *c)
{
    svc *s = &c->svc;
    const char *tz = ctx_str(c, "time_zone"), *ds = ctx_str(c, "dnd_start"), *de = ctx_str(c, "dnd_end");
    const char *kws = ctx_str(c, "keywords");
    if (!tz || !*tz) tz = "UTC";
    const char *tp[] = {tz};
    PGresult *r;
    err_t e = db_exec(s->db, "notify_tz_known", 1, tp, &r);
    if (e) return e;
    int known = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    /* Pages show times in it (view/localtime.c): the zone must be readable here too. */
    if (!known || !tz_zone_get(tz))
        return ctx_fail(c, ERR_INVALID_FIELD, "time_zone", "Name a time zone like Europe/Berlin or America/New_York.");
    int a = -1, b = -1;
    if ((ds && *ds) || (de && *de)) {
        if ((a = nt_clock(ds)) < 0) return ctx_fail(c, ERR_INVALID_FIELD, "dnd_start", "Write the start as HH:MM, like 22:00.");
        if ((b = nt_clock(de)) < 0) return ctx_fail(c, ERR_INVALID_FIELD, "dnd_end", "Write the end as HH:MM, like 07:00.");
        if (a == b) return ctx_fail(c, ERR_INVALID_FIELD, "dnd_end", "Do-not-disturb must end at another time than it starts.");
    }
    /* Keywords: comma-separated, trimmed, 2 to 40 characters each, at most 20. */
    buf list;
    buf_init(&list);
    int count = 0;
    for (const char *k = kws ? kws : ""; *k;) {
        while (*k == ',' || *k == ' ') k++;
        size_t kl = strcspn(k, ",");
        while (kl && k[kl - 1] == ' ') kl--;
        if (kl) {
            size_t chars = utf8_count(k, kl);
            if (chars < 2 || chars > NOTIFY_KEYWORD_MAX || ++count > NOTIFY_MAX_KEYWORDS) {
                buf_free(&list);
                return ctx_fail(c, ERR_INVALID_FIELD, "keywords", "Keywords are 2 to 40 characters each, at most 20, separated by commas.");
            }
            if (list.len) buf_putc(&list, '\n');
            buf_append(&list, k, kl);
        }
        k += kl;
        while (*k && *k != ',') k++;
    }
    json_t *dj = json_object_get(c->in, "email_digests"), *mj = json_object_get(c->in, "digest_minutes");
    const char *p[] = {id_str(s, s->user->id), tz, a < 0 ? NULL : id_str(s, a), b < 0 ? NULL : id_str(s, b),
                       list.oom ? NULL : arena_strndup(s->a, list.data ? list.data : "", list.len),
                       json_is_boolean(dj) ? (json_is_true(dj) ? "true" : "false") : NULL,
                       json_is_integer(mj) ? id_str(s, (long long)json_integer_value(mj)) : NULL};
    buf_free(&list);
    if (!p[4]) return ERR_INTERNAL;
    if ((e = db_run(s->db, "notify_prefs_set", 7, p))) return e;
    users_changed(s, s->user->id);                       /* the user row carries time_zone */
    if (!c->rq.is_api) c->redirect = "/push/subscriptions?done=prefs";
    return h_notify_prefs(c);
}

/* ---- routes (module.h) ---- */

static const field_spec f_conv_notify[] = {
    {"level", "Notify me of", FV_TEXT, 1, 3, 16},
    {"mute_minutes", "Mute for", FV_INT, 0, 0, 525600},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_prefs[] = {
    {"time_zone", "Time zone", FV_TEXT, 0, 0, 64},
    {"dnd_start", "Do not disturb from", FV_TEXT, 0, 0, 5},
    {"dnd_end", "Do not disturb until", FV_TEXT, 0, 0, 5},
    {"keywords", "Keywords", FV_TEXT, 0, 0, 900},
    {"email_digests", "E-mail digests", FV_BOOL, 0, 0, 0},
    {"digest_minutes", "Digest after", FV_INT, 0, 1, DIGEST_MAX_MINUTES},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route notify_routes[] = {
    {"GET", "/conversations/:id/notifications", h_notify_conv, R_AUTH, "conversation_notifications", NULL, NULL, NULL},
    {"PUT", "/conversations/:id/notifications", h_notify_conv_set, R_AUTH, "conversation_notifications", f_conv_notify,
     h_notify_conv, NULL},
    {"POST", "/conversations/:id/notifications", h_notify_conv_set, R_AUTH, "conversation_notifications", f_conv_notify,
     h_notify_conv, NULL},
    {"GET", "/me/notifications", h_notify_prefs, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"PUT", "/me/notifications", h_notify_prefs_set, R_AUTH, "push", f_prefs, push_page, NULL},
    {"POST", "/me/notifications", h_notify_prefs_set, R_AUTH, "push", f_prefs, push_page, NULL},
};
const module notify_module = {"notify", MODULE_ROUTES(notify_routes), notify_stmts};
