/* devices.c — the key directory (devices.h): statements, the domain and its routes. Every
 * statement is prepared; keys travel as unpadded base64url in JSON and as hex into SQL. */
#include "devices.h"
#include "module.h"
#include "../store/pgarr.h"
#include "ratelimit.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../core/num.h"

#define DEV_COLS "d.id, encode(d.identity_key, 'hex'), d.spk_id, encode(d.spk, 'hex'), encode(d.spk_signature, 'hex'), " \
                 DB_TS("d.created_at") ", " DB_TS("d.updated_at")

const db_stmt devices_stmts[] = {
    {"dev_owner", "SELECT user_id, encode(identity_key, 'hex') FROM e2e_devices WHERE id = $1::uuid"},
    /* A new device only while its owner has fewer than the most; an existing one only for its
     * owner and with the same identity key. No row back: neither happened. */
    {"dev_upsert", "INSERT INTO e2e_devices AS d (id, user_id, identity_key, spk_id, spk, spk_signature) "
                   "SELECT $1::uuid, $2, decode($3, 'hex'), $4, decode($5, 'hex'), decode($6, 'hex') "
                   "WHERE (SELECT count(*) FROM e2e_devices WHERE user_id = $2) < $7 "
                   "   OR EXISTS (SELECT 1 FROM e2e_devices WHERE id = $1::uuid) "
                   "ON CONFLICT (id) DO UPDATE SET spk_id = EXCLUDED.spk_id, spk = EXCLUDED.spk, "
                   "  spk_signature = EXCLUDED.spk_signature, updated_at = now() "
                   "WHERE d.user_id = EXCLUDED.user_id AND d.identity_key = EXCLUDED.identity_key "
                   "RETURNING (xmax = 0)"},
    {"dev_delete", "DELETE FROM e2e_devices WHERE id = $1::uuid AND user_id = $2"},
    {"dev_prekey_count", "SELECT count(*) FROM e2e_prekeys WHERE device_id = $1::uuid"},
    /* $2: int8[] of key ids, $3: text[] of hex keys, in the same order; a key id the device
     * holds already is kept as it is. */
    {"dev_prekeys_add", "INSERT INTO e2e_prekeys (device_id, key_id, public_key) "
                        "SELECT $1::uuid, k, decode(h, 'hex') FROM unnest($2::bigint[], $3::text[]) AS t(k, h) "
                        "ON CONFLICT DO NOTHING"},
    {"dev_get", "SELECT " DEV_COLS ", (SELECT count(*) FROM e2e_prekeys p WHERE p.device_id = d.id) "
                "FROM e2e_devices d WHERE d.id = $1::uuid AND d.user_id = $2"},
    /* May $1 fetch $2's bundles: themself, or a contact or someone in a conversation with
     * them, whom $2 has not blocked. */
    {"dev_visible", "SELECT 1 FROM users u WHERE u.id = $2 AND ($1 = $2 OR ("
                    " (EXISTS (SELECT 1 FROM contacts WHERE user_id = $1 AND contact_id = $2) "
                    "  OR EXISTS (SELECT 1 FROM members m1 JOIN members m2 ON m2.conversation_id = m1.conversation_id "
                    "             WHERE m1.user_id = $1 AND m2.user_id = $2)) "
                    " AND NOT EXISTS (SELECT 1 FROM blocks WHERE user_id = $2 AND blocked_id = $1)))"},
    /* One one-time prekey per device, taken and deleted in the same statement; a key another
     * request holds is skipped, so two fetchers never get the same key. The count is from
     * before the delete. */
    {"dev_bundles", "WITH taken AS ("
                    "  DELETE FROM e2e_prekeys p WHERE (p.device_id, p.key_id) IN ("
                    "    SELECT x.device_id, x.key_id FROM e2e_devices d CROSS JOIN LATERAL ("
                    "      SELECT q.device_id, q.key_id FROM e2e_prekeys q WHERE q.device_id = d.id "
                    "      ORDER BY q.key_id LIMIT 1 FOR UPDATE SKIP LOCKED) x "
                    "    WHERE d.user_id = $1) "
                    "  RETURNING p.device_id, p.key_id, encode(p.public_key, 'hex') AS key) "
                    "SELECT " DEV_COLS ", (SELECT count(*) FROM e2e_prekeys p WHERE p.device_id = d.id), t.key_id, t.key "
                    "FROM e2e_devices d LEFT JOIN taken t ON t.device_id = d.id WHERE d.user_id = $1 "
                    "ORDER BY d.created_at, d.id"},
    /* The same rows as dev_bundles without taking a one-time prekey (?keys_only=1). */
    {"dev_list", "SELECT " DEV_COLS ", (SELECT count(*) FROM e2e_prekeys p WHERE p.device_id = d.id), NULL, NULL "
                 "FROM e2e_devices d WHERE d.user_id = $1 ORDER BY d.created_at, d.id"},
    {NULL, NULL},
};

const char *devices_b64(svc *s, const unsigned char *b, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(s->a, cap);
    if (out) sodium_bin2base64(out, cap, b, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

const char *devices_hex(svc *s, const unsigned char *b, size_t n)
{
    char *out = arena_alloc(s->a, 2 * n + 1);
    if (out) sodium_bin2hex(out, 2 * n + 1, b, n);
    return out;
}

/* A JSON field of exactly n bytes in base64url: 0, or -1 when absent or malformed. */
static int dev_bytes(json_t *o, const char *name, unsigned char *out, size_t n)
{
    const char *v = json_string_value(json_object_get(o, name));
    size_t got = 0;
    if (!v || sodium_base642bin(out, n, v, strlen(v), NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    return got == n ? 0 : -1;
}

/* A JSON key id: an integer 0..2^32-1. */
static int dev_key_id(json_t *o, uint32_t *id)
{
    json_t *v = json_object_get(o, "id");
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4294967295LL) return -1;
    *id = (uint32_t)json_integer_value(v);
    return 0;
}

int devices_uuid(const char *in, char out[37])
{
    if (!in || strlen(in) != 36) return -1;
    for (int i = 0; i < 36; i++) {
        char ch = in[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) { if (ch != '-') return -1; }
        else if (!isxdigit((unsigned char)ch)) return -1;
        out[i] = (char)tolower((unsigned char)ch);
    }
    out[36] = '\0';
    return 0;
}

err_t devices_parse_keys(svc *s, json_t *in, dev_keys *k)
{
    memset(k, 0, sizeof *k);
    if (!json_object_get(in, "identity_key")) return svc_fail(s, ERR_MISSING_FIELD, "identity_key", "Send the device's identity key.");
    if (dev_bytes(in, "identity_key", k->identity, 32))
        return svc_fail(s, ERR_INVALID_FIELD, "identity_key", "identity_key must be 32 bytes in unpadded base64url.");
    unsigned char x[32];
    if (crypto_sign_ed25519_pk_to_curve25519(x, k->identity) != 0)
        return svc_fail(s, ERR_INVALID_FIELD, "identity_key", "identity_key is not a usable Ed25519 public key.");
    json_t *spk = json_object_get(in, "signed_prekey");
    if (!spk) return svc_fail(s, ERR_MISSING_FIELD, "signed_prekey", "Send the device's signed prekey.");
    if (!json_is_object(spk) || dev_key_id(spk, &k->spk_id) || dev_bytes(spk, "key", k->spk, 32) ||
        dev_bytes(spk, "signature", k->spk_sig, 64))
        return svc_fail(s, ERR_INVALID_FIELD, "signed_prekey", "signed_prekey must be {id: 0 to 4294967295, key: 32 bytes, "
                        "signature: 64 bytes}, the bytes in unpadded base64url.");
    if (crypto_sign_verify_detached(k->spk_sig, k->spk, 32, k->identity) != 0)
        return svc_fail(s, ERR_INVALID_FIELD, "signed_prekey", "The signed prekey's signature does not verify with identity_key.");
    json_t *list = json_object_get(in, "one_time_prekeys"), *pk;
    if (list && !json_is_array(list))
        return svc_fail(s, ERR_INVALID_FIELD, "one_time_prekeys", "one_time_prekeys must be a list.");
    if (json_array_size(list) > DEV_PREKEYS_PER_PUT)
        return svc_fail(s, ERR_INVALID_FIELD, "one_time_prekeys",
                        arena_printf(s->a, "Send at most %d one-time prekeys at once.", DEV_PREKEYS_PER_PUT));
    size_t i;
    json_array_foreach(list, i, pk) {
        dev_prekey *p = &k->prekeys[k->nprekeys];
        if (!json_is_object(pk) || dev_key_id(pk, &p->id) || dev_bytes(pk, "key", p->key, 32))
            return svc_fail(s, ERR_INVALID_FIELD, "one_time_prekeys", "Each one-time prekey must be {id: 0 to 4294967295, "
                            "key: 32 bytes in unpadded base64url}.");
        for (size_t j = 0; j < k->nprekeys; j++)
            if (k->prekeys[j].id == p->id)
                return svc_fail(s, ERR_INVALID_FIELD, "one_time_prekeys", "Two one-time prekeys have the same id.");
        k->nprekeys++;
    }
    return ERR_OK;
}

/* Hex from a result into bytes: n bytes exactly. */
static void dev_unhex(const char *h, unsigned char *out, size_t n)
{
    size_t got = 0;
    if (sodium_hex2bin(out, n, h, strlen(h), NULL, &got, NULL) != 0 || got != n) memset(out, 0, n);
}

/* The device object of row i (DEV_COLS, then the prekey count at column 7). */
static json_t *dev_json(svc *s, PGresult *r, int i, int with_times)
{
    unsigned char ik[32], spk[32], sig[64];
    dev_unhex(PQgetvalue(r, i, 1), ik, 32);
    dev_unhex(PQgetvalue(r, i, 3), spk, 32);
    dev_unhex(PQgetvalue(r, i, 4), sig, 64);
    long long left = atoll(PQgetvalue(r, i, 7));
    json_t *o = json_pack("{s:s,s:s,s:{s:I,s:s,s:s},s:I,s:b}", "id", PQgetvalue(r, i, 0), "identity_key", devices_b64(s, ik, 32),
                          "signed_prekey", "id", (json_int_t)atoll(PQgetvalue(r, i, 2)), "key", devices_b64(s, spk, 32),
                          "signature", devices_b64(s, sig, 64), "one_time_prekeys_left", (json_int_t)left,
                          "prekeys_low", left < DEV_PREKEYS_LOW);
    if (o && with_times) {
        json_object_set_new(o, "created_at", json_string(PQgetvalue(r, i, 5)));
        json_object_set_new(o, "updated_at", json_string(PQgetvalue(r, i, 6)));
    }
    return o;
}

err_t devices_get(svc *s, const char *id_in, json_t **out)
{
    char id[37];
    if (devices_uuid(id_in, id)) return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such device.");
    const char *p[] = {id, id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "dev_get", 2, p, &r);
    if (e) return e;
    if (PQntuples(r) != 1) { PQclear(r); return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such device."); }
    *out = dev_json(s, r, 0, 1);
    PQclear(r);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t devices_put_keys(svc *s, const char *id_in, const dev_keys *k, int *created, json_t **out)
{
    char id[37];
    if (devices_uuid(id_in, id)) return svc_fail(s, ERR_NOT_FOUND, NULL, "A device's id is a UUID.");
    const char *uid = id_str(s, s->user->id), *ik = devices_hex(s, k->identity, 32);
    const char *p0[] = {id};
    PGresult *r;
    err_t e = db_exec(s->db, "dev_owner", 1, p0, &r);
    if (e) return e;
    if (PQntuples(r) == 1) {
        int mine = atoll(PQgetvalue(r, 0, 0)) == s->user->id, same = ik && !strcmp(PQgetvalue(r, 0, 1), ik);
        PQclear(r);
        if (!mine) return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such device.");
        if (!same) return svc_fail(s, ERR_CONFLICT, "identity_key", "A device's identity key cannot change: "
                                   "register the new key as a new device.");
    } else {
        PQclear(r);
    }
    const char *p[] = {id, uid, ik, id_str(s, k->spk_id), devices_hex(s, k->spk, 32), devices_hex(s, k->spk_sig, 64),
                       id_str(s, DEV_MAX_PER_USER)};
    for (size_t i = 0; i < 7; i++) if (!p[i]) return ERR_INTERNAL;
    if ((e = db_exec(s->db, "dev_upsert", 7, p, &r))) return e;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return svc_fail(s, ERR_CONFLICT, NULL, arena_printf(s->a, "You have %d devices already, the most an account may "
                        "have.", DEV_MAX_PER_USER));
    }
    *created = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (k->nprekeys) {
        if ((e = db_exec(s->db, "dev_prekey_count", 1, p0, &r))) return e;
        long long have = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (have + (long long)k->nprekeys > DEV_PREKEYS_MAX)
            return svc_fail(s, ERR_CONFLICT, "one_time_prekeys", arena_printf(s->a, "The device holds %lld one-time prekeys; "
                            "it may hold at most %d.", have, DEV_PREKEYS_MAX));
        pgarr ids, keys;                                 /* '{1,2}' and '{"ab..","cd.."}' literals */
        pgarr_init(&ids);
        pgarr_init(&keys);
        for (size_t i = 0; i < k->nprekeys; i++) {
            char hx[65];
            sodium_bin2hex(hx, sizeof hx, k->prekeys[i].key, 32);
            pgarr_id(&ids, k->prekeys[i].id);
            pgarr_text(&keys, hx);
        }
        const char *q[] = {id, pgarr_done(&ids, s->a), pgarr_done(&keys, s->a)};
        if (!q[1] || !q[2]) return ERR_INTERNAL;
        if ((e = db_run(s->db, "dev_prekeys_add", 3, q))) return e;
    }
    return devices_get(s, id, out);
}

err_t devices_delete(svc *s, const char *id_in)
{
    char id[37];
    if (devices_uuid(id_in, id)) return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such device.");
    const char *p[] = {id, id_str(s, s->user->id)};
    PGresult *r;
    err_t e = db_exec(s->db, "dev_delete", 2, p, &r);
    if (e) return e;
    int gone = atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    return gone ? ERR_OK : svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such device.");
}

/* The bundle's bytes as cgi/e2e/keys.h's e2e_bundle_decode reads them: version 1, identity,
 * signed prekey id, key and signature, then 0, or 1 with the one-time prekey's id and key. */
static const char *dev_bundle(svc *s, PGresult *r, int i)
{
    unsigned char b[1 + 32 + 4 + 32 + 64 + 1 + 4 + 32];
    size_t n = 0;
    uint32_t spk_id = (uint32_t)atoll(PQgetvalue(r, i, 2));
    b[n++] = 1;
    dev_unhex(PQgetvalue(r, i, 1), b + n, 32), n += 32;
    for (int sh = 24; sh >= 0; sh -= 8) b[n++] = (unsigned char)(spk_id >> sh);
    dev_unhex(PQgetvalue(r, i, 3), b + n, 32), n += 32;
    dev_unhex(PQgetvalue(r, i, 4), b + n, 64), n += 64;
    if (PQgetisnull(r, i, 8)) {
        b[n++] = 0;
    } else {
        uint32_t opk_id = (uint32_t)atoll(PQgetvalue(r, i, 8));
        b[n++] = 1;
        for (int sh = 24; sh >= 0; sh -= 8) b[n++] = (unsigned char)(opk_id >> sh);
        dev_unhex(PQgetvalue(r, i, 9), b + n, 32), n += 32;
    }
    return devices_b64(s, b, n);
}

err_t devices_bundles(svc *s, long long uid, int take, json_t **out)
{
    const char *p[] = {id_str(s, s->user->id), id_str(s, uid)};
    PGresult *r;
    err_t e = db_exec(s->db, "dev_visible", 2, p, &r);
    if (e) return e;
    int visible = PQntuples(r) == 1;
    PQclear(r);
    if (!visible) return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such user.");
    const char *q[] = {id_str(s, uid)};
    if ((e = db_exec(s->db, take ? "dev_bundles" : "dev_list", 1, q, &r))) return e;
    json_t *list = json_array();
    for (int i = 0; list && i < PQntuples(r); i++) {
        json_t *d = dev_json(s, r, i, 0);
        if (!d) continue;
        long long left = atoll(PQgetvalue(r, i, 7));
        if (PQgetisnull(r, i, 8)) {
            json_object_set_new(d, "one_time_prekey", json_null());
        } else {
            unsigned char key[32];
            dev_unhex(PQgetvalue(r, i, 9), key, 32);
            json_object_set_new(d, "one_time_prekey", json_pack("{s:I,s:s}", "id", (json_int_t)atoll(PQgetvalue(r, i, 8)),
                                                                "key", devices_b64(s, key, 32)));
            left--;                                      /* the count was taken before the delete */
        }
        json_object_set_new(d, "one_time_prekeys_left", json_integer(left));
        json_object_set_new(d, "prekeys_low", json_boolean(left < DEV_PREKEYS_LOW));
        json_object_set_new(d, "bundle", json_string(dev_bundle(s, r, i)));
        json_array_append_new(list, d);
    }
    PQclear(r);
    *out = list ? json_pack("{s:I,s:o}", "user_id", (json_int_t)uid, "devices", list) : NULL;
    return *out ? ERR_OK : ERR_INTERNAL;
}

/* --- handlers ------------------------------------------------------------------------- */

static err_t h_dev_put(ctx *c)
{
    dev_keys *k = arena_alloc(c->svc.a, sizeof *k);   /* ~7 KB: the arena's, not the stack's */
    if (!k) return ERR_INTERNAL;
    err_t e = devices_parse_keys(&c->svc, c->in, k);
    int created = 0;
    json_t *d = NULL;
    if (!e) e = devices_put_keys(&c->svc, route_param(&c->params, "id"), k, &created, &d);
    if (e) return e;
    c->out = json_pack("{s:o}", "device", d);
    c->status = created ? 201 : 200;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_dev_get(ctx *c)
{
    json_t *d = NULL;
    err_t e = devices_get(&c->svc, route_param(&c->params, "id"), &d);
    if (e) return e;
    c->out = json_pack("{s:o}", "device", d);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_dev_delete(ctx *c)
{
    err_t e = devices_delete(&c->svc, route_param(&c->params, "id"));
    if (!e) c->status = 204;
    return e;
}

static err_t h_dev_bundles(ctx *c)
{
    const char *id = route_param(&c->params, "id");
    long long uid;
    if (!id || num_parse(id, strlen(id), &uid) || uid <= 0) return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is no such user.");
    /* Each fetch takes a one-time prekey from every device: a budget per fetching person
     * keeps anyone from draining another's prekeys. */
    static const rate_rule per_minute = {DEV_BUNDLES_PER_MINUTE, 60};
    err_t e = rl_take(&c->svc, arena_printf(c->svc.a, "bundles:u:%lld", c->svc.user->id), &per_minute);
    if (e == ERR_RATE_LIMITED)
        return ctx_fail(c, e, NULL, arena_printf(c->svc.a, "You have fetched device keys %d times in a minute, the most "
                        "allowed. Try again in %ld seconds.", DEV_BUNDLES_PER_MINUTE,
                        c->svc.retry_after > 0 ? c->svc.retry_after : 1));
    if (e) return e;
    const char *only = ctx_qstr(c, "keys_only");
    if (only && strcmp(only, "0") && strcmp(only, "1"))
        return ctx_fail(c, ERR_INVALID_FIELD, "keys_only", "keys_only is 1 (no one-time prekey is taken) or 0.");
    return devices_bundles(&c->svc, uid, !(only && !strcmp(only, "1")), &c->out);
}

static const field_spec q_bundles[] = {{"keys_only", "keys_only", FV_TEXT, 0, 0, 8}, {NULL, NULL, 0, 0, 0, 0}};

static const route devices_routes[] = {
    {"PUT", "/devices/:id/keys", h_dev_put, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/devices/:id/keys", h_dev_get, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"DELETE", "/devices/:id", h_dev_delete, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/users/:id/devices", h_dev_bundles, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_bundles},
};

const module devices_module = {"devices", MODULE_ROUTES(devices_routes), devices_stmts};
