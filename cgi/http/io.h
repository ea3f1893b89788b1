/* io.h — where a request's bytes come from and go to: a FastCGI request, or stdin/stdout
 * and the process environment when running as plain CGI. */
#ifndef PARLEY_IO_H
#define PARLEY_IO_H
#include <stddef.h>
#include <fcgiapp.h>

typedef struct http_io {
    FCGX_Request *fr;   /* NULL in CGI mode */
} http_io;

char **io_envp(http_io *io);
const char *io_getenv(void *envp, const char *name);   /* req_env_fn over an envp array */
/* Reads up to n bytes; returns the count, 0 at end of input. */
size_t io_read(http_io *io, char *p, size_t n);
int io_write(http_io *io, const char *p, size_t n);   /* 0 or -1 */
void io_flush(http_io *io);

#endif
