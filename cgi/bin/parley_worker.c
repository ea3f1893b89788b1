/* parley_worker.c — parley-worker: runs background jobs from the PostgreSQL queue
 * (cgi/worker/). PARLEY_WORKER_THREADS threads, each with its own PostgreSQL and Redis
 * connections; libvips is started once here for the media jobs. SIGTERM or SIGINT lets
 * every thread finish its job, then exits. Wiring only. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>
#include "../core/config.h"
#include "../core/log.h"
#include "../view/render.h"
#include "../worker/mail.h"
#include "../worker/media_proc.h"
#include "../worker/runner.h"

/* Test hook: PARLEY_JOB_TEST_DELAY_MS makes every thread wait that long between claiming a
 * job and running it, so tests can kill a worker in the middle of a job. Never set it in
 * production. */
static long test_delay_ms(void)
{
    const char *v = getenv("PARLEY_JOB_TEST_DELAY_MS");
    char *end;
    long ms = v && *v ? strtol(v, &end, 10) : 0;
    if (v && *v && (*end || ms < 0 || ms > 600000)) {
        log_warn("PARLEY_JOB_TEST_DELAY_MS must be milliseconds from 0 to 600000; ignored");
        return 0;
    }
    if (ms) log_warn("test hook: every job waits %ld ms before it runs (PARLEY_JOB_TEST_DELAY_MS)", ms);
    return ms;
}

int main(int argc, char **argv)
{
    (void)argc;
    static config cfg;
    char err[512];
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "parley-worker: configuration: %s\n", err);
        return 2;
    }
    if (sodium_init() < 0) return 1;
    if (media_proc_init(argv[0])) {
        fprintf(stderr, "parley-worker: libvips cannot start\n");
        return 1;
    }
    json_object_seed(0);
    if (view_init() || mail_init()) {                 /* mail: ClearSilver templates, libcurl */
        fprintf(stderr, "parley-worker: cannot start ClearSilver or libcurl\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Only this thread takes SIGTERM and SIGINT (sigwait below); the workers inherit the mask. */
    sigset_t stop_sigs;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGTERM);
    sigaddset(&stop_sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    int wake[2];                                 /* written once: wakes every sleeping thread */
    if (pipe(wake)) { perror("parley-worker: pipe"); return 1; }
    static atomic_int stopping;
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    int n = cfg.worker_threads;
    runner *rs = calloc((size_t)n, sizeof *rs);
    pthread_t *ts = calloc((size_t)n, sizeof *ts);
    if (!rs || !ts) return 1;
    long delay = test_delay_ms();
    for (int i = 0; i < n; i++) {
        rs[i] = (runner){.cfg = &cfg, .index = i, .test_delay_ms = delay, .wake_fd = wake[0], .stopping = &stopping};
        snprintf(rs[i].owner, sizeof rs[i].owner, "%.60s:%ld/%d", host, (long)getpid(), i);
        if (pthread_create(&ts[i], NULL, runner_main, &rs[i])) { perror("parley-worker: thread"); return 1; }
    }
    log_info("parley-worker %s:%ld running %d threads (lease %ld s, poll %ld s, backoff %ld s)", host,
             (long)getpid(), n, cfg.job_lease, cfg.job_poll, cfg.job_backoff);
    int sig = 0;
    while (sigwait(&stop_sigs, &sig) == EINTR) {}
    log_info("parley-worker: signal %d, finishing running jobs", sig);
    atomic_store(&stopping, 1);
    if (write(wake[1], "x", 1) != 1) log_warn("parley-worker: cannot wake the threads");
    for (int i = 0; i < n; i++) pthread_join(ts[i], NULL);
    log_info("parley-worker: stopped");
    free(rs);
    free(ts);
    media_proc_shutdown();
    mail_shutdown();
    config_free(&cfg);
    return 0;
}
