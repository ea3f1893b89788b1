/* preview_url.c — see preview_url.h. out is the caller's. */
#include "preview_url.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "../core/outbound.h"

int preview_image_url(const char *base, const char *ref, char *out, size_t cap)
{
    outbound_url b, u;
    const char *why;
    if (!base || !ref || cap == 0 || outbound_parse(base, &b, &why)) return -1;
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r') ref++;
    size_t n = strcspn(ref, "#");
    while (n && strchr(" \t\r\n", ref[n - 1])) n--;
    if (n == 0) return -1;
    const char *scheme_end = NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = ref[i];
        if (ch == ':') { scheme_end = ref + i; break; }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (i && ((ch >= '0' && ch <= '9') || strchr("+-.", ch)))))
            break;
    }
    /* The base's origin: its scheme, host (v6 in brackets) and port when not the default. */
    char origin[OUTBOUND_HOST_MAX + 32];
    int dflt = b.port == (b.https ? 443 : 80);
    snprintf(origin, sizeof origin, b.ipv6_literal ? "%s://[%s]" : "%s://%s", b.https ? "https" : "http", b.host);
    if (!dflt) snprintf(origin + strlen(origin), sizeof origin - strlen(origin), ":%d", b.port);
    int k;
    if (scheme_end) {
        size_t sl = (size_t)(scheme_end - ref);
        if (!((sl == 4 && !strncasecmp(ref, "http", 4)) || (sl == 5 && !strncasecmp(ref, "https", 5)))) return -1;
        k = snprintf(out, cap, "%.*s%.*s", (int)sl, sl == 4 ? "http" : "https", (int)(n - sl), ref + sl);
    } else if (n >= 2 && ref[0] == '/' && ref[1] == '/') {
        k = snprintf(out, cap, "%s:%.*s", b.https ? "https" : "http", (int)n, ref);
    } else if (ref[0] == '/') {
        k = snprintf(out, cap, "%s%.*s", origin, (int)n, ref);
    } else {
        /* Relative: the base's path up to its last '/', without its query. */
        const char *rest = *b.rest ? b.rest : "/";
        size_t pl = strcspn(rest, "?");
        if (ref[0] == '?') k = snprintf(out, cap, "%s%.*s%.*s", origin, (int)pl, rest, (int)n, ref);
        else {
            while (pl && rest[pl - 1] != '/') pl--;
            k = snprintf(out, cap, "%s%.*s%.*s", origin, (int)(pl ? pl : 1), pl ? rest : "/", (int)n, ref);
        }
    }
    if (k < 0 || (size_t)k >= cap || outbound_parse(out, &u, &why)) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
