/* test_req.c — the request as the CGI environment describes it: URI, caps, cookies, client IP. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/http/req.h"
#include "unit_fixture.h"

/* getenv over a NULL-terminated "NAME=value" array. */
static const char *lookup(void *ud, const char *name)
{
    size_t n = strlen(name);
    for (char **e = ud; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

typedef struct fix { arena a; req r; char *big; } fix;

_Static_assert(offsetof(fix, a) == 0, "unit_fixture.h wants the arena first");

static int setup(void **state) { return arena_fix_setup(state, sizeof(fix)); }

static int teardown(void **state)
{
    fix *f = *state;
    free(f->big);
    return arena_fix_teardown(state);
}

static err_t parse_with(fix *f, char **env, const char *proxy)
{
    arena_reset(&f->a);
    return req_parse(&f->r, &f->a, lookup, env, env, proxy);
}
#define PARSE(f, proxy, ...) parse_with(f, (char *[]){__VA_ARGS__, NULL}, proxy)

/* "NAME=" followed by len copies of c (kept in f so teardown frees it). */
static char *make_var(fix *f, const char *prefix, char c, size_t len)
{
    free(f->big);
    size_t pl = strlen(prefix);
    f->big = malloc(pl + len + 1);
    memcpy(f->big, prefix, pl);
    memset(f->big + pl, c, len);
    f->big[pl + len] = '\0';
    return f->big;
}

static void test_basic(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_METHOD=POST", "REQUEST_URI=/login?next=%2Fhome&x=a+b",
                           "CONTENT_TYPE=application/json", "CONTENT_LENGTH=17",
                           "HTTP_USER_AGENT=curl/8.0", "HTTP_HOST=example.org", "REMOTE_ADDR=10.0.0.5"),
                     ERR_OK);
    assert_string_equal(f->r.method, "POST");
    assert_string_equal(f->r.raw_uri, "/login?next=%2Fhome&x=a+b");
    assert_string_equal(f->r.path, "/login");
    assert_int_equal(f->r.is_api, 0);
    assert_string_equal(req_query(&f->r, "next"), "/home");
    assert_string_equal(req_query(&f->r, "x"), "a b");
    assert_null(req_query(&f->r, "y"));
    assert_string_equal(f->r.content_type, "application/json");
    assert_int_equal(f->r.content_length, 17);
    assert_string_equal(f->r.user_agent, "curl/8.0");
    assert_string_equal(f->r.host, "example.org");
    assert_string_equal(f->r.client_ip, "10.0.0.5");
    assert_int_equal(f->r.https, 0);
    assert_null(f->r.authorization);
}

static void test_defaults(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/"), ERR_OK);
    assert_string_equal(f->r.method, "GET");
    assert_string_equal(f->r.path, "/");
    assert_int_equal(f->r.content_length, -1);
    assert_int_equal(f->r.query.n, 0);
    assert_int_equal(f->r.cookies.n, 0);
    assert_string_equal(f->r.client_ip, "");
    assert_null(req_cookie(&f->r, "sid"));
    /* no REQUEST_URI: rebuilt from PATH_INFO and QUERY_STRING */
    assert_int_equal(PARSE(f, "", "SCRIPT_NAME=/parley.fcgi", "PATH_INFO=/users/5", "QUERY_STRING=a=1"), ERR_OK);
    assert_string_equal(f->r.path, "/users/5");
    assert_string_equal(req_query(&f->r, "a"), "1");
}

static void test_decoded_path(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/users/J%C3%BCrgen%20B?q=1"), ERR_OK);
    assert_string_equal(f->r.path, "/users/J\xC3\xBCrgen B");
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/a+b"), ERR_OK);
    assert_string_equal(f->r.path, "/a+b");                         /* '+' is literal in a path */
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/bad%zz"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/bad%4"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/nul%00"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/x%C3%28"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=relative"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/?q=%zz"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/?q=%FF"), ERR_INVALID_UTF8);
}

static void test_api_prefix(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v1/users/3?x=1"), ERR_OK);
    assert_int_equal(f->r.is_api, 1);
    assert_string_equal(f->r.path, "/users/3");
    assert_string_equal(req_query(&f->r, "x"), "1");
    /* every spelling of the bare prefix is the API root */
    static char *const roots[] = {"REQUEST_URI=/api/v1", "REQUEST_URI=/api/v1?x=1", "REQUEST_URI=/api/v1/"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        assert_int_equal(PARSE(f, "", roots[i]), ERR_OK);
        assert_int_equal(f->r.is_api, 1);
        assert_string_equal(f->r.path, "/");
    }
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v10/x"), ERR_OK);
    assert_int_equal(f->r.is_api, 0);
    assert_string_equal(f->r.path, "/api/v10/x");
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v1x"), ERR_OK);
    assert_int_equal(f->r.is_api, 0);
    /* a bad API path still answers as the API */
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v1/x%zz"), ERR_BAD_REQUEST);
    assert_int_equal(f->r.is_api, 1);
}

/* The web server's error handler: its status, in kind, and the request never runs. */
static void test_redirect_status(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/logout", "REDIRECT_STATUS=411"),
                     ERR_LENGTH_REQUIRED);
    assert_int_equal(f->r.is_api, 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/me%00", "REDIRECT_STATUS=400"), ERR_BAD_REQUEST);
    assert_int_equal(f->r.is_api, 0);
    /* the server could not read the request line: no URI, answered as JSON */
    assert_int_equal(PARSE(f, "", "REQUEST_URI=", "REDIRECT_STATUS=431"), ERR_HEADERS_TOO_LARGE);
    assert_int_equal(f->r.is_api, 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "REDIRECT_STATUS=505"), ERR_HTTP_VERSION);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "REDIRECT_STATUS=418"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "REDIRECT_STATUS=599"), ERR_INTERNAL);
    assert_int_equal(err_lookup(err_from_status(503))->status, 503);
    assert_int_equal(err_lookup(err_from_status(403))->status, 403);
    assert_string_equal(err_lookup(err_from_status(403))->code, "forbidden");
    /* an ordinary request (nginx and mod_rewrite send 200) runs */
    static char *const fine[] = {"REDIRECT_STATUS=200", "REDIRECT_STATUS=", "REDIRECT_STATUS=4040",
                                 "REDIRECT_STATUS=4x1", "REDIRECT_STATUS=302"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
        assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v1/me", fine[i]), ERR_OK);
}

static void test_uri_too_long(void **state)
{
    fix *f = *state;
    char *v = make_var(f, "REQUEST_URI=/api/v1/", 'a', REQ_MAX_URI);
    assert_int_equal(PARSE(f, "", v), ERR_URI_TOO_LONG);
    assert_int_equal(f->r.is_api, 1);
    v = make_var(f, "REQUEST_URI=/", 'a', REQ_MAX_URI);          /* one byte over */
    assert_int_equal(PARSE(f, "", v), ERR_URI_TOO_LONG);
    assert_int_equal(f->r.is_api, 0);
    v = make_var(f, "REQUEST_URI=/", 'a', REQ_MAX_URI - 1);      /* exactly the cap */
    assert_int_equal(PARSE(f, "", v), ERR_OK);
}

static void test_header_caps(void **state)
{
    fix *f = *state;
    char *v = make_var(f, "HTTP_X_JUNK=", 'a', REQ_MAX_HEADER + 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/api/v1/x", v), ERR_HEADERS_TOO_LARGE);
    assert_int_equal(f->r.is_api, 1);
    v = make_var(f, "HTTP_X_JUNK=", 'a', REQ_MAX_HEADER);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", v), ERR_OK);
    /* non-header variables are not capped as headers */
    v = make_var(f, "SERVER_JUNK=", 'a', REQ_MAX_HEADER + 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", v), ERR_OK);
    v = make_var(f, "HTTP_COOKIE=", 'a', REQ_MAX_COOKIE + 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", v), ERR_HEADERS_TOO_LARGE);
    /* the Cookie cap holds even when no envp is given for the walk */
    arena_reset(&f->a);
    char *env[] = {"REQUEST_URI=/", v, NULL};
    assert_int_equal(req_parse(&f->r, &f->a, lookup, env, NULL, ""), ERR_HEADERS_TOO_LARGE);
    /* many headers each under the cap, together over REQ_MAX_HEADERS */
    enum { NH = REQ_MAX_HEADERS / 4000 + 2 };
    char *many[NH + 2];
    many[0] = "REQUEST_URI=/";
    for (int i = 0; i < NH; i++) {
        many[i + 1] = malloc(4020);
        int k = snprintf(many[i + 1], 4020, "HTTP_X_H%d=", i);
        memset(many[i + 1] + k, 'b', 4000);
        many[i + 1][k + 4000] = '\0';
    }
    many[NH + 1] = NULL;
    err_t e = parse_with(f, many, "");
    for (int i = 0; i < NH; i++) free(many[i + 1]);
    assert_int_equal(e, ERR_HEADERS_TOO_LARGE);
}

static void test_cookies(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "HTTP_COOKIE=sid=abc; csrf=\"xyz\"; junk"), ERR_OK);
    assert_string_equal(req_cookie(&f->r, "sid"), "abc");
    assert_string_equal(req_cookie(&f->r, "csrf"), "xyz");
    assert_null(req_cookie(&f->r, "junk"));
}

static void test_content_length(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH=0"), ERR_OK);
    assert_int_equal(f->r.content_length, 0);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH="), ERR_OK);
    assert_int_equal(f->r.content_length, -1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH=12abc"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH=abc"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH=-1"), ERR_BAD_REQUEST);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "CONTENT_LENGTH=1 "), ERR_BAD_REQUEST);
}

static void test_client_ip(void **state)
{
    fix *f = *state;
    /* from the trusted proxy: the last entry, which the proxy itself appended */
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_FOR=6.6.6.6, 203.0.113.9"), ERR_OK);
    assert_string_equal(f->r.client_ip, "203.0.113.9");
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_FOR=2001:db8::1"), ERR_OK);
    assert_string_equal(f->r.client_ip, "2001:db8::1");
    /* from anyone else it is ignored */
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_URI=/", "REMOTE_ADDR=198.51.100.7",
                           "HTTP_X_FORWARDED_FOR=203.0.113.9"), ERR_OK);
    assert_string_equal(f->r.client_ip, "198.51.100.7");
    /* without a trusted proxy it is ignored */
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_FOR=203.0.113.9"), ERR_OK);
    assert_string_equal(f->r.client_ip, "127.0.0.1");
    /* garbage from the trusted proxy falls back to REMOTE_ADDR */
    const char *junk[] = {"HTTP_X_FORWARDED_FOR=<script>", "HTTP_X_FORWARDED_FOR=1.2.3.4,",
                          "HTTP_X_FORWARDED_FOR=", "HTTP_X_FORWARDED_FOR=1.2.3.4, evil;drop"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1", (char *)junk[i]), ERR_OK);
        assert_string_equal(f->r.client_ip, "127.0.0.1");
    }
    char *v = make_var(f, "HTTP_X_FORWARDED_FOR=", '1', 46);
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1", v), ERR_OK);
    assert_string_equal(f->r.client_ip, "127.0.0.1");
}

static void test_https_and_headers(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "HTTPS=on", "HTTP_AUTHORIZATION=Bearer pat_x",
                           "HTTP_X_CSRF_TOKEN=tok", "HTTP_ORIGIN=https://example.org",
                           "HTTP_ACCEPT=text/html"), ERR_OK);
    assert_int_equal(f->r.https, 1);
    assert_string_equal(f->r.authorization, "Bearer pat_x");
    assert_string_equal(f->r.csrf_header, "tok");
    assert_string_equal(f->r.origin, "https://example.org");
    assert_string_equal(f->r.accept, "text/html");
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "HTTPS=1"), ERR_OK);
    assert_int_equal(f->r.https, 1);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/", "HTTPS=off"), ERR_OK);
    assert_int_equal(f->r.https, 0);
    assert_int_equal(PARSE(f, "", "REQUEST_URI=/"), ERR_OK);
    assert_int_equal(f->r.https, 0);
}

/* X-Forwarded-Proto is believed from the trusted proxy only. */
static void test_forwarded_proto(void **state)
{
    fix *f = *state;
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_PROTO=https"), ERR_OK);
    assert_int_equal(f->r.https, 1);
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_PROTO=http"), ERR_OK);
    assert_int_equal(f->r.https, 0);
    assert_int_equal(PARSE(f, "127.0.0.1", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=203.0.113.9",
                           "HTTP_X_FORWARDED_PROTO=https"), ERR_OK);
    assert_int_equal(f->r.https, 0);                 /* not the proxy: not believed */
    assert_int_equal(PARSE(f, "", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1",
                           "HTTP_X_FORWARDED_PROTO=https"), ERR_OK);
    assert_int_equal(f->r.https, 0);                 /* no proxy configured */
}

/* Prefetches, prerenders, previews and scripts' fetches are passive; a navigation is not. */
static void test_passive(void **state)
{
    fix *f = *state;
    static const char *const passive[] = {
        "HTTP_SEC_PURPOSE=prefetch", "HTTP_SEC_PURPOSE=prefetch;prerender", "HTTP_PURPOSE=prefetch",
        "HTTP_X_MOZ=prefetch", "HTTP_X_PURPOSE=preview", "HTTP_SEC_FETCH_DEST=empty", "HTTP_SEC_FETCH_DEST=iframe",
        "HTTP_PURPOSE=Prefetch",
    };
    for (size_t i = 0; i < sizeof passive / sizeof passive[0]; i++) {
        assert_int_equal(PARSE(f, "", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=1.2.3.4", (char *)passive[i]),
                         ERR_OK);
        assert_int_equal(f->r.passive, 1);
    }
    static const char *const active[] = {
        "HTTP_SEC_FETCH_DEST=document", "HTTP_SEC_PURPOSE=prefetching-not", "HTTP_X_MOZ=", "HTTP_ACCEPT=text/html",
    };
    for (size_t i = 0; i < sizeof active / sizeof active[0]; i++) {
        assert_int_equal(PARSE(f, "", "REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=1.2.3.4", (char *)active[i]),
                         ERR_OK);
        assert_int_equal(f->r.passive, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoded_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uri_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cookies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forwarded_proto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passive, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
