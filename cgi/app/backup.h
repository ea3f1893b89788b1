/* backup.h — `parley backup DIR` and `parley restore DIR [--force]`: everything durable in
 * one directory, made while Parley runs:
 *   database.dump   pg_dump's custom format (one consistent snapshot of PARLEY_DB)
 *   media.tar       the media directory's blobs/ and derived/ (what uploads and the worker
 *                   wrote; taken after the dump, so every file a row names is in it)
 *   manifest.json   {"format":1,"parley_version":…,"schema_version":N,"created":…, sizes}:
 *                   written last, so a directory without it is an unfinished backup
 * Restore wants an empty database and media directory (--force: replace what is there),
 * then runs the migrations up to this version's schema. pg_dump, pg_restore and tar run as
 * child processes with argument vectors (no shell); the connection's settings reach them
 * as PG* environment variables, so a password never shows in a process list. */
#ifndef PARLEY_BACKUP_H
#define PARLEY_BACKUP_H
#include <stdio.h>
#include "../core/config.h"

/* 0 on success; otherwise 1 after saying why on stderr. Progress goes to out. */
int backup_run(const config *cfg, const char *dir, FILE *out);
int backup_restore(const config *cfg, const char *dir, int force, FILE *out);

#endif
