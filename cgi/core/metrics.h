/* metrics.h — counters and latency histograms kept in memory by each process and written in
 * Prometheus's text format (GET /metrics): requests per route and status class, PostgreSQL
 * and Redis call latency. Updates are lock-free atomics, safe from every thread; readers
 * may see a histogram a few observations apart from its count, as Prometheus allows. */
#ifndef PARLEY_METRICS_H
#define PARLEY_METRICS_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum { MET_BUCKETS = 12 };   /* upper bounds in metrics.c, then +Inf */

typedef struct met_hist {
    _Atomic uint64_t bucket[MET_BUCKETS + 1];   /* per bound, not cumulative (+Inf last) */
    _Atomic uint64_t sum_us;
} met_hist;

/* Microseconds since an arbitrary start (CLOCK_MONOTONIC). */
uint64_t met_now_us(void);
void met_observe(met_hist *h, uint64_t us);
/* Appends h as a Prometheus histogram: name_bucket{labels,le=…}, name_sum, name_count (in
 * seconds). labels is "" or `key="value",…` (already escaped). */
void met_write_hist(buf *b, const char *name, const char *labels, const met_hist *h);

/* The process's own: PostgreSQL and Redis calls (cgi/store) and requests per route. */
extern met_hist met_db, met_kv;
/* Sizes the per-route table once, before threads start; route -1 counts unmatched paths. */
int met_routes_init(size_t nroutes);
void met_request(long route, int status, uint64_t us);
/* Appends parley_http_requests_total and parley_http_request_duration_seconds; name(i)
 * gives route i's label ("GET /conversations/:id"). */
void met_write_routes(buf *b, const char *(*name)(size_t i, void *ud), void *ud);

#endif
