/* test_preview_fetch.c — the link-preview fetcher against a small HTTP server of its own on
 * 127.0.0.1 (allowed, as PARLEY_OUTBOUND_ALLOW would): a page comes back; loopback, private,
 * link-local, IPv4-mapped addresses and a name that resolves to loopback are refused, also
 * when an allowed page redirects to them; at most 3 redirects; only the type asked for; a
 * page longer than the cap is cut there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include "../../cgi/worker/preview_fetch.h"
#include "../../cgi/core/htmlmeta.h"

static int listener = -1, port;
static char allow[64];
static pthread_t server;

static const char PAGE[] = "<html><head><title>Fallback</title><meta property=\"og:title\" content=\"A test page\">"
                           "<meta property=\"og:description\" content=\"Served on loopback, allowed by name.\"></head><body>hi</body></html>";

/* Answers one request per connection by its path, then closes it. */
static void answer(int c)
{
    char req[2048];
    ssize_t n = recv(c, req, sizeof req - 1, 0);
    if (n <= 0) return;
    req[n] = '\0';
    char path[512] = "/";
    sscanf(req, "GET %511s", path);
    char head[1024];
    const char *body = "";
    size_t blen = 0;
    static char big[3 << 20];
    if (!strcmp(path, "/page")) {
        body = PAGE;
        blen = strlen(PAGE);
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    } else if (!strcmp(path, "/json")) {
        body = "{}";
        blen = 2;
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
    } else if (!strcmp(path, "/big")) {
        memset(big, 'a', sizeof big);
        memcpy(big, "<title>Big</title>", 18);
        body = big;
        blen = sizeof big;
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    } else if (!strcmp(path, "/missing")) {
        snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    } else if (!strncmp(path, "/hop", 4)) {        /* /hopN redirects to /hop(N-1), /hop0 to /page */
        int k = atoi(path + 4);
        char to[64];
        snprintf(to, sizeof to, k > 0 ? "/hop%d" : "/page", k - 1);
        snprintf(head, sizeof head, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", to);
    } else if (!strncmp(path, "/to/", 4)) {        /* /to/<url>: a redirect there */
        snprintf(head, sizeof head, "HTTP/1.1 301 Moved\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", path + 4);
    } else {
        snprintf(head, sizeof head, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    send(c, head, strlen(head), MSG_NOSIGNAL);
    for (size_t off = 0; off < blen;) {
        ssize_t w = send(c, body + off, blen - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listener, NULL, NULL);
        if (c < 0) return NULL;
        answer(c);
        close(c);
    }
}

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(listener, (struct sockaddr *)&a, sizeof a) || listen(listener, 16) ||
        getsockname(listener, (struct sockaddr *)&a, &al)) return -1;
    port = ntohs(a.sin_port);
    snprintf(allow, sizeof allow, "127.0.0.1:%d", port);
    return pthread_create(&server, NULL, serve, NULL);
}

static int teardown(void **state)
{
    (void)state;
    shutdown(listener, SHUT_RDWR);
    close(listener);
    pthread_join(server, NULL);
    curl_global_cleanup();
    return 0;
}

static buf body;
static preview_fetched got;
static int refused;
static char why[512];

static int fetch(const char *url, const char *type)
{
    return preview_fetch(allow, url, type, 1 << 20, 5, &body, &got, &refused, why, sizeof why);
}

static void test_page(void **state)
{
    (void)state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/page", port);
    assert_int_equal(fetch(url, "text/html"), 0);
    htmlmeta m;
    assert_int_equal(htmlmeta_extract(body.data, body.len, &m), 2);
    assert_string_equal(m.title, "A test page");
    assert_string_equal(m.description, "Served on loopback, allowed by name.");
    assert_string_equal(got.url, url);
    assert_false(got.truncated);
    /* three redirects are followed, re-checked each time */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hop2", port);
    assert_int_equal(fetch(url, "text/html"), 0);
    assert_true(strstr(got.url, "/page") != NULL);
}

static void test_refused_addresses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http://127.0.0.1/", "https://127.0.0.1:8443/x", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://localhost/", "http://192.168.1.1/", "http://224.0.0.1/",
        "ftp://example.com/", "http://user:pw@example.com/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        *why = '\0';
        assert_int_equal(fetch(bad[i], "text/html"), -1);
        assert_true(refused);
        assert_true(*why);
        assert_int_equal(body.len, 0);
    }
    /* localhost on the allowed port is still refused: the allow list names 127.0.0.1 */
    char url[128];
    snprintf(url, sizeof url, "http://localhost:%d/page", port);
    assert_int_equal(fetch(url, "text/html"), -1);
    assert_true(refused);
}

static void test_refused_after_redirect(void **state)
{
    (void)state;
    char targets[6][96];
    snprintf(targets[0], sizeof targets[0], "http://127.0.0.1:1/page");
    snprintf(targets[1], sizeof targets[1], "http://10.0.0.1/");
    snprintf(targets[2], sizeof targets[2], "http://169.254.169.254/latest/meta-data/");
    snprintf(targets[3], sizeof targets[3], "http://[::ffff:127.0.0.1]:%d/page", port);
    snprintf(targets[4], sizeof targets[4], "http://localhost:%d/page", port);
    snprintf(targets[5], sizeof targets[5], "http://[::1]:%d/page", port);
    for (int i = 0; i < 6; i++) {
        char url[256];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/to/%s", port, targets[i]);
        *why = '\0';
        assert_int_equal(fetch(url, "text/html"), -1);
        assert_true(refused);
        assert_int_equal(body.len, 0);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hop3", port);      /* four redirects */
    assert_int_equal(fetch(url, "text/html"), -1);
    assert_false(refused);
    assert_non_null(strstr(why, "redirects"));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/json", port);
    assert_int_equal(fetch(url, "text/html"), -1);
    assert_non_null(strstr(why, "application/json"));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", port);
    assert_int_equal(fetch(url, "text/html"), -1);
    assert_non_null(strstr(why, "404"));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/big", port);          /* 3 MB: cut at 1 MB */
    assert_int_equal(fetch(url, "text/html"), 0);
    assert_true(got.truncated);
    assert_int_equal(body.len, 1 << 20);
    htmlmeta m;
    htmlmeta_extract(body.data, body.len, &m);
    assert_string_equal(m.title, "Big");
    buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_refused_addresses),
        cmocka_unit_test(test_refused_after_redirect),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
