/* log.c — timestamped lines; a single fprintf per line keeps threads from interleaving. */
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void log_msg(const char *level, const char *fmt, ...)
{
    char msg[1024], ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", ts, level, msg);
}

void log_json(const char *line)
{
    fprintf(stderr, "%s\n", line);
}
