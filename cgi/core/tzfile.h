/* tzfile.h — UTC offsets of IANA time zones, read from the system's TZif files
 * (RFC 8536: versions 1 to 4, with the POSIX TZ footer for times after the last transition).
 * Pages show times in the viewer's zone (view/localtime.c); libc's localtime_r reads the
 * process-wide TZ, which threads serving different people cannot share. */
#ifndef PARLEY_TZFILE_H
#define PARLEY_TZFILE_H

#include <stddef.h>

typedef struct tz_zone tz_zone;

/* Parses one TZif file's bytes; NULL when they are not a well-formed TZif file. The zone is
 * the caller's (tz_free). */
tz_zone *tz_parse(const unsigned char *data, size_t n);
void tz_free(tz_zone *z);

/* Seconds east of UTC in zone z at Unix time t (z NULL: 0, UTC). */
long tz_offset(const tz_zone *z, long long t);

/* The zone named name (an IANA name such as "America/New_York") from $TZDIR or
 * /usr/share/zoneinfo, read once and kept for the life of the process (so never freed);
 * NULL when the name is not a zone there. Thread-safe. */
const tz_zone *tz_zone_get(const char *name);

/* 1 when name has the shape of a zone name: letters, digits, "_", "-", "+" and "/"
 * between parts, no "." parts, 1 to 64 characters. Says nothing about whether it exists. */
int tz_name_ok(const char *name);

#endif
