/* test_zip.c — the ZIP writer: an archive it writes is read back here by its central
 * directory (names, methods, offsets), each entry inflated and checked against its CRC and
 * sizes; bad names are refused; an archive is readable by Python's zipfile when present. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "../../cgi/core/zip.h"

static uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The archive in fd, whole, malloc'd. */
static unsigned char *slurp(int fd, size_t *n)
{
    off_t end = lseek(fd, 0, SEEK_END);
    unsigned char *b = malloc((size_t)end);
    assert_non_null(b);
    assert_int_equal(pread(fd, b, (size_t)end, 0), end);
    *n = (size_t)end;
    return b;
}

/* Entry i's bytes (inflated when deflated), malloc'd; checks its CRC and sizes. */
static unsigned char *entry(const unsigned char *z, size_t zn, int i, char *name, size_t *len, int *method)
{
    const unsigned char *eocd = z + zn - 22;
    assert_int_equal(rd32(eocd), 0x06054b50);
    const unsigned char *c = z + rd32(eocd + 16);
    for (int k = 0; k < i; k++) c += 46 + rd16(c + 28) + rd16(c + 30) + rd16(c + 32);
    assert_int_equal(rd32(c), 0x02014b50);
    assert_int_equal(rd16(c + 8) & 0x0800, 0x0800);
    uint32_t crc = rd32(c + 16), csize = rd32(c + 20), usize = rd32(c + 24);
    size_t nl = rd16(c + 28);
    memcpy(name, c + 46, nl);
    name[nl] = '\0';
    *method = rd16(c + 10);
    const unsigned char *l = z + rd32(c + 42);
    assert_int_equal(rd32(l), 0x04034b50);
    assert_int_equal(rd32(l + 14), crc);                 /* the local header was patched */
    assert_int_equal(rd32(l + 18), csize);
    assert_int_equal(rd32(l + 22), usize);
    assert_memory_equal(l + 30, name, nl);
    const unsigned char *data = l + 30 + rd16(l + 26) + rd16(l + 28);
    unsigned char *out = malloc(usize + 1);
    assert_non_null(out);
    if (*method == 0) {
        assert_int_equal(csize, usize);
        memcpy(out, data, usize);
    } else {
        assert_int_equal(*method, 8);
        z_stream s = {0};
        assert_int_equal(inflateInit2(&s, -15), Z_OK);
        s.next_in = (Bytef *)data;
        s.avail_in = csize;
        s.next_out = out;
        s.avail_out = usize + 1;
        assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
        assert_int_equal(s.total_out, usize);
        inflateEnd(&s);
    }
    assert_int_equal((uint32_t)crc32(0, out, usize), crc);
    *len = usize;
    return out;
}

static int tmpfile_fd(char *path)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 256, "%s/parley-zip-XXXXXX", dir && *dir ? dir : P_tmpdir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[256];
    int fd = tmpfile_fd(path);
    zipw z;
    assert_int_equal(zip_open(&z, fd, 1764892800), 0);
    const char *json = "{\"hello\":\"world\"}";
    assert_int_equal(zip_add(&z, "profile.json", json, strlen(json), 1), 0);
    /* A big entry in pieces, deflated (several output chunks), then one stored. */
    size_t big = 300000;
    unsigned char *b = malloc(big);
    assert_non_null(b);
    for (size_t i = 0; i < big; i++) b[i] = (unsigned char)((i * 7919) ^ (i >> 5));
    assert_int_equal(zip_entry_begin(&z, "conversations/12.json", 1), 0);
    for (size_t off = 0; off < big; off += 70001)
        assert_int_equal(zip_entry_write(&z, b + off, big - off < 70001 ? big - off : 70001), 0);
    assert_int_equal(zip_entry_end(&z), 0);
    assert_int_equal(zip_add(&z, "media/7-ph\xc3\xb6to.png", b, 1000, 0), 0);
    assert_int_equal(zip_add(&z, "empty.txt", "", 0, 1), 0);
    assert_int_equal(zip_finish(&z), 0);
    zip_free(&z);

    size_t zn;
    unsigned char *zb = slurp(fd, &zn);
    assert_int_equal(rd16(zb + zn - 22 + 10), 4);
    char name[256];
    size_t len;
    int method;
    unsigned char *e = entry(zb, zn, 0, name, &len, &method);
    assert_string_equal(name, "profile.json");
    assert_int_equal(method, 8);
    assert_int_equal(len, strlen(json));
    assert_memory_equal(e, json, len);
    free(e);
    e = entry(zb, zn, 1, name, &len, &method);
    assert_string_equal(name, "conversations/12.json");
    assert_int_equal(len, big);
    assert_memory_equal(e, b, big);
    free(e);
    e = entry(zb, zn, 2, name, &len, &method);
    assert_string_equal(name, "media/7-ph\xc3\xb6to.png");
    assert_int_equal(method, 0);
    assert_memory_equal(e, b, 1000);
    free(e);
    e = entry(zb, zn, 3, name, &len, &method);
    assert_string_equal(name, "empty.txt");
    assert_int_equal(len, 0);
    free(e);
    free(zb);
    free(b);
    close(fd);
    /* Another reader agrees, when there is one on this machine. */
    if (system("command -v python3 >/dev/null 2>&1") == 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
                                  "sys.exit(1 if z.testzip() else 0)' '%s'", path);
        assert_int_equal(system(cmd), 0);
    }
    unlink(path);
}

static void test_bad_names(void **state)
{
    (void)state;
    const char *bad[] = {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/", "./a", "a\\b", "a\nb", NULL};
    for (int i = 0; bad[i]; i++) assert_false(zip_name_ok(bad[i]));
    assert_true(zip_name_ok("conversations/3.html"));
    assert_true(zip_name_ok("media/12-.hidden..png"));
    char path[256];
    int fd = tmpfile_fd(path);
    zipw z;
    zip_open(&z, fd, 0);
    assert_int_equal(zip_entry_begin(&z, "../evil", 1), -1);
    assert_int_equal(zip_add(&z, "ok.txt", "x", 1, 0), 0);
    assert_int_equal(zip_entry_write(&z, "x", 1), -1);             /* no entry open */
    assert_int_equal(zip_finish(&z), 0);
    zip_free(&z);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
