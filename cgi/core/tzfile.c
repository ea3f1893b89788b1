/* tzfile.c — see tzfile.h. A zone is the transitions of its TZif file's 64-bit block (the
 * 32-bit one for a version 1 file) and, from its footer, the POSIX TZ rule that gives every
 * later time (files built "slim" keep only the rule from the last change of law onward). */
#include "tzfile.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A POSIX TZ date: 'J' Julian day 1–365 (February 29 never counted), 'D' zero-based day
 * 0–365 (counted), 'M' day d (0 Sunday) of week w (5: the last) of month m; at secs local. */
typedef struct tz_rule {
    char kind;
    int m, w, d, n;
    long secs;
} tz_rule;

struct tz_zone {
    size_t ntrans, ntypes;
    long long *trans;          /* ascending transition times, owned */
    unsigned char *idx;        /* the type from each transition on, owned */
    long *utoff;               /* each type's seconds east of UTC, owned */
    int has_rule;              /* the footer gave a rule for after the last transition */
    int has_dst;
    long std_off, dst_off;     /* seconds east of UTC */
    tz_rule start, end;        /* when daylight time starts and ends (has_dst) */
};

void tz_free(tz_zone *z)
{
    if (!z) return;
    free(z->trans);
    free(z->idx);
    free(z->utoff);
    free(z);
}

static unsigned long long tz_be(const unsigned char *p, int n)
{
    unsigned long long v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* ---- the POSIX TZ string (footer) ---- */

static const char *tz_name_part(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e && e > s + 1 ? e + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hh at most max_h; *out in seconds. */
static const char *tz_hms(const char *s, int max_h, long *out)
{
    int neg = 0;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    long part[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (k && *s != ':') break;
        if (k) s++;
        if (*s < '0' || *s > '9') return NULL;
        long v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 3) v = v * 10 + (*s++ - '0'), digits++;
        if (*s >= '0' && *s <= '9') return NULL;
        if ((k == 0 && v > max_h) || (k > 0 && v > 59)) return NULL;
        part[k] = v;
    }
    long v = part[0] * 3600 + part[1] * 60 + part[2];
    *out = neg ? -v : v;
    return s;
}

static const char *tz_num(const char *s, int lo, int hi, int *out)
{
    if (*s < '0' || *s > '9') return NULL;
    int v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        if (v > hi) return NULL;
    }
    if (v < lo) return NULL;
    *out = v;
    return s;
}

static const char *tz_date(const char *s, tz_rule *r)
{
    memset(r, 0, sizeof *r);
    if (*s == 'J') {
        r->kind = 'J';
        s = tz_num(s + 1, 1, 365, &r->n);
    } else if (*s == 'M') {
        r->kind = 'M';
        s = tz_num(s + 1, 1, 12, &r->m);
        if (s && *s == '.') s = tz_num(s + 1, 1, 5, &r->w); else s = NULL;
        if (s && *s == '.') s = tz_num(s + 1, 0, 6, &r->d); else s = NULL;
    } else {
        r->kind = 'D';
        s = tz_num(s, 0, 365, &r->n);
    }
    if (!s) return NULL;
    r->secs = 7200;
    if (*s == '/') s = tz_hms(s + 1, 167, &r->secs);
    return s;
}

/* Parses a footer into z; 0 when it is not a TZ string. An empty one gives no rule. */
static int tz_footer(tz_zone *z, const char *s)
{
    if (!*s) return 1;
    long off;
    if (!(s = tz_name_part(s)) || !(s = tz_hms(s, 24, &off))) return 0;
    z->std_off = -off;
    z->has_rule = 1;
    if (!*s) return 1;
    if (!(s = tz_name_part(s))) return 0;
    z->has_dst = 1;
    z->dst_off = z->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = tz_hms(s, 24, &off))) return 0;
        z->dst_off = -off;
    }
    if (!*s) {                             /* no rule: the United States' since 2007 */
        z->start = (tz_rule){'M', 3, 2, 0, 0, 7200};
        z->end = (tz_rule){'M', 11, 1, 0, 0, 7200};
        return 1;
    }
    if (*s != ',' || !(s = tz_date(s + 1, &z->start))) return 0;
    if (*s != ',' || !(s = tz_date(s + 1, &z->end))) return 0;
    return *s == '\0';
}

/* ---- the TZif file ---- */

/* The counts of one header: isut, isstd, leap, time, type, char. */
static int tz_header(const unsigned char *p, size_t n, unsigned long long cnt[6])
{
    if (n < 44 || memcmp(p, "TZif", 4)) return 0;
    for (int i = 0; i < 6; i++) cnt[i] = tz_be(p + 20 + 4 * i, 4);
    return 1;
}

static unsigned long long tz_block_len(const unsigned long long cnt[6], int tsize)
{
    return cnt[3] * tsize + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
}

tz_zone *tz_parse(const unsigned char *data, size_t n)
{
    unsigned long long cnt[6];
    if (!tz_header(data, n, cnt)) return NULL;
    int version = data[4];
    if (version != 0 && (version < '2' || version > '9')) return NULL;
    unsigned long long len = tz_block_len(cnt, 4);
    if (len > n - 44) return NULL;
    const unsigned char *p = data + 44;
    int tsize = 4;
    size_t rest = n - 44 - len;
    if (version) {                         /* the 64-bit block follows the 32-bit one */
        p += len;
        if (!tz_header(p, rest, cnt)) return NULL;
        len = tz_block_len(cnt, 8);
        if (len > rest - 44) return NULL;
        p += 44;
        rest -= 44 + len;
        tsize = 8;
    }
    unsigned long long ntrans = cnt[3], ntypes = cnt[4];
    if (ntypes < 1 || ntypes > 256 || (cnt[0] && cnt[0] != ntypes) || (cnt[1] && cnt[1] != ntypes)) return NULL;
    tz_zone *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    z->ntrans = ntrans;
    z->ntypes = ntypes;
    z->trans = malloc((ntrans ? ntrans : 1) * sizeof *z->trans);
    z->idx = malloc(ntrans ? ntrans : 1);
    z->utoff = malloc(ntypes * sizeof *z->utoff);
    if (!z->trans || !z->idx || !z->utoff) goto bad;
    for (size_t i = 0; i < ntrans; i++) {
        unsigned long long v = tz_be(p + i * tsize, tsize);
        z->trans[i] = tsize == 4 ? (long long)(int32_t)(uint32_t)v : (long long)v;
        if (i && z->trans[i] <= z->trans[i - 1]) goto bad;
    }
    p += ntrans * tsize;
    for (size_t i = 0; i < ntrans; i++) {
        z->idx[i] = p[i];
        if (p[i] >= ntypes) goto bad;
    }
    p += ntrans;
    for (size_t i = 0; i < ntypes; i++) {
        int32_t off = (int32_t)(uint32_t)tz_be(p + 6 * i, 4);
        if (off == INT32_MIN || off < -25 * 3600 || off > 26 * 3600 || p[6 * i + 4] > 1 || p[6 * i + 5] >= cnt[5]) goto bad;
        z->utoff[i] = off;
    }
    p += len - ntrans * tsize - ntrans;     /* past the rest of the block */
    if (version) {                          /* "\n" footer "\n" */
        if (rest < 2 || p[0] != '\n') goto bad;
        const unsigned char *e = memchr(p + 1, '\n', rest - 1);
        if (!e || e - p - 1 > 255) goto bad;
        char footer[256];
        memcpy(footer, p + 1, (size_t)(e - p - 1));
        footer[e - p - 1] = '\0';
        if (!tz_footer(z, footer)) goto bad;
    }
    return z;
bad:
    tz_free(z);
    return NULL;
}

/* ---- offsets ---- */

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
static long long tz_days(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int tz_leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* The year of a day number (days since 1970-01-01). */
static long long tz_year(long long z)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

static long long tz_floordiv(long long a, long long b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* The day (days since 1970-01-01) a rule names in year y. */
static long long tz_rule_day(const tz_rule *r, long long y)
{
    if (r->kind == 'J') return tz_days(y, 1, 1) + r->n - 1 + (tz_leap(y) && r->n >= 60);
    if (r->kind == 'D') return tz_days(y, 1, 1) + r->n;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long first = tz_days(y, r->m, 1);
    int wd = (int)(((first + 4) % 7 + 7) % 7);       /* 1970-01-01 was a Thursday */
    long long day = first + (r->d - wd + 7) % 7 + 7LL * (r->w - 1);
    long long last = first + mdays[r->m - 1] - 1 + (r->m == 2 && tz_leap(y));
    while (day > last) day -= 7;
    return day;
}

static long tz_rule_offset(const tz_zone *z, long long t)
{
    if (!z->has_dst) return z->std_off;
    long long y = tz_year(tz_floordiv(t + z->std_off, 86400));
    long long s = tz_rule_day(&z->start, y) * 86400 + z->start.secs - z->std_off;
    long long e = tz_rule_day(&z->end, y) * 86400 + z->end.secs - z->dst_off;
    if (s < e) return t >= s && t < e ? z->dst_off : z->std_off;
    return t >= e && t < s ? z->std_off : z->dst_off;
}

long tz_offset(const tz_zone *z, long long t)
{
    if (!z) return 0;
    if (z->ntrans == 0) return z->has_rule ? tz_rule_offset(z, t) : z->utoff[0];
    if (t < z->trans[0]) return z->utoff[0];
    if (t >= z->trans[z->ntrans - 1] && z->has_rule) return tz_rule_offset(z, t);
    size_t lo = 0, hi = z->ntrans;                /* the last transition at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t) lo = mid; else hi = mid;
    }
    return z->utoff[z->idx[lo]];
}

/* ---- zones by name ---- */

int tz_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 64 || name[0] == '/' || name[n - 1] == '/' || strstr(name, "//")) return 0;
    if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/") != n) return 0;
    return 1;
}

/* Zones read so far, kept for the life of the process (they are few: the zones people chose). */
typedef struct tz_cached {
    char name[65];
    tz_zone *z;
    struct tz_cached *next;
} tz_cached;
static tz_cached *tz_cache;
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static tz_zone *tz_load(const char *name)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    if (!dir || !*dir) dir = "/usr/share/zoneinfo";
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    tz_zone *z = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= 1 << 20) {
        unsigned char *b = malloc((size_t)st.st_size);
        size_t got = 0;
        while (b && got < (size_t)st.st_size) {
            ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            got += (size_t)k;
        }
        if (b && got == (size_t)st.st_size) z = tz_parse(b, got);
        free(b);
    }
    close(fd);
    return z;
}

const tz_zone *tz_zone_get(const char *name)
{
    if (!tz_name_ok(name)) return NULL;
    pthread_mutex_lock(&tz_lock);
    tz_cached *k = tz_cache;
    while (k && strcmp(k->name, name)) k = k->next;
    if (!k) {
        tz_zone *z = tz_load(name);
        if (z && (k = calloc(1, sizeof *k))) {
            snprintf(k->name, sizeof k->name, "%s", name);
            k->z = z;
            k->next = tz_cache;
            tz_cache = k;
        } else {
            tz_free(z);
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return k ? k->z : NULL;
}
