/* store.h — where media bytes live. Today a directory (PARLEY_MEDIA_DIR) that every app node
 * and the worker share (a local disk, or any shared file system):
 *   blobs/ab/cd/<sha256>           an upload's bytes, named by their SHA-256 (stored once)
 *   derived/ab/cd/<sha256>.<what>  made from a blob by the worker: thumbnails, a video
 *                                  poster, the copy without EXIF/GPS ("t320.jpg", "clean")
 *   tmp/<random>                   bytes being received; renamed into blobs/ when complete
 *   uploads/<id>                   resumable (tus) uploads in progress
 *   previews/ab/cd/<key>.webp      a link preview's image, made by the worker (the key is
 *                                  link_previews.image_key; deleted with its cache row)
 * Handlers and the worker go through this interface only, so that an object store can take
 * the directory's place later without touching them. Paths are written into caller buffers
 * of STORE_PATH_MAX bytes.
 *
 * The blob lock. The worker's clean-up (media.cleanup, cgi/worker/media_gc.c) deletes a blob
 * once no media row names its hash, holding the PostgreSQL advisory lock
 *   pg_advisory_lock(hashtextextended(<sha256 hex>, 0))
 * around "check that no row has this sha256 → unlink the files". An upload must hold the
 * same lock from before it renames its blob into place (store_put_commit, store_adopt)
 * until its media row is committed (media_record in cgi/app/media.c takes it, as a session
 * lock, around the rename and the row's transaction): otherwise the clean-up could delete
 * the file of an upload of bytes that were stored before and were about to be forgotten. */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H
#include <stddef.h>
#include <openssl/evp.h>
#include "../core/err.h"

enum { STORE_PATH_MAX = 4096, STORE_SHA_HEX = 65 };

/* A blob being written: bytes go to a temporary file while SHA-256 is computed on the way
 * (OpenSSL's, which uses the CPU's SHA instructions: libsodium's runs at a tenth of the
 * speed and would cap uploads near 140 MB/s). */
typedef struct store_put {
    int fd;                            /* -1 when not open */
    char tmp[STORE_PATH_MAX];
    EVP_MD_CTX *sha;                   /* owned; freed by finish or abort */
    long long size;
} store_put;

/* Creates dir's subdirectories if missing; 0 or -1 (errno set). */
int store_init(const char *dir);
/* Opens a new temporary file for a blob. ERR_UNAVAILABLE when the disk refuses. */
err_t store_put_begin(const char *dir, store_put *p);
err_t store_put_write(store_put *p, const void *data, size_t n);
/* Flushes the file to disk and gives its SHA-256 (lower-case hex); the file stays at p->tmp
 * (for sniffing) until store_put_commit or store_put_abort. */
err_t store_put_finish(store_put *p, char sha_hex[STORE_SHA_HEX]);
/* Moves the finished file into blobs/ under its hash; when that blob exists already the
 * temporary file is simply dropped (same bytes). */
err_t store_put_commit(const char *dir, store_put *p, const char *sha_hex);
/* Drops an unfinished or uncommitted upload (idempotent). */
void store_put_abort(store_put *p);
/* Hashes an existing file (a finished resumable upload) into a blob: like put + finish. */
err_t store_hash_file(const char *path, char sha_hex[STORE_SHA_HEX], long long *size);
/* Moves an existing file (a finished resumable upload) into blobs/ under sha_hex. */
err_t store_adopt(const char *dir, const char *path, const char *sha_hex);

/* The blob's path; "" (and -1) when sha_hex is not 64 lower-case hex digits. */
int store_blob_path(const char *dir, const char *sha_hex, char out[STORE_PATH_MAX]);
/* A derived file's path: what is a short name of [a-z0-9.] ("t320.jpg", "clean"). */
int store_derived_path(const char *dir, const char *sha_hex, const char *what, char out[STORE_PATH_MAX]);
/* The blob's path relative to dir, for the web server's internal redirect (nginx). */
int store_rel_path(const char *sha_hex, const char *what, char out[STORE_PATH_MAX]);
/* A resumable upload's file. id is 32 lower-case hex digits. */
int store_upload_path(const char *dir, const char *id, char out[STORE_PATH_MAX]);
/* A link preview's image (key: 64 lower-case hex digits); with dir NULL, the path relative
 * to the media directory (for the web server's internal redirect). 0 or -1. */
int store_preview_path(const char *dir, const char *key, char out[STORE_PATH_MAX]);
/* Creates the directories path's file will live in (for derived files). 0 or -1. */
int store_mkparents(const char *path);
/* Deletes a blob and everything derived from it (missing files are no error). */
void store_blob_delete(const char *dir, const char *sha_hex);
/* 1 when s is 64 lower-case hex digits. */
int store_sha_ok(const char *s);
/* A fresh random name under tmp/ for a file the worker writes and then renames into place
 * (same file system as blobs/ and derived/, so the rename is atomic). 0 or -1. */
int store_tmp_path(const char *dir, char out[STORE_PATH_MAX]);

#endif
