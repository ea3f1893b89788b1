/* resp.c — see resp.h. */
#include "resp.h"
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Same-origin scripts and WebAssembly only; no inline script or style; no framing. */
const char resp_csp[] =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* Downloads: nothing in them may run, load anything, or be framed (HTML, SVG, polyglots). */
static const char resp_media_csp[] = "sandbox; default-src 'none'";

void resp_init(resp *r)
{
    r->status = 200;
    r->content_type = NULL;
    r->file_path = NULL;
    r->file_offset = r->file_length = 0;
    r->file_by_server = 0;
    buf_init(&r->headers);
    buf_init(&r->body);
}

void resp_free(resp *r) { buf_free(&r->headers); buf_free(&r->body); }

void resp_reset(resp *r)
{
    r->status = 200;
    r->content_type = NULL;
    r->file_path = NULL;
    r->file_offset = r->file_length = 0;
    r->file_by_server = 0;
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
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
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
                  "Permissions-Policy: camera=(), microphone=(self), geolocation=()\r\n"   /* voice notes */
                  "Cache-Control: no-store\r\n");
}

static void resp_media_headers(buf *out)
{
    buf_printf(out, "Content-Security-Policy: %s\r\n", resp_media_csp);
    buf_puts(out, "X-Content-Type-Options: nosniff\r\n"
                  "Referrer-Policy: same-origin\r\n"
                  "X-Frame-Options: DENY\r\n"
                  "Cross-Origin-Resource-Policy: same-origin\r\n"
                  "Cache-Control: private, max-age=3600\r\n");
}

void resp_serialize(const resp *r, int head_only, buf *out)
{
    buf_printf(out, "Status: %d %s\r\n", r->status, resp_reason(r->status));
    if (r->content_type && r->status != 204)
        buf_printf(out, "Content-Type: %s\r\n", r->content_type);
    if (r->file_path) {
        if (!r->file_by_server && r->status != 304) buf_printf(out, "Content-Length: %lld\r\n", r->file_length);
        resp_media_headers(out);
        buf_append(out, r->headers.data ? r->headers.data : "", r->headers.len);
        buf_puts(out, "\r\n");
        return;                              /* the bytes follow from resp_send_file */
    }
    if (r->status != 204 && r->status != 304)
        buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
    resp_security_headers(out);
    buf_append(out, r->headers.data ? r->headers.data : "", r->headers.len);
    buf_puts(out, "\r\n");
    if (!head_only && r->status != 204) buf_append(out, r->body.data ? r->body.data : "", r->body.len);
}

int resp_send_file(const resp *r, int (*write)(void *ud, const char *p, size_t n), void *ud)
{
    int fd = open(r->file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    static __thread char chunk[1 << 17];          /* per thread: downloads never share it */
    long long off = r->file_offset, left = r->file_length;
    int rc = 0;
    while (left > 0) {
        ssize_t n = pread(fd, chunk, left < (long long)sizeof chunk ? (size_t)left : sizeof chunk, off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || write(ud, chunk, (size_t)n)) { rc = -1; break; }
        off += n;
        left -= n;
    }
    close(fd);
    return rc;
}
