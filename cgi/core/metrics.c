/* metrics.c — see metrics.h. */
#include "metrics.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Bucket bounds in microseconds: 1 ms to 10 s, the range a chat request lives in. */
static const uint64_t met_bounds[MET_BUCKETS] = {1000, 2500, 5000, 10000, 25000, 50000, 100000,
                                                 250000, 500000, 1000000, 2500000, 10000000};

met_hist met_db, met_kv;

typedef struct met_route {
    met_hist latency;
    _Atomic uint64_t status[6];    /* by status / 100: 1xx … 5xx (0 unused) */
} met_route;

static met_route *met_routes;      /* nroutes + 1 (the last: no route matched); never freed */
static size_t met_nroutes;

uint64_t met_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

void met_observe(met_hist *h, uint64_t us)
{
    size_t i = 0;
    while (i < MET_BUCKETS && us > met_bounds[i]) i++;
    atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

void met_write_hist(buf *b, const char *name, const char *labels, const met_hist *h)
{
    uint64_t cum = 0;
    const char *sep = *labels ? "," : "";
    for (size_t i = 0; i <= MET_BUCKETS; i++) {
        cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
        if (i < MET_BUCKETS)
            buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, (double)met_bounds[i] / 1e6,
                       (unsigned long long)cum);
        else
            buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)cum);
    }
    const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
    buf_printf(b, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, open, labels, close,
               (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6, name, open, labels, close,
               (unsigned long long)cum);
}

int met_routes_init(size_t nroutes)
{
    if (met_routes) return 0;
    met_routes = calloc(nroutes + 1, sizeof *met_routes);
    met_nroutes = nroutes;
    return met_routes ? 0 : -1;
}

void met_request(long route, int status, uint64_t us)
{
    if (!met_routes) return;
    size_t i = route >= 0 && (size_t)route < met_nroutes ? (size_t)route : met_nroutes;
    int cls = status / 100;
    if (cls < 1 || cls > 5) cls = 5;
    atomic_fetch_add_explicit(&met_routes[i].status[cls], 1, memory_order_relaxed);
    met_observe(&met_routes[i].latency, us);
}

void met_write_routes(buf *b, const char *(*name)(size_t i, void *ud), void *ud)
{
    if (!met_routes) return;
    buf_puts(b, "# HELP parley_http_requests_total Requests answered, by route and status class.\n"
                "# TYPE parley_http_requests_total counter\n");
    for (size_t i = 0; i <= met_nroutes; i++)
        for (int cls = 1; cls <= 5; cls++) {
            uint64_t n = atomic_load_explicit(&met_routes[i].status[cls], memory_order_relaxed);
            if (n) buf_printf(b, "parley_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n",
                              i < met_nroutes ? name(i, ud) : "unmatched", cls, (unsigned long long)n);
        }
    buf_puts(b, "# HELP parley_http_request_duration_seconds Time from the request's arrival to its answer.\n"
                "# TYPE parley_http_request_duration_seconds histogram\n");
    char labels[300];
    for (size_t i = 0; i <= met_nroutes; i++) {
        uint64_t seen = 0;
        for (int cls = 1; cls <= 5; cls++) seen += atomic_load_explicit(&met_routes[i].status[cls], memory_order_relaxed);
        if (!seen) continue;
        snprintf(labels, sizeof labels, "route=\"%s\"", i < met_nroutes ? name(i, ud) : "unmatched");
        met_write_hist(b, "parley_http_request_duration_seconds", labels, &met_routes[i].latency);
    }
}
