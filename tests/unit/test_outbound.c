/* test_outbound.c — the outbound URL guard: what a URL may look like, which addresses count
 * as public, the administrator's allow list, and the whole check on literal addresses (no
 * DNS needed: "localhost" is resolved from /etc/hosts). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "../../cgi/core/outbound.h"

static void test_parse(void **state)
{
    (void)state;
    outbound_url u;
    const char *why = NULL;
    assert_int_equal(outbound_parse("https://Push.Example.com/wpush/v2/abc?x=1", &u, &why), 0);
    assert_true(u.https);
    assert_string_equal(u.host, "push.example.com");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.rest, "/wpush/v2/abc?x=1");
    assert_int_equal(outbound_parse("http://127.0.0.1:9000/p", &u, &why), 0);
    assert_false(u.https);
    assert_int_equal(u.port, 9000);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(outbound_parse("https://[::ffff:127.0.0.1]:8443/x", &u, &why), 0);
    assert_true(u.ipv6_literal);
    assert_string_equal(u.host, "::ffff:127.0.0.1");
    assert_int_equal(u.port, 8443);
    assert_int_equal(outbound_parse("https://h", &u, &why), 0);
    assert_string_equal(u.rest, "");

    static const char *const bad[] = {
        "", "ftp://example.com/", "https://", "https:///x", "https://user:pw@example.com/",
        "https://example.com:0/", "https://example.com:65536/", "https://example.com:12ab/",
        "https://exa mple.com/", "https://example.com/#frag", "https://[::1/", "https://[nothex]/",
        "https://ex_ample.com/", "javascript:alert(1)", "https://example.com:/",
        "https://ex\xc3\xa4mple.com/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(outbound_parse(bad[i], &u, &why), -1);
        assert_non_null(why);
    }
    char longurl[OUTBOUND_URL_MAX + 32] = "https://example.com/";
    memset(longurl + 20, 'a', OUTBOUND_URL_MAX);
    longurl[OUTBOUND_URL_MAX + 20] = '\0';
    assert_int_equal(outbound_parse(longurl, &u, &why), -1);
}

static int pub4(const char *ip)
{
    struct sockaddr_in s = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, ip, &s.sin_addr), 1);
    return outbound_addr_public((struct sockaddr *)&s);
}

static int pub6(const char *ip)
{
    struct sockaddr_in6 s = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
    return outbound_addr_public((struct sockaddr *)&s);
}

static void test_addresses(void **state)
{
    (void)state;
    static const char *const special4[] = {
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1", "198.51.100.7",
        "203.0.113.9", "192.0.0.8",
    };
    for (size_t i = 0; i < sizeof special4 / sizeof special4[0]; i++) assert_false(pub4(special4[i]));
    static const char *const public4[] = {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                                          "100.128.0.1", "192.169.0.1", "142.250.74.78"};
    for (size_t i = 0; i < sizeof public4 / sizeof public4[0]; i++) assert_true(pub4(public4[i]));

    static const char *const special6[] = {
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
        "::8.8.8.8", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
        "2001:db8::1", "2001:0:4136:e378::1", "2002:7f00:1::1", "2002:c0a8:101::1", "64:ff9b::7f00:1",
        "64:ff9b::a00:1", "64:ff9b:1::1", "100::1", "4000::1",
    };
    for (size_t i = 0; i < sizeof special6 / sizeof special6[0]; i++) {
        if (pub6(special6[i])) fail_msg("%s counted as public", special6[i]);
    }
    static const char *const public6[] = {"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8",
                                          "64:ff9b::808:808", "2002:808:808::1"};
    for (size_t i = 0; i < sizeof public6 / sizeof public6[0]; i++) {
        if (!pub6(public6[i])) fail_msg("%s counted as special", public6[i]);
    }
    struct sockaddr other = {.sa_family = AF_UNIX};
    assert_false(outbound_addr_public(&other));
}

static void test_allow_list(void **state)
{
    (void)state;
    const char *allow = "push.test:8443, 127.0.0.1:9000,Other.Example,[::1]:7000";
    assert_true(outbound_allowed(allow, "push.test", 8443));
    assert_false(outbound_allowed(allow, "push.test", 443));
    assert_true(outbound_allowed(allow, "127.0.0.1", 9000));
    assert_false(outbound_allowed(allow, "127.0.0.1", 9001));
    assert_false(outbound_allowed(allow, "127.0.0.10", 9000));
    assert_true(outbound_allowed(allow, "other.example", 1));
    assert_true(outbound_allowed(allow, "::1", 7000));
    assert_false(outbound_allowed(allow, "::1", 7001));
    assert_false(outbound_allowed(allow, "example", 443));
    assert_false(outbound_allowed("", "push.test", 8443));
    assert_false(outbound_allowed(NULL, "push.test", 8443));
}

static void test_check(void **state)
{
    (void)state;
    outbound_url u;
    const char *why;
    char ip[OUTBOUND_IP_MAX], msg[256];
    /* Refused whatever the DNS says: special literals, and http. */
    static const char *const refused[] = {
        "https://127.0.0.1/", "https://10.0.0.1/", "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/", "https://[::1]:8443/", "https://[fe80::1]/", "http://8.8.8.8/",
        "https://localhost/", "https://0.0.0.0/", "https://2130706433/",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(outbound_parse(refused[i], &u, &why), 0);
        if (outbound_check("", &u, ip, msg, sizeof msg) != -1) fail_msg("%s let through to %s", refused[i], ip);
        assert_true(strstr(msg, "refused") || strstr(msg, "cannot resolve"));
    }
    assert_int_equal(outbound_parse("https://169.254.169.254/", &u, &why), 0);
    assert_int_equal(outbound_check(NULL, &u, ip, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "169.254.169.254"));
    /* A public literal passes and is the pinned address. */
    assert_int_equal(outbound_parse("https://8.8.8.8/x", &u, &why), 0);
    assert_int_equal(outbound_check("", &u, ip, msg, sizeof msg), 0);
    assert_string_equal(ip, "8.8.8.8");
    /* The allow list lets loopback and plain http through, for that port only. */
    assert_int_equal(outbound_parse("http://127.0.0.1:9000/push", &u, &why), 0);
    assert_int_equal(outbound_check("127.0.0.1:9000", &u, ip, msg, sizeof msg), 0);
    assert_string_equal(ip, "127.0.0.1");
    assert_int_equal(outbound_check("127.0.0.1:9001", &u, ip, msg, sizeof msg), -1);
    assert_int_equal(outbound_parse("http://localhost:9000/", &u, &why), 0);
    assert_int_equal(outbound_check("localhost:9000", &u, ip, msg, sizeof msg), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
