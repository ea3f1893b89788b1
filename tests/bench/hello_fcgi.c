/* hello_fcgi.c — the ceiling of the FastCGI path: a libfcgi responder that does nothing but
 * answer, with as many threads as parley.fcgi. The bench puts it behind the same lighttpd. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcgiapp.h>

static int sock;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *serve(void *arg)
{
    (void)arg;
    FCGX_Request r;
    FCGX_InitRequest(&r, sock, 0);
    for (;;) {
        pthread_mutex_lock(&lock);
        int rc = FCGX_Accept_r(&r);
        pthread_mutex_unlock(&lock);
        if (rc < 0) break;
        FCGX_FPrintF(r.out, "Status: 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 15\r\n\r\n{\"hello\":true}\n");
        FCGX_Finish_r(&r);
    }
    return NULL;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: hello.fcgi SOCKET [THREADS]\n"); return 2; }
    int n = argc > 2 ? atoi(argv[2]) : 8;
    FCGX_Init();
    signal(SIGTERM, on_term);
    unlink(argv[1]);
    sock = FCGX_OpenSocket(argv[1], 1024);
    if (sock < 0) { perror("listen"); return 1; }
    pthread_t t[256];
    if (n < 1 || n > 256) n = 8;
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, serve, NULL);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    return 0;
}
