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
    /* A download (media): the body is file_length bytes of file_path from file_offset, which
     * the app streams after the headers, or which the web server sends itself when
     * file_by_server (the handler added X-Sendfile or X-Accel-Redirect). Such answers carry
     * the sandbox policy instead of the page one, and a private cache instead of no-store. */
    const char *file_path;      /* NULL: an ordinary answer (arena-owned) */
    long long file_offset, file_length;
    int file_by_server;
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
/* Streams a download's bytes (r->file_path) to write(ud, …) in chunks; 0, or -1 when the
 * file cannot be read or the client went away. */
int resp_send_file(const resp *r, int (*write)(void *ud, const char *p, size_t n), void *ud);

extern const char resp_csp[];

#endif
