/* render.c — see render.h. */
#include "render.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/log.h"
#include "localtime.h"

int view_init(void) { return nerr_init() == STATUS_OK ? 0 : -1; }

static void view_log(NEOERR *err, const char *what)
{
    STRING s;
    string_init(&s);
    nerr_error_string(err, &s);
    log_error("template %s: %s", what, s.buf ? s.buf : "?");
    string_clear(&s);
    nerr_ignore(&err);
}

void view_set(HDF *h, const char *name, const char *value)
{
    NEOERR *err = hdf_set_value(h, name, value);
    if (err != STATUS_OK) view_log(err, name);
}

HDF *view_hdf_new(const char *templates_dir)
{
    HDF *h = NULL;
    NEOERR *err = hdf_init(&h);
    if (err != STATUS_OK) { view_log(err, "init"); return NULL; }
    /* Escaping must be on before any template is parsed: every var: is HTML-escaped. */
    view_set(h, "Config.VarEscapeMode", "html");
    view_set(h, "hdf.loadpaths.0", templates_dir);
    return h;
}

err_t view_json_to_hdf(HDF *h, const char *prefix, json_t *v)
{
    char name[512], num[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child) {
            if (snprintf(name, sizeof name, "%s.%s", prefix, k) >= (int)sizeof name) return ERR_INTERNAL;
            err_t e = view_json_to_hdf(h, name, child);
            if (e) return e;
        }
        return ERR_OK;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) {
            if (snprintf(name, sizeof name, "%s.%zu", prefix, i) >= (int)sizeof name) return ERR_INTERNAL;
            err_t e = view_json_to_hdf(h, name, child);
            if (e) return e;
        }
        return ERR_OK;
    }
    case JSON_STRING: view_set(h, prefix, json_string_value(v)); return ERR_OK;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        view_set(h, prefix, num);
        return ERR_OK;
    case JSON_REAL:
        snprintf(num, sizeof num, "%g", json_real_value(v));
        view_set(h, prefix, num);
        return ERR_OK;
    case JSON_TRUE: view_set(h, prefix, "1"); return ERR_OK;
    case JSON_FALSE: view_set(h, prefix, "0"); return ERR_OK;
    case JSON_NULL: return ERR_OK;
    }
    return ERR_OK;
}

static NEOERR *view_out(void *ud, char *s)
{
    buf_puts(ud, s);
    return STATUS_OK;
}

/* Parsed templates, per thread (a CSPARSE is not shared between threads). Parsing is most
 * of a page's cost (measured: 150–280 µs of 170–340 µs per page), so each thread parses a
 * page once, against a base HDF that holds only the settings parsing reads (escaping, load
 * path), and renders it with each request's HDF swapped in. Template edits need a restart. */
enum { VIEW_CACHE = 32 };
static _Thread_local struct view_parsed { char page[48]; CSPARSE *cs; HDF *base; } view_cache[VIEW_CACHE];

/* The parsed page for this thread, parsing it on first use; NULL (logged) on error. */
static CSPARSE *view_parsed(const char *templates_dir, const char *page)
{
    int k = 0;
    for (; k < VIEW_CACHE && view_cache[k].cs; k++)
        if (!strcmp(view_cache[k].page, page)) return view_cache[k].cs;
    char path[256];
    snprintf(path, sizeof path, "pages/%s.cs", page);
    HDF *base = view_hdf_new(templates_dir);
    CSPARSE *cs = NULL;
    NEOERR *err = base ? cs_init(&cs, base) : STATUS_OK;
    if (base && err == STATUS_OK) err = view_localtime_register(cs);   /* local_time(): before parsing */
    if (base && err == STATUS_OK) err = cs_parse_file(cs, path);
    if (!base || err != STATUS_OK) {
        if (err != STATUS_OK) view_log(err, path);
        cs_destroy(&cs);
        hdf_destroy(&base);
        return NULL;
    }
    if (k == VIEW_CACHE || strlen(page) >= sizeof view_cache[0].page) return cs;   /* not kept: caller frees */
    snprintf(view_cache[k].page, sizeof view_cache[k].page, "%s", page);
    view_cache[k].cs = cs;
    view_cache[k].base = base;
    return cs;
}

static int view_kept(const CSPARSE *cs)
{
    for (int k = 0; k < VIEW_CACHE && view_cache[k].cs; k++) if (view_cache[k].cs == cs) return 1;
    return 0;
}

err_t view_render(HDF *h, const char *page, buf *out)
{
    const char *dir = hdf_get_value(h, "hdf.loadpaths.0", "templates");
    CSPARSE *cs = view_parsed(dir, page);
    if (!cs) return ERR_INTERNAL;
    HDF *base = cs->hdf;
    cs->hdf = h;                                     /* this request's data; set: writes land here */
    NEOERR *err = cs_render(cs, out, view_out);
    cs->hdf = base;
    if (!view_kept(cs)) { cs_destroy(&cs); hdf_destroy(&base); }
    if (err != STATUS_OK) { view_log(err, page); return ERR_INTERNAL; }
    return out->oom ? ERR_INTERNAL : ERR_OK;
}

err_t view_render_file(HDF *h, const char *path, buf *out)
{
    CSPARSE *cs = NULL;
    NEOERR *err = cs_init(&cs, h);
    if (err == STATUS_OK) err = view_localtime_register(cs);
    if (err == STATUS_OK) err = cs_parse_file(cs, path);
    if (err == STATUS_OK) err = cs_render(cs, out, view_out);
    cs_destroy(&cs);
    if (err != STATUS_OK) { view_log(err, path); return ERR_INTERNAL; }
    return out->oom ? ERR_INTERNAL : ERR_OK;
}

static int view_json_put(const char *p, size_t n, void *out)
{
    buf_append(out, p, n);
    return ((buf *)out)->oom ? -1 : 0;
}

/* Straight into out (a buffer each worker keeps): no string of its own to grow and copy. */
void view_json(json_t *v, buf *out)
{
    if (json_dump_callback(v, view_json_put, out, JSON_COMPACT)) out->oom = 1;
}
