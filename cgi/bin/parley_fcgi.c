/* parley_fcgi.c — the page and API server: a fixed pool of worker threads, each owning one
 * PostgreSQL and one Redis connection, taking FastCGI requests in turn. Started as plain
 * CGI (no FastCGI socket), it serves the one request and exits. Wiring only. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <sodium.h>
#include "../app/dispatch.h"
#include "../app/sesscache.h"
#include "../app/smallsite.h"
#include "../app/users.h"
#include "../core/log.h"
#include "../store/dbgroup.h"
#include "../view/render.h"

static config cfg;
static int listen_fd;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

/* Stopping drains: SIGTERM (or SIGINT) wakes the drain thread through a pipe (libfcgi's own
 * handler would leave threads blocked in accept()). It lets the listening socket's queue
 * empty for a moment (a newer parley.fcgi may have taken the socket's path: connections
 * already queued here are still answered), then shuts the socket so that every thread
 * finishes the request it holds and leaves. A second signal, or DRAIN_MAX_S, ends the
 * process at once; every request's data is committed as it goes, so nothing is lost. */
enum { DRAIN_GRACE_MS = 300, DRAIN_MAX_S = 20 };
static int term_pipe[2] = {-1, -1};
static _Atomic int draining;                     /* lock-free: safe in a signal handler */

static void on_term(int sig)
{
    (void)sig;
    if (atomic_exchange(&draining, 1)) _exit(0);
    alarm(DRAIN_MAX_S);                              /* SIGALRM's default action ends us */
    ssize_t w = write(term_pipe[1], "x", 1);
    (void)w;
}

static void *drain_main(void *arg)
{
    (void)arg;
    char ch;
    while (read(term_pipe[0], &ch, 1) < 0) {}
    log_info("parley.fcgi: stopping: finishing the requests in progress");
    usleep(DRAIN_GRACE_MS * 1000);
    shutdown(listen_fd, SHUT_RDWR);                  /* accept() returns in every thread */
    return NULL;
}

static void *worker_main(void *arg)
{
    (void)arg;
    worker w;
    worker_init(&w, &cfg);
    FCGX_Request fr;
    if (FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
        log_error("FCGX_InitRequest failed");
        worker_free(&w);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&accept_lock);       /* one thread in accept at a time */
        int rc = FCGX_Accept_r(&fr);
        pthread_mutex_unlock(&accept_lock);
        if (rc < 0) break;
        http_io io = {.fr = &fr};
        dispatch(&w, &io);
        FCGX_Finish_r(&fr);
    }
    worker_free(&w);
    return NULL;
}

static int serve_cgi(void)
{
    worker w;
    worker_init(&w, &cfg);
    http_io io = {.fr = NULL};
    dispatch(&w, &io);
    fflush(stdout);
    worker_free(&w);
    return 0;
}

int main(void)
{
    char err[512];
    if (config_load(&cfg, err, sizeof err)) {
        fprintf(stderr, "parley.fcgi: configuration: %s\n", err);
        return 2;
    }
    if (sodium_init() < 0 || view_init()) {
        fprintf(stderr, "parley.fcgi: cannot initialise libsodium or ClearSilver\n");
        return 1;
    }
    json_object_seed(0);
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) { fprintf(stderr, "parley.fcgi: FCGX_Init failed\n"); return 1; }
    if (!*cfg.listen && FCGX_IsCGI()) {
        users_init_lazy(&cfg);          /* an Argon2 hash per request would cost ~0.3 s */
        int rc = serve_cgi();
        config_free(&cfg);
        return rc;
    }
    if (users_init(&cfg)) { fprintf(stderr, "parley.fcgi: cannot make the dummy password hash\n"); return 1; }
    if (pipe(term_pipe)) { fprintf(stderr, "parley.fcgi: pipe: cannot set up stopping\n"); return 1; }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    listen_fd = 0;                                   /* spawned by the web server */
    if (*cfg.listen) {
        if (cfg.listen[0] == '/') unlink(cfg.listen); /* a stale socket from a crash */
        mode_t old = umask(0007);
        listen_fd = FCGX_OpenSocket(cfg.listen, 1024);
        umask(old);
        if (listen_fd < 0) {
            fprintf(stderr, "parley.fcgi: cannot listen on %s\n", cfg.listen);
            return 1;
        }
    }
    /* Sessions kept across requests, right while a subscription hears their revocations. */
    if (!small_site(&cfg) && sesscache_start(&cfg)) { fprintf(stderr, "parley.fcgi: cannot start the session cache\n"); return 1; }
    /* Sends run side by side up to half the threads or the cores, whichever is fewer (at
     * least 2); beyond that they queue and commit in groups (dbgroup.h). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int leaders = cfg.threads / 2 < cores ? cfg.threads / 2 : (int)cores;
    dbgroup_init(leaders < 2 ? 2 : leaders);
    log_info("parley.fcgi listening on %s with %d threads", *cfg.listen ? cfg.listen : "fd 0", cfg.threads);
    pthread_t drainer;
    if (pthread_create(&drainer, NULL, drain_main, NULL)) { fprintf(stderr, "parley.fcgi: cannot start the drain thread\n"); return 1; }
    pthread_detach(drainer);
    pthread_t *threads = calloc((size_t)cfg.threads, sizeof *threads);
    if (!threads) return 1;
    for (int i = 0; i < cfg.threads; i++)
        if (pthread_create(&threads[i], NULL, worker_main, NULL)) {
            fprintf(stderr, "parley.fcgi: cannot start thread %d\n", i);
            return 1;
        }
    for (int i = 0; i < cfg.threads; i++) pthread_join(threads[i], NULL);
    if (draining) log_info("parley.fcgi: stopped");
    free(threads);
    config_free(&cfg);
    return 0;
}
