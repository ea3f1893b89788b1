/* twofactor.c — a second factor at sign-in: TOTP (any authenticator app) with single-use
 * recovery codes. Setting it up shows a secret (and its QR code); the first code from the
 * app turns it on and answers ten recovery codes, once. Then a login needs the code with the
 * password ("totp"); the page asks for it on a form of its own, holding a short-lived ticket
 * instead of the password. Turning it off takes a code too. */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "account.h"
#include "audit.h"
#include "ratelimit.h"
#include "secret.h"
#include "twofactor.h"
#include "users.h"
#include "../core/totp.h"
#include "../view/qr.h"
#include "smallsite.h"

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

err_t twofactor_check(svc *c, long long uid, const char *code, int *ok)
{
    return tf_check(c, uid, code, ok);
}

/* ---- sign-in ---------------------------------------------------------------------------- */

/* A code for uid that was checked and found wrong counts against the account's login
 * budget (the caller took a slot): the ticket form and the JSON login alike. */
static err_t tf_second_step(ctx *c, user_row *u, const char *field)
{
    int ok;
    err_t e = tf_check(&c->svc, u->id, ctx_str(c, field), &ok);
    if (e) return e;
    if (!ok) {
        audit_record(&c->svc, "signin.failed", 0, u->id, c->rq.client_ip, json_pack("{s:s}", "factor", "totp"));
        return ctx_fail(c, ERR_INVALID_CREDENTIALS, field, "That code is wrong or was used already.");
    }
    rl_give(&c->svc, account_budget(&c->svc, u->id));
    return account_login_start(c, u, 200);
}

err_t twofactor_login(ctx *c, user_row *u)
{
    const char *code = ctx_str(c, "totp");
    if (code && *code) {
        err_t e = rl_take(&c->svc, account_budget(&c->svc, u->id), &c->svc.cfg->rl_login_user);
        return e ? account_limited(&c->svc, e) : tf_second_step(c, u, "totp");
    }
    if (c->rq.is_api) return ERR_TOTP_REQUIRED;           /* send it again with "totp" */
    char ticket[SECRET_LEN + 1];                          /* the page: a form of its own */
    secret_new(ticket);
    err_t e = ticket_put(&c->svc, arena_printf(c->svc.a, "2fa:%s", ticket), arena_printf(c->svc.a, "%lld", u->id),
                         TF_TICKET_TTL, 0, NULL);
    if (e) return e;
    const char *next = ctx_str(c, "next");
    c->out = json_pack("{s:s,s:s}", "ticket", ticket, "next", next ? next : "");
    c->page = "login_two_factor";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /login/two-factor {"ticket","code"}: the page's second step of a login. */
static err_t h_login_two_factor(ctx *c)
{
    const char *ticket = ctx_str(c, "ticket");
    if (!secret_shape_ok(ticket, "")) return ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "The sign-in has expired. Log in again.");
    const char *tk = arena_printf(c->svc.a, "2fa:%s", ticket), *held;
    err_t e = ticket_get(&c->svc, tk, &held);
    if (e) return e;
    long long uid = held ? atoll(held) : 0;
    if (uid <= 0) return ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "The sign-in has expired. Log in again.");
    /* Wrong codes spend the ticket's tries and the account's login budget alike. */
    rate_rule tries = {TF_TICKET_TRIES, TF_TICKET_TTL};
    const char *tkey = arena_printf(c->svc.a, "2fa:try:%s", ticket);
    if ((e = rl_take(&c->svc, tkey, &tries))) {
        ticket_del(&c->svc, tk);
        return e == ERR_RATE_LIMITED ? ctx_fail(c, ERR_UNAUTHORIZED, "ticket", "Too many wrong codes. Log in again.") : e;
    }
    if ((e = rl_take(&c->svc, account_budget(&c->svc, uid), &c->svc.cfg->rl_login_user))) return account_limited(&c->svc, e);
    user_row *u;
    if ((e = users_by_id(&c->svc, uid, &u))) return e;
    if ((e = tf_second_step(c, u, "code"))) return e;
    ticket_del(&c->svc, tk);                              /* one session per ticket */
    return ERR_OK;
}

/* ---- settings --------------------------------------------------------------------------- */

static err_t tf_status(ctx *c, const tf_state *t, json_t **out)
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
    *out = json_pack("{s:{s:b,s:b,s:I}}", "two_factor", "enabled", t->enabled, "pending", t->exists && !t->enabled,
                     "recovery_codes_left", (json_int_t)left);
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* The otpauth:// URI authenticator apps read (the QR code holds it). Arena. */
static const char *tf_uri(ctx *c, const char *b32)
{
    const char *label = url_encode(c->svc.a, arena_printf(c->svc.a, "Parley:%s", c->svc.user->username));
    return arena_printf(c->svc.a, "otpauth://totp/%s?secret=%s&issuer=Parley&algorithm=SHA1&digits=6&period=30",
                        label, b32);
}

/* Adds "secret" and "otpauth_uri" of a pending set-up to o. */
static void tf_setup_fields(ctx *c, json_t *o, const unsigned char *secret)
{
    char b32[TOTP_B32_LEN];
    totp_base32(secret, TOTP_SECRET_LEN, b32);
    json_object_set_new(o, "secret", json_string(b32));
    json_object_set_new(o, "otpauth_uri", json_string(tf_uri(c, b32)));
    sodium_memzero(b32, sizeof b32);
}

/* GET /me/2fa: the status (and, while being set up, the secret). */
static err_t h_tf_show(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    if (!e) e = tf_status(c, &t, &c->out);
    if (!e && t.exists && !t.enabled) tf_setup_fields(c, c->out, t.secret);
    sodium_memzero(&t, sizeof t);
    return e;
}

/* POST /me/2fa/totp: a new secret for the app, in force once confirmed with a code. */
static err_t h_tf_setup(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    int enabled = t.enabled;
    sodium_memzero(&t, sizeof t);
    if (e) return e;
    if (enabled) return ctx_fail(c, ERR_CONFLICT, NULL, "Two-factor sign-in is on already. Turn it off first to change it.");
    unsigned char secret[TOTP_SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    char hex[2 * TOTP_SECRET_LEN + 3] = "\\x";
    sodium_bin2hex(hex + 2, sizeof hex - 2, secret, sizeof secret);
    const char *p[] = {id_str(&c->svc, c->svc.user->id), hex};
    e = db_run(c->svc.db, "tf_setup", 2, p);
    sodium_memzero(hex, sizeof hex);
    if (!e) {
        tf_state fresh = {.exists = 1};
        if (!(e = tf_status(c, &fresh, &c->out))) tf_setup_fields(c, c->out, secret);
        c->page = "two_factor";
    }
    sodium_memzero(secret, sizeof secret);
    return e;
}

/* GET /me/2fa/totp/qr.svg: the pending set-up's otpauth URI as a QR code to scan. */
static err_t h_tf_qr(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    if (e) return e;
    char b32[TOTP_B32_LEN];
    totp_base32(t.secret, TOTP_SECRET_LEN, b32);
    int pending = t.exists && !t.enabled;
    sodium_memzero(&t, sizeof t);
    char *svg = pending ? qr_svg(c->svc.a, tf_uri(c, b32)) : NULL;
    sodium_memzero(b32, sizeof b32);
    if (!pending) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no two-factor set-up in progress.");
    if (!svg) return ERR_INTERNAL;
    buf_puts(&c->rs->body, svg);
    c->rs->content_type = "image/svg+xml";
    c->raw = 1;
    return ERR_OK;
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

/* The answer with fresh recovery codes: {"two_factor":{…},"recovery_codes":[…]}. */
static err_t tf_with_codes(ctx *c, json_t *codes)
{
    c->out = json_pack("{s:{s:b,s:b,s:I},s:o}", "two_factor", "enabled", 1, "pending", 0, "recovery_codes_left",
                       (json_int_t)TF_RECOVERY_CODES, "recovery_codes", codes);
    c->page = "two_factor";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/2fa/totp/confirm {"code"}: the first code from the app turns it on. */
static err_t h_tf_confirm(ctx *c)
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
    if (!ok) return ctx_fail(c, ERR_INVALID_FIELD, "code", "That code is wrong: check the phone's clock and try the newest code.");
    if ((e = db_begin(c->svc.db))) return e;
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id_str(&c->svc, step)};
    json_t *codes = NULL;
    if (!(e = db_run(c->svc.db, "tf_enable", 2, p)) && !(e = tf_new_codes(c, &codes))) e = db_commit(c->svc.db);
    else db_rollback(c->svc.db);
    if (e) { json_decref(codes); return e; }
    users_changed(&c->svc, c->svc.user->id);
    audit_record(&c->svc, "two_factor.enable", c->svc.user->id, c->svc.user->id, c->rq.client_ip, NULL);
    return tf_with_codes(c, codes);
}

/* The caller's current code (or a recovery code), which changes to the set-up need. */
static err_t tf_code_needed(ctx *c)
{
    int ok, on;
    err_t e = twofactor_enabled(&c->svc, c->svc.user->id, &on);
    if (e) return e;
    if (!on) return ctx_fail(c, ERR_CONFLICT, NULL, "Two-factor sign-in is off.");
    const char *key = account_budget(&c->svc, c->svc.user->id);
    if ((e = rl_take(&c->svc, key, &c->svc.cfg->rl_login_user))) return account_limited(&c->svc, e);
    if ((e = tf_check(&c->svc, c->svc.user->id, ctx_str(c, "code"), &ok))) return e;
    if (!ok) return ctx_fail(c, ERR_INVALID_FIELD, "code", "That code is wrong or was used already.");
    rl_give(&c->svc, key);
    return ERR_OK;
}

/* POST /me/2fa/recovery-codes {"code"}: ten new codes; the old ones stop working. */
static err_t h_tf_codes(ctx *c)
{
    err_t e = tf_code_needed(c);
    if (e) return e;
    json_t *codes;
    if ((e = db_begin(c->svc.db))) return e;
    if ((e = tf_new_codes(c, &codes))) { db_rollback(c->svc.db); return e; }
    if ((e = db_commit(c->svc.db))) { json_decref(codes); return e; }
    audit_record(&c->svc, "two_factor.recovery_codes", c->svc.user->id, c->svc.user->id, c->rq.client_ip, NULL);
    return tf_with_codes(c, codes);
}

/* DELETE /me/2fa {"code"} (or POST /me/2fa/delete): off, with a current or recovery code. A
 * set-up never confirmed is simply dropped. */
static err_t h_tf_disable(ctx *c)
{
    tf_state t;
    err_t e = tf_load(&c->svc, c->svc.user->id, &t);
    int on = t.enabled;
    sodium_memzero(&t, sizeof t);
    if (e || (on && (e = tf_code_needed(c)))) return e;
    const char *uid = id_str(&c->svc, c->svc.user->id);
    if ((e = db_run(c->svc.db, "tf_disable", 1, &uid))) return e;
    users_changed(&c->svc, c->svc.user->id);
    if (on) audit_record(&c->svc, "two_factor.disable", c->svc.user->id, c->svc.user->id, c->rq.client_ip, NULL);
    c->out = json_pack("{s:{s:b,s:b,s:I}}", "two_factor", "enabled", 0, "pending", 0, "recovery_codes_left", (json_int_t)0);
    if (!c->rq.is_api) c->redirect = "/me/2fa?done=two_factor_off";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec f_second_step[] = {
    {"ticket", "Sign-in", FV_BYTES, 1, 1, 128},
    {"code", "Code", FV_TEXT, 1, 1, 32},
    {"next", "Next page", FV_TEXT, 0, 0, 512},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_code[] = {
    {"code", "Code", FV_TEXT, 1, 1, 32},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_code_optional[] = {
    {"code", "Code", FV_TEXT, 0, 1, 32},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route twofactor_routes[] = {
    {"POST", "/login/two-factor", h_login_two_factor, R_ANON_FORM, "login_two_factor", f_second_step, NULL, NULL},
    {"GET", "/me/2fa", h_tf_show, R_AUTH | R_SETUP, "two_factor", NULL, NULL, NULL},
    {"POST", "/me/2fa/totp", h_tf_setup, R_AUTH | R_SETUP, "two_factor", NULL, h_tf_show, NULL},
    {"GET", "/me/2fa/totp/qr.svg", h_tf_qr, R_AUTH | R_SETUP, NULL, NULL, NULL, NULL},
    {"POST", "/me/2fa/totp/confirm", h_tf_confirm, R_AUTH | R_SETUP, "two_factor", f_code, h_tf_show, NULL},
    {"POST", "/me/2fa/recovery-codes", h_tf_codes, R_AUTH | R_SETUP, "two_factor", f_code, h_tf_show, NULL},
    {"DELETE", "/me/2fa", h_tf_disable, R_AUTH, "two_factor", f_code_optional, h_tf_show, NULL},
    {"POST", "/me/2fa/delete", h_tf_disable, R_AUTH, "two_factor", f_code_optional, h_tf_show, NULL},
};
const module twofactor_module = {"twofactor", MODULE_ROUTES(twofactor_routes), twofactor_stmts};
