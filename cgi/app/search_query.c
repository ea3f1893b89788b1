/* search_query.c — the search box's little language, parsed without a database:
 * plain words, "phrases", -exclusions, or, and from: in: before: after: on: is: has:.
 * Nothing here becomes SQL text: the result goes to the statements as parameters. */
#include "search.h"
#include <stdlib.h>
#include <string.h>
#include "../core/buf.h"

static int is_space(unsigned char ch) { return ch == ' ' || ch < 0x20 || ch == 0x7f; }

int search_date_ok(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* 3–32 of a-z 0-9 _ . - (as fmt_mentions and usernames); lower-cased copy in a. */
static const char *username_of(arena *a, const char *s, size_t n)
{
    if (n && *s == '@') s++, n--;
    if (n < 3 || n > 32) return NULL;
    char *u = arena_strndup(a, s, n);
    if (!u) return NULL;
    for (char *p = u; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-')) return NULL;
    }
    return u;
}

/* ASCII punctuation around a plain word ("hello," → "hello") says nothing. */
static int is_punct(unsigned char ch)
{
    return ch < 0x80 && !(ch >= '0' && ch <= '9') && !(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && ch != '@' && ch != '#';
}

static err_t bad(arena *a, const char **msg, const char *text)
{
    *msg = arena_strdup(a, text);
    return ERR_INVALID_FIELD;
}

/* Reads one token at *p: a "quoted" run (quotes dropped, *quoted set) or up to the next
 * space; an operator's value may be quoted (in:"Team chat"). */
static void next_token(const char *q, size_t len, size_t *p, size_t *start, size_t *end, int *quoted)
{
    size_t i = *p;
    *quoted = 0;
    if (q[i] == '"') {
        *quoted = 1;
        *start = ++i;
        while (i < len && q[i] != '"') i++;
        *end = i;
        *p = i < len ? i + 1 : i;
        return;
    }
    *start = i;
    while (i < len && !is_space((unsigned char)q[i])) {
        if (q[i] == '"' && i > *start && q[i - 1] == ':') {      /* op:"quoted value" */
            i++;
            while (i < len && q[i] != '"') i++;
            if (i < len) i++;
            break;
        }
        i++;
    }
    *end = *p = i;
}

err_t search_parse(arena *a, const char *q, size_t len, search_query *out, const char **msg)
{
    memset(out, 0, sizeof *out);
    *msg = NULL;
    len = strnlen(q, len);                     /* a NUL ends the text (none comes from a request) */
    buf text;                                  /* the structured part; freed before return */
    buf_init(&text);
    int positive = 0, or_next = 0;
    size_t p = 0;
    err_t e = ERR_OK;
    while (p < len) {
        if (is_space((unsigned char)q[p])) { p++; continue; }
        if (q[p] == '-' && p + 1 < len && !is_space((unsigned char)q[p + 1]) && q[p + 1] != '-') {
            size_t s, t;
            int quoted;
            p++;
            next_token(q, len, &p, &s, &t, &quoted);
            if (t > s) {
                buf_puts(&text, " -\"");
                for (size_t i = s; i < t; i++) buf_putc(&text, q[i] == '"' ? ' ' : q[i]);
                buf_putc(&text, '"');
            }
            continue;
        }
        size_t s, t;
        int quoted;
        next_token(q, len, &p, &s, &t, &quoted);
        if (t <= s) continue;
        if (quoted) {                                          /* a phrase: whole words in order */
            buf_puts(&text, " \"");
            buf_append(&text, q + s, t - s);
            buf_putc(&text, '"');
            positive = out->terms = 1, or_next = 0;
            continue;
        }
        size_t n = t - s;
        if (n == 2 && (q[s] == 'o' || q[s] == 'O') && (q[s + 1] == 'r' || q[s + 1] == 'R')) {
            /* "a or b": the word before joins the structured part, and so does the next */
            if (out->nwords && !or_next) {
                const char *w = out->words[--out->nwords];
                buf_puts(&text, " \"");
                buf_puts(&text, w);
                buf_putc(&text, '"');
                out->terms = 1;
            }
            buf_puts(&text, " or");
            or_next = 1;
            continue;
        }
        size_t k = s;
        while (k < t && ((q[k] >= 'a' && q[k] <= 'z') || (q[k] >= 'A' && q[k] <= 'Z'))) k++;
        if (k > s && k < t && q[k] == ':' && k + 1 < t && !(t - k > 2 && q[k + 1] == '/' && q[k + 2] == '/')) {
            char op[8] = "";
            size_t on = k - s;
            const char *v = q + k + 1;
            size_t vn = t - k - 1;
            if (vn >= 2 && v[0] == '"') { v++, vn--; if (v[vn - 1] == '"') vn--; }
            if (on < sizeof op)
                for (size_t i = 0; i < on; i++) op[i] = (char)(q[s + i] | 0x20);
            if (!strcmp(op, "from")) {
                if (!(out->from = username_of(a, v, vn))) { e = bad(a, msg, "from: needs a username, like from:@alice."); break; }
            } else if (!strcmp(op, "in")) {
                if (!vn || vn > SEARCH_MAX_IN) { e = bad(a, msg, "in: needs a conversation's title or id (at most 100 characters)."); break; }
                out->in = arena_strndup(a, v, vn);
            } else if (!strcmp(op, "before") || !strcmp(op, "after") || !strcmp(op, "on")) {
                if (!search_date_ok(v, vn)) {
                    *msg = arena_printf(a, "%s: needs a date written YYYY-MM-DD, like %s:2026-01-31.", op, op);
                    e = ERR_INVALID_FIELD;
                    break;
                }
                char *d = op[0] == 'b' ? out->before : op[0] == 'a' ? out->after : out->on;
                memcpy(d, v, 10);
                d[10] = '\0';
            } else if (!strcmp(op, "is")) {
                if (vn != 7 || strncmp(v, "mention", 7)) { e = bad(a, msg, "is: understands is:mention only."); break; }
                out->mention = 1;
            } else if (!strcmp(op, "has")) {
                static const char *const kinds[] = {"link", "file", "image", "video", "audio", NULL};
                out->has = NULL;
                for (int ki = 0; kinds[ki]; ki++)
                    if (vn == strlen(kinds[ki]) && !strncmp(v, kinds[ki], vn)) out->has = kinds[ki];
                if (!out->has) { e = bad(a, msg, "has: understands has:link, has:file, has:image, has:video and has:audio."); break; }
            } else {
                *msg = arena_printf(a, "Unknown search operator \"%.*s:\". Operators are from: in: before: after: on: is: "
                                    "and has:; put the word in quotes to search for it.", (int)(on > 20 ? 20 : on), q + s);
                e = ERR_INVALID_FIELD;
                break;
            }
            or_next = 0;
            continue;
        }
        while (s < t && is_punct((unsigned char)q[s])) s++;      /* "hello," is hello */
        while (t > s && is_punct((unsigned char)q[t - 1])) t--;
        if (t <= s) continue;
        positive = 1;
        if (or_next) {
            out->terms = 1;
            buf_puts(&text, " \"");
            for (size_t i = s; i < t; i++) buf_putc(&text, q[i] == '"' ? ' ' : q[i]);
            buf_putc(&text, '"');
            or_next = 0;
            continue;
        }
        if (out->nwords == SEARCH_MAX_WORDS) { e = bad(a, msg, "Search for at most 8 words at a time; use \"quotes\" for phrases."); break; }
        out->words[out->nwords++] = arena_strndup(a, q + s, t - s);
    }
    if (!e && !positive && !out->from && !out->in && !out->before[0] && !out->after[0] && !out->on[0] &&
        !out->mention && !out->has)
        e = bad(a, msg, text.len ? "Add a word to search for, not only words to leave out." : "Say what to search for.");
    if (!e) out->text = arena_strndup(a, text.len ? text.data + 1 : "", text.len ? text.len - 1 : 0);
    buf_free(&text);
    if (!e && !out->text) e = ERR_INTERNAL;
    for (size_t i = 0; !e && i < out->nwords; i++) if (!out->words[i]) e = ERR_INTERNAL;
    if (e == ERR_INVALID_FIELD && !*msg) *msg = "Bad search.";
    return e;
}

int search_has_trigram(const char *s)
{
    int run = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int word = *p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
        if ((run = word ? run + 1 : 0) == 3) return 1;
    }
    return 0;
}

const char *search_words_joined(arena *a, const search_query *q)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < q->nwords; i++) {
        if (i) buf_putc(&b, '\x1f');
        buf_puts(&b, q->words[i]);
    }
    char *s = arena_strndup(a, b.len ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

/* The byte length of the UTF-8 sequence that starts with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? (c < 0xf0 ? 3 : 1) : c >= 0xc0 ? 2 : 1;
}

/* The folded form of the character at p (n bytes) from fold (see search.h), or NULL. */
static const char *fold_of(const char *fold, const char *p, size_t n, size_t *len)
{
    for (const char *e = fold; e && *e;) {
        const char *us = strchr(e, '\x1f');
        if (!us) return NULL;
        const char *rs = strchr(us + 1, '\x1e');
        size_t vl = rs ? (size_t)(rs - us - 1) : strlen(us + 1);
        if ((size_t)(us - e) == n && !memcmp(e, p, n)) { *len = vl; return us + 1; }
        e = rs ? rs + 1 : us + 1 + vl;
    }
    return NULL;
}

char *search_snippet_html(arena *a, const char *s, const char *frags, const char *fold)
{
    /* Per byte of s: marked (1) or not; and the folded text with, per folded byte, the
     * offset in s of the character it came from. Freed before return. */
    size_t sl = strlen(s);
    char *mark = calloc(sl + 1, 1), *ft = NULL;
    size_t *from = NULL, fl = 0;
    int open = 0;
    if (!mark) return NULL;
    for (size_t i = 0; i < sl;) {
        size_t n = utf8_len((unsigned char)s[i]);
        if (i + n > sl) n = sl - i;
        if (s[i] == '\x01') open = 1;
        else if (s[i] == '\x02') open = 0;
        else memset(mark + i, open, n);
        i += n;
    }
    if (frags && *frags && (ft = malloc(sl * 8 + 1)) && (from = malloc((sl * 8 + 1) * sizeof *from))) {
        for (size_t i = 0; i < sl;) {
            size_t n = utf8_len((unsigned char)s[i]), vl = n;
            if (i + n > sl) n = vl = sl - i;
            const char *v = s + i;
            char one;
            if (s[i] == '\x01' || s[i] == '\x02') vl = 0;
            else if (n == 1) {
                one = s[i] == '\x03' ? '<' : s[i] == '\x04' ? '&' : (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] | 0x20) : s[i];
                v = &one;
            } else if (!(v = fold_of(fold, s + i, n, &vl)) || vl > 8) {
                v = s + i, vl = n;
            }
            for (size_t k = 0; k < vl; k++) ft[fl] = v[k], from[fl++] = i;
            i += n;
        }
        ft[fl] = '\0';
        for (const char *w = frags; *w;) {
            const char *e = strchr(w, '\x1f');
            size_t wl = e ? (size_t)(e - w) : strlen(w);
            for (size_t k = 0; wl && k + wl <= fl; k++) {
                if (memcmp(ft + k, w, wl)) continue;
                size_t b = from[k], end = from[k + wl - 1] + utf8_len((unsigned char)s[from[k + wl - 1]]);
                memset(mark + b, 1, (end < sl ? end : sl) - b);
            }
            w = e ? e + 1 : w + wl;
        }
    }
    buf b;
    buf_init(&b);
    open = 0;
    for (size_t i = 0; i < sl; i++) {
        if (s[i] == '\x01' || s[i] == '\x02') continue;
        if (mark[i] && !open) buf_puts(&b, "<mark>"), open = 1;
        else if (!mark[i] && open) buf_puts(&b, "</mark>"), open = 0;
        switch (s[i]) {
        case '&': case '\x04': buf_puts(&b, "&amp;"); break;
        case '\x03': buf_puts(&b, "&lt;"); break;
        case '<': buf_puts(&b, "&lt;"); break;
        case '>': buf_puts(&b, "&gt;"); break;
        case '"': buf_puts(&b, "&quot;"); break;
        case '\'': buf_puts(&b, "&#39;"); break;
        default: buf_putc(&b, s[i]);
        }
    }
    if (open) buf_puts(&b, "</mark>");
    free(mark);
    free(ft);
    free(from);
    char *r = arena_strndup(a, b.len ? b.data : "", b.len);
    buf_free(&b);
    return r;
}
