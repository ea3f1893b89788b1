/* admin.c — the administrators' area (/admin and /api/v1/admin/…): people (search,
 * deactivate, reactivate), the registration policy and invitations, and the audit log.
 * Everyone who is not an administrator gets the same 404 as for a page that does not
 * exist. Administrators are made on the command line (`parley admin grant`). */
#include "module.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "admin.h"
#include "audit.h"
#include "people.h"
#include "secret.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"
#include "../worker/jobs.h"
#include "../core/clock.h"

const db_stmt admin_stmts[] = {
    {"admin_setting", "SELECT value FROM instance_settings WHERE key = $1"},
    /* instance_name has no row until an administrator names the server. */
    {"admin_set", "INSERT INTO instance_settings (key, value) VALUES ($1, $2) "
                  "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"},
    {"admin_invite_use", "UPDATE invites SET uses_left = uses_left - 1 WHERE code_hash = $1 AND uses_left > 0 "
                         "AND expires_at > now() RETURNING uses_left"},
    {"admin_invite_add", "INSERT INTO invites (code_hash, created_by, uses_left, expires_at) "
                         "VALUES ($1, $2, $3, now() + $4::int * interval '1 day') RETURNING " DB_TS("expires_at")},
    /* People by name or display name (empty: the newest), with what admins see. */
    {"admin_users", "SELECT " USERS_PUBLIC_COLS("u") ", u.is_admin, " DB_TS("u.deactivated_at") ", u.must_change_password, "
                    "EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) FROM users u "
                    "WHERE $1 = '' OR u.username LIKE '%' || $1 || '%' ESCAPE '\\' "
                    "OR parley_fold(u.display_name) LIKE '%' || parley_fold($1) || '%' ESCAPE '\\' "
                    "ORDER BY u.id DESC LIMIT 100"},
    {"admin_stats", "SELECT (SELECT count(*) FROM users), "
                    "(SELECT count(*) FROM (SELECT sender_id FROM messages WHERE created_at > now() - interval '1 day' "
                    "UNION SELECT subject_id FROM audit_log WHERE action = 'signin' AND at > now() - interval '1 day') a), "
                    "(SELECT COALESCE(sum(size), 0) FROM (SELECT DISTINCT sha256, size FROM media) b), "
                    "(SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')), "
                    "(SELECT count(*) FROM reports WHERE state = 'open')"},
    {"admin_per_day", "SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD'), count(*) "
                      "FROM messages WHERE created_at > now() - interval '7 days' GROUP BY 1 ORDER BY 1"},
    {"admin_reset_2fa", "WITH r AS (DELETE FROM recovery_codes WHERE user_id = $1) DELETE FROM two_factor WHERE user_id = $1"},
    {"admin_grant", "UPDATE users SET is_admin = $2::boolean WHERE lower(username) = $1 RETURNING id"},
    {"admin_deactivate", "UPDATE users SET deactivated_at = now() WHERE id = $1 AND deactivated_at IS NULL"},
    {"admin_require_password", "UPDATE users SET must_change_password = true WHERE id = $1"},
    {"admin_reactivate", "UPDATE users SET deactivated_at = NULL WHERE id = $1 AND deactivated_at IS NOT NULL"},
    {NULL, NULL},
};

err_t admin_grant(svc *c, const char *username, int on)
{
    const char *name = users_canonical(c->a, username);
    if (!name) return svc_fail(c, ERR_INVALID_FIELD, "username", "That cannot be a username.");
    const char *p[] = {name, on ? "true" : "false"};
    PGresult *r;
    err_t e = db_exec(c->db, "admin_grant", 2, p, &r);
    if (e) return e;
    long long id = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (!id) return svc_fail(c, ERR_NOT_FOUND, "username", "There is no such user.");
    users_changed(c, id);
    audit_record(c, on ? "admin.grant" : "admin.revoke", 0, id, "command line", NULL);
    return ERR_OK;
}

/* The setting key as one of the allowed values (static; the first when unset or unknown),
 * or NULL when PostgreSQL cannot say. */
static const char *admin_setting(svc *c, const char *key, const char *const *allowed)
{
    PGresult *r;
    if (db_exec(c->db, "admin_setting", 1, &key, &r)) return NULL;
    const char *out = allowed[0];
    for (int i = 0; PQntuples(r) == 1 && allowed[i]; i++)
        if (!strcmp(PQgetvalue(r, 0, 0), allowed[i])) out = allowed[i];
    PQclear(r);
    return out;
}

/* The instance's name, read at most every ADMIN_NAME_TTL_MS per process: every page shows
 * it, and an error page while PostgreSQL struggles must not wait for it again. */
enum { ADMIN_NAME_TTL_MS = 10000 };
static pthread_mutex_t admin_name_lock = PTHREAD_MUTEX_INITIALIZER;
static char admin_name[65] = "Parley";
static long long admin_name_at;          /* monotonic ms of the last read; 0: never */

static void admin_name_set(const char *name)
{
    pthread_mutex_lock(&admin_name_lock);
    snprintf(admin_name, sizeof admin_name, "%s", name);
    admin_name_at = clock_now_ms();
    pthread_mutex_unlock(&admin_name_lock);
}

const char *admin_instance_name(svc *c)
{
    pthread_mutex_lock(&admin_name_lock);
    int fresh = admin_name_at && clock_now_ms() - admin_name_at < ADMIN_NAME_TTL_MS;
    pthread_mutex_unlock(&admin_name_lock);
    if (!fresh) {
        const char *key = "instance_name";
        PGresult *r;
        if (!db_exec(c->db, "admin_setting", 1, &key, &r)) {
            admin_name_set(PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "Parley");
            PQclear(r);
        } else {                                          /* keep the last one; ask again later */
            pthread_mutex_lock(&admin_name_lock);
            admin_name_at = clock_now_ms();
            pthread_mutex_unlock(&admin_name_lock);
        }
    }
    pthread_mutex_lock(&admin_name_lock);
    const char *out = arena_strdup(c->a, admin_name);
    pthread_mutex_unlock(&admin_name_lock);
    return out ? out : "Parley";
}

static const char *const admin_registrations[] = {"open", "invite", "closed", NULL};
static const char *const admin_require_2fas[] = {"off", "admins", "everyone", NULL};

const char *admin_registration(svc *c) { return admin_setting(c, "registration", admin_registrations); }
/* Who must set up two-factor sign-in (users.c's USER_COLS reads it too). */
static const char *admin_require_2fa(svc *c) { return admin_setting(c, "require_2fa", admin_require_2fas); }

static int admin_one_of(const char *v, const char *const *allowed)
{
    for (int i = 0; v && allowed[i]; i++)
        if (!strcmp(v, allowed[i])) return 1;
    return 0;
}

/* Instance-wide message retention in days; 0 keeps messages forever (-1: unknown). */
static long long admin_retention(svc *c)
{
    const char *key = "message_retention_days";
    PGresult *r;
    if (db_exec(c->db, "admin_setting", 1, &key, &r)) return -1;
    long long d = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return d;
}

/* The instance's settings as JSON: {"registration","require_2fa","message_retention_days"}
 * (null: kept forever); a new reference, NULL when PostgreSQL cannot say. */
static json_t *admin_settings_json(svc *c)
{
    const char *reg = admin_registration(c), *tf = admin_require_2fa(c);
    long long days = admin_retention(c);
    return reg && tf && days >= 0 ? json_pack("{s:s,s:s,s:o,s:s}", "registration", reg, "require_2fa", tf,
                                              "message_retention_days", days > 0 ? json_integer(days) : json_null(),
                                              "instance_name", admin_instance_name(c)) : NULL;
}

/* An invitation code's stored form (its SHA-256 in hex, arena). */
static const char *admin_code_hash(svc *c, const char *code)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)code, strlen(code));
    char *hex = arena_alloc(c->a, 65);
    if (hex) sodium_bin2hex(hex, 65, h, sizeof h);
    return hex;
}

err_t admin_invite_use(svc *c, const char *code)
{
    if (!code || !*code)
        return svc_fail(c, ERR_FORBIDDEN, "invite", "Registration is by invitation on this server: open the link you were sent.");
    const char *p[] = {admin_code_hash(c, code)};
    PGresult *r;
    err_t e = db_exec(c->db, "admin_invite_use", 1, p, &r);
    if (e) return e;
    int ok = PQntuples(r) == 1;
    PQclear(r);
    return ok ? ERR_OK : svc_fail(c, ERR_FORBIDDEN, "invite", "This invitation is used up or has expired.");
}

err_t admin_require(ctx *c)
{
    return c->svc.user->is_admin ? ERR_OK : ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no page at this address.");
}
#define admin_only admin_require

err_t admin_deactivate_user(ctx *c, long long uid, size_t *sessions, size_t *tokens)
{
    const char *p[] = {id_str(&c->svc, uid)};
    err_t e = db_run(c->svc.db, "admin_deactivate", 1, p);
    *sessions = *tokens = 0;
    if (!e) users_changed(&c->svc, uid);
    if (!e) e = sess_revoke_all(&c->svc, uid, NULL, sessions);
    if (!e) e = tokens_revoke_all(&c->svc, uid, 0, tokens);
    if (!e)
        audit_record(&c->svc, "admin.deactivate", c->svc.user->id, uid, c->rq.client_ip,
                     json_pack("{s:I,s:I}", "sessions_ended", (json_int_t)*sessions, "tokens_revoked", (json_int_t)*tokens));
    return e;
}

/* GET /admin/users?q= */
static err_t h_admin_users(ctx *c)
{
    err_t e = admin_only(c);
    if (e) return e;
    const char *q = ctx_qstr(c, "q");
    const char *p[] = {q ? people_like_escape(c->svc.a, q) : ""};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "admin_users", 1, p, &r))) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        json_t *u = users_public_json(r, i, 0);
        if (!u) continue;
        json_object_set_new(u, "is_admin", json_boolean(PQgetvalue(r, i, USERS_PUBLIC_NCOLS)[0] == 't'));
        json_object_set_new(u, "deactivated_at", PQgetisnull(r, i, USERS_PUBLIC_NCOLS + 1) ? json_null()
                            : json_string(PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 1)));
        json_object_set_new(u, "must_change_password", json_boolean(PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 2)[0] == 't'));
        json_object_set_new(u, "two_factor", json_boolean(PQgetvalue(r, i, USERS_PUBLIC_NCOLS + 3)[0] == 't'));
        json_array_append_new(arr, u);
    }
    PQclear(r);
    json_t *settings = admin_settings_json(&c->svc);
    if (!settings) { json_decref(arr); return ERR_UNAVAILABLE; }
    c->out = json_pack("{s:o,s:s,s:O,s:o}", "users", arr, "registration", json_string_value(json_object_get(settings, "registration")),
                       "message_retention_days", json_object_get(settings, "message_retention_days"), "settings", settings);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* The path's person, who must exist. */
static err_t admin_subject(ctx *c, user_row **u)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    if (!e) e = users_by_id(&c->svc, id, u);
    return e == ERR_NOT_FOUND ? ctx_fail(c, e, NULL, "There is no such person.") : e;
}

/* POST /admin/users/<id>/deactivate: they cannot sign in, and every session, token and open
 * stream of theirs ends now. */
static err_t h_admin_deactivate(ctx *c)
{
    user_row *u;
    err_t e = admin_only(c);
    if (e || (e = admin_subject(c, &u))) return e;
    if (u->id == c->svc.user->id) return ctx_fail(c, ERR_FORBIDDEN, NULL, "You cannot deactivate your own account.");
    size_t sessions, tokens;
    if ((e = admin_deactivate_user(c, u->id, &sessions, &tokens))) return e;
    c->out = json_pack("{s:I,s:b,s:I,s:I}", "user_id", (json_int_t)u->id, "deactivated", 1,
                       "sessions_ended", (json_int_t)sessions, "tokens_revoked", (json_int_t)tokens);
    if (!c->rq.is_api) c->redirect = "/admin?done=deactivated";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/users/<id>/reactivate */
static err_t h_admin_reactivate(ctx *c)
{
    user_row *u;
    err_t e = admin_only(c);
    if (e || (e = admin_subject(c, &u))) return e;
    const char *p[] = {id_str(&c->svc, u->id)};
    if ((e = db_run(c->svc.db, "admin_reactivate", 1, p))) return e;
    users_changed(&c->svc, u->id);
    audit_record(&c->svc, "admin.reactivate", c->svc.user->id, u->id, c->rq.client_ip, NULL);
    c->out = json_pack("{s:I,s:b}", "user_id", (json_int_t)u->id, "deactivated", 0);
    if (!c->rq.is_api) c->redirect = "/admin?done=reactivated";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* PATCH /admin/settings {"registration":"open"|"invite"|"closed",
 * "require_2fa":"off"|"admins"|"everyone", "message_retention_days": 0-36500 or null}
 * (any of them; or POST). */
static err_t h_admin_settings(ctx *c)
{
    err_t e = admin_only(c);
    if (e) return e;
    const char *reg = ctx_str(c, "registration"), *tf = ctx_str(c, "require_2fa"), *name = ctx_str(c, "instance_name");
    json_t *rd = json_object_get(c->in, "message_retention_days");
    if (reg && !*reg) reg = NULL;                         /* a form's empty choice: unchanged */
    if (tf && !*tf) tf = NULL;
    if (name && !*name) name = NULL;
    if (!reg && !tf && !rd && !name)
        return ctx_fail(c, ERR_MISSING_FIELD, "registration",
                        "Send registration, require_2fa, message_retention_days or instance_name.");
    if (reg && !admin_one_of(reg, admin_registrations))
        return ctx_fail(c, ERR_INVALID_FIELD, "registration", "Registration is open, invite or closed.");
    if (tf && !admin_one_of(tf, admin_require_2fas))
        return ctx_fail(c, ERR_INVALID_FIELD, "require_2fa", "Two-factor sign-in is required of nobody (off), admins or everyone.");
    if (tf && strcmp(tf, "off") && !c->svc.user->has_2fa)   /* it would shut the caller out first */
        return ctx_fail(c, ERR_CONFLICT, "require_2fa", "Set up two-factor sign-in or a passkey for yourself first: "
                        "requiring it now would shut you out too.");
    long long days = json_is_integer(rd) ? json_integer_value(rd) : 0;    /* null or 0: kept forever */
    const char *p1[] = {"registration", reg}, *p2[] = {"require_2fa", tf},
               *p3[] = {"message_retention_days", id_str(&c->svc, days)}, *p4[] = {"instance_name", name};
    if ((e = db_begin(c->svc.db))) return e;
    if ((reg && (e = db_run(c->svc.db, "admin_set", 2, p1))) || (tf && (e = db_run(c->svc.db, "admin_set", 2, p2))) ||
        (rd && (e = db_run(c->svc.db, "admin_set", 2, p3))) || (name && (e = db_run(c->svc.db, "admin_set", 2, p4))) ||
        (e = db_commit(c->svc.db))) {
        db_rollback(c->svc.db);
        return e;
    }
    if (tf) users_changed(&c->svc, 0);                  /* require_2fa: every user row reads it */
    json_t *changed = json_object();
    if (changed && reg) json_object_set_new(changed, "registration", json_string(reg));
    if (changed && tf) json_object_set_new(changed, "require_2fa", json_string(tf));
    if (changed && rd) json_object_set_new(changed, "message_retention_days", days ? json_integer(days) : json_null());
    if (changed && name) json_object_set_new(changed, "instance_name", json_string(name));
    if (name) admin_name_set(name);                       /* this process at once; others within 10 s */
    audit_record(&c->svc, "admin.settings", c->svc.user->id, 0, c->rq.client_ip, changed);
    json_t *set = admin_settings_json(&c->svc);
    c->out = set ? json_pack("{s:o}", "settings", set) : NULL;
    if (!c->rq.is_api) c->redirect = "/admin?done=settings";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/users/<id>/require-password-change: until they choose a new one, every other
 * request of theirs answers 403 password_change_required (pages lead to the form). For an
 * account whose password may have leaked; their sessions stay, so they can comply. */
static err_t h_admin_require_password(ctx *c)
{
    user_row *u;
    err_t e = admin_only(c);
    if (e || (e = admin_subject(c, &u))) return e;
    const char *p[] = {id_str(&c->svc, u->id)};
    if ((e = db_run(c->svc.db, "admin_require_password", 1, p))) return e;
    users_changed(&c->svc, u->id);
    audit_record(&c->svc, "admin.require_password_change", c->svc.user->id, u->id, c->rq.client_ip, NULL);
    c->out = json_pack("{s:I,s:b}", "user_id", (json_int_t)u->id, "must_change_password", 1);
    if (!c->rq.is_api) c->redirect = "/admin?done=password_change_required";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/invites {"uses","days"} → {"invite":{"url","uses_left","expires_at"}}: the
 * link is shown this once. */
static err_t h_admin_invite(ctx *c)
{
    err_t e = admin_only(c);
    if (e) return e;
    long long uses = 1, days = 7;
    json_t *u = json_object_get(c->in, "uses"), *d = json_object_get(c->in, "days");
    if (json_is_integer(u)) uses = json_integer_value(u);
    if (json_is_integer(d)) days = json_integer_value(d);
    char code[SECRET_LEN + 1];
    secret_new(code);
    const char *p[] = {admin_code_hash(&c->svc, code), id_str(&c->svc, c->svc.user->id), id_str(&c->svc, uses),
                       id_str(&c->svc, days)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "admin_invite_add", 4, p, &r))) { sodium_memzero(code, sizeof code); return e; }
    const char *base = *c->svc.cfg->public_url ? c->svc.cfg->public_url : "";
    c->out = json_pack("{s:{s:o,s:I,s:s}}", "invite", "url", json_sprintf("%s/register?invite=%s", base, code),
                       "uses_left", (json_int_t)uses, "expires_at", PQgetvalue(r, 0, 0));
    PQclear(r);
    sodium_memzero(code, sizeof code);
    audit_record(&c->svc, "admin.invite", c->svc.user->id, 0, c->rq.client_ip,
                 json_pack("{s:I,s:I}", "uses", (json_int_t)uses, "days", (json_int_t)days));
    c->status = 201;
    c->page = "admin";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /admin/audit?user_id=&action= : newest first, at most 200. */
static err_t h_admin_audit(ctx *c)
{
    err_t e = admin_only(c);
    if (e) return e;
    long long uid = 0;
    ctx_qint(c, "user_id", &uid);
    json_t *arr;
    if ((e = audit_list(&c->svc, uid, 0, ctx_qstr(c, "action"), &arr))) return e;
    c->out = json_pack("{s:o}", "entries", arr);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /admin/stats: accounts, people active in the last 24 hours (who sent a message or
 * signed in), messages per day for a week, bytes of media stored, the job queue's depth and
 * the open reports. */
static err_t h_admin_stats(ctx *c)
{
    err_t e = admin_only(c);
    PGresult *r;
    if (e || (e = db_exec(c->svc.db, "admin_stats", 0, NULL, &r))) return e;
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "accounts", (json_int_t)atoll(PQgetvalue(r, 0, 0)),
                          "active_today", (json_int_t)atoll(PQgetvalue(r, 0, 1)),
                          "media_bytes", (json_int_t)atoll(PQgetvalue(r, 0, 2)),
                          "queue_depth", (json_int_t)atoll(PQgetvalue(r, 0, 3)),
                          "open_reports", (json_int_t)atoll(PQgetvalue(r, 0, 4)));
    PQclear(r);
    if (!o) return ERR_INTERNAL;
    if ((e = db_exec(c->svc.db, "admin_per_day", 0, NULL, &r))) { json_decref(o); return e; }
    json_t *days = json_array();
    for (int i = 0; days && i < PQntuples(r); i++)
        json_array_append_new(days, json_pack("{s:s,s:I}", "day", PQgetvalue(r, i, 0), "messages",
                                              (json_int_t)atoll(PQgetvalue(r, i, 1))));
    PQclear(r);
    json_object_set_new(o, "messages_per_day", days ? days : json_array());
    c->out = json_pack("{s:o}", "stats", o);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/users/<id>/reset-2fa: a person who lost their phone and their recovery codes
 * signs in with the password alone, and may set it up again. */
static err_t h_admin_reset_2fa(ctx *c)
{
    user_row *u;
    err_t e = admin_only(c);
    if (e || (e = admin_subject(c, &u))) return e;
    const char *p[] = {id_str(&c->svc, u->id)};
    if ((e = db_run(c->svc.db, "admin_reset_2fa", 1, p))) return e;
    users_changed(&c->svc, u->id);
    audit_record(&c->svc, "admin.reset_2fa", c->svc.user->id, u->id, c->rq.client_ip, NULL);
    c->out = json_pack("{s:I,s:b}", "user_id", (json_int_t)u->id, "two_factor", 0);
    if (!c->rq.is_api) c->redirect = "/admin?done=reset_2fa";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /admin/jobs?state=failed|all: the newest 100 jobs (failed ones only by default), with
 * their attempts and last error. */
static err_t h_admin_jobs(ctx *c)
{
    err_t e = admin_only(c);
    if (e) return e;
    const char *state = ctx_qstr(c, "state");
    if (state && strcmp(state, "failed") && strcmp(state, "all"))
        return ctx_fail(c, ERR_INVALID_FIELD, "state", "state is failed or all.");
    const char *p[] = {state && !strcmp(state, "all") ? "false" : "true", "100"};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "jobs_list", 2, p, &r))) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                                             "kind", PQgetvalue(r, i, 1), "state", PQgetvalue(r, i, 2),
                                             "attempts", atoi(PQgetvalue(r, i, 3)), "max_attempts", atoi(PQgetvalue(r, i, 4)),
                                             "run_after", PQgetvalue(r, i, 5), "created_at", PQgetvalue(r, i, 6),
                                             "locked_by", PQgetvalue(r, i, 7), "last_error", PQgetvalue(r, i, 8)));
    PQclear(r);
    c->out = arr ? json_pack("{s:o}", "jobs", arr) : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /admin/jobs/<id>/retry: a failed (or waiting) job runs again now, from attempt one. */
static err_t h_admin_job_retry(ctx *c)
{
    long long id;
    err_t e = admin_only(c);
    if (e || (e = param_id(c, "id", &id))) return e;
    e = jobs_retry(c->svc.db, id);
    if (e == ERR_NOT_FOUND) return ctx_fail(c, e, NULL, "There is no such job (finished jobs are cleaned up after a while).");
    if (e == ERR_NOT_ALLOWED) return ctx_fail(c, ERR_CONFLICT, NULL, "Only a failed or waiting job can be retried: this one is running or done.");
    if (e) return e;
    audit_record(&c->svc, "admin.job_retry", c->svc.user->id, 0, c->rq.client_ip, json_pack("{s:I}", "job_id", (json_int_t)id));
    c->out = json_pack("{s:{s:I,s:s}}", "job", "id", (json_int_t)id, "state", "queued");
    if (!c->rq.is_api) c->redirect = "/admin?done=job_retried#jobs-title";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* The limits this server runs with (PARLEY_* settings, changed in its configuration). */
static json_t *admin_limits_json(const config *cfg)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "max_upload_bytes", (json_int_t)cfg->max_upload,
                     "media_quota_bytes", (json_int_t)cfg->media_quota, "max_members", (json_int_t)cfg->max_members,
                     "max_message_bytes", (json_int_t)cfg->max_message, "session_days", (json_int_t)(cfg->session_ttl / 86400),
                     "audit_days", (json_int_t)cfg->audit_days);
}

/* GET /admin: the page (people, registration, invitations, the latest audit entries). */
static err_t h_admin_page(ctx *c)
{
    err_t e = h_admin_users(c);
    if (e) return e;
    json_t *users = c->out;
    c->out = NULL;
    if ((e = h_admin_audit(c))) { json_decref(users); return e; }
    json_object_update(users, c->out);
    json_decref(c->out);
    c->out = NULL;
    if ((e = h_admin_stats(c))) { json_decref(users); return e; }
    json_object_update(users, c->out);
    json_decref(c->out);
    c->out = NULL;
    if ((e = h_admin_jobs(c))) { json_decref(users); return e; }
    json_object_update(users, c->out);
    json_decref(c->out);
    json_object_set_new(users, "limits", admin_limits_json(c->svc.cfg));
    c->out = users;
    return ERR_OK;
}

static const field_spec q_users[] = {
    {"q", "Search", FV_TEXT, 0, 0, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_audit[] = {
    {"user_id", "user_id", FV_INT, 0, 1, 999999999999999LL},
    {"action", "action", FV_TEXT, 0, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_page[] = {
    {"q", "Search", FV_TEXT, 0, 0, 64},
    {"user_id", "user_id", FV_INT, 0, 1, 999999999999999LL},
    {"action", "action", FV_TEXT, 0, 1, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec q_jobs[] = {
    {"state", "state", FV_TEXT, 0, 1, 8},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_settings[] = {
    {"registration", "Registration", FV_TEXT, 0, 0, 16},
    {"require_2fa", "Two-factor sign-in required of", FV_TEXT, 0, 0, 16},
    {"message_retention_days", "Delete messages after (days)", FV_INT, 0, 0, 36500},
    {"instance_name", "Name of this server", FV_TEXT, 0, 0, 64},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_invite[] = {
    {"uses", "Uses", FV_INT, 0, 1, 1000},
    {"days", "Days", FV_INT, 0, 1, 365},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route admin_routes[] = {
    {"GET", "/admin", h_admin_page, R_AUTH, "admin", NULL, NULL, q_page},
    {"GET", "/admin/users", h_admin_users, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_users},
    {"POST", "/admin/users/:id/deactivate", h_admin_deactivate, R_AUTH, "admin", NULL, h_admin_page, NULL},
    {"POST", "/admin/users/:id/reactivate", h_admin_reactivate, R_AUTH, "admin", NULL, h_admin_page, NULL},
    {"GET", "/admin/stats", h_admin_stats, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/admin/users/:id/reset-2fa", h_admin_reset_2fa, R_AUTH, "admin", NULL, h_admin_page, NULL},
    {"POST", "/admin/users/:id/require-password-change", h_admin_require_password, R_AUTH, "admin", NULL, h_admin_page, NULL},
    {"GET", "/admin/jobs", h_admin_jobs, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_jobs},
    {"POST", "/admin/jobs/:id/retry", h_admin_job_retry, R_AUTH, "admin", NULL, h_admin_page, NULL},
    {"GET", "/admin/audit", h_admin_audit, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_audit},
    {"PATCH", "/admin/settings", h_admin_settings, R_AUTH, "admin", f_settings, h_admin_page, NULL},
    {"POST", "/admin/settings", h_admin_settings, R_AUTH, "admin", f_settings, h_admin_page, NULL},
    {"POST", "/admin/invites", h_admin_invite, R_AUTH, "admin", f_invite, h_admin_page, NULL},
};
const module admin_module = {"admin", MODULE_ROUTES(admin_routes), admin_stmts};
