/* mail.h — the `mail.send` job: renders a mail from its templates (templates/mail/) and
 * sends it through the SMTP relay of PARLEY_SMTP_URL with libcurl. */
#ifndef PARLEY_WORKER_MAIL_H
#define PARLEY_WORKER_MAIL_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"
#include "../core/buf.h"

extern const db_stmt mail_stmts[];

/* Once at start, before threads (libcurl's global state). 0 on success. */
int mail_init(void);
void mail_shutdown(void);

/* mail.send {"template": "verify_email"|"password_reset", "user_id": N, "to": "addr"}:
 * if the account still wants that mail (its address is still `to`; unverified for
 * verify_email, verified for password_reset), makes the link's token (only its SHA-256 is
 * stored: email_tokens), renders the text and HTML parts and sends them. A failed delivery
 * deletes that token and fails the job, which is retried with backoff; run twice, it sends
 * a second mail whose link works as well as the first. */
err_t mail_send_run(svc *s, json_t *payload, char *why, size_t whylen);

/* For other mail jobs (digest_send.c): renders templates/mail/<template>.<ext>.cs ("txt"
 * unescaped, "html" escaped) with data under Mail.* into out; sends a built message msg from
 * from to to through the relay (why: what failed). */
err_t mail_render(const config *cfg, const char *template, const char *ext, json_t *data, buf *out);
err_t mail_smtp(const config *cfg, const char *from, const char *to, const buf *msg, char *why, size_t whylen);

#endif
