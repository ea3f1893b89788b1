/* fcgi_raw.h — a parked stream's FastCGI connection without libfcgi: once the hub has
 * accepted and answered the headers of a request, it keeps only the socket and the request
 * id and writes FCGI_STDOUT records itself. libfcgi's request holds two 8 KB buffers and the
 * parameters (about 17 KB) for as long as a stream stays open; this holds 8 bytes. */
#ifndef PARLEY_FCGI_RAW_H
#define PARLEY_FCGI_RAW_H
#include <stddef.h>
#include <fcgiapp.h>

typedef struct fcgi_raw {
    int fd;                      /* the web server's connection */
    int id;                      /* the FastCGI request id on it */
} fcgi_raw;

/* Takes the connection of an accepted request whose output so far is flushed: libfcgi's
 * streams and parameters are freed (nothing more is written through them; no
 * FCGI_END_REQUEST yet) and so is fr itself. */
void fcgi_raw_detach(FCGX_Request *fr, fcgi_raw *out);
/* Writes p[0..n) as FCGI_STDOUT records (at most 65,535 bytes each) in one write where it
 * can; 0 when all of it was written. On a non-blocking socket a full buffer is a failure,
 * after which the connection is only fit to be ended. */
int fcgi_raw_write(const fcgi_raw *c, const char *p, size_t n);
/* Ends the request (an empty FCGI_STDOUT and FCGI_END_REQUEST, best effort) and closes
 * the socket. */
void fcgi_raw_end(fcgi_raw *c);
/* The records fcgi_raw_write sends for p[0..n), into out (at least fcgi_raw_size(n)
 * bytes); returns their length. Pure, for the unit test. */
size_t fcgi_raw_size(size_t n);
size_t fcgi_raw_encode(int id, const char *p, size_t n, unsigned char *out);

#endif
