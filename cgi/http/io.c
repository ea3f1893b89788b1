/* io.c — see io.h. */
#include "io.h"
#include <stdio.h>
#include <string.h>

extern char **environ;

char **io_envp(http_io *io) { return io->fr ? io->fr->envp : environ; }

const char *io_getenv(void *envp, const char *name)
{
    size_t n = strlen(name);
    for (char **e = envp; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

size_t io_read(http_io *io, char *p, size_t n)
{
    if (io->fr) {
        int got = FCGX_GetStr(p, (int)n, io->fr->in);
        return got > 0 ? (size_t)got : 0;
    }
    return fread(p, 1, n, stdin);
}

int io_write(http_io *io, const char *p, size_t n)
{
    if (io->fr) return FCGX_PutStr(p, (int)n, io->fr->out) == (int)n ? 0 : -1;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

void io_flush(http_io *io)
{
    if (io->fr) FCGX_FFlush(io->fr->out);
    else fflush(stdout);
}
