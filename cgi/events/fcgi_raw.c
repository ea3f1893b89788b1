/* fcgi_raw.c — see fcgi_raw.h. Record layout: FastCGI 1.0, section 3.3. */
#include "fcgi_raw.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { REC_MAX = 65535, FCGI_STDOUT = 6, FCGI_END_REQUEST = 3, HDR = 8 };

static void header(unsigned char *h, int type, int id, size_t len)
{
    h[0] = 1;                                   /* FCGI_VERSION_1 */
    h[1] = (unsigned char)type;
    h[2] = (unsigned char)((id >> 8) & 0xff);
    h[3] = (unsigned char)(id & 0xff);
    h[4] = (unsigned char)((len >> 8) & 0xff);
    h[5] = (unsigned char)(len & 0xff);
    h[6] = 0;                                   /* no padding */
    h[7] = 0;
}

size_t fcgi_raw_size(size_t n) { return n + HDR * (n / REC_MAX + (n % REC_MAX != 0)); }

size_t fcgi_raw_encode(int id, const char *p, size_t n, unsigned char *out)
{
    size_t at = 0;
    while (n) {
        size_t k = n < REC_MAX ? n : REC_MAX;
        header(out + at, FCGI_STDOUT, id, k);
        memcpy(out + at + HDR, p, k);
        at += HDR + k;
        p += k;
        n -= k;
    }
    return at;
}

void fcgi_raw_detach(FCGX_Request *fr, fcgi_raw *out)
{
    out->fd = fr->ipcFd;
    out->id = fr->requestId;
    /* FCGX_Finish_r closes (and so terminates) the output streams only when the input
     * stream exists, and closes the socket only without keepConnection: with neither, it
     * just frees the streams and the parameters. */
    FCGX_FreeStream(&fr->in);
    fr->keepConnection = 1;
    FCGX_Finish_r(fr);
    free(fr);
}

/* Writes all of p[0..n) to fd; a blocking socket may take it in pieces (EINTR retried). */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int fcgi_raw_write(const fcgi_raw *c, const char *p, size_t n)
{
    if (c->fd < 0) return -1;
    if (!n) return 0;                           /* an empty STDOUT record would end the output */
    unsigned char small[2048];
    size_t need = fcgi_raw_size(n);
    unsigned char *b = need <= sizeof small ? small : malloc(need);   /* freed below */
    if (!b) return -1;
    size_t len = fcgi_raw_encode(c->id, p, n, b);
    int rc = write_all(c->fd, b, len);
    if (b != small) free(b);
    return rc;
}

void fcgi_raw_end(fcgi_raw *c)
{
    if (c->fd < 0) return;
    unsigned char end[HDR + HDR + 8];
    header(end, FCGI_STDOUT, c->id, 0);                      /* the end of the output */
    header(end + HDR, FCGI_END_REQUEST, c->id, 8);
    memset(end + 2 * HDR, 0, 8);                             /* app status 0, FCGI_REQUEST_COMPLETE */
    (void)write_all(c->fd, end, sizeof end);
    close(c->fd);
    c->fd = -1;
}
