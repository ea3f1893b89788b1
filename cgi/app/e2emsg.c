/* e2emsg.c — encrypted messages (e2emsg.h): checking envelopes, storing them with their
 * message in one transaction, and handing each reader their own. Ciphertexts travel as
 * unpadded base64url in JSON and as hex into SQL, like the key directory's keys. */
#include "e2emsg.h"
#include "module.h"
#include "../store/pgarr.h"
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "msg.h"
#include "devices.h"

const db_stmt e2emsg_stmts[] = {
    {"e2emsg_my_device", "SELECT 1 FROM e2e_devices WHERE id = $1::uuid AND user_id = $2"},
    /* The first of the devices $2 that is not a registered device of a member of $1. */
    {"e2emsg_stranger", "SELECT x.id FROM unnest($2::uuid[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM e2e_devices d "
                        "JOIN members m ON m.user_id = d.user_id AND m.conversation_id = $1 WHERE d.id = x.id) LIMIT 1"},
    /* The first of the media $1 that is not an opaque (end-to-end encrypted) blob, or none. */
    {"e2emsg_not_opaque", "SELECT x.id FROM unnest($1::bigint[]) AS x(id) LEFT JOIN media m ON m.id = x.id "
                          "WHERE m.kind IS DISTINCT FROM 'opaque' LIMIT 1"},
    /* The members' devices, other than the sender's $3, that $2 has no envelope for, as one
     * comma-separated list (NULL: none is missing). */
    {"e2emsg_missing", "SELECT string_agg(d.id::text, ', ' ORDER BY d.id) FROM e2e_devices d JOIN members m "
                       "ON m.user_id = d.user_id AND m.conversation_id = $1 WHERE d.id <> $3::uuid AND d.id <> ALL($2::uuid[])"},
    /* The same for a sender-key message: a device counts as covered once this sender device
     * has sent it any envelope here (that is where its sender key went). */
    {"e2emsg_missing_group", "SELECT string_agg(d.id::text, ', ' ORDER BY d.id) FROM e2e_devices d JOIN members m "
                             "ON m.user_id = d.user_id AND m.conversation_id = $1 WHERE d.id <> $3::uuid "
                             "AND d.id <> ALL($2::uuid[]) AND NOT EXISTS (SELECT 1 FROM e2e_envelopes e "
                             "JOIN messages g ON g.conversation_id = e.conversation_id AND g.seq = e.seq "
                             "WHERE e.device_id = d.id AND e.conversation_id = $1 AND g.e2e_device = $3::uuid)"},
    /* The message just inserted (same transaction) gets its sender device, its sender-key
     * ciphertext and its envelopes ($5 devices, $6 types, $7 hex ciphertexts, same order). */
    {"e2emsg_store", "WITH u AS (UPDATE messages SET e2e_device = $3::uuid, ciphertext = decode($4, 'hex') "
                     "WHERE conversation_id = $1 AND seq = $2) "
                     "INSERT INTO e2e_envelopes (conversation_id, seq, device_id, type, ciphertext) "
                     "SELECT $1::bigint, $2::bigint, x.d, x.t, decode(x.h, 'hex') "
                     "FROM unnest($5::uuid[], $6::text[], $7::text[]) AS x(d, t, h)"},
    /* The envelopes of seqs $2..$3 for the devices of user $4. */
    {"e2emsg_envelopes", "SELECT e.seq, e.device_id, e.type, encode(e.ciphertext, 'hex') FROM e2e_envelopes e "
                         "JOIN e2e_devices d ON d.id = e.device_id WHERE e.conversation_id = $1 "
                         "AND e.seq BETWEEN $2 AND $3 AND d.user_id = $4 ORDER BY e.seq, e.device_id"},
    {NULL, NULL},
};
const module e2emsg_module = {"e2emsg", NULL, 0, e2emsg_stmts};

/* Unpadded base64url → hex (arena) of a ciphertext of the wire kind `kind` (the first byte,
 * version 1) and at least min bytes; NULL when it is not one. */
static const char *e2emsg_hex(svc *c, const char *b64, unsigned char kind, size_t min)
{
    size_t len = b64 ? strlen(b64) : 0, got = 0;
    if (!len || len > sodium_base64_ENCODED_LEN(E2EMSG_MAX_CIPHERTEXT, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
        return NULL;
    unsigned char *bin = arena_alloc(c->a, len);
    if (!bin || sodium_base642bin(bin, len, b64, len, NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    if (got < min || got > E2EMSG_MAX_CIPHERTEXT || bin[0] != kind) return NULL;
    char *hex = arena_alloc(c->a, 2 * got + 1);
    if (hex) sodium_bin2hex(hex, 2 * got + 1, bin, got);
    return hex;
}

/* Hex from a row → unpadded base64url (arena; NULL when malformed or out of memory). */
static const char *e2emsg_b64(svc *c, const char *hex)
{
    size_t n = strlen(hex) / 2, got = 0;
    unsigned char *bin = arena_alloc(c->a, n ? n : 1);
    if (!bin || sodium_hex2bin(bin, n, hex, strlen(hex), NULL, &got, NULL) != 0) return NULL;
    size_t cap = sodium_base64_ENCODED_LEN(got, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(c->a, cap);
    if (out) sodium_bin2base64(out, cap, bin, got, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* Smallest well-formed ciphertexts (cgi/e2e wire formats): a ratchet message is a 41-byte
 * header and a 16-byte tag at least; a prekey message 74 bytes before one; a group message
 * 9 bytes, a tag and a 64-byte signature. */
enum { WIRE_MESSAGE = 0x11, WIRE_PREKEY = 0x12, WIRE_GROUP = 0x13,
       MIN_MESSAGE = 41 + 16, MIN_PREKEY = 74 + MIN_MESSAGE, MIN_GROUP = 9 + 16 + 64 };

err_t e2emsg_send(svc *c, const conv *cv, json_t *in, const char *client_id, long long reply_to,
                  int *created, long long *seq, long long *event_id)
{
    const char *body = json_string_value(json_object_get(in, "body"));
    if (body && *body)
        return svc_fail(c, ERR_INVALID_FIELD, "body", "This conversation is end-to-end encrypted: the server takes "
                        "only encrypted envelopes, never a body. Send from a browser with JavaScript or another app "
                        "that encrypts.");
    /* Attachments: only blobs uploaded as opaque (sealed in the browser, never processed);
     * their keys travel inside the envelopes. Ownership is msg_send's check. */
    json_t *media_ids = json_object_get(in, "media_ids");
    if (json_array_size(media_ids)) {
        pgarr mb;
        pgarr_init(&mb);
        for (size_t i = 0; i < json_array_size(media_ids); i++) pgarr_id(&mb, json_integer_value(json_array_get(media_ids, i)));
        const char *pm[] = {pgarr_done(&mb, c->a)};
        if (!pm[0]) return ERR_INTERNAL;
        PGresult *r;
        err_t e = db_exec(c->db, "e2emsg_not_opaque", 1, pm, &r);
        if (e) return e;
        int plain = PQntuples(r) > 0;
        PQclear(r);
        if (plain)
            return svc_fail(c, ERR_INVALID_FIELD, "media_ids", "In an end-to-end encrypted conversation only files "
                            "encrypted on your device can be attached: upload them with ?opaque=1.");
    }
    char me_dev[37], dev[37];
    if (devices_uuid(json_string_value(json_object_get(in, "device_id")), me_dev))
        return svc_fail(c, ERR_MISSING_FIELD, "device_id", "Name the sending device (device_id, a UUID).");
    json_t *envs = json_object_get(in, "envelopes"), *group = json_object_get(in, "group");
    if (envs && !json_is_array(envs))
        return svc_fail(c, ERR_INVALID_FIELD, "envelopes", "envelopes must be a list of {device_id, type, ciphertext}.");
    size_t n = json_array_size(envs);
    if (n > E2EMSG_MAX_ENVELOPES)
        return svc_fail(c, ERR_INVALID_FIELD, "envelopes",
                        arena_printf(c->a, "A message may have at most %d envelopes.", E2EMSG_MAX_ENVELOPES));
    const char *group_hex = NULL;
    if (group && !json_is_null(group) &&
        !(group_hex = e2emsg_hex(c, json_string_value(group), WIRE_GROUP, MIN_GROUP)))
        return svc_fail(c, ERR_INVALID_FIELD, "group", arena_printf(c->a, "group must be one sender-key message "
                        "(version 1) of at most %d bytes, in unpadded base64url.", E2EMSG_MAX_CIPHERTEXT));
    if (!n && !group_hex)
        return svc_fail(c, ERR_MISSING_FIELD, "envelopes", "Send envelopes for the members' devices, or a group message.");
    pgarr ids, types, hexes;                            /* freed by pgarr_done, below or at out */
    pgarr_init(&ids), pgarr_init(&types), pgarr_init(&hexes);
    err_t e = ERR_OK;
    char (*seen)[37] = arena_alloc(c->a, (n ? n : 1) * 37);
    if (!seen) { e = ERR_INTERNAL; goto out; }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(envs, i);
        const char *type = json_string_value(json_object_get(o, "type"));
        int prekey = type && !strcmp(type, "prekey");
        if (!json_is_object(o) || devices_uuid(json_string_value(json_object_get(o, "device_id")), dev) ||
            !type || (!prekey && strcmp(type, "message"))) {
            e = svc_fail(c, ERR_INVALID_FIELD, "envelopes", arena_printf(c->a, "Envelope %zu must be {device_id: a UUID, "
                         "type: \"prekey\" or \"message\", ciphertext}.", i + 1));
            goto out;
        }
        const char *hex = e2emsg_hex(c, json_string_value(json_object_get(o, "ciphertext")),
                                     prekey ? WIRE_PREKEY : WIRE_MESSAGE, prekey ? MIN_PREKEY : MIN_MESSAGE);
        if (!hex) {
            e = svc_fail(c, ERR_INVALID_FIELD, "envelopes", arena_printf(c->a, "The ciphertext of envelope %zu is not a "
                         "%s message (version 1) of at most %d bytes in unpadded base64url.", i + 1, type,
                         E2EMSG_MAX_CIPHERTEXT));
            goto out;
        }
        int dup = !strcmp(dev, me_dev);
        for (size_t k = 0; k < i && !dup; k++) dup = !strcmp(seen[k], dev);
        if (dup) {
            e = svc_fail(c, ERR_INVALID_FIELD, "envelopes", arena_printf(c->a, "Envelope %zu is for the sending device or "
                         "for a device that already has one.", i + 1));
            goto out;
        }
        memcpy(seen[i], dev, 37);
        pgarr_text(&ids, dev);
        pgarr_text(&types, type);
        pgarr_text(&hexes, hex);
    }
    const char *pid = pgarr_done(&ids, c->a), *pty = pgarr_done(&types, c->a), *phx = pgarr_done(&hexes, c->a);
    if (!pid || !pty || !phx) return ERR_INTERNAL;
    const char *conv_s = id_str(c, cv->id);
    PGresult *r;
    const char *pd[] = {me_dev, id_str(c, c->user->id)};
    if ((e = db_exec(c->db, "e2emsg_my_device", 2, pd, &r))) return e;
    int mine = PQntuples(r) == 1;
    PQclear(r);
    if (!mine) return svc_fail(c, ERR_INVALID_FIELD, "device_id", "device_id is not one of your registered devices.");
    /* The members' devices are checked, and the message and its envelopes stored, in one
     * transaction: nobody is told of one without the other. */
    if ((e = db_begin(c->db))) return e;
    const char *ps[] = {conv_s, pid};
    const char *stranger = NULL;
    if (!(e = db_exec(c->db, "e2emsg_stranger", 2, ps, &r))) {
        stranger = PQntuples(r) ? arena_strdup(c->a, PQgetvalue(r, 0, 0)) : NULL;
        PQclear(r);
    }
    if (!e && stranger)
        e = svc_fail(c, ERR_INVALID_FIELD, "envelopes", arena_printf(c->a, "Device %s is not a registered device of a "
                     "member of this conversation.", stranger));
    /* all_devices: the sender says its envelopes cover every member's device (with a group
     * message: every device it has not sent its sender key before); one registered since it
     * fetched the bundles is named, so it can fetch them again and re-encrypt. */
    if (!e && json_is_true(json_object_get(in, "all_devices"))) {
        const char *pm[] = {conv_s, pid, me_dev};
        const char *missing = NULL;
        if (!(e = db_exec(c->db, group_hex ? "e2emsg_missing_group" : "e2emsg_missing", 3, pm, &r))) {
            missing = PQntuples(r) && !PQgetisnull(r, 0, 0) ? arena_strdup(c->a, PQgetvalue(r, 0, 0)) : NULL;
            PQclear(r);
        }
        if (!e && missing)
            e = svc_fail(c, ERR_CONFLICT, "envelopes", arena_printf(c->a, "These devices of members have no envelope: %s. "
                         "Fetch the members' devices again and send to all of them.", missing));
    }
    if (!e) e = msg_send(c, cv, NULL, client_id, reply_to, media_ids, created, seq, event_id);
    if (!e && *created) {
        const char *p[] = {conv_s, id_str(c, *seq), me_dev, group_hex, pid, pty, phx};
        e = db_run(c->db, "e2emsg_store", 7, p);
    }
    if (!e) e = db_commit(c->db);
    else db_rollback(c->db);
    /* Lost a race with our own retry (the transaction aborted): answer with the original. */
    if (e == ERR_INTERNAL && client_id) e = msg_send(c, cv, NULL, client_id, reply_to, media_ids, created, seq, event_id);
    return e;
out:                                                     /* a refusal before the lists were done */
    pgarr_free(&ids), pgarr_free(&types), pgarr_free(&hexes);
    return e;
}

json_t *e2emsg_row_json(svc *c, int deleted, const char *dev, const char *group_hex)
{
    const char *group = !deleted && group_hex && *group_hex ? e2emsg_b64(c, group_hex) : NULL;
    return json_pack("{s:s,s:o,s:o}", "device_id", dev, "group", group ? json_string(group) : json_null(),
                     "envelopes", deleted ? json_array() : json_null());
}

err_t e2emsg_attach(svc *c, long long conv_id, json_t *arr, const user_row *reader)
{
    size_t n = json_array_size(arr), k = 0;
    if (!n || !reader) return ERR_OK;
    long long lo = json_integer_value(json_object_get(json_array_get(arr, 0), "seq"));
    long long hi = json_integer_value(json_object_get(json_array_get(arr, n - 1), "seq"));
    json_t *m;
    size_t i;
    int any = 0;
    json_array_foreach(arr, i, m) {                      /* encrypted ones start with none */
        json_t *x = json_object_get(m, "e2e");
        if (json_is_object(x) && !json_is_true(json_object_get(m, "deleted")))
            json_object_set_new(x, "envelopes", json_array()), any = 1;
    }
    if (!any) return ERR_OK;
    const char *p[] = {id_str(c, conv_id), id_str(c, lo), id_str(c, hi), id_str(c, reader->id)};
    PGresult *r;
    err_t e = db_exec(c->db, "e2emsg_envelopes", 4, p, &r);
    if (e) return e;
    for (int row = 0; row < PQntuples(r); row++) {
        long long seq = atoll(PQgetvalue(r, row, 0));
        while (k < n && json_integer_value(json_object_get(json_array_get(arr, k), "seq")) < seq) k++;
        if (k == n) break;
        m = json_array_get(arr, k);
        json_t *list = json_object_get(json_object_get(m, "e2e"), "envelopes");
        if (json_integer_value(json_object_get(m, "seq")) != seq || !json_is_array(list)) continue;
        const char *ct = e2emsg_b64(c, PQgetvalue(r, row, 3));
        if (ct) json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "device_id", PQgetvalue(r, row, 1),
                                                      "type", PQgetvalue(r, row, 2), "ciphertext", ct));
    }
    PQclear(r);
    return ERR_OK;
}
