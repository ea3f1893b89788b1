/* follow.h — the events hub's account of event ids: which ones Redis brought (seen), and
 * which the log reader still has to look at. Each round, the follower thread reads the ids
 * event_log holds above its position; an id the hub saw on Redis is settled; one it did not
 * see is delivered from the log once it is FOLLOW_REPAIR_MS old (so the doorbell, a moment
 * late, does not race it); an id missing from the log (a transaction not yet committed, a
 * rolled-back one, an ephemeral event) is asked for again each round for FOLLOW_GAP_MS,
 * then given up. Thread-safe (its own mutex): the Redis reader marks, the follower plans. */
#ifndef PARLEY_FOLLOW_H
#define PARLEY_FOLLOW_H
#include <stddef.h>

enum {
    FOLLOW_REPAIR_MS = 500,      /* an unseen logged event is delivered from the log after this */
    FOLLOW_GAP_MS = 15000,       /* a missing id is waited for this long (longer than any send) */
    FOLLOW_MAX_GAPS = 20000,     /* more missing ids than this in one round are not tracked */
    FOLLOW_SEEN_MS = 60000,      /* seen ids above the position are forgotten after this */
    FOLLOW_ARRIVALS = 65536,     /* ids remembered in the order they reached the hub (512 KB,
                                    and 2 MB for the map of their places) */
};

/* Where following starts: ids up to start are settled (the sequence's value at start). */
void follow_init(long long start);
/* Redis brought id (the hub delivered it). */
void follow_seen(long long id, long long now_ms);
/* The highest id read from the log, and the unsettled ids at or below it (malloc'd into
 * *ids, the caller frees; *n of them), for the next round's two queries. */
long long follow_plan(long long **ids, size_t *n);
/* One round's answers: the ids (ascending) found above the position hi that follow_plan
 * gave, and those found among its unsettled ids, each with its age. Returns the ids to
 * deliver from the log now (malloc'd into *repair, the caller frees; *nrepair). */
typedef struct follow_row {
    long long id, age_ms;
} follow_row;
void follow_round(long long hi, const follow_row *fresh, size_t nfresh, const follow_row *again, size_t nagain,
                  long long now_ms, long long **repair, size_t *nrepair);
/* The order events reach this hub, for a stream that reconnects here from another hub.
 * Ids are taken before commit, so an event can arrive after one with a higher id; every hub
 * hears the same Redis and the same log, so they arrive in nearly the same order everywhere.
 * follow_arrived notes one as it is delivered (hub.c, under the hub's lock, so an event
 * noted is in every buffer it goes to); only its first arrival counts (its copies for
 * several recipients, from Redis and the log, are not noted again while it is remembered). */
void follow_arrived(long long id);
/* The ids below last that arrived after it (among the last FOLLOW_ARRIVALS): what a stream
 * that got last may not have had. Ascending, malloc'd into *ids (the caller frees; NULL when none). 0, or -1 when last is not
 * among them (arrived before, or never here) or memory ran out: then nothing is known. */
int follow_late(long long last, long long **ids, size_t *n);
/* For each of ids[0..n), the number of its arrival (counted since start; later ones arrived
 * later), or -1 when it is not among the last FOLLOW_ARRIVALS (arrived before them,
 * or not yet). A long-poll asked `after` an event gets those whose number is above it. */
void follow_places(const long long *ids, size_t n, long long *place);
/* The id that arrived last, or -1 when none has. */
long long follow_newest(void);

/* For the benchmark and the logs: the position, and how many ids are waited for / seen. */
void follow_counts(long long *done, size_t *pending, size_t *seen);

#endif
