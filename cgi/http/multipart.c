/* multipart.c — see multipart.h. Input is appended to a window; whatever cannot be the start
 * of a delimiter is handed on, the rest waits for the next chunk. The body is treated as if
 * it began with CRLF, so the first delimiter needs no special case. */
#include "multipart.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_DONE };

int mp_is_multipart(const char *ct)
{
    if (!ct) return 0;
    while (*ct == ' ') ct++;
    return !strncasecmp(ct, "multipart/form-data", 19) && (ct[19] == '\0' || ct[19] == ';' || ct[19] == ' ');
}

/* The value of parameter name in a header's "; a=b; c="d"" list into out; 0 when found.
 * A quoted value may hold backslash escapes. */
static int mp_param(const char *s, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    while ((s = strchr(s, ';'))) {
        s++;
        while (*s == ' ' || *s == '\t') s++;
        if (strncasecmp(s, name, nl) || s[nl] != '=') continue;
        s += nl + 1;
        size_t o = 0;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && s[1]) s++;
                if (o + 1 >= outlen) return -1;
                out[o++] = *s;
            }
            if (*s != '"') return -1;
        } else {
            for (; *s && *s != ';' && *s != ' ' && *s != '\t'; s++) {
                if (o + 1 >= outlen) return -1;
                out[o++] = *s;
            }
        }
        out[o] = '\0';
        return 0;
    }
    return -1;
}

err_t mp_init(mp *m, const char *content_type)
{
    memset(m, 0, sizeof *m);
    if (!mp_is_multipart(content_type)) return ERR_UNSUPPORTED_MEDIA;
    char b[MP_MAX_BOUNDARY + 2];
    if (mp_param(content_type, "boundary", b, sizeof b)) return ERR_BAD_REQUEST;
    size_t bl = strlen(b);
    if (bl < 1 || bl > MP_MAX_BOUNDARY || b[bl - 1] == ' ') return ERR_BAD_REQUEST;
    for (size_t i = 0; i < bl; i++)                 /* RFC 2046 bchars */
        if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') ||
              strchr("'()+_,-./:=? ", b[i])))
            return ERR_BAD_REQUEST;
    m->dlen = (size_t)snprintf(m->delim, sizeof m->delim, "\r\n--%s", b);
    memcpy(m->w, "\r\n", 2);
    m->wn = 2;
    m->state = MP_PREAMBLE;
    return ERR_OK;
}

/* Parses one part's header block (lines separated by CRLF) into m->part. */
static err_t mp_headers(mp *m, char *h, size_t n)
{
    h[n] = '\0';
    memset(&m->part, 0, sizeof m->part);
    int disposition = 0;
    for (char *line = h, *next; line && *line; line = next) {
        char *crlf = strstr(line, "\r\n");
        next = crlf ? crlf + 2 : NULL;
        if (crlf) *crlf = '\0';
        char *colon = strchr(line, ':');
        if (!colon) return ERR_BAD_REQUEST;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        if (!strcasecmp(line, "Content-Disposition")) {
            if (strncasecmp(v, "form-data", 9) || (v[9] && v[9] != ';' && v[9] != ' ')) return ERR_BAD_REQUEST;
            if (mp_param(v, "name", m->part.name, sizeof m->part.name)) return ERR_BAD_REQUEST;
            m->part.is_file = mp_param(v, "filename", m->part.filename, sizeof m->part.filename) == 0;
            disposition = 1;
        } else if (!strcasecmp(line, "Content-Type")) {
            snprintf(m->part.content_type, sizeof m->part.content_type, "%s", v);
        }
    }
    return disposition ? ERR_OK : ERR_BAD_REQUEST;
}

static err_t mp_cb_fail(mp *m)
{
    m->state = MP_DONE + 1;                           /* no further input is accepted */
    return m->cb_err ? m->cb_err : ERR_BAD_REQUEST;
}

/* Consumes what it can of the window; returns ERR_OK when it needs more input. */
static err_t mp_step(mp *m, const mp_cb *cb, void *ud)
{
    for (;;) {
        char *w = m->w;
        size_t n = m->wn;
        switch (m->state) {
        case MP_PREAMBLE:
        case MP_BODY: {
            char *hit = memmem(w, n, m->delim, m->dlen);
            size_t upto = hit ? (size_t)(hit - w) : (n >= m->dlen ? n - m->dlen + 1 : 0);
            if (m->state == MP_BODY && upto && cb->data(ud, w, upto)) return mp_cb_fail(m);
            if (!hit) {
                memmove(w, w + upto, n - upto);
                m->wn = n - upto;
                return ERR_OK;
            }
            if (m->state == MP_BODY && cb->end(ud)) return mp_cb_fail(m);
            upto += m->dlen;
            memmove(w, w + upto, n - upto);
            m->wn = n - upto;
            m->state = MP_AFTER_DELIM;
            break;
        }
        case MP_AFTER_DELIM:
            if (n < 2) return ERR_OK;
            if (!memcmp(w, "--", 2)) { m->state = MP_DONE; m->wn = 0; return ERR_OK; }
            if (memcmp(w, "\r\n", 2)) return ERR_BAD_REQUEST;
            m->state = MP_HEADERS;                    /* the CRLF stays: headers end at CRLFCRLF */
            break;
        case MP_HEADERS: {
            char *end = memmem(w, n, "\r\n\r\n", 4);
            if (!end) return n > MP_MAX_HEADER ? ERR_BAD_REQUEST : ERR_OK;
            size_t hl = (size_t)(end - w);
            if (hl > MP_MAX_HEADER || ++m->parts > MP_MAX_PARTS) return ERR_BAD_REQUEST;
            char h[MP_MAX_HEADER + 1];
            memcpy(h, w + 2, hl >= 2 ? hl - 2 : 0);
            err_t e = mp_headers(m, h, hl >= 2 ? hl - 2 : 0);
            if (e) return e;
            if (cb->begin(ud, &m->part)) return mp_cb_fail(m);
            /* The body starts after the blank line; an empty one is followed at once by the
             * delimiter's own CRLF. */
            size_t drop = hl + 4;
            memmove(w, w + drop, n - drop);
            m->wn = n - drop;
            m->state = MP_BODY;
            break;
        }
        default:
            m->wn = 0;                                /* the epilogue is ignored */
            return m->state == MP_DONE ? ERR_OK : ERR_BAD_REQUEST;
        }
    }
}

err_t mp_feed(mp *m, const char *data, size_t n, const mp_cb *cb, void *ud)
{
    while (n) {
        if (m->state > MP_DONE) return ERR_BAD_REQUEST;
        if (m->state == MP_DONE) return ERR_OK;
        size_t room = sizeof m->w - m->wn;
        if (room == 0) return ERR_BAD_REQUEST;        /* cannot happen: the step always drains */
        size_t take = n < room ? n : room;
        memcpy(m->w + m->wn, data, take);
        m->wn += take;
        data += take;
        n -= take;
        err_t e = mp_step(m, cb, ud);
        if (e) { m->state = MP_DONE + 1; return e; }
    }
    return ERR_OK;
}

err_t mp_finish(const mp *m)
{
    return m->state == MP_DONE ? ERR_OK : ERR_BAD_REQUEST;
}
