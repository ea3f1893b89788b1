/* module.h — a feature's routes and statements, registered in one list (modules.c). Each
 * feature file ends with its route table and `const module <name>_module`; adding a route
 * is one row there and one handler function above it. A handler reads the declared input
 * (already validated), calls the domain with &c->svc, and sets c->out. The same entry
 * serves /path (HTML) and /api/v1/path (JSON); forms cannot send PATCH or DELETE, so those
 * routes have a POST twin. */
#ifndef PARLEY_MODULE_H
#define PARLEY_MODULE_H
#include "ctx.h"

typedef struct module {
    const char *name;
    const route *routes;       /* may be NULL: a module with statements only */
    size_t nroutes;
    const db_stmt *stmts;      /* {NULL, NULL}-terminated, or NULL */
} module;

#define MODULE_ROUTES(t) (t), (sizeof(t) / sizeof(t)[0])

/* Every module, in the order their routes are tried; NULL-terminated. */
extern const module *const modules[];
/* All modules' routes as one table (built once, never freed). */
const route *modules_routes(size_t *n);
/* All modules' statement tables, NULL-terminated, for db_init (built once). */
const db_stmt *const *modules_stmts(void);

#endif
