/* hook_send.c — see hook_send.h. Who owns what: PGresults cleared where they are read; the
 * request body is jansson's text (freed here); the reply lives on the heap for the call. */
#include "hook_send.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "outbound_http.h"
#include "../app/conv.h"
#include "../app/msg.h"
#include "../app/users.h"
#include "../core/log.h"

enum { HOOK_REPLY_MAX = 65536 };

const db_stmt hook_send_stmts[] = {
    {"hook_send_load", "SELECT url, secret, bot_id, conversation_id FROM outgoing_webhooks WHERE id = $1"},
    {"hook_send_result", "UPDATE outgoing_webhooks SET last_error = left(NULLIF($2, ''), 300) WHERE id = $1"},
    {NULL, NULL},
};

void hook_sign(const char *secret, long long t, const char *body, size_t n, char out[HOOK_SIG_HEX + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];
    int tl = snprintf(ts, sizeof ts, "%lld.", t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)tl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, HOOK_SIG_HEX + 1, mac, sizeof mac);
}

static void hook_note(svc *s, const char *wid, const char *line)
{
    const char *p[] = {wid, line};
    if (db_run(s->db, "hook_send_result", 2, p)) log_warn("hooks: webhook %s: result not recorded", wid);
}

/* Posts a {"text"} reply as the webhook's bot, once per (webhook, message): the client_id
 * is derived from both, so a job run twice sends it once. */
static err_t hook_reply(svc *s, long long wid, long long bot_id, long long conv_id, long long seq, const char *text,
                        char *why, size_t whylen)
{
    svc bs = *s;
    conv cv;
    err_t e = users_by_id(&bs, bot_id, &bs.user);
    if (!e) e = conv_load(&bs, conv_id, &cv);
    if (e) { snprintf(why, whylen, "the webhook's bot is no longer in the conversation"); return ERR_OK; }
    if (msg_body_ok(&bs, text)) { log_warn("hooks: webhook %lld: the reply is too long or blank; dropped", wid); return ERR_OK; }
    unsigned char h[crypto_generichash_BYTES];
    char seed[96], hex[2 * sizeof h + 1], client_id[37];
    int sl = snprintf(seed, sizeof seed, "hook-reply:%lld:%lld:%lld", wid, conv_id, seq);
    crypto_generichash(h, sizeof h, (const unsigned char *)seed, (unsigned long long)sl, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(client_id, sizeof client_id, "%.8s-%.4s-4%.3s-8%.3s-%.12s", hex, hex + 8, hex + 12, hex + 15, hex + 18);
    int created;
    long long rseq, event_id;
    if ((e = msg_send(&bs, &cv, text, client_id, 0, NULL, &created, &rseq, &event_id))) {
        snprintf(why, whylen, "posting the reply: %s", bs.err_msg ? bs.err_msg : err_lookup(e)->message);
        return e == ERR_FORBIDDEN || e == ERR_NOT_ALLOWED ? ERR_OK : e;
    }
    if (created) msg_event_created(&bs, conv_id, rseq, event_id, NULL);
    return ERR_OK;
}

err_t hook_send_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    json_t *wj = json_object_get(payload, "webhook_id"), *cj = json_object_get(payload, "conversation_id"),
           *sj = json_object_get(payload, "seq");
    if (!json_is_integer(wj) || !json_is_integer(cj) || !json_is_integer(sj)) {
        snprintf(why, whylen, "payload must be {\"webhook_id\": N, \"conversation_id\": N, \"seq\": N}");
        return ERR_INVALID_FIELD;
    }
    long long wid = (long long)json_integer_value(wj), conv_id = (long long)json_integer_value(cj),
              seq = (long long)json_integer_value(sj);
    char wid_s[24];
    snprintf(wid_s, sizeof wid_s, "%lld", wid);
    const char *p[] = {wid_s};
    PGresult *r;
    err_t e = db_exec(s->db, "hook_send_load", 1, p, &r);
    if (e) { snprintf(why, whylen, "loading the webhook: %s", err_lookup(e)->message); return e; }
    if (PQntuples(r) != 1 || atoll(PQgetvalue(r, 0, 3)) != conv_id) { PQclear(r); return ERR_OK; }   /* revoked */
    const char *url = arena_strdup(s->a, PQgetvalue(r, 0, 0)), *secret = arena_strdup(s->a, PQgetvalue(r, 0, 1));
    long long bot_id = atoll(PQgetvalue(r, 0, 2));
    PQclear(r);
    if (!url || !secret) return ERR_INTERNAL;
    json_t *m;
    if ((e = msg_get_neutral(s, conv_id, seq, &m))) return e == ERR_NOT_FOUND ? ERR_OK : e;
    if (json_is_true(json_object_get(m, "deleted"))) { json_decref(m); return ERR_OK; }
    json_t *doc = json_pack("{s:s,s:I,s:I,s:I,s:o}", "type", "message.created", "webhook_id", (json_int_t)wid,
                            "conversation_id", (json_int_t)conv_id, "seq", (json_int_t)seq, "message", m);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!body) { snprintf(why, whylen, "out of memory"); return ERR_INTERNAL; }
    long long t = (long long)time(NULL);
    char sig[HOOK_SIG_HEX + 1], sig_h[HOOK_SIG_HEX + 64], id_h[64], line[300] = "";
    hook_sign(secret, t, body, strlen(body), sig);
    snprintf(sig_h, sizeof sig_h, "X-Parley-Signature: t=%lld,v1=%s", t, sig);
    snprintf(id_h, sizeof id_h, "X-Parley-Webhook-Id: %lld", wid);
    const char *headers[] = {"Content-Type: application/json", "User-Agent: Parley-Webhook/1", sig_h, id_h, NULL};
    char *reply = malloc(HOOK_REPLY_MAX + 1);
    if (!reply) { free(body); return ERR_INTERNAL; }
    outbound_result res;
    size_t rlen = 0;
    void *curl = NULL;
    long timeout = s->cfg->job_lease / 4 < 15 ? s->cfg->job_lease / 4 : 15;
    int rc = outbound_post_reply(s->cfg, url, headers, body, strlen(body), timeout > 1 ? timeout : 1, &res, line,
                                 sizeof line, &curl, reply, HOOK_REPLY_MAX + 1, &rlen);
    outbound_done(&curl);
    free(body);
    if (rc || res.status < 200 || res.status >= 300) {
        if (!rc) snprintf(line, sizeof line, "the receiver answered %ld", res.status);
        hook_note(s, wid_s, line);
        free(reply);
        /* A refused address or a 4xx will not get better by itself; the rest is retried. */
        if (res.refused || (!rc && res.status >= 400 && res.status < 500 && res.status != 429)) {
            log_warn("hooks: webhook %lld, conversation %lld seq %lld: %s; not retried", wid, conv_id, seq, line);
            return ERR_OK;
        }
        snprintf(why, whylen, "webhook %lld: %s", wid, line);
        return ERR_UNAVAILABLE;
    }
    hook_note(s, wid_s, "");
    json_t *ans = rlen && rlen <= HOOK_REPLY_MAX ? json_loads(reply, 0, NULL) : NULL;
    free(reply);
    const char *text = json_string_value(json_object_get(ans, "text"));
    e = text && *text ? hook_reply(s, wid, bot_id, conv_id, seq, text, why, whylen) : ERR_OK;
    json_decref(ans);
    return e;
}
