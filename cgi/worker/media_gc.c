/* media_gc.c — see media_gc.h. */
#include "media_gc.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "../core/log.h"
#include "../media/store.h"
#include "preview_job.h"
#include "../store/pgarr.h"

#define MEDIA_GC_STR2(x) #x
#define MEDIA_GC_STR(x) MEDIA_GC_STR2(x)
#define MEDIA_GC_AGE "interval '" MEDIA_GC_STR(MEDIA_GC_DAYS) " days'"

const db_stmt media_gc_stmts[] = {
    /* Two statements in one transaction: the first locks the candidates (skipping any that a
     * message or avatar being saved right now holds: its foreign key check locks the row),
     * the second sees, with a fresh snapshot, what committed meanwhile and deletes only
     * those still unreferenced. One DELETE … WHERE NOT EXISTS would decide on a snapshot
     * from before an attachment it waited for, and cascade it away. */
    {"mgc_pick",
     "SELECT m.id FROM media m WHERE m.created_at < now() - " MEDIA_GC_AGE
     "   AND NOT EXISTS (SELECT 1 FROM message_media mm WHERE mm.media_id = m.id)"
     "   AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_media_id = m.id)"
     "   AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.avatar_media_id = m.id)"
     " LIMIT " MEDIA_GC_STR(MEDIA_GC_BATCH) " FOR UPDATE OF m SKIP LOCKED"},
    {"mgc_drop",
     "DELETE FROM media m WHERE m.id = ANY ($1::bigint[])"
     "   AND NOT EXISTS (SELECT 1 FROM message_media mm WHERE mm.media_id = m.id)"
     "   AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_media_id = m.id)"
     "   AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.avatar_media_id = m.id)"
     " RETURNING sha256"},
    {"mgc_uploads",
     "DELETE FROM uploads WHERE id IN (SELECT id FROM uploads WHERE updated_at < now() - " MEDIA_GC_AGE
     "  LIMIT " MEDIA_GC_STR(MEDIA_GC_BATCH) ") RETURNING id"},
    /* The blob's lock: the upload side takes the same one (store.h). Session-level, so it
     * spans the check and the unlink; a lost connection releases it. */
    {"mgc_lock", "SELECT pg_advisory_lock(hashtextextended($1, 0))"},
    {"mgc_unlock", "SELECT pg_advisory_unlock(hashtextextended($1, 0))"},
    {"mgc_used", "SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = $1)"},
    {"mgc_unused", "SELECT s FROM unnest($1::text[]) s WHERE NOT EXISTS (SELECT 1 FROM media WHERE sha256 = s)"},
    {NULL, NULL},
};

/* Deletes sha's files unless a row names it, under its lock. 1 when deleted, 0 when kept,
 * -1 when the database failed (the files stay; the next run tries again). */
static int mgc_forget(svc *s, const char *sha)
{
    const char *p[] = {sha};
    PGresult *r;
    if (db_run(s->db, "mgc_lock", 1, p)) return -1;
    int gone = -1;
    if (!db_exec(s->db, "mgc_used", 1, p, &r)) {
        gone = !strcmp(PQgetvalue(r, 0, 0), "f");
        PQclear(r);
    }
    if (gone == 1) store_blob_delete(s->cfg->media_dir, sha);
    if (db_run(s->db, "mgc_unlock", 1, p)) db_close(s->db);   /* closing the session releases it */
    return gone;
}

/* One batch of media rows nobody refers to: *picked how many were candidates, and their
 * hashes (deleted rows only) in *r once committed (the caller PQclear()s it). */
static err_t mgc_batch(svc *s, int *picked, PGresult **r)
{
    PGresult *c;
    *r = NULL;
    err_t e = db_begin(s->db);
    if (!e) e = db_exec(s->db, "mgc_pick", 0, NULL, &c);
    if (e) {
        db_rollback(s->db);
        return e;
    }
    *picked = PQntuples(c);
    pgarr x;                                             /* the batch's ids, a bigint[] */
    pgarr_init(&x);
    for (int i = 0; i < *picked; i++) pgarr_id(&x, atoll(PQgetvalue(c, i, 0)));
    PQclear(c);
    const char *p[] = {pgarr_done(&x, s->a)};
    if (!p[0]) {
        db_rollback(s->db);
        return ERR_INTERNAL;
    }
    e = db_exec(s->db, "mgc_drop", 1, p, r);
    if (!e) e = db_commit(s->db);
    if (e) {
        db_rollback(s->db);
        if (*r) PQclear(*r);
        *r = NULL;
    }
    return e;
}

/* Media rows nobody refers to, batch by batch; then, once committed, their blobs. */
static err_t mgc_rows(svc *s, long long *rows, long long *blobs)
{
    int picked;
    do {
        PGresult *r;
        err_t e = mgc_batch(s, &picked, &r);
        if (e) return e;
        *rows += PQntuples(r);
        for (int i = 0; i < PQntuples(r); i++) *blobs += mgc_forget(s, PQgetvalue(r, i, 0)) == 1;
        PQclear(r);
    } while (picked == MEDIA_GC_BATCH);
    return ERR_OK;
}

/* Abandoned resumable uploads: rows, then their files. */
static err_t mgc_uploads(svc *s, long long *uploads)
{
    long long n;
    do {
        PGresult *r;
        err_t e = db_exec(s->db, "mgc_uploads", 0, NULL, &r);
        if (e) return e;
        n = PQntuples(r);
        *uploads += n;
        for (int i = 0; i < n; i++) {
            char path[STORE_PATH_MAX];
            if (!store_upload_path(s->cfg->media_dir, PQgetvalue(r, i, 0), path)) unlink(path);
        }
        PQclear(r);
    } while (n == MEDIA_GC_BATCH);
    return ERR_OK;
}

/* Regular files directly in dir last modified before cutoff are deleted; returns how many. */
static long long mgc_old_files(const char *dir, time_t cutoff)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    long long n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char p[STORE_PATH_MAX];
        struct stat st;
        if (de->d_name[0] == '.' || snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= (int)sizeof p) continue;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < cutoff && unlink(p) == 0) n++;
    }
    closedir(d);
    return n;
}

/* Checks a batch of blob names against the table; deletes the unused ones. */
static err_t mgc_check(svc *s, pgarr *shas, long long *blobs)
{
    if (!shas->n) return ERR_OK;
    const char *p[] = {pgarr_close(shas)};
    if (!p[0]) return ERR_INTERNAL;
    PGresult *r;
    err_t e = db_exec(s->db, "mgc_unused", 1, p, &r);
    if (e) return e;
    for (int i = 0; i < PQntuples(r); i++) *blobs += mgc_forget(s, PQgetvalue(r, i, 0)) == 1;
    PQclear(r);
    return ERR_OK;
}

/* Walks blobs/ab/cd/ from a random ab for at most MEDIA_GC_SWEEP_S seconds, checking blobs
 * older than cutoff in batches. */
static err_t mgc_sweep(svc *s, time_t cutoff, long long *blobs)
{
    pgarr list = {0};                                    /* a batch of names, a text[] */
    time_t stop = time(NULL) + MEDIA_GC_SWEEP_S;
    unsigned start = randombytes_uniform(256);
    err_t e = ERR_OK;
    for (unsigned k = 0; k < 256 && !e && time(NULL) < stop; k++) {
        char top[STORE_PATH_MAX];
        snprintf(top, sizeof top, "%s/blobs/%02x", s->cfg->media_dir, (start + k) % 256);
        DIR *d1 = opendir(top);
        struct dirent *a;
        while (d1 && !e && (a = readdir(d1))) {
            char mid[STORE_PATH_MAX];
            if (a->d_name[0] == '.' || snprintf(mid, sizeof mid, "%s/%s", top, a->d_name) >= (int)sizeof mid) continue;
            DIR *d2 = opendir(mid);
            struct dirent *b;
            while (d2 && !e && (b = readdir(d2))) {
                char p[STORE_PATH_MAX];
                struct stat st;
                if (!store_sha_ok(b->d_name) || snprintf(p, sizeof p, "%s/%s", mid, b->d_name) >= (int)sizeof p ||
                    stat(p, &st) || st.st_mtime >= cutoff)
                    continue;
                pgarr_text(&list, b->d_name);
                if (list.n == MEDIA_GC_BATCH) {
                    e = mgc_check(s, &list, blobs);
                    pgarr_reset(&list);
                }
            }
            if (d2) closedir(d2);
        }
        if (d1) closedir(d1);
    }
    if (!e) e = mgc_check(s, &list, blobs);
    pgarr_free(&list);
    return e;
}

err_t media_gc_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    (void)payload;
    long long rows = 0, blobs = 0, uploads = 0, tmps = 0, previews = 0, pfiles = 0;
    time_t cutoff = time(NULL) - MEDIA_GC_DAYS * 86400L;
    err_t e = mgc_rows(s, &rows, &blobs);
    if (!e) e = mgc_uploads(s, &uploads);
    if (!e) e = preview_gc(s, &previews, &pfiles);
    if (!e) {
        char tmp[STORE_PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s/tmp", s->cfg->media_dir);
        tmps = mgc_old_files(tmp, cutoff);
        e = mgc_sweep(s, cutoff, &blobs);
    }
    if (rows || blobs || uploads || tmps)
        log_info("media.cleanup: deleted %lld media rows, %lld blobs, %lld abandoned uploads, %lld temporary files",
                 rows, blobs, uploads, tmps);
    if (previews)
        log_info("media.cleanup: deleted %lld expired link previews no message shows, and %lld of their images", previews,
                 pfiles);
    if (e) snprintf(why, whylen, "media clean-up: %s", err_lookup(e)->message);
    return e;
}
