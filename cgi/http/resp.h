/* resp.h — the response: status, headers and body, serialised for CGI/FastCGI. Security
 * headers are added here for every response, so no handler can forget them. */
#ifndef PARLEY_RESP_H
#define PARLEY_RESP_H
#include "../core/buf.h"

typedef struct resp {
    int status;
    const char *content_type;   /* static string or arena-owned */
    buf headers;                /* extra "Name: value\r\n" lines */
    buf body;
} resp;

void resp_init(resp *r);
void resp_free(resp *r);
void resp_reset(resp *r);
/* Adds a header; CR and LF in name or value are replaced by spaces (no header injection). */
void resp_header(resp *r, const char *name, const char *value);
/* Writes the whole response (headers, and the body unless head_only) to out. */
void resp_serialize(const resp *r, int head_only, buf *out);
const char *resp_reason(int status);
/* The headers every response carries (CSP, nosniff, Referrer-Policy, …, no-store). */
void resp_security_headers(buf *out);

extern const char resp_csp[];

#endif
