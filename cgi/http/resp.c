/* resp.c — see resp.h. */
#include "resp.h"
#include <stdio.h>
#include <string.h>

/* Same-origin scripts and WebAssembly only; no inline script or style; no framing. */
const char resp_csp[] =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void resp_init(resp *r)
{
    r->status = 200;
    r->content_type = NULL;
    buf_init(&r->headers);
    buf_init(&r->body);
}

void resp_free(resp *r) { buf_free(&r->headers); buf_free(&r->body); }

void resp_reset(resp *r)
{
    r->status = 200;
    r->content_type = NULL;
    buf_reset(&r->headers);
    buf_reset(&r->body);
}

static void put_clean(buf *b, const char *s)
{
    for (; *s; s++) buf_putc(b, (*s == '\r' || *s == '\n') ? ' ' : *s);
}

void resp_header(resp *r, const char *name, const char *value)
{
    put_clean(&r->headers, name);
    buf_puts(&r->headers, ": ");
    put_clean(&r->headers, value);
    buf_puts(&r->headers, "\r\n");
}

const char *resp_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default:  return "Unknown";
    }
}

void resp_security_headers(buf *out)
{
    buf_printf(out, "Content-Security-Policy: %s\r\n", resp_csp);
    buf_puts(out, "X-Content-Type-Options: nosniff\r\n"
                  "Referrer-Policy: same-origin\r\n"
                  "X-Frame-Options: DENY\r\n"
                  "Cross-Origin-Opener-Policy: same-origin\r\n"
                  "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
                  "Cache-Control: no-store\r\n");
}

void resp_serialize(const resp *r, int head_only, buf *out)
{
    buf_printf(out, "Status: %d %s\r\n", r->status, resp_reason(r->status));
    if (r->content_type && r->status != 204)
        buf_printf(out, "Content-Type: %s\r\n", r->content_type);
    if (r->status != 204 && r->status != 304)
        buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
    resp_security_headers(out);
    buf_append(out, r->headers.data ? r->headers.data : "", r->headers.len);
    buf_puts(out, "\r\n");
    if (!head_only && r->status != 204) buf_append(out, r->body.data ? r->body.data : "", r->body.len);
}
