/* test_hooks.c — outgoing webhooks' pure parts: the X-Parley-Signature HMAC (against an
 * independent computation, Python's hmac module) and which messages trigger a webhook, in C
 * and as the sending statement decides it from send_jobs.h's parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/app/hooks_out.h"
#include "../../cgi/worker/hook_send.h"
#include "../../cgi/app/send_jobs.h"
#include "../../cgi/core/arena.h"

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

/* msg_insert's condition, with the parameters send_jobs gives it: no condition; the trigger
 * word (ASCII case folded) equal to the first word; or the bot's name among the @names. */
static int sql_triggered(arena *a, const char *body, const char *trigger, int mentions_only, const char *username)
{
    const char *first = send_jobs_first_word(a, body), *names = send_jobs_at_names(a, body);
    assert_non_null(first);
    assert_non_null(names);
    int has_trigger = trigger && *trigger;
    if (!has_trigger && !mentions_only) return 1;
    if (has_trigger) {
        char *t = arena_strdup(a, trigger);
        for (char *p = t; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        if (!strcmp(t, first)) return 1;
    }
    if (mentions_only) {
        const char *want = arena_printf(a, "\"%s\"", username);
        const char *at = strstr(names, want);   /* elements are quoted: a whole element */
        if (at && (at[-1] == '{' || at[-1] == ',')) return 1;
    }
    return 0;
}

static void test_send_params(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    assert_string_equal(send_jobs_first_word(&a, "  !DEPLOY now"), "!deploy");
    assert_string_equal(send_jobs_first_word(&a, "\t\n"), "");
    assert_string_equal(send_jobs_at_names(&a, "hi @Bob and @carol.x, mail@dave @"), "{\"bob\",\"carol.x\"}");
    assert_string_equal(send_jobs_at_names(&a, "nobody"), "{}");
    static const char *bodies[] = {"anything", "!deploy now", "  !DEPLOY", "!deployed", "please !deploy", "hi @deploybot!",
                                   "@DeployBot hi", "mail@deploybot", "hi @deploybot2", "hi @deploybot.x", "no mention",
                                   "!go", "hey @b0t", "hey", "!Go\tthere", "@b0t@deploybot x", NULL};
    static const struct { const char *trigger; int mentions_only; const char *user; } hooks[] = {
        {NULL, 0, "bot"}, {"!deploy", 0, "bot"}, {NULL, 1, "deploybot"}, {"!go", 1, "b0t"}, {"!GO", 0, "x"},
    };
    for (const char **b = bodies; *b; b++)
        for (size_t h = 0; h < sizeof hooks / sizeof hooks[0]; h++)
            assert_int_equal(sql_triggered(&a, *b, hooks[h].trigger, hooks[h].mentions_only, hooks[h].user),
                             hooks_out_triggered(*b, hooks[h].trigger, hooks[h].mentions_only, hooks[h].user));
    arena_free(&a);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_triggered),
        cmocka_unit_test(test_send_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
