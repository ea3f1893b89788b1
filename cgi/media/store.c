/* store.c — see store.h. Files are written to tmp/ and renamed into place, so a reader never
 * sees half a blob; renames within one file system are atomic. */
#include "store.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

/* What the worker may derive from a blob (store_blob_delete removes each). */
static const char *const store_derived[] = {"t320.webp", "t1280.webp", "clean", NULL};

int store_sha_ok(const char *s)
{
    if (!s || strlen(s) != 64) return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int store_mkdir(const char *path)
{
    return mkdir(path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

/* mkdir -p for at most depth levels: the directory, and (when missing) its parents. */
static int store_mkdir_up(char *path, int depth)
{
    if (mkdir(path, 0750) == 0 || errno == EEXIST) return 0;
    char *slash = strrchr(path, '/');
    if (errno != ENOENT || depth <= 1 || !slash || slash == path) return -1;
    *slash = '\0';
    int rc = store_mkdir_up(path, depth - 1);
    *slash = '/';
    return rc ? -1 : store_mkdir(path);
}

/* Creates the missing parent directories of path: the two fan-out levels and the tree they
 * hang from (blobs/, derived/, exports/), which other work may not have made yet. */
int store_mkparents(const char *path)
{
    char tmp[STORE_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *slash = strrchr(tmp, '/');
    if (!slash) return 0;
    *slash = '\0';
    return store_mkdir_up(tmp, 3);
}

int store_init(const char *dir)
{
    static const char *const subdirs[] = {"", "/blobs", "/derived", "/tmp", "/uploads", NULL};
    char p[STORE_PATH_MAX];
    for (int i = 0; subdirs[i]; i++) {
        if (snprintf(p, sizeof p, "%s%s", dir, subdirs[i]) >= (int)sizeof p) return -1;
        if (store_mkdir(p)) return -1;
    }
    return 0;
}

static int store_fanout(const char *dir, const char *top, const char *sha, const char *suffix, char out[STORE_PATH_MAX])
{
    out[0] = '\0';
    if (!store_sha_ok(sha)) return -1;
    int n = snprintf(out, STORE_PATH_MAX, "%s%s%s/%.2s/%.2s/%s%s%s", dir ? dir : "", dir ? "/" : "", top, sha,
                     sha + 2, sha, suffix ? "." : "", suffix ? suffix : "");
    if (n < 0 || n >= STORE_PATH_MAX) { out[0] = '\0'; return -1; }
    return 0;
}

static int store_what_ok(const char *what)
{
    size_t n = strlen(what);
    return n > 0 && n <= 32 && strspn(what, "abcdefghijklmnopqrstuvwxyz0123456789.") == n && what[0] != '.';
}

int store_blob_path(const char *dir, const char *sha_hex, char out[STORE_PATH_MAX])
{
    return store_fanout(dir, "blobs", sha_hex, NULL, out);
}

int store_derived_path(const char *dir, const char *sha_hex, const char *what, char out[STORE_PATH_MAX])
{
    if (!store_what_ok(what)) { out[0] = '\0'; return -1; }
    return store_fanout(dir, "derived", sha_hex, what, out);
}

int store_rel_path(const char *sha_hex, const char *what, char out[STORE_PATH_MAX])
{
    if (what && !store_what_ok(what)) { out[0] = '\0'; return -1; }
    return store_fanout(NULL, what ? "derived" : "blobs", sha_hex, what, out);
}

int store_preview_path(const char *dir, const char *key, char out[STORE_PATH_MAX])
{
    return store_fanout(dir, "previews", key, "webp", out);
}

int store_upload_path(const char *dir, const char *id, char out[STORE_PATH_MAX])
{
    out[0] = '\0';
    if (strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32) return -1;
    int n = snprintf(out, STORE_PATH_MAX, "%s/uploads/%s", dir, id);
    return n > 0 && n < STORE_PATH_MAX ? 0 : -1;
}

err_t store_put_begin(const char *dir, store_put *p)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    if (snprintf(p->tmp, sizeof p->tmp, "%s/tmp/%s", dir, hex) >= (int)sizeof p->tmp) return ERR_INTERNAL;
    p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (p->fd < 0 && errno == ENOENT && store_init(dir) == 0)      /* a fresh media directory */
        p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (p->fd < 0) { p->tmp[0] = '\0'; return ERR_UNAVAILABLE; }
    if (!(p->sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL)) {
        store_put_abort(p);
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

err_t store_put_write(store_put *p, const void *data, size_t n)
{
    const char *s = data;
    if (!EVP_DigestUpdate(p->sha, data, n)) return ERR_INTERNAL;
    while (n) {
        ssize_t w = write(p->fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return ERR_UNAVAILABLE;                   /* disk full, quota, I/O error */
        s += w;
        n -= (size_t)w;
        p->size += w;
    }
    return ERR_OK;
}

err_t store_put_finish(store_put *p, char sha_hex[STORE_SHA_HEX])
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    int bad = !EVP_DigestFinal_ex(p->sha, h, &hl) || hl != 32;
    EVP_MD_CTX_free(p->sha);
    p->sha = NULL;
    sodium_bin2hex(sha_hex, STORE_SHA_HEX, h, 32);
    bad |= fsync(p->fd) != 0;
    bad |= close(p->fd) != 0;
    p->fd = -1;
    return bad ? ERR_UNAVAILABLE : ERR_OK;
}

err_t store_adopt(const char *dir, const char *path, const char *sha_hex)
{
    char dst[STORE_PATH_MAX];
    if (store_blob_path(dir, sha_hex, dst)) return ERR_INTERNAL;
    struct stat st;
    if (stat(dst, &st) == 0) {                  /* the same bytes are stored already */
        unlink(path);
        return ERR_OK;
    }
    if (store_mkparents(dst) || rename(path, dst)) return ERR_UNAVAILABLE;
    return ERR_OK;
}

err_t store_put_commit(const char *dir, store_put *p, const char *sha_hex)
{
    err_t e = store_adopt(dir, p->tmp, sha_hex);
    if (!e) p->tmp[0] = '\0';
    return e;
}

void store_put_abort(store_put *p)
{
    EVP_MD_CTX_free(p->sha);
    p->sha = NULL;
    if (p->fd >= 0) close(p->fd);
    p->fd = -1;
    if (p->tmp[0]) unlink(p->tmp);
    p->tmp[0] = '\0';
}

err_t store_hash_file(const char *path, char sha_hex[STORE_SHA_HEX], long long *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ERR_UNAVAILABLE;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) { EVP_MD_CTX_free(md); close(fd); return ERR_INTERNAL; }
    static __thread unsigned char b[1 << 17];
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) > 0) {
        EVP_DigestUpdate(md, b, (size_t)n);
        total += n;
    }
    close(fd);
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    int ok = n == 0 && EVP_DigestFinal_ex(md, h, &hl) && hl == 32;
    EVP_MD_CTX_free(md);
    if (!ok) return ERR_UNAVAILABLE;
    sodium_bin2hex(sha_hex, STORE_SHA_HEX, h, 32);
    *size = total;
    return ERR_OK;
}

void store_blob_delete(const char *dir, const char *sha_hex)
{
    char p[STORE_PATH_MAX];
    if (store_blob_path(dir, sha_hex, p) == 0) unlink(p);
    for (int i = 0; store_derived[i]; i++)
        if (store_derived_path(dir, sha_hex, store_derived[i], p) == 0) unlink(p);
}

int store_tmp_path(const char *dir, char out[STORE_PATH_MAX])
{
    unsigned char rnd[16];
    char hex[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    int n = snprintf(out, STORE_PATH_MAX, "%s/tmp/%s", dir, hex);
    if (n > 0 && n < STORE_PATH_MAX) return 0;
    out[0] = '\0';
    return -1;
}
