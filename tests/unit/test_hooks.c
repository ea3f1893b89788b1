/* test_hooks.c — outgoing webhooks' pure parts: the X-Parley-Signature HMAC (against an
 * independent computation, Python's hmac module) and which messages trigger a webhook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/app/hooks_out.h"
#include "../../cgi/worker/hook_send.h"

static void test_sign(void **state)
{
    (void)state;
    char sig[HOOK_SIG_HEX + 1];
    const char *body = "{\"text\":\"hi\"}";
    /* python3: hmac.new(b"whsec_test", b'1765000000.{"text":"hi"}', hashlib.sha256).hexdigest() */
    hook_sign("whsec_test", 1765000000, body, strlen(body), sig);
    assert_string_equal(sig, "13b6e1a5bcc9620e7260d96d2c513d7601c2f8408b8eadb7e6c4a7de12fef968");
    char other[HOOK_SIG_HEX + 1];
    hook_sign("whsec_test", 1765000001, body, strlen(body), other);   /* the time is signed too */
    assert_string_not_equal(sig, other);
    hook_sign("whsec_tesT", 1765000000, body, strlen(body), other);
    assert_string_not_equal(sig, other);
}

static void test_triggered(void **state)
{
    (void)state;
    /* No condition: everything. */
    assert_int_equal(hooks_out_triggered("anything", "", 0, "bot"), 1);
    assert_int_equal(hooks_out_triggered("anything", NULL, 0, "bot"), 1);
    /* A trigger word: first word, whole, any case; leading blanks allowed. */
    assert_int_equal(hooks_out_triggered("!deploy now", "!deploy", 0, "bot"), 1);
    assert_int_equal(hooks_out_triggered("  !DEPLOY", "!deploy", 0, "bot"), 1);
    assert_int_equal(hooks_out_triggered("!deployed", "!deploy", 0, "bot"), 0);
    assert_int_equal(hooks_out_triggered("please !deploy", "!deploy", 0, "bot"), 0);
    /* Mentions: @username as a whole name, not inside an address or a longer name. */
    assert_int_equal(hooks_out_triggered("hi @deploybot!", NULL, 1, "deploybot"), 1);
    assert_int_equal(hooks_out_triggered("@DeployBot hi", NULL, 1, "deploybot"), 1);
    assert_int_equal(hooks_out_triggered("mail@deploybot", NULL, 1, "deploybot"), 0);
    assert_int_equal(hooks_out_triggered("hi @deploybot2", NULL, 1, "deploybot"), 0);
    assert_int_equal(hooks_out_triggered("hi @deploybot.x", NULL, 1, "deploybot"), 0);
    assert_int_equal(hooks_out_triggered("no mention", NULL, 1, "deploybot"), 0);
    /* Both set: either one. */
    assert_int_equal(hooks_out_triggered("!go", "!go", 1, "b0t"), 1);
    assert_int_equal(hooks_out_triggered("hey @b0t", "!go", 1, "b0t"), 1);
    assert_int_equal(hooks_out_triggered("hey", "!go", 1, "b0t"), 0);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_triggered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
