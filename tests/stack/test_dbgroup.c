/* test_dbgroup.c — sends from several threads at once committed in groups (dbgroup.h), on the
 * stack's PostgreSQL: a group is one transaction, and one caller's failure in it is no one
 * else's. The leaders are held on purpose: another connection locks their conversations,
 * so the sends that follow queue and form a group of a known size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "../../cgi/app/dispatch.h"
#include "../../cgi/app/msg.h"
#include "../../cgi/app/users.h"
#include "../../cgi/store/dbgroup.h"

static config cfg;

enum { LEADERS = 2, QUEUED = 6 };

/* One thread's send and what it got (cmocka's asserts stay on the main thread). */
typedef struct send_job {
    user_row *me;
    long long conv_id;
    char body[32], client_id[40];
    err_t e;
    int created;
    long long seq;
    pthread_t t;
} send_job;

static void *send_main(void *arg)
{
    send_job *j = arg;
    worker w;
    svc s;
    worker_init(&w, &cfg);
    worker_svc(&w, &s);
    s.user = j->me;
    conv cv;
    j->e = conv_load(&s, j->conv_id, &cv);
    if (!j->e) j->e = msg_send(&s, &cv, j->body, *j->client_id ? j->client_id : NULL, 0, NULL, &j->created, &j->seq, NULL);
    worker_free(&w);
    return NULL;
}

static void start(send_job *j) { assert_int_equal(pthread_create(&j->t, NULL, send_main, j), 0); }

/* A plain connection of the test's own, for locks and for reading what was stored. */
static PGconn *raw(void)
{
    PGconn *c = PQconnectdb(cfg.db);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    return c;
}

/* Runs sql with up to three text parameters (NULL: fewer) on c; asserts it succeeded. */
static PGresult *sql_run(PGconn *c, const char *sql, const char *p1, const char *p2, const char *p3)
{
    const char *p[] = {p1, p2, p3};
    int n = p3 ? 3 : p2 ? 2 : p1 ? 1 : 0;
    PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    return r;
}

static long long sql_int(PGconn *c, const char *sql, const char *p1, const char *p2, const char *p3)
{
    PGresult *r = sql_run(c, sql, p1, p2, p3);
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void sql_ok(PGconn *c, const char *sql, const char *p1, const char *p2)
{
    PQclear(sql_run(c, sql, p1, p2, NULL));
}

/* "{a,b,c}": conversation ids as a PostgreSQL array parameter. */
static const char *id_array(char *out, size_t n, const long long *ids, int count)
{
    size_t at = (size_t)snprintf(out, n, "{");
    for (int i = 0; i < count; i++) at += (size_t)snprintf(out + at, n - at, "%s%lld", i ? "," : "", ids[i]);
    snprintf(out + at, n - at, "}");
    return out;
}

typedef struct fix {
    worker w;
    svc s;
    user_row me;
    long long conv[LEADERS + 3];   /* the leaders' conversations, then the group's three */
} fix;

/* A sender with a direct conversation to each of five fresh people. */
static int setup(void **state)
{
    fix *f = test_calloc(1, sizeof *f);
    worker_init(&f->w, &cfg);
    worker_svc(&f->w, &f->s);
    unsigned char r[4];
    char tag[9], name[40];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(tag, sizeof tag, r, sizeof r);
    user_row *u;
    snprintf(name, sizeof name, "grp%s", tag);
    assert_int_equal(users_create(&f->s, name, "Group Sender", "group password", &u), ERR_OK);
    f->me = (user_row){.id = u->id, .username = "", .display_name = "", .status_text = "", .created_at = ""};
    f->s.user = &f->me;
    for (int i = 0; i < LEADERS + 3; i++) {
        snprintf(name, sizeof name, "grp%s%d", tag, i);
        assert_int_equal(users_create(&f->s, name, "Group Peer", "group password", &u), ERR_OK);
        user_row peer = *u;
        int created;
        assert_int_equal(conv_direct_open(&f->s, &peer, &f->conv[i], &created), ERR_OK);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    worker_free(&f->w);
    test_free(f);
    return 0;
}

/* Waits up to 10 s for cond(arg). */
static int eventually(int (*cond)(void *), void *arg)
{
    for (int i = 0; i < 1000; i++) {
        if (cond(arg)) return 1;
        usleep(10000);
    }
    return 0;
}

/* The connection to ask on, and the backend whose locks are held. */
typedef struct held { PGconn *look; char holder[16]; } held;

static int leaders_blocked(void *arg)
{
    held *h = arg;
    return sql_int(h->look, "SELECT count(*) FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid))", h->holder,
                   NULL, NULL) >= LEADERS;
}

static int all_queued(void *unused)
{
    (void)unused;
    return dbgroup_queued() == QUEUED;
}

/* Holds both leaders on their conversations' locks, queues the six sends of jobs behind them,
 * lets go, and waits for every thread. */
static void run_held(fix *f, send_job *leaders, send_job *jobs)
{
    PGconn *hold = raw(), *look = raw();
    char ids[64];
    sql_ok(hold, "BEGIN", NULL, NULL);
    sql_ok(hold, "SELECT 1 FROM conversations WHERE id = ANY ($1::bigint[]) FOR UPDATE", id_array(ids, sizeof ids, f->conv, LEADERS),
           NULL);
    for (int i = 0; i < LEADERS; i++) {
        leaders[i] = (send_job){.me = &f->me, .conv_id = f->conv[i]};
        snprintf(leaders[i].body, sizeof leaders[i].body, "leader %d", i);
        start(&leaders[i]);
    }
    /* The leaders' updates wait for the holder's transaction: both leader places are taken. */
    held h = {.look = look};
    snprintf(h.holder, sizeof h.holder, "%d", PQbackendPID(hold));
    assert_true(eventually(leaders_blocked, &h));
    for (int i = 0; i < QUEUED; i++) start(&jobs[i]);
    assert_true(eventually(all_queued, NULL));
    sql_ok(hold, "COMMIT", NULL, NULL);
    for (int i = 0; i < LEADERS; i++) pthread_join(leaders[i].t, NULL);
    for (int i = 0; i < QUEUED; i++) pthread_join(jobs[i].t, NULL);
    for (int i = 0; i < LEADERS; i++) assert_int_equal(leaders[i].e, ERR_OK);
    PQfinish(hold);
    PQfinish(look);
}

/* Six sends queued behind busy leaders commit in one transaction, each with its own seq. */
static void test_queued_sends_commit_together(void **state)
{
    fix *f = *state;
    send_job leaders[LEADERS], jobs[QUEUED];
    for (int i = 0; i < QUEUED; i++) {
        jobs[i] = (send_job){.me = &f->me, .conv_id = f->conv[LEADERS + i % 3]};
        snprintf(jobs[i].body, sizeof jobs[i].body, "grouped %d", i);
    }
    uint64_t g0, s0, g1, s1;
    dbgroup_counts(&g0, &s0);
    run_held(f, leaders, jobs);
    dbgroup_counts(&g1, &s1);
    assert_int_equal(g1 - g0, 1);                 /* one transaction ... */
    assert_int_equal(s1 - s0, QUEUED);            /* ... that held all six */
    int seen[3][3] = {{0}};
    for (int i = 0; i < QUEUED; i++) {
        assert_int_equal(jobs[i].e, ERR_OK);
        assert_true(jobs[i].created);
        assert_true(jobs[i].seq == 1 || jobs[i].seq == 2);
        seen[i % 3][jobs[i].seq]++;
    }
    for (int k = 0; k < 3; k++) assert_true(seen[k][1] == 1 && seen[k][2] == 1);   /* no seq twice */
    PGconn *look = raw();
    char ids[64];
    PGresult *r = sql_run(look, "SELECT count(*), count(DISTINCT xmin::text) FROM messages WHERE conversation_id = ANY ($1::bigint[])",
                          id_array(ids, sizeof ids, f->conv + LEADERS, 3), NULL, NULL);
    assert_string_equal(PQgetvalue(r, 0, 0), "6");
    assert_string_equal(PQgetvalue(r, 0, 1), "1");  /* written by one transaction */
    PQclear(r);
    PQfinish(look);
}

/* A retry's unique violation in a group fails only the retry: the group runs again one by
 * one, the others are stored once each, and the retry answers with its original. */
static void test_one_failure_is_not_the_groups(void **state)
{
    fix *f = *state;
    send_job leaders[LEADERS], jobs[QUEUED];
    char uuid[40];
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-4%x%02x-8%x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6] & 15, b[7], b[8] & 15, b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    for (int i = 0; i < QUEUED; i++) {
        jobs[i] = (send_job){.me = &f->me, .conv_id = f->conv[LEADERS + i % 3]};
        snprintf(jobs[i].body, sizeof jobs[i].body, "sent %d", i);
    }
    snprintf(jobs[0].client_id, sizeof jobs[0].client_id, "%s", uuid);    /* the same send twice */
    snprintf(jobs[3].client_id, sizeof jobs[3].client_id, "%s", uuid);
    snprintf(jobs[3].body, sizeof jobs[3].body, "sent 0");
    uint64_t g0, s0, g1, s1;
    dbgroup_counts(&g0, &s0);
    run_held(f, leaders, jobs);
    dbgroup_counts(&g1, &s1);
    assert_int_equal(g1 - g0, 0);                 /* the group did not commit as one */
    for (int i = 0; i < QUEUED; i++) assert_int_equal(jobs[i].e, ERR_OK);
    assert_int_equal(jobs[0].created + jobs[3].created, 1);
    assert_int_equal(jobs[0].seq, jobs[3].seq);   /* the retry got its original */
    PGconn *look = raw();
    char ids[64], first[24];
    snprintf(first, sizeof first, "%lld", f->conv[LEADERS]);
    assert_int_equal(sql_int(look, "SELECT count(*) FROM messages WHERE conversation_id = $1 AND client_id = $2::uuid", first,
                             uuid, NULL), 1);
    assert_int_equal(sql_int(look, "SELECT count(*) FROM messages WHERE conversation_id = ANY ($1::bigint[])",
                             id_array(ids, sizeof ids, f->conv + LEADERS, 3), NULL, NULL), QUEUED - 1);
    assert_int_equal(sql_int(look, "SELECT max(seq) - count(*) FROM messages WHERE conversation_id = $1", first, NULL, NULL),
                     0);                          /* no gap where the failed group was */
    PQfinish(look);
}

int main(void)
{
    char err[256];
    if (config_load(&cfg, err, sizeof err) || sodium_init() < 0 || users_init(&cfg)) {
        fprintf(stderr, "test_dbgroup: %s\n", err);
        return 1;
    }
    dbgroup_init(LEADERS);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queued_sends_commit_together, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_failure_is_not_the_groups, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    config_free(&cfg);
    return rc;
}
