/* outbound.c — see outbound.h. */
#include "outbound.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ob_lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch; }

int outbound_parse(const char *url, outbound_url *u, const char **why)
{
    memset(u, 0, sizeof *u);
    size_t n = url ? strlen(url) : 0;
    if (!n) { *why = "The address is empty."; return -1; }
    if (n > OUTBOUND_URL_MAX) { *why = "The address is too long (at most 2048 bytes)."; return -1; }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)url[i];
        if (ch <= 0x20 || ch >= 0x7f) { *why = "The address may not hold spaces, control or non-ASCII characters."; return -1; }
        if (ch == '#') { *why = "The address may not hold a fragment (#)."; return -1; }
    }
    const char *p;
    if (!strncasecmp(url, "https://", 8)) u->https = 1, p = url + 8;
    else if (!strncasecmp(url, "http://", 7)) p = url + 7;
    else { *why = "The address must start with https://."; return -1; }
    size_t alen = strcspn(p, "/?");
    const char *end = p + alen;
    if (memchr(p, '@', alen)) { *why = "The address may not hold a user name or password."; return -1; }
    const char *hs = p, *he, *port = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', alen);
        if (!rb) { *why = "The address's IPv6 host has no closing ]."; return -1; }
        hs = p + 1, he = rb;
        if (rb + 1 < end) {
            if (rb[1] != ':') { *why = "The address's host is malformed."; return -1; }
            port = rb + 2;
        }
        u->ipv6_literal = 1;
    } else {
        const char *colon = memchr(p, ':', alen);
        he = colon ? colon : end;
        if (colon) port = colon + 1;
    }
    size_t hl = (size_t)(he - hs);
    if (!hl || hl > OUTBOUND_HOST_MAX) { *why = "The address has no host, or too long a one."; return -1; }
    for (size_t i = 0; i < hl; i++) {
        int ch = ob_lower((unsigned char)hs[i]);
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
                 (u->ipv6_literal && ch == ':');
        if (!ok) { *why = "The address's host holds characters a host name may not have."; return -1; }
        u->host[i] = (char)ch;
    }
    u->host[hl] = '\0';
    if (u->ipv6_literal) {
        struct in6_addr a6;
        if (inet_pton(AF_INET6, u->host, &a6) != 1) { *why = "The address's IPv6 host is not an IPv6 address."; return -1; }
    }
    u->port = u->https ? 443 : 80;
    if (port) {
        size_t pl = (size_t)(end - port);
        if (!pl || pl > 5 || strspn(port, "0123456789") < pl) { *why = "The address's port is not a number."; return -1; }
        long v = strtol(port, NULL, 10);
        if (v < 1 || v > 65535) { *why = "The address's port is not between 1 and 65535."; return -1; }
        u->port = (int)v;
    }
    u->rest = end;
    return 0;
}

int outbound_allowed(const char *allow, const char *host, int port)
{
    if (!allow || !*host) return 0;
    /* An entry may be host, host:port, [v6] or [v6]:port. */
    char forms[4][OUTBOUND_HOST_MAX + 16];
    snprintf(forms[0], sizeof forms[0], "%s", host);
    snprintf(forms[1], sizeof forms[1], "%s:%d", host, port);
    snprintf(forms[2], sizeof forms[2], "[%s]", host);
    snprintf(forms[3], sizeof forms[3], "[%s]:%d", host, port);
    for (const char *p = allow; *p;) {
        while (*p == ',' || *p == ' ') p++;
        size_t n = strcspn(p, ", ");
        for (int i = 0; n && i < 4; i++)
            if (strlen(forms[i]) == n && !strncasecmp(p, forms[i], n)) return 1;
        p += n;
    }
    return 0;
}

/* 1 when the IPv4 address (host order) is special: not for a public service. */
static int ob_v4_special(unsigned long a)
{
    static const struct { unsigned long net; int bits; } nets[] = {
        {0x00000000, 8},  /* "this network" 0/8, 0.0.0.0 included */
        {0x0a000000, 8},  /* 10/8 private */
        {0x64400000, 10}, /* 100.64/10 carrier-grade NAT */
        {0x7f000000, 8},  /* 127/8 loopback */
        {0xa9fe0000, 16}, /* 169.254/16 link-local (cloud metadata services) */
        {0xac100000, 12}, /* 172.16/12 private */
        {0xc0000000, 24}, /* 192.0.0/24 protocol assignments */
        {0xc0000200, 24}, /* 192.0.2/24 documentation */
        {0xc0586300, 24}, /* 192.88.99/24 6to4 relays */
        {0xc0a80000, 16}, /* 192.168/16 private */
        {0xc6120000, 15}, /* 198.18/15 benchmarking */
        {0xc6336400, 24}, /* 198.51.100/24 documentation */
        {0xcb007100, 24}, /* 203.0.113/24 documentation */
        {0xe0000000, 4},  /* 224/4 multicast */
        {0xf0000000, 4},  /* 240/4 reserved, 255.255.255.255 broadcast included */
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        unsigned long mask = (0xffffffffUL << (32 - nets[i].bits)) & 0xffffffffUL;
        if ((a & mask) == nets[i].net) return 1;
    }
    return 0;
}

static unsigned long ob_v4_at(const unsigned char *b)
{
    return (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 | b[3];
}

int outbound_addr_public(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        return !ob_v4_special(ntohl(s4->sin_addr.s_addr));
    }
    if (sa->sa_family != AF_INET6) return 0;
    const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
    static const unsigned char zero[16];
    if (!memcmp(b, zero, 15) && b[15] <= 1) return 0;                   /* :: and ::1 */
    if (!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff)          /* ::ffff:a.b.c.d mapped */
        return !ob_v4_special(ob_v4_at(b + 12));
    if (!memcmp(b, zero, 12)) return 0;                                   /* ::a.b.c.d compatible (deprecated) */
    static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};      /* 64:ff9b::/96 */
    if (!memcmp(b, nat64, 12)) return !ob_v4_special(ob_v4_at(b + 12));
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1) return 0; /* 64:ff9b:1::/48 local NAT64 */
    if (b[0] == 0x20 && b[1] == 0x02) return !ob_v4_special(ob_v4_at(b + 2));   /* 2002::/16 6to4 */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return 0;  /* 2001::/32 Teredo */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return 0;  /* 2001:db8::/32 documentation */
    if (b[0] == 0x01 && b[1] == 0x00 && !memcmp(b + 2, zero, 6)) return 0;       /* 100::/64 discard */
    if ((b[0] & 0xfe) == 0xfc) return 0;                                  /* fc00::/7 unique local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return 0;                  /* fe80::/10 link-local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return 0;                  /* fec0::/10 old site-local */
    if (b[0] == 0xff) return 0;                                           /* ff00::/8 multicast */
    return (b[0] & 0xe0) == 0x20;                                         /* only 2000::/3 is global unicast */
}

int outbound_check(const char *allow, const outbound_url *u, char ip[OUTBOUND_IP_MAX], char *why, size_t whylen)
{
    int allowed = outbound_allowed(allow, u->host, u->port);
    if (!u->https && !allowed) {
        snprintf(why, whylen, "refused %s: only https:// addresses are allowed", u->host);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC}, *res = NULL;
    if (u->ipv6_literal) hints.ai_flags = AI_NUMERICHOST;
    int rc = getaddrinfo(u->host, NULL, &hints, &res);
    if (rc) {
        snprintf(why, whylen, "cannot resolve %s: %s", u->host, gai_strerror(rc));
        return -1;
    }
    int found = 0;
    char seen[OUTBOUND_IP_MAX] = "";
    for (struct addrinfo *a = res; a && !found; a = a->ai_next) {
        const void *bin = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)(void *)a->ai_addr)->sin_addr
                        : a->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)(void *)a->ai_addr)->sin6_addr
                        : NULL;
        if (!bin || !inet_ntop(a->ai_family, bin, ip, OUTBOUND_IP_MAX)) continue;
        if (allowed || outbound_addr_public(a->ai_addr)) found = 1;
        else if (!*seen) snprintf(seen, sizeof seen, "%s", ip);
    }
    freeaddrinfo(res);
    if (!found) {
        *ip = '\0';
        snprintf(why, whylen, "refused %s: it resolves to %s, a loopback, private, link-local or otherwise special "
                 "address (PARLEY_OUTBOUND_ALLOW lets an administrator allow a host)", u->host, *seen ? seen : "nothing usable");
        return -1;
    }
    return 0;
}
