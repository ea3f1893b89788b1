/* retention.c — see retention.h. */
#include "retention.h"
#include <stdio.h>
#include <stdlib.h>
#include "runner.h"
#include "../app/audit.h"
#include "../core/log.h"

#define RET_STR2(x) #x
#define RET_STR(x) RET_STR2(x)

const db_stmt retention_stmts[] = {
    /* Every conversation with a limit, and that limit in days (LEAST skips NULLs). */
    {"retention_convs",
     "WITH i AS (SELECT NULLIF(value, '0')::int AS d FROM instance_settings WHERE key = 'message_retention_days') "
     "SELECT c.id, LEAST(c.retention_days, i.d) FROM conversations c LEFT JOIN i ON true "
     "WHERE COALESCE(c.retention_days, i.d) IS NOT NULL AND c.id > $1 ORDER BY c.id LIMIT 1000"},
    /* One batch of one conversation: the same change as msg_delete, for many rows. */
    {"retention_batch",
     "WITH t AS (SELECT seq FROM messages WHERE conversation_id = $1 AND deleted_at IS NULL "
     "  AND created_at < now() - $2::int * interval '1 day' ORDER BY created_at LIMIT " RET_STR(RETENTION_BATCH) "), "
     "x AS (DELETE FROM reactions r USING t WHERE r.conversation_id = $1 AND r.seq = t.seq), "
     "f AS (DELETE FROM message_media mm USING t WHERE mm.conversation_id = $1 AND mm.seq = t.seq), "
     "envs AS (DELETE FROM e2e_envelopes e USING t WHERE e.conversation_id = $1 AND e.seq = t.seq), "
     "u AS (UPDATE messages m SET body = NULL, ciphertext = NULL, deleted_at = now(), edited_at = NULL FROM t "
     "  WHERE m.conversation_id = $1 AND m.seq = t.seq AND m.deleted_at IS NULL RETURNING 1) "
     "SELECT count(*) FROM u"},
    {NULL, NULL},
};

err_t retention_apply(svc *s, long long *messages, long long *conversations, char *why, size_t whylen)
{
    long long last = 0;
    int n;
    *messages = *conversations = 0;
    do {
        char ls[24];
        snprintf(ls, sizeof ls, "%lld", last);
        const char *p[] = {ls};
        PGresult *r;
        err_t e = db_exec(s->db, "retention_convs", 1, p, &r);
        if (e) { snprintf(why, whylen, "listing conversations: statement failed"); return e; }
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            last = atoll(PQgetvalue(r, i, 0));
            const char *q[] = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)};
            long long got, here = 0;
            do {                                    /* each batch commits on its own */
                runner_keepalive(s->db);
                PGresult *b;
                if ((e = db_exec(s->db, "retention_batch", 2, q, &b))) {
                    PQclear(r);
                    snprintf(why, whylen, "deleting old messages: statement failed");
                    return e;
                }
                got = atoll(PQgetvalue(b, 0, 0));
                PQclear(b);
                here += got;
            } while (got == RETENTION_BATCH);
            *messages += here;
            if (here) ++*conversations;
        }
        PQclear(r);
    } while (n == 1000);
    if (*messages) {
        log_info("retention: deleted %lld old messages in %lld conversations", *messages, *conversations);
        audit_record(s, "retention.run", 0, 0, NULL, json_pack("{s:I,s:I}", "messages", (json_int_t)*messages,
                                                              "conversations", (json_int_t)*conversations));
    }
    return ERR_OK;
}

err_t retention_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    (void)payload;
    long long msgs, convs;
    return retention_apply(s, &msgs, &convs, why, whylen);
}
