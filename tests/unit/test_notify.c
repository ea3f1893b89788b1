/* test_notify.c — what counts as mentioning someone (cgi/app/notify.c), the one test the
 * push job and the Mentions view share: @username as the formatter links it, @all, and
 * keywords as whole words with ASCII case folded; and the default level of each kind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "unit_fixture.h"
#include "../../cgi/app/notify.h"

static int m(arena *a, const char *body, const char *user, const char *keywords)
{
    return notify_mentions(a, body, strlen(body), user, keywords);
}

static void test_usernames(void **state)
{
    arena *a = *state;
    assert_true(m(a, "@bob hi", "bob", NULL));
    assert_true(m(a, "hi @bob.", "bob", NULL));
    assert_true(m(a, "(@bob)", "bob", ""));
    assert_false(m(a, "@bobby hi", "bob", NULL));
    assert_false(m(a, "bob hi", "bob", NULL));
    assert_false(m(a, "mail bob@example.org", "bob", NULL));
    assert_false(m(a, "`@bob` in code", "bob", NULL));
    assert_true(m(a, "@Bob hi", "bob", NULL));      /* usernames are folded */
}

static void test_keywords(void **state)
{
    arena *a = *state;
    const char *kw = "deploy\nRelease Day\nc++";
    assert_true(m(a, "Deploy is done", "bob", kw));
    assert_true(m(a, "the deploy.", "bob", kw));
    assert_false(m(a, "the deployment", "bob", kw));
    assert_false(m(a, "redeploy", "bob", kw));
    assert_true(m(a, "see you on release day!", "bob", kw));
    assert_true(m(a, "I like c++ a lot", "bob", kw));
    assert_false(m(a, "I like cxx", "bob", kw));
    assert_false(m(a, "nothing here", "bob", kw));
    assert_false(m(a, "", "bob", kw));
}

static void test_all_and_defaults(void **state)
{
    arena *a = *state;
    assert_true(notify_mentions_all(a, "@all standup", 12));
    assert_false(notify_mentions_all(a, "all of you", 10));
    assert_false(notify_mentions_all(a, "@allison", 8));
    assert_string_equal(notify_default_level("direct"), "all");
    assert_string_equal(notify_default_level("group"), "all");
    assert_string_equal(notify_default_level("channel"), "mentions");
}

/* @here is its own word; who may reach everyone: groups anyone, channels owners and admins. */
static void test_here_and_who(void **state)
{
    arena *a = *state;
    assert_true(notify_mentions_here(a, "anyone @here?", 13));
    assert_false(notify_mentions_here(a, "@all of you", 11));
    assert_false(notify_mentions_here(a, "come here", 9));
    assert_false(notify_mentions_here(a, "@hereford", 9));
    assert_true(notify_everyone_allowed("group", "member"));
    assert_true(notify_everyone_allowed("group", NULL));
    assert_true(notify_everyone_allowed("channel", "owner"));
    assert_true(notify_everyone_allowed("channel", "admin"));
    assert_false(notify_everyone_allowed("channel", "member"));
    assert_false(notify_everyone_allowed("channel", NULL));
    assert_false(notify_everyone_allowed("direct", "member"));
    assert_false(notify_everyone_allowed("system", "owner"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usernames, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_keywords, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_all_and_defaults, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_here_and_who, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
