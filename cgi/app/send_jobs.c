/* send_jobs.c — see send_jobs.h. Who owns what: every string returned lives in the arena. */
#include "send_jobs.h"
#include <ctype.h>
#include <string.h>
#include "push.h"
#include "email.h"
#include "previews.h"
#include "../core/outbound.h"
#include "../store/pgarr.h"

static int sj_name_char(unsigned char ch) { return isalnum(ch) || ch == '_' || ch == '.' || ch == '-'; }
static char sj_lower(char ch) { return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch; }

const char *send_jobs_first_word(arena *a, const char *body)
{
    while (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n') body++;
    size_t n = 0;
    while (body[n] && !isspace((unsigned char)body[n])) n++;
    char *w = arena_strndup(a, body, n);
    for (size_t i = 0; w && i < n; i++) w[i] = sj_lower(w[i]);
    return w;
}

const char *send_jobs_at_names(arena *a, const char *body)
{
    pgarr x;
    pgarr_init(&x);
    for (const char *m = strchr(body, '@'); m; m = strchr(m + 1, '@')) {
        if (m != body && sj_name_char((unsigned char)m[-1])) continue;
        size_t n = 0;
        char name[65];
        while (n < sizeof name - 1 && sj_name_char((unsigned char)m[1 + n])) name[n] = sj_lower(m[1 + n]), n++;
        if (!n || sj_name_char((unsigned char)m[1 + n])) continue;   /* over 64: no username is longer than 32 */
        pgarr_textn(&x, name, n);
    }
    return pgarr_done(&x, a);
}

err_t send_jobs_params(svc *c, const conv *cv, const char *body, const char *out[SEND_JOBS_NPARAMS])
{
    int system = !strcmp(cv->kind, "system");
    for (int i = 0; i < SEND_JOBS_NPARAMS; i++) out[i] = NULL;
    if (system) return ERR_OK;                        /* system messages notify nobody */
    if (push_enabled(c->cfg)) out[0] = id_str(c, c->cfg->push_delay > 0 ? c->cfg->push_delay : 0);
    if (email_enabled(c->cfg)) out[1] = "true";
    /* Outgoing webhooks: a person's (not a bot's) readable text in a group or channel that
     * has some (conv_load read that). */
    if (cv->hooks_out && c->user && !c->user->is_bot && !cv->e2e && body &&
        (!strcmp(cv->kind, "group") || !strcmp(cv->kind, "channel"))) {
        if (!(out[2] = send_jobs_first_word(c->a, body)) || !(out[3] = send_jobs_at_names(c->a, body))) return ERR_INTERNAL;
    }
    char url[OUTBOUND_URL_MAX + 1];
    if (!cv->e2e && body && preview_first_link(body, strlen(body), url, sizeof url) && !(out[4] = arena_strdup(c->a, url)))
        return ERR_INTERNAL;
    return ERR_OK;
}
