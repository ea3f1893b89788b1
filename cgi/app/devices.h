/* devices.h — the key directory of end-to-end encryption (docs/API.md, "Devices and keys"):
 * a person's devices publish public keys; people who may reach them fetch prekey bundles.
 * Authorization lives here: a device is only its owner's to change or read (others get
 * ERR_NOT_FOUND), and bundles only go to the person themself and to those who share a
 * conversation or a contact with them and are not blocked. The server checks the signed
 * prekey's signature; it never sees a secret key. What it returns is arena-owned or a new
 * JSON reference the caller owns. */
#ifndef PARLEY_DEVICES_H
#define PARLEY_DEVICES_H
#include <stdint.h>
#include <jansson.h>
#include "svc.h"

enum {
    DEV_MAX_PER_USER = 20,       /* devices a person may register */
    DEV_PREKEYS_PER_PUT = 100,   /* one-time prekeys in one request */
    DEV_PREKEYS_MAX = 200,       /* one-time prekeys a device may hold */
    DEV_PREKEYS_LOW = 10,        /* below this many left, bundles say prekeys_low */
    DEV_BUNDLES_PER_MINUTE = 100,/* bundle fetches a person may make a minute (each takes prekeys) */
};

typedef struct dev_prekey { uint32_t id; unsigned char key[32]; } dev_prekey;

/* What a device publishes, decoded and checked by the caller (devices_parse_keys). */
typedef struct dev_keys {
    unsigned char identity[32];
    uint32_t spk_id;
    unsigned char spk[32], spk_sig[64];
    size_t nprekeys;
    dev_prekey prekeys[DEV_PREKEYS_PER_PUT];
} dev_keys;

/* Reads and checks a PUT body (the identity a usable Ed25519 key, the signed prekey's
 * signature verified, one-time prekeys well formed and distinct): ERR_INVALID_FIELD or
 * ERR_MISSING_FIELD with the field and a sentence in s otherwise. */
err_t devices_parse_keys(svc *s, json_t *in, dev_keys *k);
/* Registers the device (id: a UUID) for s->user or updates its signed prekey, and adds the
 * one-time prekeys. *created says whether it is new. *out: the device object. */
err_t devices_put_keys(svc *s, const char *id, const dev_keys *k, int *created, json_t **out);
/* The owner's view of one device (how many one-time prekeys are left), consuming none. */
err_t devices_get(svc *s, const char *id, json_t **out);
/* Removes the caller's device with its one-time prekeys (a lost or retired device): it is
 * in no bundle from then on. ERR_NOT_FOUND when it is not the caller's. */
err_t devices_delete(svc *s, const char *id);
/* Every device of user uid as a bundle, each with one one-time prekey taken atomically
 * (deleted as it is handed out; none when the device has none left). */
err_t devices_bundles(svc *s, long long uid, int take, json_t **out);

/* A UUID (a device's id) lower-cased into out[37]; -1 when it is not one. */
int devices_uuid(const char *in, char out[37]);
/* Keys as the key directory and device linking (links.c) carry them, in s's arena (NULL when
 * out of memory): bytes → unpadded base64url for JSON, and bytes → hex for a statement. */
const char *devices_b64(svc *s, const unsigned char *b, size_t n);
const char *devices_hex(svc *s, const unsigned char *b, size_t n);

#endif
