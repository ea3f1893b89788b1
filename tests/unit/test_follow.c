/* test_follow.c — the events hub's account of event ids (cgi/events/follow.c): what Redis
 * brought is settled, an unseen logged event is delivered from the log once it is old
 * enough (never twice, never before Redis had its chance), and ids missing from the log are
 * waited for, then given up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include "../../cgi/events/follow.h"

/* One round as the follower thread runs it: plan, then answer with what the "log" holds. */
static size_t round_with(const follow_row *fresh, size_t nfresh, const follow_row *log, size_t nlog, long long now,
                         long long **repair)
{
    long long *pend;
    size_t npend, nagain = 0, nrepair;
    long long hi = follow_plan(&pend, &npend);
    follow_row *again = calloc(npend + 1, sizeof *again);
    assert_non_null(again);
    for (size_t i = 0; i < npend; i++)               /* the pending ids the log holds now */
        for (size_t k = 0; k < nlog; k++)
            if (log[k].id == pend[i]) again[nagain++] = log[k];
    free(pend);
    follow_round(hi, fresh, nfresh, again, nagain, now, repair, &nrepair);
    free(again);
    return nrepair;
}

static void test_seen_and_repair(void **state)
{
    (void)state;
    long long *rep, done;
    size_t npend, nseen;
    follow_init(100);
    follow_seen(101, 0);                                  /* Redis brought 101 */
    follow_row fresh[] = {{101, 0}, {102, 0}};            /* the log holds 101 and 102, both new */
    assert_int_equal(round_with(fresh, 2, NULL, 0, 0, &rep), 0);   /* 102 is young: Redis may still bring it */
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 101);
    assert_int_equal(npend, 1);
    follow_row later[] = {{102, FOLLOW_REPAIR_MS}};
    assert_int_equal(round_with(NULL, 0, later, 1, 600, &rep), 1);
    assert_int_equal(rep[0], 102);                        /* never came: delivered from the log */
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 102);
    assert_int_equal(npend, 0);
    assert_int_equal(round_with(NULL, 0, NULL, 0, 700, &rep), 0);  /* and only once */
    free(rep);
}

static void test_seen_late_is_not_repaired(void **state)
{
    (void)state;
    long long *rep;
    follow_init(200);
    follow_row fresh[] = {{201, 10}};
    assert_int_equal(round_with(fresh, 1, NULL, 0, 0, &rep), 0);
    free(rep);
    follow_seen(201, 100);                                /* Redis was only a little late */
    follow_row later[] = {{201, 900}};
    assert_int_equal(round_with(NULL, 0, later, 1, 900, &rep), 0);
    free(rep);
}

static void test_gaps(void **state)
{
    (void)state;
    long long *rep, done;
    size_t npend, nseen;
    follow_init(300);
    follow_seen(302, 0);                                  /* an ephemeral event: seen, never logged */
    follow_row fresh[] = {{304, 0}};                      /* 301 and 303 not (yet) committed */
    follow_seen(304, 0);
    assert_int_equal(round_with(fresh, 1, NULL, 0, 0, &rep), 0);
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 300);
    assert_int_equal(npend, 2);
    follow_row committed[] = {{303, 0}};                  /* 303 commits late; Redis never brings it */
    assert_int_equal(round_with(NULL, 0, committed, 1, 1000, &rep), 0);
    free(rep);
    follow_row older[] = {{303, FOLLOW_REPAIR_MS + 1}};
    assert_int_equal(round_with(NULL, 0, older, 1, 1600, &rep), 1);
    assert_int_equal(rep[0], 303);
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 300);                          /* 301 still waited for */
    assert_int_equal(npend, 1);
    assert_int_equal(round_with(NULL, 0, NULL, 0, FOLLOW_GAP_MS + 1, &rep), 0);   /* rolled back: given up */
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 304);
    assert_int_equal(npend, 0);
    assert_int_equal(nseen, 0);                           /* settled ids are forgotten */
}

static void test_sequence_jump(void **state)
{
    (void)state;
    long long *rep, done;
    size_t npend, nseen;
    follow_init(1000);
    follow_row fresh[] = {{1000 + FOLLOW_MAX_GAPS + 50, FOLLOW_REPAIR_MS}};    /* the sequence was raised */
    assert_int_equal(round_with(fresh, 1, NULL, 0, 0, &rep), 1);
    free(rep);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(npend, 0);                           /* the jump is not tracked id by id */
    assert_int_equal(done, 1000 + FOLLOW_MAX_GAPS + 50);
}

static void test_many_seen(void **state)
{
    (void)state;
    long long *rep, done;
    size_t npend, nseen;
    follow_init(0);
    for (long long id = 1; id <= 50000; id++) follow_seen(id, 0);   /* the set grows */
    follow_row *fresh = calloc(50000, sizeof *fresh);
    assert_non_null(fresh);
    for (int i = 0; i < 50000; i++) fresh[i] = (follow_row){i + 1, 0};
    assert_int_equal(round_with(fresh, 50000, NULL, 0, 10, &rep), 0);
    free(rep);
    free(fresh);
    follow_counts(&done, &npend, &nseen);
    assert_int_equal(done, 50000);
    assert_int_equal(nseen, 0);
}

/* The arrival order, for a stream that reconnects from another hub: the lower ids that came
 * after its last event, and nothing when its last event never came here. */
static void test_late_arrivals(void **state)
{
    (void)state;
    long long *late;
    size_t n;
    assert_int_equal(follow_late(1001, &late, &n), -1);        /* nothing arrived yet */
    assert_null(late);
    long long order[] = {1001, 1003, 1002, 1004, 1000};        /* 1002 and 1000 committed late */
    for (size_t i = 0; i < 5; i++) follow_arrived(order[i]);
    assert_int_equal(follow_late(1003, &late, &n), 0);
    assert_int_equal(n, 2);
    assert_true(late[0] == 1000 && late[1] == 1002);            /* ascending */
    free(late);
    assert_int_equal(follow_late(1004, &late, &n), 0);
    assert_int_equal(n, 1);
    assert_true(late[0] == 1000);
    free(late);
    assert_int_equal(follow_late(1002, &late, &n), 0);          /* 1003 came before it: had */
    assert_int_equal(n, 1);
    assert_true(late[0] == 1000);
    free(late);
    assert_int_equal(follow_late(1000, &late, &n), 0);          /* the last to arrive */
    assert_int_equal(n, 0);
    assert_null(late);
    assert_int_equal(follow_late(999, &late, &n), -1);          /* never came here */
}

/* One event's copies (one per recipient on Redis, then the log) are noted once: its first
 * arrival is its place, however late the others come. */
static void test_late_repeats(void **state)
{
    (void)state;
    long long *late;
    size_t n;
    follow_arrived(2005);
    for (int k = 0; k < 3; k++) follow_arrived(2001);
    follow_arrived(2006);
    assert_int_equal(follow_late(2005, &late, &n), 0);
    assert_int_equal(n, 1);
    assert_true(late[0] == 2001);
    free(late);
    follow_arrived(2001);                                          /* a copy much later */
    assert_int_equal(follow_late(2005, &late, &n), 0);
    assert_int_equal(n, 1);                                        /* still once */
    free(late);
    assert_int_equal(follow_late(2006, &late, &n), 0);             /* it had come before 2006 */
    assert_int_equal(n, 0);
    assert_int_equal(follow_newest(), 2006);
}

/* Only the last FOLLOW_ARRIVALS arrivals are known. */
static void test_late_forgets(void **state)
{
    (void)state;
    long long *late;
    size_t n;
    for (long long k = 0; k < FOLLOW_ARRIVALS; k++) follow_arrived(3000000 + k);   /* the earlier tests' leave */
    assert_int_equal(follow_late(1003, &late, &n), -1);
    follow_arrived(5000000);
    follow_arrived(4999999);
    assert_int_equal(follow_late(5000000, &late, &n), 0);
    assert_int_equal(n, 1);
    free(late);
    for (long long k = 1; k < FOLLOW_ARRIVALS - 1; k++) follow_arrived(5000000 + k);
    assert_int_equal(follow_late(5000000, &late, &n), 0);           /* the oldest one kept */
    assert_int_equal(n, 1);
    free(late);
    follow_arrived(6000000);
    assert_int_equal(follow_late(5000000, &late, &n), -1);          /* now forgotten */
    assert_null(late);
    assert_int_equal(follow_late(4999999, &late, &n), 0);
    assert_int_equal(n, 0);
}

/* Places in the arrival order: a first arrival counts; an id never noted has none. */
static void test_places(void **state)
{
    (void)state;
    for (long long k = 0; k < FOLLOW_ARRIVALS; k++) follow_arrived(7000000 + k);   /* the earlier tests' leave */
    long long order[] = {8003, 8001, 8002};
    for (size_t i = 0; i < 3; i++) follow_arrived(order[i]);
    follow_arrived(8100);
    follow_arrived(8003);                                   /* noted again later: its first place counts */
    assert_int_equal(follow_newest(), 8100);
    long long ids[] = {8002, 8001, 9999, 8003, 8001}, place[5];
    follow_places(ids, 5, place);
    assert_true(place[3] >= 0 && place[1] == place[3] + 1 && place[0] == place[3] + 2);   /* 8003, 8001, 8002 */
    assert_int_equal(place[4], place[1]);                   /* asked twice: the same answer */
    assert_int_equal(place[2], -1);                         /* never came */
    follow_places(ids, 0, place);                           /* nothing asked: nothing touched */
    assert_int_equal(place[2], -1);
}

/* The map of places stays right while the oldest keep leaving it: three rings' worth of
 * scattered ids, then every one of the last FOLLOW_ARRIVALS found at its place, none other. */
static void test_places_after_many(void **state)
{
    (void)state;
    const long long total = 3LL * FOLLOW_ARRIVALS;
    for (long long k = 0; k < total; k++) follow_arrived(10000000 + (k * 7919) % total);   /* distinct */
    long long *ids = malloc(sizeof *ids * (size_t)total), *place = malloc(sizeof *place * (size_t)total);
    assert_non_null(ids);
    assert_non_null(place);
    for (long long k = 0; k < total; k++) ids[k] = 10000000 + (k * 7919) % total;
    follow_places(ids, (size_t)total, place);
    long long base = place[total - FOLLOW_ARRIVALS];
    assert_true(base >= 0);
    for (long long k = 0; k < total; k++) {
        if (k < total - FOLLOW_ARRIVALS) assert_int_equal(place[k], -1);
        else assert_int_equal(place[k], base + (k - (total - FOLLOW_ARRIVALS)));
    }
    free(ids);
    free(place);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seen_and_repair), cmocka_unit_test(test_seen_late_is_not_repaired),
        cmocka_unit_test(test_gaps), cmocka_unit_test(test_sequence_jump), cmocka_unit_test(test_many_seen),
        cmocka_unit_test(test_late_arrivals), cmocka_unit_test(test_late_repeats), cmocka_unit_test(test_late_forgets),
        cmocka_unit_test(test_places), cmocka_unit_test(test_places_after_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
