/* test_fcgi_raw.c — the FastCGI records the events hub writes itself for parked streams:
 * STDOUT records of at most 65,535 bytes with the request id, nothing for no bytes; and
 * the end of a request over a real socket pair. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../cgi/events/fcgi_raw.h"

static void test_one_record(void **state)
{
    (void)state;
    unsigned char out[64];
    assert_int_equal(fcgi_raw_size(5), 13);
    assert_int_equal(fcgi_raw_encode(0x1234, "hello", 5, out), 13);
    const unsigned char want[] = {1, 6, 0x12, 0x34, 0, 5, 0, 0, 'h', 'e', 'l', 'l', 'o'};
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(fcgi_raw_size(0), 0);
}

static void test_split_records(void **state)
{
    (void)state;
    size_t n = 65535 + 65535 + 10;
    char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) p[i] = (char)('a' + i % 26);
    size_t size = fcgi_raw_size(n);
    assert_int_equal(size, n + 3 * 8);
    unsigned char *out = malloc(size);
    assert_non_null(out);
    assert_int_equal(fcgi_raw_encode(1, p, n, out), size);
    /* Each record: its header's length, then that many bytes of p, in order. */
    size_t at = 0, got = 0;
    while (at < size) {
        assert_int_equal(out[0 + at], 1);
        assert_int_equal(out[1 + at], 6);
        size_t len = (size_t)out[4 + at] << 8 | out[5 + at];
        assert_true(len > 0 && len <= 65535);
        assert_memory_equal(out + at + 8, p + got, len);
        at += 8 + len;
        got += len;
    }
    assert_int_equal(got, n);
    free(out);
    free(p);
}

static void test_write_and_end(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcgi_raw c = {sv[0], 7};
    assert_int_equal(fcgi_raw_write(&c, "data: x\n\n", 9), 0);
    assert_int_equal(fcgi_raw_write(&c, "", 0), 0);          /* nothing: no empty record */
    fcgi_raw_end(&c);
    assert_int_equal(c.fd, -1);
    unsigned char got[128];
    ssize_t n = read(sv[1], got, sizeof got);
    const unsigned char want[] = {1, 6, 0, 7, 0, 9, 0, 0, 'd', 'a', 't', 'a', ':', ' ', 'x', '\n', '\n',
                                  1, 6, 0, 7, 0, 0, 0, 0,                    /* the end of STDOUT */
                                  1, 3, 0, 7, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};   /* END_REQUEST */
    assert_int_equal(n, sizeof want);
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(read(sv[1], got, sizeof got), 0);       /* and the socket is closed */
    assert_int_equal(fcgi_raw_write(&c, "late", 4), -1);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_record), cmocka_unit_test(test_split_records), cmocka_unit_test(test_write_and_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
