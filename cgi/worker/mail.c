/* mail.c — see mail.h. Who owns what: strings in the job's arena; the message in a buf this
 * file frees; libcurl handles per send. */
#include "mail.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <sodium.h>
#include "../app/email.h"
#include "../app/secret.h"
#include "../app/users.h"
#include "../core/log.h"
#include "../core/mail.h"
#include "../view/render.h"

const db_stmt mail_stmts[] = {
    /* The link's token, bound to the address it goes to; expired ones of the account go. */
    {"mail_token_add", "WITH old AS (DELETE FROM email_tokens WHERE user_id = $2 AND expires_at < now()) "
                       "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) "
                       "VALUES ($1, $2, $3, $4, now() + $5::int * interval '1 second')"},
    {"mail_token_drop", "DELETE FROM email_tokens WHERE token_hash = $1"},
    {NULL, NULL},
};

int mail_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1; }
void mail_shutdown(void) { curl_global_cleanup(); }

/* What each template is: its subject, the purpose of its token (NULL: a plain link, for
 * someone who signs in to follow it), the page its link opens. */
static const struct mail_kind {
    const char *template, *subject, *purpose, *path;
    int ttl;
} mail_kinds[] = {
    {"verify_email", "Confirm your e-mail address for Parley", "verify", "/verify-email", EMAIL_VERIFY_TTL},
    {"password_reset", "Reset your Parley password", "reset", "/password/reset", EMAIL_RESET_TTL},
    {"export_ready", "Your Parley data is ready to download", NULL, "/me/exports", 7 * 86400},
    {NULL, NULL, NULL, NULL, 0},
};

typedef struct mail_reader { const char *p; size_t left; } mail_reader;

static size_t mail_read(char *out, size_t size, size_t n, void *ud)
{
    mail_reader *r = ud;
    size_t take = size * n < r->left ? size * n : r->left;
    memcpy(out, r->p, take);
    r->p += take;
    r->left -= take;
    return take;
}

/* Sends msg from from to to through the configured relay; why says what failed. */
err_t mail_smtp(const config *cfg, const char *from, const char *to, const buf *msg, char *why, size_t whylen)
{
    CURL *h = curl_easy_init();
    if (!h) { snprintf(why, whylen, "libcurl cannot start"); return ERR_INTERNAL; }
    char from_b[MAIL_ADDR_MAX + 3], to_b[MAIL_ADDR_MAX + 3], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(from_b, sizeof from_b, "<%s>", from);
    snprintf(to_b, sizeof to_b, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to_b);
    mail_reader rd = {msg->data, msg->len};
    long timeout = cfg->job_lease / 2 < 60 ? cfg->job_lease / 2 : 60;   /* well within the job's lease */
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* STARTTLS is required on smtp:// unless the relay is on this machine (PARLEY_SMTP_TLS=none). */
    curl_easy_setopt(h, CURLOPT_USE_SSL, cfg->smtp_tls_none ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_b);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, mail_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout > 1 ? timeout : 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = rcpt ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (rc == CURLE_OK) return ERR_OK;
    snprintf(why, whylen, "SMTP: %s (%s; last reply %ld)", *errbuf ? errbuf : curl_easy_strerror(rc),
             curl_easy_strerror(rc), code);
    return ERR_UNAVAILABLE;
}

/* Renders templates/mail/<template>.<ext>.cs with data under Mail.* into out. */
err_t mail_render(const config *cfg, const char *template, const char *ext, json_t *data, buf *out)
{
    HDF *h = view_hdf_new(cfg->templates);
    if (!h) return ERR_INTERNAL;
    if (!strcmp(ext, "txt")) view_set(h, "Config.VarEscapeMode", "none");   /* plain text: nothing to escape */
    err_t e = view_json_to_hdf(h, "Mail", data);
    char path[96];
    snprintf(path, sizeof path, "mail/%s.%s.cs", template, ext);
    if (!e) e = view_render_file(h, path, out);
    hdf_destroy(&h);
    return e;
}

err_t mail_send_run(svc *s, json_t *payload, char *why, size_t whylen)
{
    const char *tpl = json_string_value(json_object_get(payload, "template"));
    const char *to = json_string_value(json_object_get(payload, "to"));
    json_t *uidj = json_object_get(payload, "user_id");
    const struct mail_kind *k = mail_kinds;
    while (k->template && (!tpl || strcmp(k->template, tpl))) k++;
    if (!k->template || !to || !json_is_integer(uidj)) {
        snprintf(why, whylen, "payload must be {\"template\": verify_email|password_reset|export_ready, \"user_id\", \"to\"}");
        return ERR_INVALID_FIELD;
    }
    if (!email_enabled(s->cfg)) {
        snprintf(why, whylen, "mail is not configured (PARLEY_SMTP_URL, and PARLEY_URL for the links)");
        return ERR_UNAVAILABLE;
    }
    user_row *u;
    err_t e = users_by_id(s, (long long)json_integer_value(uidj), &u);
    if (e == ERR_NOT_FOUND) { log_info("mail: %s: the account is gone; nothing sent", k->template); return ERR_OK; }
    if (e) { snprintf(why, whylen, "loading the account: %s", err_lookup(e)->message); return e; }
    int verify = k->purpose && !strcmp(k->purpose, "verify");
    if (!u->email || strcmp(u->email, to) || (verify ? u->email_verified : (!u->email_verified || u->deactivated))) {
        log_info("mail: %s for account %lld: its address changed since; nothing sent", k->template, u->id);
        return ERR_OK;
    }
    const char *from_name, *from_addr;
    if (mail_from_parse(s->a, s->cfg->mail_from, &from_name, &from_addr)) {
        snprintf(why, whylen, "PARLEY_MAIL_FROM is not an address");
        return ERR_INVALID_FIELD;
    }
    char token[SECRET_LEN + 1], hash[SECRET_HEX + 1], id[SECRET_LEN + 1];
    secret_new(token);
    secret_hash(token, hash);
    secret_new(id);
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", k->ttl);
    const char *p[] = {hash, id_str(s, u->id), k->purpose, to, ttl};
    if (k->purpose && (e = db_run(s->db, "mail_token_add", 5, p))) {
        snprintf(why, whylen, "storing the link: %s", err_lookup(e)->message);
        return e;
    }
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:o,s:I}", "name", u->display_name, "username", u->username, "email", to,
                             "site", s->cfg->public_url,
                             "link", k->purpose ? json_sprintf("%s%s?token=%s", s->cfg->public_url, k->path, token)
                                                : json_sprintf("%s%s", s->cfg->public_url, k->path),
                             "minutes", (json_int_t)(k->ttl / 60));
    buf text, html, msg;
    buf_init(&text);
    buf_init(&html);
    buf_init(&msg);
    e = data ? ERR_OK : ERR_INTERNAL;
    if (!e) e = mail_render(s->cfg, k->template, "txt", data, &text);
    if (!e) e = mail_render(s->cfg, k->template, "html", data, &html);
    json_decref(data);
    if (e) snprintf(why, whylen, "rendering templates/mail/%s: %s", k->template, err_lookup(e)->message);
    mail_msg m = {.from_name = from_name, .from_addr = from_addr, .to_name = u->display_name, .to_addr = to,
                  .subject = k->subject, .text = buf_str(&text), .html = buf_str(&html), .id = id,
                  .date = (long long)time(NULL)};
    if (!e && (e = mail_build(&m, &msg))) snprintf(why, whylen, "building the message: %s", err_lookup(e)->message);
    if (!e) e = mail_smtp(s->cfg, from_addr, to, &msg, why, whylen);
    sodium_memzero(token, sizeof token);
    if (msg.data) sodium_memzero(msg.data, msg.len);                  /* they hold the link */
    if (text.data) sodium_memzero(text.data, text.len);
    if (html.data) sodium_memzero(html.data, html.len);
    buf_free(&text);
    buf_free(&html);
    buf_free(&msg);
    if (e) {
        /* Nobody will ever see this link: it goes; the retry makes another. */
        if (k->purpose && db_run(s->db, "mail_token_drop", 1, p)) log_warn("mail: could not delete an unsent link's token");
        return e;
    }
    log_info("mail: %s sent to account %lld", k->template, u->id);
    return ERR_OK;
}
