/* audit.c — see audit.h. */
#include "audit.h"
#include <stdlib.h>
#include "../core/log.h"

const db_stmt audit_stmts[] = {
    {"audit_insert", "INSERT INTO audit_log (actor_id, subject_id, action, ip, detail) "
                     "VALUES ($1::bigint, $2::bigint, $3, COALESCE($4, ''), COALESCE($5::jsonb, '{}'))"},
    {NULL, NULL},
};

void audit_record(svc *c, const char *action, long long actor, long long subject, const char *ip, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    svc aside = svc_aside(c);
    const char *p[] = {actor ? id_str(&aside, actor) : NULL, subject ? id_str(&aside, subject) : NULL, action, ip, d};
    if (db_run(aside.db, "audit_insert", 5, p)) log_warn("audit: could not record %s", action);
    free(d);
}
