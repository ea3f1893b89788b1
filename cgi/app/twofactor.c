/* twofactor.c — a second factor at sign-in: TOTP (any authenticator app) with single-use
 * recovery codes. Setting it up takes the password; turning it on takes a first code, and
 * answers ten recovery codes once. A login whose password is right answers a short-lived
 * ticket instead of a session; the session comes with a valid code for that ticket. */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "account.h"
#include "ratelimit.h"
#include "secret.h"
#include "twofactor.h"
#include "users.h"
#include "../core/totp.h"

enum {
    TF_TICKET_TTL = 300,     /* seconds to type the code after the password */
    TF_TICKET_TRIES = 5,     /* wrong codes per ticket before it is gone */
    TF_RECOVERY_CODES = 10,
};

const db_stmt twofactor_stmts[] = {
    {"tf_get", "SELECT secret, enabled_at IS NOT NULL, last_step FROM two_factor WHERE user_id = $1"},
    {"tf_setup", "INSERT INTO two_factor (user_id, secret) VALUES ($1, $2::bytea) ON CONFLICT (user_id) "
                 "DO UPDATE SET secret = EXCLUDED.secret, enabled_at = NULL, last_step = 0, created_at = now() "
                 "WHERE two_factor.enabled_at IS NULL"},
    {"tf_enable", "UPDATE two_factor SET enabled_at = now(), last_step = $2 WHERE user_id = $1 AND enabled_at IS NULL"},
    /* A code works once: the step only moves forward, atomically. */
    {"tf_use_step", "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2 RETURNING 1"},
    {"tf_disable", "WITH r AS (DELETE FROM recovery_codes WHERE user_id = $1) DELETE FROM two_factor WHERE user_id = $1"},
    {"tf_codes_clear", "DELETE FROM recovery_codes WHERE user_id = $1"},
    {"tf_code_add", "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)"},
    {"tf_code_use", "UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 "
                    "AND used_at IS NULL RETURNING 1"},
    {"tf_codes_left", "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"},
    {NULL, NULL},
};

typedef struct tf_state {
    int exists, enabled;
    unsigned char secret[TOTP_SECRET_LEN];
    long long last_step;
} tf_state;

static err_t tf_load(svc *c, long long uid, tf_state *t)
{
    memset(t, 0, sizeof *t);
    const char *p[] = {id_str(c, uid)};
    PGresult *r;
    err_t e = db_exec(c->db, "tf_get", 1, p, &r);
    if (e) return e;
    if (PQntuples(r) == 1) {
        size_t n = 0;
        unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &n);
        if (raw && n == TOTP_SECRET_LEN) {
            memcpy(t->secret, raw, n);
            t->exists = 1;
            t->enabled = PQgetvalue(r, 0, 1)[0] == 't';
            t->last_step = atoll(PQgetvalue(r, 0, 2));
        }
        PQfreemem(raw);
    }
    PQclear(r);
    return ERR_OK;
}

err_t twofactor_enabled(svc *c, long long uid, int *on)
{
    tf_state t;
    err_t e = tf_load(c, uid, &t);
    *on = !e && t.enabled;
    sodium_memzero(&t, sizeof t);
    return e;
}

/* A recovery code's stored form: SHA-256 of its canonical text (upper case, no dashes). */
static const char *tf_code_hash(svc *c, const char *code)
{
    char canon[32];
    size_t n = 0;
    for (const char *p = code; *p && n < sizeof canon - 1; p++) {
        if (*p == '-' || *p == ' ') continue;
        canon[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    canon[n] = '\0';
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)canon, n);
    char *hex = arena_alloc(c->a, 65);
    if (hex) sodium_bin2hex(hex, 65, h, sizeof h);
    return hex;
}

/* Checks a code for uid: a TOTP code (once) or an unused recovery code (then spent). */
static err_t tf_check(svc *c, long long uid, const char *code, int *ok)
{
    *ok = 0;
    tf_state t;
    err_t e = tf_load(c, uid, &t);
    if (e || !t.enabled) return e;
    long long step;
    PGresult *r;
    if (code && totp_verify(t.secret, sizeof t.secret, code, (long long)time(NULL), t.last_step, &step)) {
        const char *p[] = {id_str(c, uid), id_str(c, step)};
        if ((e = db_exec(c->db, "tf_use_step", 2, p, &r))) goto out;
        *ok = PQntuples(r) == 1;                      /* 0: the same code won a race elsewhere */
        PQclear(r);
    } else if (code && strlen(code) >= 10 && strlen(code) <= 24) {
        const char *p[] = {id_str(c, uid), tf_code_hash(c, code)};
        if ((e = db_exec(c->db, "tf_code_use", 2, p, &r))) goto out;
        *ok = PQntuples(r) == 1;
        PQclear(r);
    }
out:
    sodium_memzero(&t, sizeof t);
    return e;
}

/* ---- sign-in ---------------------------------------------------------------------------- */

err_t twofactor_ticket(ctx *c, user_row *u)
{
    char ticket[SECRET_LEN + 1];
    secret_new(ticket);
    redisReply *rep;
    err_t e = kv_cmd(c->svc.kv, &rep, "SET 2fa:%s %lld EX %d", ticket, u->id, TF_TICKET_TTL);
    if (e) return e;
    freeReplyObject(rep);
    const char *next = ctx_str(c, "next");
    c->out = json_pack("{s:b,s:s,s:s}", "two_factor_required", 1, "ticket", ticket, "next", next ? next : "");
    if (!c->rq.is_api) c->page = "login_two_factor";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /login/two-factor {"ticket","code"}: the second step of a login. */
static err_t h_login_two_factor(ctx *c)
{
    const char *ticket = ctx_str(c, "ticket"), *code = ctx_str(c, "code");
    if (!secret_shape_ok(ticket, "")) return ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "The sign-in has expired. Log in again.");
    redisReply *rep;
    err_t e = kv_cmd(c->svc.kv, &rep, "GET 2fa:%s", ticket);
    if (e) return e;
    long long uid = rep->type == REDIS_REPLY_STRING ? atoll(rep->str) : 0;
    freeReplyObject(rep);
    if (uid <= 0) return ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "The sign-in has expired. Log in again.");
    /* Wrong codes spend the ticket's tries and the account's login budget alike. */
    rate_rule tries = {TF_TICKET_TRIES, TF_TICKET_TTL};
    const char *tkey = arena_printf(c->svc.a, "2fa:try:%s", ticket), *ukey = account_budget(&c->svc, uid);
    if ((e = rl_take(&c->svc, tkey, &tries))) {
        if (!kv_cmd(c->svc.kv, &rep, "DEL 2fa:%s", ticket)) freeReplyObject(rep);
        return e == ERR_RATE_LIMITED ? ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "Too many wrong codes. Log in again.") : e;
    }
    if ((e = rl_take(&c->svc, ukey, &c->svc.cfg->rl_login_user))) return account_limited(&c->svc, e);
    int ok;
    if ((e = tf_check(&c->svc, uid, code, &ok))) return e;
    if (!ok) return ctx_fail(c, ERR_INVALID_CREDENTIALS, "code", "That code is wrong or was used already.");
    rl_give(&c->svc, ukey);
    if (!kv_cmd(c->svc.kv, &rep, "DEL 2fa:%s", ticket)) freeReplyObject(rep);   /* one session per ticket */
    user_row *u;
    if ((e = users_by_id(&c->svc, uid, &u))) return e;
    return account_login_start(c, u, 200);
}

/* ---- settings --------------------------------------------------------------------------- */

static err_t tf_status_json(ctx *c, const tf_state *t, json_t **out)
{
    long long left = 0;
    if (t->enabled) {
        const char *p[] = {id_str(&c->svc, c->svc.user->id)};
        PGresult *r;
        err_t e = db_exec(c->svc.db, "tf_codes_left", 1, p, &r);
        if (e) return e;
        left = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    *out = json_pack("{s:b,s:b,s:I}", "enabled", t->enabled, "pending", t->exists && !t->enabled,
                     "recovery_codes_left", (json_int_t)left);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* The otpauth:// link authenticator apps read (also as a QR code, by the page's script). */
static json_t *tf_setup_json(ctx *c, const unsigned char *secret)
{
    char b32[TOTP_B32_LEN];
    totp_base32(secret, TOTP_SECRET_LEN, b32);
    const char *label = url_encode(c->svc.a, arena_printf(c->svc.a, "Parley:%s", c->svc.user->username));
    json_t *o = json_pack("{s:s,s:o}", "secret", b32, "otpauth_url",
                          json_sprintf("otpauth://totp/%s?secret=%s&issuer=Parley&algorithm=SHA1&digits=6&period=30",
                                       label, b32));
    sodium_memzero(b32, sizeof b32);
    return o;
}

/* GET /me/two-factor */
static err_t h_tf_show(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    json_t *st;
    if (!e) e = tf_status_json(c, &t, &st);
    if (!e) {
        c->out = json_pack("{s:o}", "two_factor", st);
        if (c->out && t.exists && !t.enabled) json_object_set_new(c->out, "setup", tf_setup_json(c, t.secret));
    }
    sodium_memzero(&t, sizeof t);
    return e ? e : c->out ? ERR_OK : ERR_INTERNAL;
}

/* Checks the caller's password (with the login budget, like a password change). */
static err_t tf_password(ctx *c)
{
    const char *ukey = account_budget(&c->svc, c->svc.user->id), *hash = NULL;
    err_t e = rl_take(&c->svc, ukey, &c->svc.cfg->rl_login_user);
    if (e) return account_limited(&c->svc, e);
    user_row *u;
    if ((e = users_find_login(&c->svc, c->svc.user->username, &u, &hash))) return e;
    if (!users_password_ok(hash, ctx_str(c, "password")))
        return ctx_fail(c, ERR_WRONG_PASSWORD, "password", "The password is wrong.");
    rl_give(&c->svc, ukey);
    return ERR_OK;
}

/* POST /me/two-factor/setup {"password"}: a new secret, not yet in force. */
static err_t h_tf_setup(ctx *c)
{
    err_t e = tf_password(c);
    if (e) return e;
    tf_state t;
    if ((e = tf_load(&c->svc, c->svc.user->id, &t))) return e;
    int enabled = t.enabled;
    sodium_memzero(&t, sizeof t);
    if (enabled) return ctx_fail(c, ERR_CONFLICT, NULL, "Two-factor sign-in is on already. Turn it off first to change it.");
    unsigned char secret[TOTP_SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    char hex[2 * TOTP_SECRET_LEN + 3] = "\\x";
    sodium_bin2hex(hex + 2, sizeof hex - 2, secret, sizeof secret);
    const char *p[] = {id_str(&c->svc, c->svc.user->id), hex};
    e = db_run(c->svc.db, "tf_setup", 2, p);
    sodium_memzero(hex, sizeof hex);
    if (!e) {
        c->out = json_pack("{s:{s:b,s:b,s:I},s:o}", "two_factor", "enabled", 0, "pending", 1, "recovery_codes_left",
                           (json_int_t)0, "setup", tf_setup_json(c, secret));
        c->page = "two_factor";
    }
    sodium_memzero(secret, sizeof secret);
    return e ? e : c->out ? ERR_OK : ERR_INTERNAL;
}

/* New recovery codes for the caller (the old ones stop working): XXXXX-XXXXX, shown once. */
static err_t tf_new_codes(ctx *c, json_t **out)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";   /* no 0/O, 1/I */
    const char *uid = id_str(&c->svc, c->svc.user->id);
    err_t e = db_run(c->svc.db, "tf_codes_clear", 1, &uid);
    if (e) return e;
    *out = json_array();
    for (int i = 0; i < TF_RECOVERY_CODES && *out; i++) {
        char code[12];
        for (int k = 0, o = 0; k < 10; k++) {
            if (k == 5) code[o++] = '-';
            code[o++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
        }
        code[11] = '\0';
        const char *p[] = {uid, tf_code_hash(&c->svc, code)};
        if ((e = db_run(c->svc.db, "tf_code_add", 2, p))) { json_decref(*out); return e; }
        json_array_append_new(*out, json_string(code));
    }
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/two-factor/enable {"code"}: the first code from the app turns it on. */
static err_t h_tf_enable(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    if (e) return e;
    long long step;
    int ok = t.exists && !t.enabled &&
             totp_verify(t.secret, sizeof t.secret, ctx_str(c, "code"), (long long)time(NULL), 0, &step);
    int was_on = t.enabled, exists = t.exists;
    sodium_memzero(&t, sizeof t);
    if (was_on) return ctx_fail(c, ERR_CONFLICT, NULL, "Two-factor sign-in is on already.");
    if (!exists) return ctx_fail(c, ERR_CONFLICT, NULL, "Set up two-factor sign-in first.");
    if (!ok) return ctx_fail(c, ERR_INVALID_FIELD, "code", "That code is wrong: check the app's clock and try the newest code.");
    if ((e = db_begin(c->svc.db))) return e;
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id_str(&c->svc, step)};
    json_t *codes = NULL;
    if (!(e = db_run(c->svc.db, "tf_enable", 2, p)) && !(e = tf_new_codes(c, &codes))) e = db_commit(c->svc.db);
    else db_rollback(c->svc.db);
    if (e) { json_decref(codes); return e; }
    c->out = json_pack("{s:{s:b,s:b,s:I},s:o}", "two_factor", "enabled", 1, "pending", 0, "recovery_codes_left",
                       (json_int_t)TF_RECOVERY_CODES, "recovery_codes", codes);
    c->page = "two_factor";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/two-factor/recovery-codes {"password"}: ten new codes; the old ones stop working. */
static err_t h_tf_codes(ctx *c)
{
    err_t e = tf_password(c);
    int on;
    if (e || (e = twofactor_enabled(&c->svc, c->svc.user->id, &on))) return e;
    if (!on) return ctx_fail(c, ERR_CONFLICT, NULL, "Two-factor sign-in is off.");
    json_t *codes;
    if ((e = db_begin(c->svc.db))) return e;
    if ((e = tf_new_codes(c, &codes))) { db_rollback(c->svc.db); return e; }
    if ((e = db_commit(c->svc.db))) { json_decref(codes); return e; }
    c->out = json_pack("{s:{s:b,s:b,s:I},s:o}", "two_factor", "enabled", 1, "pending", 0, "recovery_codes_left",
                       (json_int_t)TF_RECOVERY_CODES, "recovery_codes", codes);
    c->page = "two_factor";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/two-factor/disable {"password"} (or DELETE /me/two-factor). */
static err_t h_tf_disable(ctx *c)
{
    err_t e = tf_password(c);
    if (e) return e;
    const char *uid = id_str(&c->svc, c->svc.user->id);
    if ((e = db_run(c->svc.db, "tf_disable", 1, &uid))) return e;
    c->out = json_pack("{s:{s:b,s:b,s:I}}", "two_factor", "enabled", 0, "pending", 0, "recovery_codes_left", (json_int_t)0);
    if (!c->rq.is_api) c->redirect = "/me/two-factor?done=two_factor_off";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec f_second_step[] = {
    {"ticket", "Sign-in", FV_BYTES, 1, 1, 128},
    {"code", "Code", FV_TEXT, 1, 1, 32},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_password[] = {
    {"password", "Password", FV_BYTES, 1, 1, 1024},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_code[] = {
    {"code", "Code", FV_TEXT, 1, 1, 32},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route twofactor_routes[] = {
    {"POST", "/login/two-factor", h_login_two_factor, R_ANON_FORM, "login_two_factor", f_second_step, NULL, NULL},
    {"GET", "/me/two-factor", h_tf_show, R_AUTH, "two_factor", NULL, NULL, NULL},
    {"POST", "/me/two-factor/setup", h_tf_setup, R_AUTH, "two_factor", f_password, h_tf_show, NULL},
    {"POST", "/me/two-factor/enable", h_tf_enable, R_AUTH, "two_factor", f_code, h_tf_show, NULL},
    {"POST", "/me/two-factor/recovery-codes", h_tf_codes, R_AUTH, "two_factor", f_password, h_tf_show, NULL},
    {"POST", "/me/two-factor/disable", h_tf_disable, R_AUTH, "two_factor", f_password, h_tf_show, NULL},
    {"DELETE", "/me/two-factor", h_tf_disable, R_AUTH, "two_factor", f_password, h_tf_show, NULL},
};
const module twofactor_module = {"twofactor", MODULE_ROUTES(twofactor_routes), twofactor_stmts};
