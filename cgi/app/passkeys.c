/* passkeys.c — passkeys (WebAuthn, ES256): adding one to your account and signing in with it
 * instead of a password. The browser's half is static/js/passkeys.js; the byte formats and
 * the signature are cgi/core/webauthn.c. A challenge is 32 random bytes kept in Redis for 5
 * minutes under what it is for, and spent by the first answer that names it. Every passkey
 * is created and used with user verification (PIN, fingerprint, face), so it counts as two
 * factors: signing in with one skips the TOTP step, and it satisfies require_2fa. */
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../core/webauthn.h"
#include "account.h"
#include "audit.h"
#include "people.h"
#include "ratelimit.h"
#include "users.h"
#include "smallsite.h"

enum { PK_CHALLENGE_BYTES = 32, PK_CHALLENGE_TTL = 300, PK_MAX_PER_USER = 20, PK_TIMEOUT_MS = 120000 };

const db_stmt passkey_stmts[] = {
    {"pk_list", "SELECT id, name, " DB_TS("created_at") ", " DB_TS("last_used_at") ", credential_id "
                "FROM passkeys WHERE user_id = $1 ORDER BY id"},
    {"pk_insert", "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, name) "
                  "SELECT $1, $2, $3::bytea, $4, $5 WHERE (SELECT count(*) FROM passkeys WHERE user_id = $1) < $6 "
                  "ON CONFLICT (credential_id) DO NOTHING RETURNING id, " DB_TS("created_at")},
    {"pk_by_credential", "SELECT id, user_id, public_key FROM passkeys WHERE credential_id = $1"},
    /* A counter that does not move forward (both zero: the authenticator keeps none) betrays a
     * copied key: the update then matches nothing. */
    {"pk_use", "UPDATE passkeys SET sign_count = $2, last_used_at = now() WHERE id = $1 "
               "AND ($2::bigint > sign_count OR ($2::bigint = 0 AND sign_count = 0)) RETURNING 1"},
    {"pk_delete", "DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name"},
    {NULL, NULL},
};

/* ---- the relying party ------------------------------------------------------------------ */

/* 1 when the host part of an origin ("127.0.0.1:8080", "[::1]") is an IP address. */
static int pk_ip_host(const char *host)
{
    return host[0] == '[' || strspn(host, "0123456789.") == strcspn(host, ":/");
}

/* The origin browsers must report and the relying party id (its host), in the arena: from
 * PARLEY_URL, what production sets. Browsers refuse passkeys for an IP address, so when
 * PARLEY_URL names one (or is unset: a machine of one's own), the request's Host decides:
 * http://localhost:8080 works then. */
typedef struct pk_rp { const char *origin, *id; } pk_rp;    /* arena strings */

static err_t pk_party(ctx *c, pk_rp *rp)
{
    const char *base = c->svc.cfg->public_url, *sep = strstr(base, "://");
    const char *o = *base && sep && !pk_ip_host(sep + 3) ? base
                    : arena_printf(c->svc.a, "%s://%s", c->rq.https ? "https" : "http", c->rq.host ? c->rq.host : "");
    const char *host = strstr(o, "://");
    if (!host || !host[3]) return ctx_fail(c, ERR_BAD_REQUEST, NULL, "Passkeys need the server's address (PARLEY_URL).");
    host += 3;
    size_t n = strcspn(host, "/");                       /* the origin ends before any path */
    rp->origin = arena_printf(c->svc.a, "%.*s", (int)(host - o + n), o);
    const char *colon = host[0] == '[' ? strchr(host, ']') : NULL;
    size_t hn = colon ? (size_t)(colon - host + 1) : strcspn(host, ":/");
    rp->id = arena_printf(c->svc.a, "%.*s", (int)hn, host);
    return rp->origin && rp->id ? ERR_OK : ERR_INTERNAL;
}

/* ---- challenges ------------------------------------------------------------------------- */

/* A fresh challenge (base64url, arena) stored for purpose ("reg:<uid>" or "auth"). */
static err_t pk_challenge_new(ctx *c, const char *purpose, const char **out)
{
    unsigned char raw[PK_CHALLENGE_BYTES];
    randombytes_buf(raw, sizeof raw);
    size_t cap = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *b = arena_alloc(c->svc.a, cap);
    if (!b) return ERR_INTERNAL;
    sodium_bin2base64(b, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    err_t e = ticket_put(&c->svc, arena_printf(c->svc.a, "wa:%s", b), purpose, PK_CHALLENGE_TTL, 0, NULL);
    if (e) return e;
    *out = b;
    return ERR_OK;
}

/* Spends challenge: 1 when it was stored for purpose (and is gone now), else 0. */
static err_t pk_challenge_take(ctx *c, const char *challenge, const char *purpose, int *ok)
{
    *ok = 0;
    if (strlen(challenge) != 43 || strspn(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != 43)
        return ERR_OK;
    const char *stored;
    err_t e = ticket_take(&c->svc, arena_printf(c->svc.a, "wa:%s", challenge), &stored);
    if (e) return e;
    *ok = stored && !strcmp(stored, purpose);
    return ERR_OK;
}

/* ---- what the browser sends ------------------------------------------------------------- */

typedef struct pk_blob {
    unsigned char *p;     /* arena */
    size_t n;
} pk_blob;

/* The base64url field name of obj, decoded into the arena; 0 when present and well formed. */
static int pk_field(ctx *c, json_t *obj, const char *name, size_t max, pk_blob *out)
{
    const char *s = json_string_value(json_object_get(obj, name));
    size_t len = s ? strlen(s) : 0;
    if (!s || !len || len > max * 4 / 3 + 4) return -1;
    out->p = arena_alloc(c->svc.a, len);
    return !out->p || sodium_base642bin(out->p, len, s, len, NULL, &out->n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
           ? -1 : 0;
}

/* Checks clientDataJSON: the ceremony's type, our origin, not embedded in another site, and a
 * challenge of ours for purpose (spent here). ERR_OK with *ok 1 when all hold. */
static err_t pk_client_data(ctx *c, const pk_rp *rp, const pk_blob *cd, const char *type, const char *purpose, int *ok)
{
    *ok = 0;
    err_t e = ERR_OK;
    json_t *j = json_loadb((const char *)cd->p, cd->n, 0, NULL);
    const char *t = json_string_value(json_object_get(j, "type")),
               *ch = json_string_value(json_object_get(j, "challenge")),
               *o = json_string_value(json_object_get(j, "origin"));
    int good = t && ch && o && !strcmp(t, type) && !strcmp(o, rp->origin) && !json_is_true(json_object_get(j, "crossOrigin"));
    if (good) e = pk_challenge_take(c, ch, purpose, ok);
    json_decref(j);
    return e;
}

/* The authenticator data's relying party and flags: ours, the user present and verified. */
static int pk_authdata_ok(const pk_rp *rp, const wa_authdata *ad)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)rp->id, strlen(rp->id));
    return !sodium_memcmp(h, ad->rp_id_hash, sizeof h) && (ad->flags & WA_FLAG_UP) && (ad->flags & WA_FLAG_UV);
}

static err_t pk_refused(ctx *c, const char *why)
{
    return ctx_fail(c, ERR_INVALID_FIELD, "credential", why);
}

/* ---- adding a passkey ------------------------------------------------------------------- */

/* POST /me/passkeys/options → {"publicKey":{…}}: what navigator.credentials.create() takes,
 * with binary values as base64url. */
static err_t h_pk_reg_options(ctx *c)
{
    pk_rp rp;
    const char *challenge;
    err_t e = pk_party(c, &rp);
    if (e || (e = pk_challenge_new(c, arena_printf(c->svc.a, "reg:%lld", c->svc.user->id), &challenge))) return e;
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "pk_list", 1, p, &r))) return e;
    json_t *exclude = json_array();                 /* the same authenticator twice is pointless */
    for (int i = 0; exclude && i < PQntuples(r); i++)
        json_array_append_new(exclude, json_pack("{s:s,s:s}", "type", "public-key", "id", PQgetvalue(r, i, 4)));
    PQclear(r);
    const char *uid = id_str(&c->svc, c->svc.user->id);
    size_t cap = sodium_base64_ENCODED_LEN(strlen(uid), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *handle = arena_alloc(c->svc.a, cap);
    if (!handle || !exclude) { json_decref(exclude); return ERR_INTERNAL; }
    sodium_bin2base64(handle, cap, (const unsigned char *)uid, strlen(uid), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    c->out = json_pack("{s:{s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:[{s:s,s:i}],s:i,s:s,s:{s:s,s:s},s:o}}", "publicKey",
                       "challenge", challenge, "rp", "id", rp.id, "name", "Parley",
                       "user", "id", handle, "name", c->svc.user->username, "displayName", c->svc.user->display_name,
                       "pubKeyCredParams", "type", "public-key", "alg", -7, "timeout", PK_TIMEOUT_MS,
                       "attestation", "none", "authenticatorSelection", "residentKey", "required",
                       "userVerification", "required", "excludeCredentials", exclude);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /me/passkeys {"name"?,"credential":{"id","response":{"clientDataJSON","attestationObject"}}} */
static err_t h_pk_add(ctx *c)
{
    json_t *cred = json_object_get(c->in, "credential"), *answer = json_object_get(cred, "response");
    const char *cid = json_string_value(json_object_get(cred, "id"));
    pk_blob cd, att;
    if (!json_is_object(answer) || !cid || pk_field(c, answer, "clientDataJSON", 4096, &cd) ||
        pk_field(c, answer, "attestationObject", 16384, &att))
        return ctx_fail(c, ERR_INVALID_FIELD, "credential", "Send the new passkey as the browser gave it: credential.id "
                        "and credential.response.{clientDataJSON,attestationObject} in base64url.");
    int ok;
    pk_rp rp;
    err_t e = pk_party(c, &rp);
    if (!e) e = pk_client_data(c, &rp, &cd, "webauthn.create", arena_printf(c->svc.a, "reg:%lld", c->svc.user->id), &ok);
    if (e) return e;
    if (!ok) return pk_refused(c, "This passkey answers no request of ours (expired, used, or from another site). Try again.");
    wa_authdata ad;
    const unsigned char *adp;
    size_t adn;
    if (wa_attestation_parse(att.p, att.n, &ad, &adp, &adn))
        return pk_refused(c, "The passkey is not one Parley can use: it must sign with ES256 (P-256).");
    if (!pk_authdata_ok(&rp, &ad)) return pk_refused(c, "The passkey was made for another site, or without verifying you.");
    /* The id the browser names must be the credential's own. */
    size_t cap = sodium_base64_ENCODED_LEN(ad.cred_id_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *id64 = arena_alloc(c->svc.a, cap);
    if (!id64) return ERR_INTERNAL;
    sodium_bin2base64(id64, cap, ad.cred_id, ad.cred_id_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (strcmp(id64, cid)) return pk_refused(c, "credential.id is not the id inside the passkey.");
    char hex[2 * WA_P256_POINT_LEN + 3] = "\\x";
    sodium_bin2hex(hex + 2, sizeof hex - 2, ad.public_key, WA_P256_POINT_LEN);
    const char *name = ctx_str(c, "name");
    if (!name || !*name) name = "Passkey";
    const char *p[] = {id_str(&c->svc, c->svc.user->id), id64, hex, id_str(&c->svc, ad.sign_count), name,
                       id_str(&c->svc, PK_MAX_PER_USER)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "pk_insert", 6, p, &r))) return e;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return ctx_fail(c, ERR_CONFLICT, "credential", arena_printf(c->svc.a, "That passkey is registered already, or you "
                        "have %d (the most an account may have).", PK_MAX_PER_USER));
    }
    users_changed(&c->svc, c->svc.user->id);            /* has_2fa */
    c->out = json_pack("{s:{s:I,s:s,s:s,s:n}}", "passkey", "id", (json_int_t)atoll(PQgetvalue(r, 0, 0)), "name", name,
                       "created_at", PQgetvalue(r, 0, 1), "last_used_at");
    PQclear(r);
    audit_record(&c->svc, "passkey.add", c->svc.user->id, c->svc.user->id, c->rq.client_ip, json_pack("{s:s}", "name", name));
    c->status = 201;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* GET /me/passkeys (and the page) */
static err_t h_pk_list(ctx *c)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "pk_list", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)atoll(PQgetvalue(r, i, 0)),
                                             "name", PQgetvalue(r, i, 1), "created_at", PQgetvalue(r, i, 2), "last_used_at",
                                             PQgetisnull(r, i, 3) ? json_null() : json_string(PQgetvalue(r, i, 3))));
    PQclear(r);
    c->out = arr ? json_pack("{s:o}", "passkeys", arr) : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* DELETE /me/passkeys/<id> (or POST …/delete) */
static err_t h_pk_delete(ctx *c)
{
    long long id;
    err_t e = param_id(c, "id", &id);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, id), id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "pk_delete", 2, p, &r))) return e;
    int found = PQntuples(r) == 1;
    if (found) users_changed(&c->svc, c->svc.user->id);
    if (found)
        audit_record(&c->svc, "passkey.remove", c->svc.user->id, c->svc.user->id, c->rq.client_ip,
                     json_pack("{s:s}", "name", PQgetvalue(r, 0, 0)));
    PQclear(r);
    if (!found) return ctx_fail(c, ERR_NOT_FOUND, NULL, "You have no such passkey.");
    c->status = 204;
    if (!c->rq.is_api) c->redirect = "/me/passkeys?done=removed";
    return ERR_OK;
}

/* ---- signing in ------------------------------------------------------------------------- */

/* POST /login/passkey/options → {"publicKey":{challenge, rpId, …}}: for
 * navigator.credentials.get(); the browser offers the passkeys it holds for this site. */
static err_t h_pk_login_options(ctx *c)
{
    /* Each answer holds a challenge in Redis for 5 minutes: a client asks for so many. */
    static const rate_rule per_ip = {30, 60};
    err_t e = rl_take(&c->svc, arena_printf(c->svc.a, "wa:opt:%s", c->rq.client_ip), &per_ip);
    if (e) return e == ERR_RATE_LIMITED ? ctx_fail(c, e, NULL, "Too many sign-in attempts. Wait a minute.") : e;
    pk_rp rp;
    const char *challenge;
    if ((e = pk_party(c, &rp)) || (e = pk_challenge_new(c, "auth", &challenge))) return e;
    c->out = json_pack("{s:{s:s,s:s,s:i,s:s,s:[]}}", "publicKey", "challenge", challenge, "rpId", rp.id,
                       "timeout", PK_TIMEOUT_MS, "userVerification", "required", "allowCredentials");
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /login/passkey {"credential":{"id","response":{"clientDataJSON","authenticatorData",
 * "signature","userHandle"}},"next"?}: a session, as POST /login gives. Failures count against
 * the client's login budget and say nothing about which account exists. */
static err_t h_pk_login(ctx *c)
{
    const char *ip_key = arena_printf(c->svc.a, "login:ip:%s", c->rq.client_ip);
    err_t e = rl_take(&c->svc, ip_key, &c->svc.cfg->rl_login_ip);
    if (e) return account_limited(&c->svc, e);
    json_t *cred = json_object_get(c->in, "credential"), *answer = json_object_get(cred, "response");
    const char *cid = json_string_value(json_object_get(cred, "id"));
    pk_blob cd, adb, sig, handle;
    if (!json_is_object(answer) || !cid || strlen(cid) > 1400 || pk_field(c, answer, "clientDataJSON", 4096, &cd) ||
        pk_field(c, answer, "authenticatorData", 4096, &adb) || pk_field(c, answer, "signature", 256, &sig) ||
        pk_field(c, answer, "userHandle", 64, &handle))
        return ctx_fail(c, ERR_INVALID_FIELD, "credential", "Send the passkey's answer as the browser gave it: credential.id "
                        "and credential.response.{clientDataJSON,authenticatorData,signature,userHandle} in base64url.");
    int ok;
    pk_rp rp;
    if ((e = pk_party(c, &rp)) || (e = pk_client_data(c, &rp, &cd, "webauthn.get", "auth", &ok))) return e;
    if (!ok) return ctx_fail(c, ERR_INVALID_CREDENTIALS, "credential", "This sign-in expired or was used. Try again.");
    const char *p[] = {cid};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "pk_by_credential", 1, p, &r))) return e;
    if (PQntuples(r) != 1) { PQclear(r); return ctx_fail(c, ERR_INVALID_CREDENTIALS, "credential", "This passkey is not known here."); }
    long long pk_id = atoll(PQgetvalue(r, 0, 0)), uid = atoll(PQgetvalue(r, 0, 1));
    size_t kn = 0;
    unsigned char *key = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 2), &kn);
    PQclear(r);
    char uid_s[24];
    snprintf(uid_s, sizeof uid_s, "%lld", uid);
    wa_authdata ad;
    int good = key && kn == WA_P256_POINT_LEN && handle.n == strlen(uid_s) && !memcmp(handle.p, uid_s, handle.n) &&
               !wa_authdata_parse(adb.p, adb.n, &ad) && pk_authdata_ok(&rp, &ad) &&
               wa_verify_es256(key, adb.p, adb.n, cd.p, cd.n, sig.p, sig.n);
    PQfreemem(key);
    if (!good) {
        audit_record(&c->svc, "signin.failed", 0, uid, c->rq.client_ip, json_pack("{s:s}", "factor", "passkey"));
        return ctx_fail(c, ERR_INVALID_CREDENTIALS, "credential", "The passkey's signature is not valid.");
    }
    const char *q[] = {id_str(&c->svc, pk_id), id_str(&c->svc, ad.sign_count)};
    if ((e = db_exec(c->svc.db, "pk_use", 2, q, &r))) return e;
    int moved = PQntuples(r) == 1;
    PQclear(r);
    if (!moved) {
        audit_record(&c->svc, "signin.failed", 0, uid, c->rq.client_ip, json_pack("{s:s,s:s}", "factor", "passkey",
                     "reason", "signature counter went back: a copied passkey?"));
        return ctx_fail(c, ERR_INVALID_CREDENTIALS, "credential", "This passkey looks copied: its counter went back. Use "
                        "another way to sign in, and remove it.");
    }
    rl_give(&c->svc, ip_key);
    user_row *u;
    if ((e = users_by_id(&c->svc, uid, &u))) return e;
    if (u->deactivated) {
        audit_record(&c->svc, "signin.refused", 0, u->id, c->rq.client_ip, NULL);
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "This account has been deactivated by an administrator.");
    }
    return account_login_start(c, u, 200);
}

static const field_spec f_pk_add[] = {
    {"name", "Name", FV_TEXT, 0, 0, 64},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route passkey_routes[] = {
    {"GET", "/me/passkeys", h_pk_list, R_AUTH | R_SETUP, "passkeys", NULL, NULL, NULL},
    {"POST", "/me/passkeys/options", h_pk_reg_options, R_AUTH | R_SETUP | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/me/passkeys", h_pk_add, R_AUTH | R_SETUP | R_JSON_ONLY, NULL, f_pk_add, NULL, NULL},
    {"DELETE", "/me/passkeys/:id", h_pk_delete, R_AUTH | R_SETUP, "passkeys", NULL, h_pk_list, NULL},
    {"POST", "/me/passkeys/:id/delete", h_pk_delete, R_AUTH | R_SETUP, "passkeys", NULL, h_pk_list, NULL},
    {"POST", "/login/passkey/options", h_pk_login_options, R_ANON_FORM | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"POST", "/login/passkey", h_pk_login, R_ANON_FORM, "login", NULL, NULL, NULL},
};
const module passkey_module = {"passkeys", MODULE_ROUTES(passkey_routes), passkey_stmts};
