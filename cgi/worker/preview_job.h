/* preview_job.h — the "preview.fetch" job: a link's page fetched through the outbound guard
 * (preview_fetch.h), its title and description read (cgi/core/htmlmeta.h) into the cache row
 * (link_previews) with its og:image made into a thumbnail (preview_image.h), and the
 * messages that show it told to redraw ("message.preview"). */
#ifndef PARLEY_PREVIEW_JOB_H
#define PARLEY_PREVIEW_JOB_H
#include <stddef.h>
#include <jansson.h>
#include "../app/svc.h"

extern const db_stmt preview_job_stmts[];
/* payload {"url"}. A refused or failed fetch is recorded (a preview that is not shown), not
 * retried until the cache row expires (an hour); only a database error fails the job. */
err_t preview_fetch_run(svc *s, json_t *payload, char *why, size_t whylen);
/* Part of media.cleanup (media_gc.c): deletes expired cache rows that no message shows, and
 * their image files; counts both into *rows and *files. Only a database error fails it. */
err_t preview_gc(svc *s, long long *rows, long long *files);

#endif
