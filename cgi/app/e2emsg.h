/* e2emsg.h — messages of end-to-end encrypted conversations (docs/ARCHITECTURE.md,
 * "Encrypted conversations on the server"): such a conversation takes envelopes, never a
 * body. The sender names its device; a group message may carry one sender-key ciphertext
 * for everyone, and each recipient device gets its own pairwise ciphertext. Readers are
 * given only their own devices' envelopes. The server checks shapes and sizes and that every
 * device belongs to a member; it cannot read any of it. JSON returned is a new reference. */
#ifndef PARLEY_E2EMSG_H
#define PARLEY_E2EMSG_H
#include <jansson.h>
#include "conv.h"

extern const struct module e2emsg_module;

enum {
    E2EMSG_MAX_ENVELOPES = 1000,     /* recipient devices of one message */
    E2EMSG_MAX_CIPHERTEXT = 65536,   /* bytes of one ciphertext, decoded */
};

/* Sends the encrypted message in (the request's JSON: "device_id", "envelopes", "group")
 * into the e2e conversation cv as msg_send does (client_id makes it idempotent; *created,
 * *seq and *event_id as there). A "body" or "media_ids" is refused with ERR_INVALID_FIELD. */
err_t e2emsg_send(svc *c, const conv *cv, json_t *in, const char *client_id, long long reply_to,
                  int *created, long long *seq, long long *event_id);
/* The "e2e" object of an encrypted message's row (dev: its sending device, group_hex: the
 * sender-key ciphertext in hex or NULL): {"device_id","group","envelopes":null}; envelopes
 * stay null until e2emsg_attach fills them for a reader. */
json_t *e2emsg_row_json(svc *c, int deleted, const char *dev, const char *group_hex);
/* Fills "envelopes" of the encrypted messages in arr (ascending by seq) with those for
 * reader's own devices; nothing when reader is NULL (events: each device fetches its own). */
err_t e2emsg_attach(svc *c, long long conv_id, json_t *arr, const user_row *reader);

#endif
