/* export_build.h — the "export.build" job: one person's data as one ZIP file, and the
 * hourly "export.cleanup" that deletes expired exports.
 *
 * export.build {"export_id": N}, queued by POST /me/export with the key export.build:<N> and
 * EXPORTS_ATTEMPTS tries. The archive has profile.json (profile and settings; never password
 * hashes, second-factor secrets or tokens), contacts.json (contacts and blocks), for every
 * conversation the person is in conversations/<id>.json (the conversation and every message
 * as the history route shows it to them: deleted ones are tombstones without a body) and
 * conversations/<id>.html (a readable page, every text escaped), media/<id>-<name> (the
 * files they uploaded, from the media store) and index.html linking it all. It is written
 * to tmp/ under the media directory and renamed to exports/<N>.zip when complete, then the
 * row becomes ready (for EXPORTS_KEEP_DAYS) and the person gets an "export.ready" event.
 * Idempotent: an export that is no longer pending is left alone; a second run writes a new
 * whole file over the first; an export deleted meanwhile (the account went) loses its file.
 * The lease is renewed as it goes (runner_keepalive).
 *
 * export.cleanup: deletes ready exports past expires_at and failed ones older than
 * EXPORTS_KEEP_DAYS, files and rows, in batches. Idempotent. */
#ifndef PARLEY_EXPORT_BUILD_H
#define PARLEY_EXPORT_BUILD_H
#include <jansson.h>
#include "../app/svc.h"

#define EXPORT_BATCH 500            /* messages or files per statement */

extern const db_stmt export_build_stmts[];

err_t export_build_run(svc *s, json_t *payload, char *why, size_t whylen);
err_t export_cleanup_run(svc *s, json_t *payload, char *why, size_t whylen);

#endif
