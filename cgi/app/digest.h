/* digest.h — missed-message e-mail digests, the app's half: queuing a message's digest job
 * (queued by msg_insert itself, send_jobs.h), the signed one-click unsubscribe links (RFC 8058) and their
 * routes (digest.c). The mails are parley-worker's (cgi/worker/digest_send.c). */
#ifndef PARLEY_DIGEST_H
#define PARLEY_DIGEST_H
#include "svc.h"
#include "conv.h"

#define DIGEST_DEFAULT_MINUTES 10     /* a message stays unread this long before it is mailed */
#define DIGEST_MAX_MINUTES 1440
#define DIGEST_TOKEN_HEX 64           /* HMAC-SHA-256, hex */

extern const db_stmt digest_stmts[];

/* The token of uid's unsubscribe link into out (DIGEST_TOKEN_HEX + 1 bytes): HMAC-SHA-256 of
 * "digests-off:<uid>" under the site's 'unsubscribe' secret (sql/022_digests.sql). */
err_t digest_token(svc *s, long long uid, char *out);
/* The whole unsubscribe URL for uid (arena), built from PARLEY_URL; NULL on failure. */
const char *digest_unsubscribe_url(svc *s, long long uid);

#endif
