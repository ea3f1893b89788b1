/* outbound.h — the guard in front of every request Parley makes to a URL someone else chose
 * (Web Push endpoints now; link previews and webhooks later): https only, and never to
 * loopback, private, link-local, multicast or other special addresses after resolution,
 * unless the administrator allows the host (PARLEY_OUTBOUND_ALLOW: comma-separated `host` or
 * `host:port`, which also lets plain http through to it). The caller connects to the address
 * resolved here and nowhere else (libcurl's CURLOPT_RESOLVE, see cgi/worker/outbound_http.c),
 * so a DNS answer that changes between the check and the connection cannot get past it.
 * No I/O but the resolver; nothing allocated: the caller owns every buffer. */
#ifndef PARLEY_OUTBOUND_H
#define PARLEY_OUTBOUND_H
#include <stddef.h>
#include <sys/socket.h>

enum { OUTBOUND_URL_MAX = 2048, OUTBOUND_HOST_MAX = 253, OUTBOUND_IP_MAX = 46 };

typedef struct outbound_url {
    int https;                          /* 1: https://, 0: http:// */
    char host[OUTBOUND_HOST_MAX + 1];   /* lower case; an IPv6 literal without its brackets */
    int ipv6_literal;                   /* the URL wrote the host as [v6] */
    int port;                           /* explicit or the scheme's default */
    const char *rest;                   /* the path and query, inside the parsed string ("" or "/…") */
} outbound_url;

/* Checks url's syntax (http or https, a host, an optional port, no user name or password, no
 * fragment, no spaces or control characters, at most OUTBOUND_URL_MAX bytes) into u. http is
 * refused here only later, in outbound_check (an allowed host may use it). Returns 0, or -1
 * with *why a sentence for a person. */
int outbound_parse(const char *url, outbound_url *u, const char **why);
/* 1 when allow (PARLEY_OUTBOUND_ALLOW's text) names host, or host:port. */
int outbound_allowed(const char *allow, const char *host, int port);
/* 1 when the address is one a public service may have: not loopback, private (RFC 1918,
 * fc00::/7), link-local, CGNAT (100.64/10), multicast, unspecified, broadcast, documentation,
 * benchmarking, reserved, 0/8, nor an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 form
 * of one of those. */
int outbound_addr_public(const struct sockaddr *sa);
/* The whole check: the URL's scheme against the allow list, then the host resolved (a
 * literal as is) and the first acceptable address written to ip (text). An allowed host may
 * resolve to anything. Returns 0, or -1 with why (a sentence for logs and error answers). */
int outbound_check(const char *allow, const outbound_url *u, char ip[OUTBOUND_IP_MAX], char *why, size_t whylen);

#endif
