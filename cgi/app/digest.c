/* digest.c — see digest.h. Routes: GET /unsubscribe/digests?user=&token= (the confirm page)
 * and POST of the same URL (one-click, RFC 8058: no session, no CSRF token; the signed token
 * in the URL is the authority). Who owns what: strings in the request's arena; PGresults
 * cleared where they are read; the key is wiped from the stack after use. */
#include "digest.h"
#include "module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "audit.h"
#include "email.h"
#include "../core/log.h"
#include "../worker/jobs.h"

const db_stmt digest_stmts[] = {
    {"digest_key", "SELECT encode(secret, 'hex') FROM site_secrets WHERE name = 'unsubscribe'"},
    {"digest_off", "WITH u AS (SELECT id FROM users WHERE id = $1), "
                   "d AS (DELETE FROM digest_pending WHERE user_id IN (SELECT id FROM u)) "
                   "INSERT INTO notify_prefs (user_id, email_digests) SELECT id, false FROM u "
                   "ON CONFLICT (user_id) DO UPDATE SET email_digests = false RETURNING user_id"},
    {NULL, NULL},
};

err_t digest_token(svc *s, long long uid, char *out)
{
    PGresult *r;
    err_t e = db_exec(s->db, "digest_key", 0, NULL, &r);
    if (e) return e;
    unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
    size_t kl = 0;
    int ok = PQntuples(r) == 1 && !sodium_hex2bin(key, sizeof key, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)),
                                                  NULL, &kl, NULL) && kl >= 32;
    PQclear(r);
    if (!ok) { log_warn("digest: no 'unsubscribe' key in site_secrets (run parley migrate)"); return ERR_INTERNAL; }
    char msg[48];
    int ml = snprintf(msg, sizeof msg, "digests-off:%lld", uid);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, kl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (size_t)ml);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, DIGEST_TOKEN_HEX + 1, mac, sizeof mac);
    return ERR_OK;
}

const char *digest_unsubscribe_url(svc *s, long long uid)
{
    char token[DIGEST_TOKEN_HEX + 1];
    if (digest_token(s, uid, token)) return NULL;
    return arena_printf(s->a, "%s/unsubscribe/digests?user=%lld&token=%s", s->cfg->public_url, uid, token);
}

/* The link's account, or a 400 naming the link as not valid (a forged or altered token). */
static err_t digest_link(ctx *c, long long *uid)
{
    long long u = 0;
    const char *token = ctx_qstr(c, "token");
    char want[DIGEST_TOKEN_HEX + 1];
    if (!ctx_qint(c, "user", &u) || u <= 0 || !token || strlen(token) != DIGEST_TOKEN_HEX)
        return ctx_fail(c, ERR_INVALID_FIELD, "token", "This unsubscribe link is not valid. Use the one in your latest mail, "
                                                       "or turn digests off on your Notifications page.");
    err_t e = digest_token(&c->svc, u, want);
    if (e) return e;
    if (sodium_memcmp(want, token, DIGEST_TOKEN_HEX))
        return ctx_fail(c, ERR_INVALID_FIELD, "token", "This unsubscribe link is not valid. Use the one in your latest mail, "
                                                       "or turn digests off on your Notifications page.");
    *uid = u;
    return ERR_OK;
}

/* GET /unsubscribe/digests?user=&token= : what the link does, and a button that does it. */
static err_t h_unsub_form(ctx *c)
{
    long long uid;
    err_t e = digest_link(c, &uid);
    if (e) return e;
    c->out = json_pack("{s:I,s:s,s:b}", "user", (json_int_t)uid, "token", ctx_qstr(c, "token"), "unsubscribed", 0);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* POST /unsubscribe/digests?user=&token= (body List-Unsubscribe=One-Click, or nothing):
 * digests off for that account, and its pending ones dropped. Doing it twice is the same. */
static err_t h_unsub(ctx *c)
{
    long long uid;
    err_t e = digest_link(c, &uid);
    if (e) return e;
    const char *p[] = {id_str(&c->svc, uid)};
    PGresult *r;
    if ((e = db_exec(c->svc.db, "digest_off", 1, p, &r))) return e;
    int found = PQntuples(r) == 1;
    PQclear(r);
    if (!found) return ctx_fail(c, ERR_NOT_FOUND, NULL, "This account no longer exists.");
    audit_record(&c->svc, "digests.unsubscribe", uid, uid, c->rq.client_ip, NULL);
    c->out = json_pack("{s:I,s:b,s:b}", "user", (json_int_t)uid, "unsubscribed", 1, "email_digests", 0);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec q_unsub[] = {
    {"user", "Account", FV_INT, 1, 1, 9007199254740991LL},
    {"token", "Link", FV_TEXT, 1, 1, 128},
    {NULL, NULL, 0, 0, 0, 0},
};

/* R_PUBLIC: a mail client's one-click POST has no session and no CSRF token; R_SETUP: the
 * link works whoever is signed in in that browser. */
static const route digest_routes[] = {
    {"GET", "/unsubscribe/digests", h_unsub_form, R_PUBLIC | R_SETUP, "unsubscribe", NULL, NULL, q_unsub},
    {"POST", "/unsubscribe/digests", h_unsub, R_PUBLIC | R_SETUP, "unsubscribe", NULL, NULL, q_unsub},
};
const module digest_module = {"digest", MODULE_ROUTES(digest_routes), digest_stmts};
