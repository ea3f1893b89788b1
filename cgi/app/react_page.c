/* react_page.c — GET /conversations/<id>/messages/<seq>/react: every emoji for a reaction
 * without JavaScript, a group at a time or found by name (?q=), each a button of one form
 * that posts to …/reactions (messages.c), which adds it and lands back at the message.
 * With JavaScript the picker (static/js/emoji-picker.js) does the same in place. The JSON
 * built here is the caller's (c->out); the emoji strings are static (emoji_names.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "module.h"
#include "conv.h"
#include "msg.h"
#include "people.h"
#include "format.h"
#include "../core/emoji_names.h"

enum { REACT_MAX_FOUND = 300 };   /* a search shows at most this many (a word like "a" finds most) */

/* 1 when every word of q (ASCII letters folded, ":" and "_" as spaces) is in name. */
static int rp_matches(const char *name, const char *q)
{
    char word[65];
    while (*q) {
        size_t n = 0;
        while (*q == ' ' || *q == ':' || *q == '_') q++;
        while (*q && *q != ' ' && *q != ':' && *q != '_' && n < sizeof word - 1) {
            char ch = *q++;
            word[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        word[n] = '\0';
        if (n && !strstr(name, word)) return 0;
    }
    return 1;
}

static err_t h_react_page(ctx *c)
{
    conv cv;
    err_t e = conv_from_path(c, &cv);
    long long seq, group = 0;
    if (!e) e = param_id(c, "seq", &seq);
    if (e) return e;
    json_t *m, *cj;
    if ((e = msg_get(&c->svc, cv.id, seq, &m))) return e == ERR_NOT_FOUND ? ctx_fail(c, e, NULL, "There is no such message.") : e;
    const char *kind = json_string_value(json_object_get(m, "kind"));
    if (json_is_true(json_object_get(m, "deleted")) || !kind || strcmp(kind, "text")) {
        json_decref(m);
        return ctx_fail(c, ERR_FORBIDDEN, NULL, "You cannot react to this message.");
    }
    if ((e = conv_json(&c->svc, &cv, 0, &cj))) { json_decref(m); return e; }
    const char *q = ctx_qstr(c, "q");
    int searching = q && strspn(q, " :_") < strlen(q);
    ctx_qint(c, "group", &group);
    json_t *groups = json_array(), *list = json_array();
    unsigned counts[32] = {0};
    size_t found = 0;
    for (unsigned i = 0; i < emoji_named_len; i++) {
        const emoji_named_entry *x = &emoji_named[i];
        if (x->group < 32) counts[x->group]++;
        if (searching ? !rp_matches(x->name, q) || found >= REACT_MAX_FOUND : (long long)x->group != group) continue;
        found++;
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "emoji", x->utf8, "name", x->name,
                                               "group", emoji_groups[x->group]));
    }
    for (unsigned g = 0; g < emoji_groups_len; g++)
        json_array_append_new(groups, json_pack("{s:i,s:s,s:i,s:b}", "index", (int)g, "name", emoji_groups[g],
                                                "count", (int)(g < 32 ? counts[g] : 0), "current", !searching && g == group));
    const char *body = json_string_value(json_object_get(m, "body"));
    const char *excerpt = body ? fmt_excerpt(c->svc.a, body, strlen(body), 280) : "";
    c->out = json_pack("{s:o,s:o,s:s,s:s,s:I,s:o,s:o,s:I}", "conversation", cj, "message", m, "excerpt", excerpt ? excerpt : "",
                       "q", searching ? q : "",
                       "group", (json_int_t)(searching ? -1 : group), "groups", groups, "emoji", list,
                       "found", (json_int_t)found);
    return c->out ? ERR_OK : ERR_INTERNAL;
}

/* ---- routes (module.h) ---- */

static const field_spec q_react_page[] = {
    {"q", "Search", FV_TEXT, 0, 0, 64},
    {"group", "Group", FV_INT, 0, 0, 8},
    {NULL, NULL, 0, 0, 0, 0},
};

static const route react_page_routes[] = {
    {"GET", "/conversations/:id/messages/:seq/react", h_react_page, R_AUTH, "message_react", NULL, NULL, q_react_page},
};
const module react_page_module = {"react_page", MODULE_ROUTES(react_page_routes), NULL};
