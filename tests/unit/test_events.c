/* test_events.c — the pure parts of event publishing: the wire JSON (compact, "id" first,
 * never a caller's stale "id") and the recipient list (repeats, the skipped typist, the
 * extra removed member), and the hub reading an event's id off its front. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/app/events.h"
#include "../../cgi/events/pubsub.h"
#include "../../cgi/events/convmap.h"

static void check_encode(json_t *ev, long long id, const char *want)
{
    char *got = ev_encode(id, ev);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    json_decref(ev);
}

static void test_encode(void **state)
{
    (void)state;
    check_encode(json_pack("{s:s,s:I,s:I}", "type", "message.deleted", "conversation_id", 7, "seq", 42), 1042,
                 "{\"id\":1042,\"type\":\"message.deleted\",\"conversation_id\":7,\"seq\":42}");
    /* an "id" already in the event is replaced by the event id */
    check_encode(json_pack("{s:I,s:s}", "id", 5, "type", "typing"), 9, "{\"id\":9,\"type\":\"typing\"}");
    /* nested objects stay compact; text is JSON-escaped, UTF-8 kept */
    check_encode(json_pack("{s:s,s:{s:s}}", "type", "contact.request", "user", "display_name", "Jos\xC3\xA9 \"J\"\n"), 1,
                 "{\"id\":1,\"type\":\"contact.request\",\"user\":{\"display_name\":\"Jos\xC3\xA9 \\\"J\\\"\\n\"}}");
    /* the event itself is not changed */
    json_t *ev = json_pack("{s:s}", "type", "resync");
    char *s = ev_encode(3, ev);
    assert_non_null(s);
    free(s);
    assert_null(json_object_get(ev, "id"));
    assert_int_equal(json_object_size(ev), 1);
    json_decref(ev);
}

static void expect_list(const long long *got, size_t n, const long long *want, size_t wn)
{
    assert_int_equal(n, wn);
    for (size_t i = 0; i < wn; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++) found |= got[j] == want[i];
        if (!found) fail_msg("recipient %lld missing", want[i]);
    }
}

static void test_recipients(void **state)
{
    (void)state;
    long long a[8] = {3, 1, 2};
    size_t n = ev_recipients(a, 3, 0, 0);
    expect_list(a, n, (long long[]){1, 2, 3}, 3);

    long long b[8] = {3, 1, 3, 2, 1};                       /* repeats once each */
    n = ev_recipients(b, 5, 0, 0);
    expect_list(b, n, (long long[]){1, 2, 3}, 3);

    long long c[8] = {4, 5, 6};                             /* the typist is left out */
    n = ev_recipients(c, 3, 0, 5);
    expect_list(c, n, (long long[]){4, 6}, 2);

    long long d[8] = {4, 6};                                /* the removed member is added */
    n = ev_recipients(d, 2, 5, 0);
    expect_list(d, n, (long long[]){4, 5, 6}, 3);

    long long e[8] = {4, 5, 6};                             /* ... but only once */
    n = ev_recipients(e, 3, 5, 0);
    expect_list(e, n, (long long[]){4, 5, 6}, 3);

    long long f[8] = {4};                                   /* skip wins over extra */
    n = ev_recipients(f, 1, 4, 4);
    assert_int_equal(n, 0);

    long long g[8] = {0, -2, 7};                            /* no user 0 or below */
    n = ev_recipients(g, 3, -1, 0);
    expect_list(g, n, (long long[]){7}, 1);

    long long h[1];                                         /* nobody left but the extra */
    n = ev_recipients(h, 0, 9, 0);
    expect_list(h, n, (long long[]){9}, 1);
    n = ev_recipients(h, 0, 0, 0);
    assert_int_equal(n, 0);
}

static void test_recipients_many(void **state)
{
    (void)state;
    enum { N = 20000 };
    long long *u = malloc(sizeof *u * (N + 1));
    assert_non_null(u);
    for (size_t i = 0; i < N; i++) u[i] = (long long)(N - i);        /* 1..N, reversed */
    size_t n = ev_recipients(u, N, N + 1, 17);
    assert_int_equal(n, N);                                          /* -17, +N+1 */
    for (size_t i = 1; i < n; i++) assert_true(u[i] != u[i - 1]);
    for (size_t i = 0; i < n; i++) assert_true(u[i] != 17);
    free(u);
}

static long long front_id(const char *s)
{
    return pubsub_event_id(s, strlen(s));
}

/* What ev_encode writes, the hub reads back; anything else is refused (-1). */
static void test_event_id(void **state)
{
    (void)state;
    json_t *ev = json_pack("{s:s,s:I}", "type", "message.created", "seq", 3);
    char *s = ev_encode(1042, ev);
    assert_non_null(s);
    assert_int_equal(front_id(s), 1042);
    free(s);
    json_decref(ev);
    assert_int_equal(front_id("{\"id\":7}"), 7);
    assert_int_equal(front_id("{\"id\":999999999999999999,\"type\":\"x\"}"), 999999999999999999LL);
    assert_int_equal(front_id("{\"id\":1234567890123456789,\"type\":\"x\"}"), -1);   /* 19 digits */
    assert_int_equal(front_id("{\"id\":0,\"type\":\"x\"}"), -1);
    assert_int_equal(front_id("{\"id\":-5,\"type\":\"x\"}"), -1);
    assert_int_equal(front_id("{\"id\":12"), -1);                     /* cut short */
    assert_int_equal(front_id("{\"id\":12x}"), -1);
    assert_int_equal(front_id("{\"type\":\"x\",\"id\":12}"), -1);   /* not first */
    assert_int_equal(front_id("{\"id\":12,\"type\":\"a\nb\"}"), -1); /* would break an SSE data line */
    assert_int_equal(front_id("{\"id\":12,\"t\":\"\r\"}"), -1);
    assert_int_equal(front_id(""), -1);
    assert_int_equal(pubsub_event_id("{\"id\":12,", 8), -1);          /* the length is respected */
}

/* A conversation's channel, with and without the member it skips; anything else is no
 * conversation channel (the hub then reads it as a user's, or ignores it). */
static void test_conv_channel(void **state)
{
    (void)state;
    long long conv = -1, epoch = -1, skip = -1;
    assert_int_equal(convmap_channel("parley:c:12:3", &conv, &epoch, &skip), 0);
    assert_true(conv == 12 && epoch == 3 && skip == 0);
    assert_int_equal(convmap_channel("parley:c:12:0:77", &conv, &epoch, &skip), 0);
    assert_true(conv == 12 && epoch == 0 && skip == 77);
    assert_int_equal(convmap_channel("parley:c:12", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:c:12:", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:c:12:3:", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:c:12:3:0", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:c:12:3:4:5", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:c:x:3", &conv, &epoch, &skip), -1);
    assert_int_equal(convmap_channel("parley:u:12", &conv, &epoch, &skip), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_recipients),
        cmocka_unit_test(test_recipients_many),
        cmocka_unit_test(test_event_id),
        cmocka_unit_test(test_conv_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
