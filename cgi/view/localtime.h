/* localtime.h — times on pages in the viewer's time zone, without JavaScript: the template
 * function local_time(iso, style) reads the zone from Session.time_zone of the page's HDF, and
 * the clock from Session.clock24 ("1": 24-hour). */
#ifndef PARLEY_LOCALTIME_H
#define PARLEY_LOCALTIME_H
#include <ClearSilver.h>
#include <stddef.h>
#include "../core/tzfile.h"

/* Unix time of "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or "+00:00"); 0 when iso is not that. */
int view_iso_parse(const char *iso, long long *t);
/* iso written for a reader in zone z (NULL: UTC) at Unix time now, into out (n bytes):
 * style "short": today's as "3:00 PM", this year's as "Mar 5", older as "2025-03-05";
 * "long": "Mar 5, 2025, 3:00 PM"; "day": "2025-03-05". With h24 the hour is "15:00".
 * iso itself when it is not a time. */
void view_time_text(const char *iso, const tz_zone *z, long long now, const char *style, int h24, char *out, size_t n);
/* Registers local_time(iso, style) with a parser, before it parses; NEOERR as ClearSilver's. */
NEOERR *view_localtime_register(CSPARSE *cs);

#endif
