/* upload.c — see upload.h. */
#include "upload.h"
#include <string.h>
#include "auth.h"
#include "media.h"
#include "../core/utf8.h"
#include "../http/body.h"
#include "../http/multipart.h"

enum { UPLOAD_TEXT_MAX = 65536 };   /* all text fields together */

typedef struct upload_state {
    ctx *c;
    mp m;
    int in_file, skip;              /* the current part is a file; an empty file input */
    media_put put;
    buf text;                       /* the current text field's value */
    size_t text_total;
    long long ids[MEDIA_MAX_PER_MESSAGE];
    int nids;
} upload_state;

static int upload_begin(void *ud, const mp_part *p)
{
    upload_state *u = ud;
    ctx *c = u->c;
    buf_reset(&u->text);
    u->in_file = p->is_file;
    u->skip = 0;
    if (!p->is_file) return 0;
    if (!p->filename[0]) { u->skip = 1; return 0; }      /* a file input left empty */
    if (!c->csrf_ok) {
        if ((u->m.cb_err = auth_csrf_check(c))) return -1;
        c->csrf_ok = 1;
    }
    if (u->nids >= MEDIA_MAX_PER_MESSAGE) {
        u->m.cb_err = svc_fail(&c->svc, ERR_INVALID_FIELD, "file", "At most 10 files can go in one message.");
        return -1;
    }
    if ((u->m.cb_err = media_put_begin(&c->svc, &u->put, p->filename, p->content_type, 0, -1))) return -1;
    u->skip = -1;                                          /* a file is open */
    return 0;
}

static int upload_data(void *ud, const char *d, size_t n)
{
    upload_state *u = ud;
    if (u->skip == 1) return 0;
    if (u->in_file) return (u->m.cb_err = media_put_write(&u->c->svc, &u->put, d, n)) ? -1 : 0;
    u->text_total += n;
    if (u->text_total > UPLOAD_TEXT_MAX) {
        u->m.cb_err = svc_fail(&u->c->svc, ERR_BODY_TOO_LARGE, NULL, "The form's text fields are too long.");
        return -1;
    }
    buf_append(&u->text, d, n);
    return u->text.oom ? (u->m.cb_err = ERR_INTERNAL, -1) : 0;
}

static int upload_end(void *ud)
{
    upload_state *u = ud;
    ctx *c = u->c;
    if (u->in_file) {
        if (u->skip == 1) return 0;
        u->skip = 0;
        long long id;
        if ((u->m.cb_err = media_put_finish(&c->svc, &u->put, &id))) return -1;
        u->ids[u->nids++] = id;
        return 0;
    }
    const char *name = u->m.part.name;
    const char *v = u->text.data ? u->text.data : "";
    if (!utf8_valid(v, u->text.len)) {
        u->m.cb_err = svc_fail(&c->svc, ERR_INVALID_UTF8, name, "Text must be valid UTF-8.");
        return -1;
    }
    json_t *s = json_stringn(v, u->text.len);
    size_t nl = strlen(name);
    if (!s) return (u->m.cb_err = ERR_INTERNAL, -1);
    if (nl > 2 && !strcmp(name + nl - 2, "[]")) {          /* checkboxes, as in urlencoded forms */
        char *base = arena_strndup(c->svc.a, name, nl - 2);
        json_t *arr = base ? json_object_get(c->in, base) : NULL;
        if (!base || (!json_is_array(arr) && (!(arr = json_array()) || json_object_set_new(c->in, base, arr)))) {
            json_decref(s);
            return (u->m.cb_err = ERR_INTERNAL, -1);
        }
        json_array_append_new(arr, s);
    } else if (json_object_get(c->in, name) || json_object_size(c->in) >= BODY_MAX_FIELDS) {
        json_decref(s);                                    /* first value wins */
    } else if (json_object_set_new(c->in, name, s)) {
        return (u->m.cb_err = ERR_INTERNAL, -1);
    }
    return 0;
}

err_t upload_form(ctx *c, http_io *io)
{
    long long len = c->rq.content_length;
    if (len >= 0 && (unsigned long long)len > (unsigned long long)c->svc.cfg->max_upload + c->svc.cfg->max_body)
        return ctx_fail(c, ERR_BODY_TOO_LARGE, NULL,
                        arena_printf(c->svc.a, "The files together may be at most %lld MB.",
                                     c->svc.cfg->max_upload / 1000000));
    upload_state *u = arena_alloc(c->svc.a, sizeof *u);
    if (!u || !(c->in = json_object())) return ERR_INTERNAL;
    memset(u, 0, sizeof *u);
    u->c = c;
    u->put.sp.fd = -1;
    buf_init(&u->text);
    err_t e = mp_init(&u->m, c->rq.content_type);
    static const mp_cb cb = {upload_begin, upload_data, upload_end};
    static __thread char chunk[1 << 16];
    long long got = 0;
    while (!e && (len < 0 || got < len)) {
        size_t want = len < 0 || len - got > (long long)sizeof chunk ? sizeof chunk : (size_t)(len - got);
        size_t n = io_read(io, chunk, want);
        if (n == 0) break;
        got += (long long)n;
        e = mp_feed(&u->m, chunk, n, &cb, u);
    }
    if (!e && len >= 0 && got != len) e = ctx_fail(c, ERR_BAD_REQUEST, NULL, "The request body ended early.");
    if (!e && mp_finish(&u->m)) e = ctx_fail(c, ERR_BAD_REQUEST, NULL, "The form data is incomplete or malformed.");
    buf_free(&u->text);
    if (e) {
        media_put_abort(&u->put);
        if (e == ERR_BAD_REQUEST && !c->svc.err_msg) c->svc.err_msg = "The form data is malformed.";
        return e;
    }
    if (!u->nids) return ERR_OK;
    json_t *ids = json_array();
    if (!ids || json_object_set_new(c->in, "media_ids", ids)) return ERR_INTERNAL;
    for (int i = 0; i < u->nids; i++) json_array_append_new(ids, json_integer(u->ids[i]));
    return ERR_OK;
}
