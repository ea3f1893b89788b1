/* test_domain.c — the domain called as the command line, the events hub and the worker call
 * it: a service context on real PostgreSQL and Redis, no request. Run by the stack tests
 * (PARLEY_DB and PARLEY_REDIS name the test stack's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/app/dispatch.h"
#include "../../cgi/app/msg.h"
#include "../../cgi/app/sessions.h"
#include "../../cgi/app/users.h"

static config cfg;

typedef struct fix { worker w; svc s; user_row *a, *b; char tag[16]; } fix;

/* A fresh user with a unique name (in the worker's arena: copied into our own memory). */
static user_row *new_user(fix *f, const char *who)
{
    char name[40];
    snprintf(name, sizeof name, "dom%s%s", who, f->tag);
    user_row *u;
    assert_int_equal(users_create(&f->s, name, "Domain Test", "domain password", &u), ERR_OK);
    user_row *copy = test_malloc(sizeof *copy);
    *copy = (user_row){.id = u->id, .username = "", .display_name = "", .status_text = "", .created_at = ""};
    return copy;
}

static int setup(void **state)
{
    fix *f = test_calloc(1, sizeof *f);
    worker_init(&f->w, &cfg);
    worker_svc(&f->w, &f->s);
    unsigned char r[4];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(f->tag, sizeof f->tag, r, sizeof r);
    f->a = new_user(f, "a");
    f->b = new_user(f, "b");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    test_free(f->a);
    test_free(f->b);
    worker_free(&f->w);
    test_free(f);
    return 0;
}

/* The seqs of a history page, as "1 2 3". */
static const char *seqs(json_t *page, char *out, size_t n)
{
    json_t *m;
    size_t i, at = 0;
    out[0] = '\0';
    json_array_foreach(json_object_get(page, "messages"), i, m)
        at += (size_t)snprintf(out + at, n - at, "%s%lld", i ? " " : "", (long long)json_integer_value(json_object_get(m, "seq")));
    return out;
}

/* msg_page with each kind of cursor, as the handler, the hub or a job would call it. */
static void test_msg_page_without_request(void **state)
{
    fix *f = *state;
    f->s.user = f->a;
    long long id;
    int created;
    user_row peer = *f->b;
    assert_int_equal(conv_direct_open(&f->s, &peer, &id, &created), ERR_OK);
    assert_true(created);
    conv cv;
    assert_int_equal(conv_load(&f->s, id, &cv), ERR_OK);
    for (int i = 1; i <= 7; i++) {
        long long seq;
        char body[16];
        snprintf(body, sizeof body, "m%d", i);
        assert_int_equal(msg_send(&f->s, &cv, body, NULL, 0, NULL, &created, &seq, NULL), ERR_OK);
        assert_int_equal(seq, i);
    }
    assert_int_equal(conv_load(&f->s, id, &cv), ERR_OK);
    struct { msg_cursor cur; const char *want; int older, newer; } cases[] = {
        {{0}, "1 2 3 4 5 6 7", 0, 0},
        {{.limit = 3}, "5 6 7", 1, 0},
        {{.before = 4, .limit = 2}, "2 3", 1, 1},
        {{.after = 5}, "6 7", 1, 0},
        {{.from_start = 1, .limit = 2}, "1 2", 0, 1},
        {{.around = 4, .limit = 3}, "3 4 5", 1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        json_t *page;
        char got[64];
        assert_int_equal(msg_page(&f->s, &cv, &cases[k].cur, &page), ERR_OK);
        assert_string_equal(seqs(page, got, sizeof got), cases[k].want);
        assert_int_equal(json_is_true(json_object_get(page, "has_older")), cases[k].older);
        assert_int_equal(json_is_true(json_object_get(page, "has_newer")), cases[k].newer);
        json_decref(page);
    }
    f->s.user = f->b;                                 /* the other member reads the same */
    assert_int_equal(conv_load(&f->s, id, &cv), ERR_OK);
    json_t *page;
    msg_cursor newest = {.limit = 1};
    assert_int_equal(msg_page(&f->s, &cv, &newest, &page), ERR_OK);
    json_t *m = json_array_get(json_object_get(page, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "body")), "m7");
    json_decref(page);
}

/* Sessions opened, found and ended without a request: the address and browser are plain
 * arguments. */
static void test_sessions_without_request(void **state)
{
    fix *f = *state;
    char token[SECRET_LEN + 1];
    sess s, found;
    assert_int_equal(sess_create(&f->s, f->a->id, "192.0.2.1", "curl/8.0", token, &s), ERR_OK);
    assert_int_equal(sess_lookup(&f->s, token, "192.0.2.2", &found), ERR_OK);
    assert_int_equal(found.uid, f->a->id);
    assert_string_equal(found.id, s.id);
    assert_string_equal(found.csrf, s.csrf);
    json_t *list;
    assert_int_equal(sess_list(&f->s, f->a->id, s.id, &list), ERR_OK);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "browser")), "curl");
    json_decref(list);
    assert_int_equal(sess_lookup(&f->s, "not-a-token", "192.0.2.2", &found), ERR_UNAUTHORIZED);
    assert_int_equal(sess_revoke(&f->s, f->a->id, s.id), ERR_OK);
    assert_int_equal(sess_lookup(&f->s, token, "192.0.2.2", &found), ERR_UNAUTHORIZED);
    assert_int_equal(sess_create(&f->s, f->a->id, "192.0.2.1", NULL, token, &s), ERR_OK);   /* no browser */
}

/* A failure on the side (an event for a message that is not there) leaves the caller's
 * error detail alone: background work has its own context. */
static void test_aside_keeps_error_detail(void **state)
{
    fix *f = *state;
    f->s.user = f->a;
    svc_fail(&f->s, ERR_INVALID_FIELD, "body", "the caller's own");
    msg_event(&f->s, "message.edited", 999999999999LL, 1);
    assert_string_equal(f->s.err_field, "body");
    assert_string_equal(f->s.err_msg, "the caller's own");
}

int main(void)
{
    char err[256];
    if (config_load(&cfg, err, sizeof err) || sodium_init() < 0 || users_init(&cfg)) {
        fprintf(stderr, "test_domain: %s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_msg_page_without_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions_without_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aside_keeps_error_detail, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    config_free(&cfg);
    return rc;
}
