/* test_resp.c — serialised responses: status line, lengths, security headers, no injection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/resp.h"

typedef struct fix { resp r; buf out; } fix;

static int setup(void **state)
{
    fix *f = calloc(1, sizeof *f);
    if (!f) return -1;
    resp_init(&f->r);
    buf_init(&f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    resp_free(&f->r);
    buf_free(&f->out);
    free(f);
    return 0;
}

/* The header block (up to the blank line) and what follows it. */
static const char *body_of(const char *s)
{
    const char *p = strstr(s, "\r\n\r\n");
    assert_non_null(p);
    return p + 4;
}

static int has_header_line(const char *s, const char *line)
{
    size_t n = strlen(line);
    const char *end = strstr(s, "\r\n\r\n");
    for (const char *p = s; p && p < end; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL)
        if (!strncmp(p, line, n) && p[n] == '\r') return 1;
    return 0;
}

static void test_ok_response(void **state)
{
    fix *f = *state;
    f->r.content_type = "text/html; charset=utf-8";
    buf_puts(&f->r.body, "<p>hello</p>");
    resp_serialize(&f->r, 0, &f->out);
    const char *s = buf_str(&f->out);
    assert_int_equal(strncmp(s, "Status: 200 OK\r\n", 16), 0);
    assert_true(has_header_line(s, "Content-Type: text/html; charset=utf-8"));
    assert_true(has_header_line(s, "Content-Length: 12"));
    assert_true(has_header_line(s, "X-Content-Type-Options: nosniff"));
    assert_true(has_header_line(s, "Referrer-Policy: same-origin"));
    const char *csp = strstr(s, "\r\nContent-Security-Policy: ");
    assert_non_null(csp);
    const char *csp_end = strstr(csp + 2, "\r\n");
    assert_non_null(strstr(csp, "script-src 'self' 'wasm-unsafe-eval'"));
    assert_true(strstr(csp, "script-src 'self' 'wasm-unsafe-eval'") < csp_end);
    assert_true(strstr(csp, "frame-ancestors 'none'") < csp_end);
    assert_true(strstr(csp, "default-src 'self'") < csp_end);
    assert_null(strstr(resp_csp, "unsafe-inline"));
    assert_string_equal(body_of(s), "<p>hello</p>");
}

static void test_status_and_extra_headers(void **state)
{
    fix *f = *state;
    f->r.status = 404;
    f->r.content_type = "application/json";
    buf_puts(&f->r.body, "{}");
    resp_header(&f->r, "Allow", "GET, POST");
    resp_serialize(&f->r, 0, &f->out);
    const char *s = buf_str(&f->out);
    assert_int_equal(strncmp(s, "Status: 404 Not Found\r\n", 23), 0);
    assert_true(has_header_line(s, "Allow: GET, POST"));
    assert_true(has_header_line(s, "Content-Length: 2"));
    assert_string_equal(body_of(s), "{}");
    assert_string_equal(resp_reason(405), "Method Not Allowed");
    assert_string_equal(resp_reason(431), "Request Header Fields Too Large");
}

static void test_header_injection(void **state)
{
    fix *f = *state;
    resp_header(&f->r, "X-Note", "a\r\nSet-Cookie: x=1");
    resp_header(&f->r, "X-Evil\r\nSet-Cookie", "y");
    resp_serialize(&f->r, 0, &f->out);
    const char *s = buf_str(&f->out);
    assert_true(has_header_line(s, "X-Note: a  Set-Cookie: x=1"));
    assert_true(has_header_line(s, "X-Evil  Set-Cookie: y"));
    /* no line begins with Set-Cookie */
    assert_null(strstr(s, "\nSet-Cookie"));
    assert_null(strstr(s, "\rSet-Cookie"));
}

static void test_head_only(void **state)
{
    fix *f = *state;
    f->r.content_type = "text/plain";
    buf_puts(&f->r.body, "secret body");
    resp_serialize(&f->r, 1, &f->out);
    const char *s = buf_str(&f->out);
    assert_true(has_header_line(s, "Content-Length: 11"));   /* what a GET would send */
    assert_string_equal(body_of(s), "");
    assert_null(strstr(s, "secret body"));
}

static void test_no_content(void **state)
{
    fix *f = *state;
    f->r.status = 204;
    f->r.content_type = "application/json";
    buf_puts(&f->r.body, "{\"x\":1}");
    resp_serialize(&f->r, 0, &f->out);
    const char *s = buf_str(&f->out);
    assert_int_equal(strncmp(s, "Status: 204 No Content\r\n", 24), 0);
    assert_null(strstr(s, "\r\nContent-Type:"));
    assert_null(strstr(s, "\r\nContent-Length:"));
    assert_string_equal(body_of(s), "");
    assert_true(has_header_line(s, "X-Content-Type-Options: nosniff"));
}

static void test_reset(void **state)
{
    fix *f = *state;
    f->r.status = 500;
    resp_header(&f->r, "X-Old", "1");
    buf_puts(&f->r.body, "old");
    resp_reset(&f->r);
    resp_serialize(&f->r, 0, &f->out);
    const char *s = buf_str(&f->out);
    assert_int_equal(strncmp(s, "Status: 200 OK\r\n", 16), 0);
    assert_null(strstr(s, "X-Old"));
    assert_true(has_header_line(s, "Content-Length: 0"));
    assert_string_equal(body_of(s), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ok_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_and_extra_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
