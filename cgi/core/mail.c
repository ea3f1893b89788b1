/* mail.c — see mail.h. */
#include "mail.h"
#include <string.h>
#include <time.h>
#include <sodium.h>

static int mail_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* NULL when s (exactly, nothing trimmed) is a plain addr-spec; else why not. */
static const char *mail_addr_check(const char *s)
{
    size_t n = strlen(s);
    if (!n) return "Enter an e-mail address.";
    if (n > MAIL_ADDR_MAX) return "An e-mail address has at most 254 characters.";
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80) return "Use an e-mail address in plain ASCII letters.";
    const char *at = strrchr(s, '@');
    if (!at || strchr(s, '@') != at) return "An e-mail address has one @, like name@example.org.";
    size_t local = (size_t)(at - s);
    if (!local || local > MAIL_LOCAL_MAX) return "The part before the @ must have 1 to 64 characters.";
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (i == 0 || i == local - 1 || s[i + 1] == '.') return "The part before the @ cannot start or end with a dot, or have two in a row.";
        } else if (!mail_atext(c)) return "The part before the @ has a character e-mail addresses cannot have.";
    }
    const char *d = at + 1;
    int labels = 0;
    for (;;) {
        size_t len = strcspn(d, ".");
        if (len == 0 || len > 63) return "The part after the @ must be a domain name, like example.org.";
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)d[i];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     (c == '-' && i && i + 1 < len);
            if (!ok) return "The part after the @ must be a domain name, like example.org.";
        }
        labels++;
        if (!d[len]) break;
        d += len + 1;
    }
    if (labels < 2) return "The part after the @ must be a domain name, like example.org.";
    return NULL;
}

const char *mail_addr_parse(arena *a, const char *s, const char **why)
{
    if (why) *why = "Enter an e-mail address.";
    if (!s) return NULL;
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n > MAIL_ADDR_MAX) {
        if (why) *why = "An e-mail address has at most 254 characters.";
        return NULL;
    }
    char *out = arena_strndup(a, s, n);
    if (!out) return NULL;
    char *at = strrchr(out, '@');
    for (char *p = at ? at : out + n; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const char *bad = mail_addr_check(out);
    if (bad) {
        if (why) *why = bad;
        return NULL;
    }
    return out;
}

int mail_from_parse(arena *a, const char *s, const char **name, const char **addr)
{
    if (!s) return -1;
    const char *lt = strrchr(s, '<');
    if (!lt) {
        *name = "";
        *addr = mail_addr_parse(a, s, NULL);
        return *addr ? 0 : -1;
    }
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1 + strspn(gt + 1, " \t")]) return -1;
    size_t nl = (size_t)(lt - s);
    while (nl && (s[nl - 1] == ' ' || s[nl - 1] == '\t')) nl--;
    const char *ns = s;
    while (nl && (*ns == ' ' || *ns == '\t')) ns++, nl--;
    if (nl >= 2 && ns[0] == '"' && ns[nl - 1] == '"') ns++, nl -= 2;
    char *a1 = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1)), *n1 = arena_strndup(a, ns, nl);
    if (!a1 || !n1) return -1;
    for (char *p = n1; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return -1;
    *name = n1;
    *addr = mail_addr_parse(a, a1, NULL);
    return *addr ? 0 : -1;
}

/* Encoded-words (RFC 2047, UTF-8, base64) for s[0..n): each at most 75 characters, never
 * splitting a UTF-8 sequence, separated by folding white space. Control characters were
 * already made spaces by the caller. */
static void mail_put_words(buf *b, const unsigned char *s, size_t n)
{
    size_t i = 0;
    int first = 1;
    while (i < n) {
        size_t take = n - i < 45 ? n - i : 45;   /* 45 bytes → 60 base64 characters + 12 */
        while (i + take < n && take > 1 && (s[i + take] & 0xC0) == 0x80) take--;
        char enc[64];
        sodium_bin2base64(enc, sizeof enc, s + i, take, sodium_base64_VARIANT_ORIGINAL);
        buf_puts(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
        buf_puts(b, enc);
        buf_puts(b, "?=");
        first = 0;
        i += take;
    }
}

/* A copy of s (at most max bytes, not cutting a UTF-8 sequence) with control characters as
 * spaces, in t (malloc'd by the buffer); returns its length and whether it is all ASCII. */
static size_t mail_clean(buf *t, const char *s, size_t max, int *ascii)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    *ascii = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) c = ' ';
        if (c >= 0x80) *ascii = 0;
        buf_putc(t, (char)c);
    }
    return n;
}

void mail_put_phrase(buf *b, const char *name)
{
    buf t;
    buf_init(&t);
    int ascii;
    size_t n = mail_clean(&t, name ? name : "", 128, &ascii);
    const char *s = buf_str(&t);
    int atoms = 1;
    for (size_t i = 0; i < n; i++)
        if (!mail_atext((unsigned char)s[i]) && s[i] != ' ') atoms = 0;
    if (!ascii) mail_put_words(b, (const unsigned char *)s, n);
    else if (atoms) buf_append(b, s, n);
    else {
        buf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"' || s[i] == '\\') buf_putc(b, '\\');
            buf_putc(b, s[i]);
        }
        buf_putc(b, '"');
    }
    buf_free(&t);
}

void mail_put_text(buf *b, const char *text)
{
    buf t;
    buf_init(&t);
    int ascii;
    size_t n = mail_clean(&t, text ? text : "", MAIL_SUBJECT_MAX, &ascii);
    const char *s = buf_str(&t);
    /* "=?" in plain text would read as an encoded-word: encode that too. */
    if (ascii && !strstr(s, "=?")) buf_append(b, s, n);
    else mail_put_words(b, (const unsigned char *)s, n);
    buf_free(&t);
}

void mail_put_date(buf *b, long long t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) memset(&tm, 0, sizeof tm);
    buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
               months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One body part: its headers, then the text with CRLF line endings in base64 lines of 76. */
static void mail_put_part(buf *b, const char *type, const char *body)
{
    buf crlf;
    buf_init(&crlf);
    for (const char *p = body ? body : ""; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r')) buf_putc(&crlf, '\r');
        buf_putc(&crlf, *p);
    }
    buf_printf(b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", type);
    const unsigned char *s = (const unsigned char *)buf_str(&crlf);
    for (size_t i = 0; i < crlf.len; i += 57) {
        size_t take = crlf.len - i < 57 ? crlf.len - i : 57;
        char enc[80];
        sodium_bin2base64(enc, sizeof enc, s + i, take, sodium_base64_VARIANT_ORIGINAL);
        buf_puts(b, enc);
        buf_puts(b, "\r\n");
    }
    if (crlf.oom) b->oom = 1;
    buf_free(&crlf);
}

err_t mail_build(const mail_msg *m, buf *out)
{
    if (!m->from_addr || !m->to_addr || mail_addr_check(m->from_addr) || mail_addr_check(m->to_addr)) return ERR_INVALID_FIELD;
    size_t idl = m->id ? strlen(m->id) : 0;
    if (idl < 8 || idl > 64) return ERR_INVALID_FIELD;
    for (size_t i = 0; i < idl; i++) {
        char c = m->id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return ERR_INVALID_FIELD;
    }
    if (m->list_unsubscribe) {
        const char *u = m->list_unsubscribe;
        size_t ul = strlen(u);
        if (ul > 900 || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))) return ERR_INVALID_FIELD;
        for (size_t i = 0; i < ul; i++)
            if (u[i] <= ' ' || u[i] > '~' || u[i] == '<' || u[i] == '>') return ERR_INVALID_FIELD;
    }
    buf_puts(out, "From: ");
    if (m->from_name && *m->from_name) { mail_put_phrase(out, m->from_name); buf_putc(out, ' '); }
    buf_printf(out, "<%s>\r\nTo: ", m->from_addr);
    if (m->to_name && *m->to_name) { mail_put_phrase(out, m->to_name); buf_putc(out, ' '); }
    buf_printf(out, "<%s>\r\nSubject: ", m->to_addr);
    mail_put_text(out, m->subject);
    buf_puts(out, "\r\nDate: ");
    mail_put_date(out, m->date);
    buf_printf(out, "\r\nMessage-ID: <%s@%s>\r\n", m->id, strchr(m->from_addr, '@') + 1);
    buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
    if (m->list_unsubscribe)     /* RFC 8058: a POST to the URL turns them off, no sign-in */
        buf_printf(out, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                   m->list_unsubscribe);
    /* "=_" never occurs in base64 text, so the boundary cannot appear inside a part. */
    buf_printf(out, "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n", m->id);
    buf_printf(out, "--=_%s\r\n", m->id);
    mail_put_part(out, "text/plain", m->text);
    buf_printf(out, "--=_%s\r\n", m->id);
    mail_put_part(out, "text/html", m->html);
    buf_printf(out, "--=_%s--\r\n", m->id);
    return out->oom ? ERR_INTERNAL : ERR_OK;
}
