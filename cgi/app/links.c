/* links.c — linking a new device (links.h): statements, the domain and its routes. Every
 * statement is prepared; keys and parts travel as unpadded base64url in JSON and as hex
 * into SQL. The server never parses what a part holds. */
#include "links.h"
#include "devices.h"
#include "module.h"
#include "ratelimit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../core/num.h"

#define LINK_COLS "id, encode(new_key, 'hex'), encode(old_key, 'hex'), parts, bytes, complete, used_at IS NOT NULL, " \
                  DB_TS("expires_at") ", expires_at <= now()"

const db_stmt links_stmts[] = {
    /* Links a day past their end go, with their parts; parts of ended ones go at once. */
    {"link_sweep", "DELETE FROM e2e_links WHERE expires_at < now() - interval '1 day'"},
    {"link_sweep_parts", "DELETE FROM e2e_link_parts p USING e2e_links l "
                         "WHERE l.id = p.link_id AND (l.expires_at <= now() OR l.used_at IS NOT NULL)"},
    /* No row back: the id is taken (try another). */
    {"link_insert", "INSERT INTO e2e_links (id, user_id, new_key, expires_at) "
                    "VALUES ($1, $2, decode($3, 'hex'), now() + make_interval(secs => $4)) "
                    "ON CONFLICT (id) DO NOTHING RETURNING " LINK_COLS},
    {"link_get", "SELECT " LINK_COLS " FROM e2e_links WHERE id = $1 AND user_id = $2"},
    /* The next part, only while the link is open, from the device that sent the first, and
     * within the size bound; no row back: one of those did not hold (link_get tells which). */
    {"link_put", "WITH u AS (UPDATE e2e_links SET old_key = decode($3, 'hex'), parts = parts + 1, "
                 "  bytes = bytes + $5, complete = $6::boolean "
                 "  WHERE id = $1 AND user_id = $2 AND parts = $4 AND NOT complete AND used_at IS NULL "
                 "    AND expires_at > now() AND (old_key IS NULL OR old_key = decode($3, 'hex')) AND bytes + $5 <= $7 "
                 "  RETURNING id) "
                 "INSERT INTO e2e_link_parts (link_id, part, data) SELECT id, $4, decode($8, 'hex') FROM u RETURNING part"},
    {"link_part", "SELECT encode(p.data, 'hex') FROM e2e_link_parts p JOIN e2e_links l ON l.id = p.link_id "
                  "WHERE p.link_id = $1 AND l.user_id = $2 AND p.part = $3"},
    /* Reading the last part uses the link up: whoever marks it first got it. */
    {"link_use", "UPDATE e2e_links SET used_at = now() WHERE id = $1 AND user_id = $2 AND complete AND used_at IS NULL "
                 "RETURNING id"},
    {"link_drop_parts", "DELETE FROM e2e_link_parts WHERE link_id = $1"},
    {"link_devices", "SELECT id, encode(identity_key, 'hex'), " DB_TS("created_at") " FROM e2e_devices WHERE user_id = $1 "
                     "ORDER BY created_at, id"},
    {NULL, NULL},
};

/* hex from a result → base64url in the arena; n: the byte count (or NULL when malformed). */
static const char *link_hex_b64(svc *s, const char *h, size_t *n)
{
    size_t len = strlen(h), got = 0;
    unsigned char *b = arena_alloc(s->a, len / 2 + 1);
    if (!b || sodium_hex2bin(b, len / 2 + 1, h, len, NULL, &got, NULL) != 0) return NULL;
    *n = got;
    return devices_b64(s, b, got);
}

/* A link id: ten digits (as in the code); anything else names no link. */
static int link_id_ok(const char *id)
{
    if (!id || strlen(id) != 10) return 0;
    for (int i = 0; i < 10; i++) if (id[i] < '0' || id[i] > '9') return 0;
    return 1;
}

/* The link object of row 0 (LINK_COLS). */
static json_t *link_json(svc *s, PGresult *r)
{
    size_t n;
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:b,s:s}", "id", PQgetvalue(r, 0, 0),
                          "public_key", link_hex_b64(s, PQgetvalue(r, 0, 1), &n),
                          "parts", (json_int_t)atoll(PQgetvalue(r, 0, 3)), "bytes", (json_int_t)atoll(PQgetvalue(r, 0, 4)),
                          "complete", PQgetvalue(r, 0, 5)[0] == 't', "expires_at", PQgetvalue(r, 0, 7));
    if (o) json_object_set_new(o, "sender_key", PQgetisnull(r, 0, 2) ? json_null()
                                   : json_string(link_hex_b64(s, PQgetvalue(r, 0, 2), &n)));
    return o;
}

/* The caller's link `id` (row in *r), or ERR_NOT_FOUND (not theirs, or none) and ERR_GONE
 * (used, or past its ten minutes) with a sentence. */
static err_t link_load(svc *s, const char *id, PGresult **r)
{
    if (!link_id_ok(id)) return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such link.");
    const char *p[] = {id, id_str(s, s->user->id)};
    err_t e = db_exec(s->db, "link_get", 2, p, r);
    if (e) return e;
    if (PQntuples(*r) != 1) { PQclear(*r); *r = NULL; return svc_fail(s, ERR_NOT_FOUND, NULL, "There is no such link."); }
    int used = PQgetvalue(*r, 0, 6)[0] == 't', expired = PQgetvalue(*r, 0, 8)[0] == 't';
    if (used || expired) {
        PQclear(*r);
        *r = NULL;
        return svc_fail(s, ERR_GONE, NULL, used ? "This link has been used: start again on the new device."
                                                : "This link has expired (after ten minutes): start again on the new device.");
    }
    return ERR_OK;
}

err_t links_create(svc *s, const unsigned char key[32], json_t **out)
{
    err_t e = db_run(s->db, "link_sweep", 0, NULL);
    if (!e) e = db_run(s->db, "link_sweep_parts", 0, NULL);
    if (e) return e;
    const char *hex = devices_hex(s, key, 32);
    if (!hex) return ERR_INTERNAL;
    for (int attempt = 0; attempt < 5; attempt++) {
        char id[11];
        snprintf(id, sizeof id, "%05u%05u", (unsigned)randombytes_uniform(100000), (unsigned)randombytes_uniform(100000));
        const char *p[] = {id, id_str(s, s->user->id), hex, id_str(s, LINK_TTL_SECONDS)};
        PGresult *r;
        if ((e = db_exec(s->db, "link_insert", 4, p, &r))) return e;
        if (PQntuples(r) == 1) {
            *out = link_json(s, r);
            PQclear(r);
            return *out ? ERR_OK : ERR_INTERNAL;
        }
        PQclear(r);
    }
    return svc_fail(s, ERR_UNAVAILABLE, NULL, "No free link id was found: try again.");
}

err_t links_get(svc *s, const char *id, long long part, json_t **out)
{
    PGresult *r;
    err_t e = link_load(s, id, &r);
    if (e) return e;
    json_t *link = link_json(s, r);
    long long parts = atoll(PQgetvalue(r, 0, 3));
    int complete = PQgetvalue(r, 0, 5)[0] == 't';
    PQclear(r);
    if (!link) return ERR_INTERNAL;
    if (part < 0) {
        *out = json_pack("{s:o}", "link", link);
        return *out ? ERR_OK : ERR_INTERNAL;
    }
    if (!complete) {
        json_decref(link);
        return svc_fail(s, ERR_CONFLICT, "part", "The transfer has not all arrived yet: wait until the link is complete.");
    }
    if (part >= parts) {
        json_decref(link);
        return svc_fail(s, ERR_INVALID_FIELD, "part", arena_printf(s->a, "part is 0 to %lld.", parts - 1));
    }
    const char *p[] = {id, id_str(s, s->user->id), id_str(s, part)};
    if ((e = db_exec(s->db, "link_part", 3, p, &r))) { json_decref(link); return e; }
    size_t n = 0;
    const char *data = PQntuples(r) == 1 ? link_hex_b64(s, PQgetvalue(r, 0, 0), &n) : NULL;
    PQclear(r);
    if (!data) {
        json_decref(link);
        return svc_fail(s, ERR_GONE, NULL, "This link has been used: start again on the new device.");
    }
    if (part == parts - 1) {                             /* the last part: the link is used up */
        const char *q[] = {id, id_str(s, s->user->id)};
        if ((e = db_exec(s->db, "link_use", 2, q, &r))) { json_decref(link); return e; }
        int mine = PQntuples(r) == 1;
        PQclear(r);
        if (!mine) {
            json_decref(link);
            return svc_fail(s, ERR_GONE, NULL, "This link has been used: start again on the new device.");
        }
        if ((e = db_run(s->db, "link_drop_parts", 1, q))) { json_decref(link); return e; }
        json_object_set_new(link, "used", json_true());
    }
    *out = json_pack("{s:o,s:{s:I,s:s,s:I}}", "link", link, "part", "index", (json_int_t)part, "data", data,
                     "bytes", (json_int_t)n);
    return *out ? ERR_OK : ERR_INTERNAL;
}

err_t links_put(svc *s, const char *id, const unsigned char sender[32], long long part, const unsigned char *data,
                size_t n, int last, json_t **out)
{
    PGresult *r;
    err_t e = link_load(s, id, &r);
    if (e) return e;
    long long parts = atoll(PQgetvalue(r, 0, 3)), bytes = atoll(PQgetvalue(r, 0, 4));
    int complete = PQgetvalue(r, 0, 5)[0] == 't';
    const char *hex = devices_hex(s, sender, 32), *old = PQgetisnull(r, 0, 2) ? NULL : arena_strdup(s->a, PQgetvalue(r, 0, 2));
    PQclear(r);
    if (!hex) return ERR_INTERNAL;
    if (old && strcmp(old, hex))
        return svc_fail(s, ERR_CONFLICT, "sender_key", "Another device is sending to this link.");
    if (complete) return svc_fail(s, ERR_CONFLICT, "part", "The transfer is complete already.");
    if (part != parts)
        return svc_fail(s, ERR_CONFLICT, "part", arena_printf(s->a, "The next part expected is %lld.", parts));
    if (bytes + (long long)n > LINK_MAX_BYTES)
        return svc_fail(s, ERR_BODY_TOO_LARGE, "data", "A transfer holds at most 50 MiB: this history is larger. "
                        "Link the device with less history (remove old encrypted conversations from the old device first).");
    const char *dh = devices_hex(s, data, n);
    const char *p[] = {id, id_str(s, s->user->id), hex, id_str(s, part), id_str(s, (long long)n), last ? "true" : "false",
                       id_str(s, LINK_MAX_BYTES), dh};
    if (!dh) return ERR_INTERNAL;
    if ((e = db_exec(s->db, "link_put", 8, p, &r))) return e;
    int done = PQntuples(r) == 1;
    PQclear(r);
    if (!done) return svc_fail(s, ERR_CONFLICT, "part", "The link changed meanwhile: read it again.");
    return links_get(s, id, -1, out);
}

/* --- handlers ------------------------------------------------------------------------- */

/* A JSON field of exactly 32 bytes in base64url: 0, or -1 when absent or malformed. */
static int link_key_field(json_t *o, const char *name, unsigned char out[32])
{
    const char *v = json_string_value(json_object_get(o, name));
    size_t got = 0;
    if (!v || sodium_base642bin(out, 32, v, strlen(v), NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    return got == 32 ? 0 : -1;
}

/* One budget for every read and write of links, and one for opening them. */
static err_t link_budget(ctx *c, int create)
{
    static const rate_rule per_hour = {LINK_CREATES_PER_HOUR, 3600}, per_minute = {LINK_REQUESTS_PER_MINUTE, 60};
    err_t e = rl_take(&c->svc, arena_printf(c->svc.a, "%s:u:%lld", create ? "links" : "linkio", c->svc.user->id),
                      create ? &per_hour : &per_minute);
    if (e == ERR_RATE_LIMITED)
        return ctx_fail(c, e, NULL, arena_printf(c->svc.a, create ? "You have started linking a device %d times in an hour, "
                        "the most allowed. Try again in %ld seconds." : "You have made %d requests to device links in a "
                        "minute, the most allowed. Try again in %ld seconds.",
                        create ? LINK_CREATES_PER_HOUR : LINK_REQUESTS_PER_MINUTE,
                        c->svc.retry_after > 0 ? c->svc.retry_after : 1));
    return e;
}

static err_t h_link_create(ctx *c)
{
    unsigned char key[32];
    if (!json_object_get(c->in, "public_key"))
        return ctx_fail(c, ERR_MISSING_FIELD, "public_key", "Send the new device's public key for this link.");
    if (link_key_field(c->in, "public_key", key))
        return ctx_fail(c, ERR_INVALID_FIELD, "public_key", "public_key must be 32 bytes in unpadded base64url.");
    err_t e = link_budget(c, 1);
    json_t *link = NULL;
    if (!e) e = links_create(&c->svc, key, &link);
    if (e) return e;
    c->out = json_pack("{s:o}", "link", link);
    c->status = 201;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static err_t h_link_get(ctx *c)
{
    long long part = -1;
    const char *q = ctx_qstr(c, "part");
    if (q && (num_parse(q, strlen(q), &part) || part < 0))
        return ctx_fail(c, ERR_INVALID_FIELD, "part", "part is a number from 0.");
    err_t e = link_budget(c, 0);
    if (e) return e;
    return links_get(&c->svc, route_param(&c->params, "id"), part, &c->out);
}

static err_t h_link_put(ctx *c)
{
    unsigned char sender[32];
    if (!json_object_get(c->in, "sender_key"))
        return ctx_fail(c, ERR_MISSING_FIELD, "sender_key", "Send this device's public key for the link.");
    if (link_key_field(c->in, "sender_key", sender))
        return ctx_fail(c, ERR_INVALID_FIELD, "sender_key", "sender_key must be 32 bytes in unpadded base64url.");
    json_t *pv = json_object_get(c->in, "part"), *lv = json_object_get(c->in, "last");
    if (!json_is_integer(pv) || json_integer_value(pv) < 0)
        return ctx_fail(c, ERR_INVALID_FIELD, "part", "part is the number of this part, from 0.");
    if (lv && !json_is_boolean(lv)) return ctx_fail(c, ERR_INVALID_FIELD, "last", "last is true or false.");
    const char *v = json_string_value(json_object_get(c->in, "data"));
    if (!v) return ctx_fail(c, ERR_MISSING_FIELD, "data", "Send the part's bytes in unpadded base64url.");
    unsigned char *data = arena_alloc(c->svc.a, LINK_PART_MAX + 1);
    size_t n = 0;
    if (!data) return ERR_INTERNAL;
    if (sodium_base642bin(data, LINK_PART_MAX + 1, v, strlen(v), NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n == 0 || n > LINK_PART_MAX)
        return ctx_fail(c, ERR_INVALID_FIELD, "data", arena_printf(c->svc.a, "data is 1 to %d bytes in unpadded base64url.",
                        LINK_PART_MAX));
    err_t e = link_budget(c, 0);
    json_t *link = NULL;
    if (!e) e = links_put(&c->svc, route_param(&c->params, "id"), sender, json_integer_value(pv), data, n,
                          json_is_true(lv), &link);
    if (e) return e;
    c->out = link;
    return ERR_OK;
}

/* GET /me/devices (and the page): the caller's devices, oldest first. */
static err_t h_link_devices(ctx *c)
{
    const char *p[] = {id_str(&c->svc, c->svc.user->id)};
    PGresult *r;
    err_t e = db_exec(c->svc.db, "link_devices", 1, p, &r);
    if (e) return e;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        size_t n;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", PQgetvalue(r, i, 0), "identity_key",
                                             link_hex_b64(&c->svc, PQgetvalue(r, i, 1), &n), "created_at", PQgetvalue(r, i, 2)));
    }
    PQclear(r);
    c->out = arr ? json_pack("{s:o}", "devices", arr) : NULL;
    return c->out ? ERR_OK : ERR_INTERNAL;
}

static const field_spec q_link[] = {{"part", "part", FV_TEXT, 0, 0, 12}, {NULL, NULL, 0, 0, 0, 0}};

static const route links_routes[] = {
    {"GET", "/me/devices", h_link_devices, R_AUTH, "devices", NULL, NULL, NULL},
    {"POST", "/devices/links", h_link_create, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
    {"GET", "/devices/links/:id", h_link_get, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, q_link},
    {"PUT", "/devices/links/:id", h_link_put, R_AUTH | R_JSON_ONLY, NULL, NULL, NULL, NULL},
};

const module links_module = {"links", MODULE_ROUTES(links_routes), links_stmts};
