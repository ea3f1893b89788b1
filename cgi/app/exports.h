/* exports.h — a person's data export: asking for one (at most one in the making), the list
 * of one's exports, downloading a ready one for 7 days, and deleting them all with the
 * account. parley-worker builds the ZIP file (job export.build, cgi/worker/export_build.c)
 * into exports/<id>.zip under the media directory, never served by the web server directly:
 * downloads go through the owner check here and then media_send. */
#ifndef PARLEY_EXPORTS_H
#define PARLEY_EXPORTS_H
#include "ctx.h"
#include "../media/store.h"

#define EXPORTS_KEEP_DAYS 7           /* a ready export can be downloaded this long */
#define EXPORTS_PER_DAY 5             /* exports a person may ask for per 24 hours */
#define EXPORTS_ATTEMPTS 3            /* tries of export.build before the export is failed */

extern const db_stmt exports_stmts[];

/* The export's file (rel NULL) or its path under the media directory: exports/<id>.zip. */
void exports_path(const char *media_dir, long long id, char out[STORE_PATH_MAX]);
/* The job's idempotency key, "export.build:<id>". */
void exports_job_key(long long id, char *out, size_t outlen);
/* Deletes every export of uid, rows and files (the account is going). */
err_t exports_delete_all(svc *c, long long uid);

#endif
