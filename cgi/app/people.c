/* people.c — see people.h. */
#include "people.h"
#include "module.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "users.h"
#include "../http/validate.h"
#include "../core/num.h"

const db_stmt people_stmts[] = {
    {"people_blocks", "SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2"},
    {"people_block_between", "SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_id = $2) "
                             "OR (user_id = $2 AND blocked_id = $1) LIMIT 1"},
    {NULL, NULL},
};


err_t param_id(ctx *c, const char *name, long long *out)
{
    const char *v = route_param(&c->params, name);
    if (!v || num_parse(v, strlen(v), out) || *out <= 0)
        return ctx_fail(c, ERR_NOT_FOUND, NULL, "There is nothing here.");
    return ERR_OK;
}

static err_t exists(svc *c, const char *stmt, long long a, long long b, int *out)
{
    const char *p[] = {id_str(c, a), id_str(c, b)};
    PGresult *r;
    err_t e = db_exec(c->db, stmt, 2, p, &r);
    if (e) return e;
    *out = PQntuples(r) > 0;
    PQclear(r);
    return ERR_OK;
}

err_t people_blocks(svc *c, long long blocker, long long blocked, int *out)
{
    return exists(c, "people_blocks", blocker, blocked, out);
}

err_t people_block_between(svc *c, long long a, long long b, int *out)
{
    return exists(c, "people_block_between", a, b, out);
}

/* One token: digits are an id, anything else a username. */
static err_t resolve_one(svc *c, const char *tok, size_t n, const char *field, user_row **u)
{
    char *t = arena_strndup(c->a, tok, n);
    if (!t) return ERR_INTERNAL;
    if (t[0] == '@') t++;
    err_t e;
    long long id;
    if (num_parse(t, strlen(t), &id) == 0) {
        e = users_by_id(c, id, u);
    } else {
        for (char *p = t; *p; p++) *p = (char)tolower((unsigned char)*p);
        if (!username_valid(t))
            return svc_fail(c, ERR_INVALID_FIELD, field, arena_printf(c->a, "\"%s\" is not a valid username.", t));
        e = users_by_username(c, t, u);
    }
    if (e == ERR_NOT_FOUND)
        return svc_fail(c, e, field, arena_printf(c->a, "There is no user %s.", t));
    return e;
}

err_t people_resolve_list(svc *c, json_t *v, const char *field, size_t max, user_row ***out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(c->a, (max ? max : 1) * sizeof **out);
    if (!*out) return ERR_INTERNAL;
    if (!v || json_is_null(v)) return ERR_OK;
    const char *bad = arena_printf(c->a, "%s must be a list of user ids or usernames.", field);
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
        const char *s;
        size_t len;
        char num[24];
        if (json_is_integer(item)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(item));
            s = num;
            len = strlen(num);
        } else if (json_is_string(item)) {
            s = json_string_value(item);
            len = json_string_length(item);
        } else {
            return svc_fail(c, ERR_INVALID_FIELD, field, bad);
        }
        size_t pos = 0;
        while (pos < len) {
            pos += strspn(s + pos, ", \t\r\n");
            size_t tl = strcspn(s + pos, ", \t\r\n");
            if (tl) {
                user_row *u;
                err_t e = resolve_one(c, s + pos, tl, field, &u);
                if (e) return e;
                int dup = 0;
                for (size_t k = 0; k < *n; k++) dup |= (*out)[k]->id == u->id;
                if (!dup) {
                    if (*n == max)
                        return svc_fail(c, ERR_TOO_MANY_MEMBERS, field,
                                        arena_printf(c->a, "At most %zu people at once.", max));
                    (*out)[(*n)++] = u;
                }
            }
            pos += tl;
        }
    }
    return ERR_OK;
}

err_t people_from_input(ctx *c, user_row **out)
{
    json_t *id = json_object_get(c->in, "user_id");
    const char *name = ctx_str(c, "username");
    if (json_is_integer(id)) {
        err_t e = users_by_id(&c->svc, json_integer_value(id), out);
        return e == ERR_NOT_FOUND ? ctx_fail(c, e, "user_id", "There is no such user.") : e;
    }
    if (name && *name) {
        err_t e = users_by_username(&c->svc, name, out);
        return e == ERR_NOT_FOUND ? ctx_fail(c, e, "username", arena_printf(c->svc.a, "There is no user %s.", name)) : e;
    }
    return ctx_fail(c, ERR_MISSING_FIELD, "username", "Say who: a username or a user_id.");
}

const char *people_like_escape(arena *a, const char *s)
{
    char *d = arena_alloc(a, strlen(s) * 2 + 1), *p = d;
    if (!d) return NULL;
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') *p++ = '\\';
        *p++ = *s;
    }
    *p = '\0';
    return d;
}

const module people_module = {"people", NULL, 0, people_stmts};
