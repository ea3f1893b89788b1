/* audit.h — the audit log of security events (sign-ins, second-factor changes, admin
 * actions) in PostgreSQL. Recording never fails the request that caused it. */
#ifndef PARLEY_AUDIT_H
#define PARLEY_AUDIT_H
#include "ctx.h"

extern const db_stmt audit_stmts[];

/* Records action (a-z . _) by actor on subject (0: none) from ip (may be NULL), with detail
 * (a JSON object, stolen; may be NULL). A failure is logged. */
void audit_record(svc *c, const char *action, long long actor, long long subject, const char *ip, json_t *detail);
/* The newest 200 entries as [{"id","at","action","ip","detail","actor","subject"}]: about
 * user (as actor or subject; 0: everyone), or only as the subject when subject_only, and
 * of action or its prefix (NULL: all). New reference in *out. */
err_t audit_list(svc *c, long long user, int subject_only, const char *action, json_t **out);
/* The same for a group's moderation log: entries whose detail names conv_id. */
err_t audit_list_conversation(svc *c, long long conv_id, json_t **out);

#endif
