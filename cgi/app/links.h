/* links.h — linking a new device of the same person (docs/API.md, "Linking a device"): the
 * server keeps a slot per link and relays what the two devices put in it, none of which it
 * can read (docs/SECURITY.md, "Linking a device"). Authorization lives here: a link is only
 * its creator's account's to read or write; anyone else gets ERR_NOT_FOUND, an expired or
 * used link ERR_GONE. What it returns is arena-owned or a new JSON reference the caller owns. */
#ifndef PARLEY_LINKS_H
#define PARLEY_LINKS_H
#include <stddef.h>
#include <jansson.h>
#include "svc.h"

enum {
    LINK_TTL_SECONDS = 600,              /* a link lasts ten minutes from its creation */
    LINK_PART_MAX = 512 * 1024,          /* bytes of one part (its base64url fits a request body) */
    LINK_CREATES_PER_HOUR = 10,          /* links a person may open an hour */
    LINK_REQUESTS_PER_MINUTE = 300,      /* reads and writes of links a person may make a minute */
};
/* The most a transfer may hold: 50 MiB sealed as cgi/e2e/link.h seals it (its head, and 17
 * bytes for each 64 KiB chunk and the last one). */
#define LINK_MAX_BYTES (50LL * 1024 * 1024 + 26 + (50LL * 1024 * 1024 / 65536 + 1) * 17)

/* Opens a link for s->user with the new device's public key: *out the link object. */
err_t links_create(svc *s, const unsigned char key[32], json_t **out);
/* *out {link} (part < 0), or {link, part}: part number `part` of its transfer, once complete; reading the
 * last part uses the link up (its parts are deleted, and it answers ERR_GONE from then on). */
err_t links_get(svc *s, const char *id, long long part, json_t **out);
/* Adds part number `part` (the next one expected) sent by the device whose key is `sender`
 * (the first part sets it; another key afterwards is ERR_CONFLICT); `last` completes it.
 * *out {link}, as links_get gives it. */
err_t links_put(svc *s, const char *id, const unsigned char sender[32], long long part, const unsigned char *data,
                size_t n, int last, json_t **out);

#endif
