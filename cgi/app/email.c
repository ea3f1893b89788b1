/* email.c — routes: GET /verify-email?token=, the password reset by e-mail
 * (/password/forgot, /password/reset); and email_change for PATCH /me {"email"} (profile.c).
 * Who owns what: every string here lives in the request's arena. */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "email.h"
#include "ratelimit.h"
#include "secret.h"
#include "sessions.h"
#include "tokens.h"
#include "users.h"
#include "../core/mail.h"
#include "../worker/jobs.h"

const db_stmt email_stmts[] = {
    /* A new address is unverified; the same one keeps its state. Its old links go. */
    {"email_set", "UPDATE users SET email = $2, email_verified_at = CASE WHEN email IS NOT DISTINCT FROM $2 "
                  "THEN email_verified_at END, updated_at = now() WHERE id = $1"},
    {"email_tokens_drop", "DELETE FROM email_tokens WHERE user_id = $1"},
    /* A verification link: used once (deleted whatever its state), only for the address it
     * was sent to, and only within its 24 hours. */
    {"email_verify", "WITH t AS (DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = 'verify' "
                     "RETURNING user_id, email, expires_at) "
                     "UPDATE users u SET email_verified_at = now() FROM t WHERE u.id = t.user_id AND u.email = t.email "
                     "AND t.expires_at > now() RETURNING u.id, u.email"},
    /* A reset link is good while it is unexpired and its address is still the account's,
     * verified, and the account active. */
    {"email_reset_check", "SELECT t.user_id FROM email_tokens t JOIN users u ON u.id = t.user_id "
                          "WHERE t.token_hash = $1 AND t.purpose = 'reset' AND t.expires_at > now() "
                          "AND u.email = t.email AND u.email_verified_at IS NOT NULL AND u.deactivated_at IS NULL"},
    {"email_reset_use", "DELETE FROM email_tokens t USING users u WHERE t.token_hash = $1 AND t.purpose = 'reset' "
                        "AND t.expires_at > now() AND u.id = t.user_id AND u.email = t.email "
                        "AND u.email_verified_at IS NOT NULL AND u.deactivated_at IS NULL RETURNING t.user_id"},
    /* The accounts a forgotten password may be reset for (an address may serve several). */
    {"email_accounts", "SELECT id, email FROM users WHERE lower(email) = lower($1) AND email_verified_at IS NOT NULL "
                       "AND deactivated_at IS NULL ORDER BY id LIMIT 10"},
    {NULL, NULL},
};

/* Mails link to the public URL: without it there is no mail either. */
int email_enabled(const config *cfg) { return cfg->smtp_url && *cfg->smtp_url && *cfg->public_url; }

static err_t email_not_configured(svc *s)
{
    return svc_fail(s, ERR_MAIL_NOT_CONFIGURED, NULL,
                    "This server does not send e-mail (its administrator has not set it up), so there is no e-mail "
                    "address to set and no password reset by e-mail. Ask an administrator.");
}

/* Takes a slot of the address's budget of mails (any address, with an account or not, so a
 * 429 tells nothing about accounts). */
static err_t email_budget(svc *s, const char *addr)
{
    char *low = arena_strdup(s->a, addr);
    if (!low) return ERR_INTERNAL;
    for (char *p = low; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    err_t e = rl_take(s, arena_printf(s->a, "mail:a:%s", low), &s->cfg->rl_mail_addr);
    return e == ERR_RATE_LIMITED
        ? svc_fail(s, e, "email", "Too many mails were asked for this address. Wait an hour and try again.") : e;
}

err_t email_queue(svc *s, const char *template, long long uid, const char *addr)
{
    json_t *p = json_pack("{s:s,s:I,s:s}", "template", template, "user_id", (json_int_t)uid, "to", addr);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (!text) return ERR_INTERNAL;
    long long id;
    err_t e = jobs_enqueue(s->db, "mail.send", text, NULL, 0, &id);
    free(text);
    return e;
}

err_t email_change(ctx *c, const char *email, user_row **out)
{
    svc *s = &c->svc;
    const char *addr = NULL, *why;
    if (email && *email) {
        if (!email_enabled(s->cfg)) return email_not_configured(s);
        if (!(addr = mail_addr_parse(s->a, email, &why))) return svc_fail(s, ERR_INVALID_FIELD, "email", why);
    }
    user_row *u = s->user;
    int same = addr && u->email && !strcmp(addr, u->email);
    if ((!addr && !u->email) || (same && u->email_verified)) { *out = u; return ERR_OK; }   /* nothing changes */
    err_t e;
    if (addr && (e = email_budget(s, addr))) return e;
    const char *p[] = {id_str(s, u->id), addr};
    if ((e = db_begin(s->db))) return e;
    if ((e = db_run(s->db, "email_set", 2, p)) || (e = db_run(s->db, "email_tokens_drop", 1, p)) ||
        (addr && (e = email_queue(s, "verify_email", u->id, addr))) || (e = db_commit(s->db))) {
        db_rollback(s->db);
        return e;
    }
    users_changed(s, u->id);
    audit_record(s, addr ? "email.set" : "email.remove", u->id, u->id, c->rq.client_ip, NULL);
    return users_by_id(s, u->id, out);
}

/* The token of a link, checked for shape (a wrong one is the same 400 as an unknown one);
 * its hash into hash. */
static err_t email_token(ctx *c, const char *token, char hash[SECRET_HEX + 1], const char *bad)
{
    if (!token || !secret_shape_ok(token, "")) return ctx_fail(c, ERR_INVALID_FIELD, "token", bad);
    secret_hash(token, hash);
    return ERR_OK;
}

static const char email_bad_verify[] =
    "This verification link does not work: it was already used, has expired (links last 24 hours), or was not "
    "copied whole. Set your address again on your profile to get a new one.";
static const char email_bad_reset[] =
    "This password reset link does not work: it was already used, has expired (links last 30 minutes), or was not "
    "copied whole. Ask for a new one.";

/* GET /verify-email?token= : the address the link was sent to is verified, once. */
static err_t h_verify_email(ctx *c)
{
    char hash[SECRET_HEX + 1];
    err_t e = email_token(c, ctx_qstr(c, "token"), hash, email_bad_verify);
    if (e) return e;
    const char *p[] = {hash};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "email_verify", 1, p, &r))) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_INVALID_FIELD, "token", email_bad_verify); }
    long long uid = atoll(PQgetvalue(r, 0, 0));
    users_changed(&c->svc, uid);
    c->out = json_pack("{s:s,s:b}", "email", PQgetvalue(r, 0, 1), "email_verified", 1);
    PQclear(r);
    audit_record(&c->svc, "email.verify", uid, uid, c->rq.client_ip, NULL);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /password/forgot: the form (or that this server sends no mail). */
static err_t h_forgot_form(ctx *c)
{
    c->out = json_pack("{s:b}", "mail_configured", email_enabled(c->svc.cfg));
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /password/forgot {"email"} → 202 whether or not an account has that verified address
 * (nothing tells them apart but the mailbox). Limited per client address and per address. */
static err_t h_forgot(ctx *c)
{
    svc *s = &c->svc;
    if (!email_enabled(s->cfg)) return email_not_configured(s);
    const char *why, *addr = mail_addr_parse(s->a, ctx_str(c, "email"), &why);
    if (!addr) return ctx_fail(c, ERR_INVALID_FIELD, "email", why);
    err_t e = rl_take(s, arena_printf(s->a, "mail:ip:%s", c->rq.client_ip), &s->cfg->rl_mail_ip);
    if (e == ERR_RATE_LIMITED) return ctx_fail(c, e, NULL, "Too many password reset requests from your network. Try again later.");
    if (e || (e = email_budget(s, addr))) return e;
    const char *p[] = {addr};
    PGresult *r;
    if ((e = db_begin(s->db))) return e;
    if ((e = db_exec(s->db, "email_accounts", 1, p, &r))) { db_rollback(s->db); return e; }
    for (int i = 0; !e && i < PQntuples(r); i++)
        e = email_queue(s, "password_reset", atoll(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1));
    int n = PQntuples(r);
    long long first = n ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (e || (e = db_commit(s->db))) { db_rollback(s->db); return e; }
    if (n) audit_record(s, "password.reset_requested", 0, first, c->rq.client_ip, NULL);
    c->status = 202;
    c->out = json_pack("{s:s}", "message", "If an account has this verified address, a link to reset its password is on "
                                           "its way. It works once, for 30 minutes.");
    if (!c->rq.is_api) c->redirect = "/password/forgot?done=reset_sent";
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /password/reset?token= : the form for a new password, if the link still works. */
static err_t h_reset_form(ctx *c)
{
    char hash[SECRET_HEX + 1];
    const char *token = ctx_qstr(c, "token");
    err_t e = email_token(c, token, hash, email_bad_reset);
    if (e) return e;
    const char *p[] = {hash};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "email_reset_check", 1, p, &r))) return e;
    int ok = PQntuples(r) == 1;
    PQclear(r);
    if (!ok) return ctx_fail(c, ERR_INVALID_FIELD, "token", email_bad_reset);
    c->out = json_pack("{s:b,s:s}", "valid", 1, "token", token);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /password/reset {"token","password"}: the link is used up, the password set (and an
 * administrator's request for a new one met), and every session, personal token and other
 * link of the account ends: whoever had them is out. A second factor still applies. */
static err_t h_reset(ctx *c)
{
    svc *s = &c->svc;
    char hash[SECRET_HEX + 1];
    err_t e = email_token(c, ctx_str(c, "token"), hash, email_bad_reset);
    if (e) return e;
    const char *p[] = {hash};
    PGresult *r;
    /* One transaction: the link is used up only if the password was set. */
    if ((e = db_begin(s->db))) return e;
    if ((e = db_exec(s->db, "email_reset_use", 1, p, &r))) { db_rollback(s->db); return e; }
    long long uid = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (!uid) { db_rollback(s->db); return ctx_fail(c, ERR_INVALID_FIELD, "token", email_bad_reset); }
    const char *q[] = {id_str(s, uid)};
    if ((e = users_set_password(s, uid, ctx_str(c, "password"))) || (e = db_run(s->db, "email_tokens_drop", 1, q)) ||
        (e = db_commit(s->db))) {
        db_rollback(s->db);
        return e;
    }
    size_t sessions = 0, tokens = 0;
    e = sess_revoke_all(s, uid, NULL, &sessions);
    if (!e) e = tokens_revoke_all(s, uid, 0, &tokens);
    audit_record(s, "password.reset", uid, uid, c->rq.client_ip,
                 json_pack("{s:I,s:I}", "sessions_ended", (json_int_t)sessions, "tokens_revoked", (json_int_t)tokens));
    if (e) return svc_fail(s, e, NULL, "Your password was changed, but your sessions could not all be signed out. "
                                       "Log in and use \u201cLog out everywhere\u201d.");
    c->out = json_pack("{s:b,s:I,s:I}", "password_reset", 1, "sessions_ended", (json_int_t)sessions,
                       "tokens_revoked", (json_int_t)tokens);
    if (!c->rq.is_api) {
        ctx_set_cookie(c, "parley_session", "", 0);
        c->redirect = "/login?done=password_reset";
    }
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec q_token[] = {
    {"token", "Link", FV_TEXT, 1, 1, 128},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_forgot[] = {
    {"email", "E-mail address", FV_TEXT, 1, 1, MAIL_ADDR_MAX + 16},
    {NULL, NULL, 0, 0, 0, 0},
};
static const field_spec f_reset[] = {
    {"token", "Link", FV_TEXT, 1, 1, 128},
    {"password", "New password", FV_BYTES, 1, 8, 1024},
    {NULL, NULL, 0, 0, 0, 0},
};

/* R_SETUP: the links work whoever is signed in in that browser, even an account that must
 * first choose a new password (they act on the link's account, not the caller's). */
static const route email_routes[] = {
    {"GET", "/verify-email", h_verify_email, R_SETUP, "verify_email", NULL, NULL, q_token},
    {"GET", "/password/forgot", h_forgot_form, R_SETUP, "password_forgot", NULL, NULL, NULL},
    {"POST", "/password/forgot", h_forgot, R_ANON_FORM | R_SETUP, "password_forgot", f_forgot, h_forgot_form, NULL},
    {"GET", "/password/reset", h_reset_form, R_SETUP, "password_reset", NULL, NULL, q_token},
    {"POST", "/password/reset", h_reset, R_ANON_FORM | R_SETUP, "password_reset", f_reset, NULL, NULL},
};
const module email_module = {"email", MODULE_ROUTES(email_routes), email_stmts};
