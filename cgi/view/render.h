/* render.h — the two representations of a handler's result: JSON as is, or the JSON copied
 * into a ClearSilver HDF tree and rendered through a template with HTML escaping on. */
#ifndef PARLEY_RENDER_H
#define PARLEY_RENDER_H
#include <ClearSilver.h>
#include <jansson.h>
#include "../core/buf.h"
#include "../core/err.h"

/* Once at start, before threads (ClearSilver's error registry is global). */
int view_init(void);
/* New HDF with escaping on and the template directory as load path; NULL on OOM. */
HDF *view_hdf_new(const char *templates_dir);
/* Copies v under prefix: objects by key, arrays as 0,1,2…, true "1", false "0", null absent. */
err_t view_json_to_hdf(HDF *h, const char *prefix, json_t *v);
void view_set(HDF *h, const char *name, const char *value);
/* Renders pages/<page>.cs into out. */
err_t view_render(HDF *h, const char *page, buf *out);
/* Renders the template at path (under the load path, e.g. "mail/verify_email.html.cs") into
 * out, parsed afresh with h's own settings: the caller sets Config.VarEscapeMode ("html" from
 * view_hdf_new, "none" for plain text) before calling. For mail, which is rare: no cache. */
err_t view_render_file(HDF *h, const char *path, buf *out);
/* Compact JSON of v into out. */
void view_json(json_t *v, buf *out);

#endif
