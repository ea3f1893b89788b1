/* preview_fetch.h — a GET of a page (or its image) for a link preview, through the outbound
 * guard (cgi/core/outbound.h): every URL, the first and each redirect's, is parsed, checked
 * and resolved again and the connection pinned to the address checked (CURLOPT_RESOLVE);
 * at most PREVIEW_REDIRECTS redirects, followed here and never by libcurl; one deadline for
 * the whole fetch; only a 200 whose Content-Type starts with the type asked for; at most
 * cap bytes kept (a longer page is cut there: its <head> is what counts). Unlike Web Push,
 * plain http:// is allowed, to public addresses only. libcurl is initialised by mail_init. */
#ifndef PARLEY_PREVIEW_FETCH_H
#define PARLEY_PREVIEW_FETCH_H
#include <stddef.h>
#include "../core/buf.h"
#include "../core/outbound.h"

enum { PREVIEW_REDIRECTS = 3 };

typedef struct preview_fetched {
    char url[OUTBOUND_URL_MAX + 1];  /* where the answer finally came from */
    char type[128];                  /* its Content-Type */
    int truncated;                   /* the body went past cap and was cut there */
} preview_fetched;

/* GETs url (allow: PARLEY_OUTBOUND_ALLOW's text) into body (the caller's buffer, owned by the
 * caller) when the answer is a 200 of type_prefix ("text/html", "image/") within timeout_s.
 * Returns 0, or -1 with why (a line for the logs) and *refused set when the guard refused a
 * URL (a retry would be refused again). */
int preview_fetch(const char *allow, const char *url, const char *type_prefix, size_t cap, long timeout_s,
                  buf *body, preview_fetched *got, int *refused, char *why, size_t whylen);

#endif
