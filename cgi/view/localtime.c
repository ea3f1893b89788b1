/* localtime.c — see localtime.h. */
#include "localtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static long long lt_days(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void lt_civil(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static long long lt_floordiv(long long a, long long b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static int lt_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int view_iso_parse(const char *iso, long long *t)
{
    int y, mo, d, h, mi, s;
    if (!iso || strlen(iso) < 20 || !lt_digits(iso, 4, &y) || iso[4] != '-' || !lt_digits(iso + 5, 2, &mo) ||
        iso[7] != '-' || !lt_digits(iso + 8, 2, &d) || (iso[10] != 'T' && iso[10] != ' ') || !lt_digits(iso + 11, 2, &h) ||
        iso[13] != ':' || !lt_digits(iso + 14, 2, &mi) || iso[16] != ':' || !lt_digits(iso + 17, 2, &s))
        return 0;
    const char *p = iso + 19;
    if (*p == '.') for (p++; *p >= '0' && *p <= '9'; p++) {}
    if (strcmp(p, "Z") && strcmp(p, "+00:00") && strcmp(p, "+00")) return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return 0;
    *t = lt_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 1;
}

void view_time_text(const char *iso, const tz_zone *z, long long now, const char *style, int h24, char *out, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    long long t;
    if (!n) return;
    if (!view_iso_parse(iso, &t)) { snprintf(out, n, "%s", iso ? iso : ""); return; }
    long long lt = t + tz_offset(z, t), ln = now + tz_offset(z, now);
    long long day = lt_floordiv(lt, 86400), today = lt_floordiv(ln, 86400), y, ny;
    int m, d, nm, nd;
    lt_civil(day, &y, &m, &d);
    lt_civil(today, &ny, &nm, &nd);
    int secs = (int)(lt - day * 86400), hh = secs / 3600, mm = secs / 60 % 60;
    char clock[16];                                   /* "3:05 PM", or "15:05" */
    if (h24) snprintf(clock, sizeof clock, "%02d:%02d", hh, mm);
    else snprintf(clock, sizeof clock, "%d:%02d %s", hh % 12 ? hh % 12 : 12, mm, hh < 12 ? "AM" : "PM");
    if (style && !strcmp(style, "day"))
        snprintf(out, n, "%04lld-%02d-%02d", y, m, d);
    else if (style && !strcmp(style, "long"))
        snprintf(out, n, "%s %d, %lld, %s", mon[m - 1], d, y, clock);
    else if (day == today)
        snprintf(out, n, "%s", clock);
    else if (y == ny)
        snprintf(out, n, "%s %d", mon[m - 1], d);
    else
        snprintf(out, n, "%04lld-%02d-%02d", y, m, d);
}

/* local_time(iso, style): the result is malloc'd and owned by ClearSilver (alloc = 1). */
static NEOERR *lt_fn(CSPARSE *parse, CS_FUNCTION *csf, CSARG *args, CSARG *result)
{
    (void)csf;
    char *iso = NULL, *style = NULL;
    result->op_type = CS_TYPE_STRING;
    result->s = "";
    result->alloc = 0;
    NEOERR *err = cs_arg_parse(parse, args, "ss", &iso, &style);
    if (err != STATUS_OK) return nerr_pass(err);
    if (iso && *iso) {
        /* The zone of the thread's last lookup: a page asks for one zone many times. */
        static _Thread_local char last_name[65];
        static _Thread_local const tz_zone *last_zone;
        const char *name = hdf_get_value(parse->hdf, "Session.time_zone", "UTC");
        if (!last_zone || strcmp(name, last_name)) {
            last_zone = tz_zone_get(name);
            snprintf(last_name, sizeof last_name, "%s", last_zone ? name : "");
        }
        const tz_zone *z = last_zone;
        char text[64];
        int h24 = hdf_get_int_value(parse->hdf, "Session.clock24", 0) == 1;
        view_time_text(iso, z, (long long)time(NULL), style, h24, text, sizeof text);
        char *s = strdup(text);
        if (s) { result->s = s; result->alloc = 1; }
    }
    free(iso);
    free(style);
    return STATUS_OK;
}

NEOERR *view_localtime_register(CSPARSE *cs)
{
    return cs_register_function(cs, "local_time", 2, lt_fn);
}
