/* format.c — see format.h. One left-to-right pass over a range of the body; a span
 * (emphasis, code) is found first and its inside rendered as a sub-range, so every tag opened
 * is closed in order. Closing markers are looked up in per-line tables built once, right to
 * left, so no input makes the pass quadratic. */
#include "format.h"
#include <stdint.h>
#include <string.h>
#include "../core/buf.h"

/* The kinds of closing marker we look ahead for; each has a "next one on this line" table. */
enum { K_STAR1, K_STAR2, K_UNDER, K_TICK, K_COUNT };
#define FMT_NONE UINT32_MAX

typedef struct fmt_state {
    const char *s;              /* the body with CR removed (arena, or the caller's) */
    size_t n;
    uint32_t *next[K_COUNT];    /* next[k][i]: first closer of kind k at >= i on i's line */
    size_t fence_none;          /* no ``` starts at or after this offset (memo; n+1 unknown) */
    buf *out;                   /* NULL when only collecting mentions */
    const char *viewer;         /* may be NULL */
    int viewer_mentioned;       /* a mention of viewer was linked */
    arena *a;                   /* owns the collected mention strings */
    const char **ment;          /* NULL unless collecting mentions */
    size_t nment, maxment;
} fmt_state;

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
/* Non-ASCII bytes count as word characters so café_x_ stays literal. */
static int is_word(unsigned char c) { return is_alnum(c) || c == '_' || c >= 0x80; }
static int is_name(unsigned char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; }
/* RFC 3986 unreserved, reserved and '%'; never space, quotes, <, >, backtick or braces. */
static int is_url(unsigned char c) { return is_alnum(c) || (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c)); }

static unsigned char at(const fmt_state *st, size_t i) { return i < st->n ? (unsigned char)st->s[i] : 0; }
static unsigned char before(const fmt_state *st, size_t i) { return i ? (unsigned char)st->s[i - 1] : 0; }

/* Runs of exactly one or two markers: longer runs (***, __) are always literal. */
static int star1(const fmt_state *st, size_t p) { return at(st, p) == '*' && before(st, p) != '*' && at(st, p + 1) != '*'; }
static int star2(const fmt_state *st, size_t p) { return at(st, p) == '*' && at(st, p + 1) == '*' && before(st, p) != '*' && at(st, p + 2) != '*'; }
static int under1(const fmt_state *st, size_t p) { return at(st, p) == '_' && before(st, p) != '_' && at(st, p + 1) != '_'; }

static int is_closer(const fmt_state *st, int k, size_t p)
{
    int hug = p > 0 && !is_space(before(st, p));   /* closers hug the text before them */
    switch (k) {
    case K_STAR1: return hug && star1(st, p);
    case K_STAR2: return hug && star2(st, p);
    case K_UNDER: return hug && under1(st, p) && !is_word(at(st, p + 1));
    default:      return at(st, p) == '`';
    }
}

/* Openers hug the text after them; '_' must also start a word. */
static int is_opener(const fmt_state *st, int k, size_t p)
{
    switch (k) {
    case K_STAR1: return star1(st, p) && p + 1 < st->n && !is_space(at(st, p + 1));
    case K_STAR2: return star2(st, p) && p + 2 < st->n && !is_space(at(st, p + 2));
    default:      return under1(st, p) && !is_word(before(st, p)) && p + 1 < st->n && !is_space(at(st, p + 1));
    }
}

static int build_tables(fmt_state *st)
{
    for (int k = 0; k < K_COUNT; k++) {
        st->next[k] = arena_alloc(st->a, (st->n + 1) * sizeof(uint32_t));
        if (!st->next[k]) return -1;
        st->next[k][st->n] = FMT_NONE;
        for (size_t p = st->n; p-- > 0;) {
            if (st->s[p] == '\n') st->next[k][p] = FMT_NONE;       /* spans never cross lines */
            else st->next[k][p] = is_closer(st, k, p) ? (uint32_t)p : st->next[k][p + 1];
        }
    }
    return 0;
}

static void put(fmt_state *st, const char *s) { if (st->out) buf_puts(st->out, s); }

/* Escaped text; with nl, newlines become <br> (outside code blocks). */
static void put_text(fmt_state *st, size_t i, size_t e, int nl)
{
    if (!st->out) return;
    size_t run = i;
    for (; i < e; i++) {
        const char *rep;
        switch (st->s[i]) {
        case '&':  rep = "&amp;"; break;
        case '<':  rep = "&lt;"; break;
        case '>':  rep = "&gt;"; break;
        case '"':  rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\n': rep = nl ? "<br>" : NULL; break;
        default:   rep = NULL;
        }
        if (!rep) continue;
        buf_append(st->out, st->s + run, i - run);
        buf_puts(st->out, rep);
        run = i + 1;
    }
    buf_append(st->out, st->s + run, i - run);
}

static void add_mention(fmt_state *st, const char *name)
{
    if (!st->ment || st->nment >= st->maxment) return;
    for (size_t k = 0; k < st->nment; k++)
        if (!strcmp(st->ment[k], name)) return;
    char *copy = arena_strdup(st->a, name);
    if (copy) st->ment[st->nment++] = copy;
}

/* @name at i (i < e): returns the bytes consumed, 0 when it is not a mention. */
static size_t try_mention(fmt_state *st, size_t i, size_t e)
{
    unsigned char p = before(st, i);
    if (is_word(p) || p == '.' || p == '-' || p == '+' || p == '@') return 0;   /* emails, a@@b */
    size_t j = i + 1;
    while (j < e && is_name(at(st, j))) j++;
    while (j > i + 1 && st->s[j - 1] == '.') j--;                  /* "thanks @bob." */
    size_t len = j - i - 1;
    if (len < 3 || len > 32) return 0;
    char name[33];
    for (size_t k = 0; k < len; k++) {
        char c = st->s[i + 1 + k];
        name[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    name[len] = '\0';
    add_mention(st, name);
    if (st->out) {
        int me = st->viewer && !strcmp(st->viewer, name);
        st->viewer_mentioned |= me;
        buf_printf(st->out, "<a class=\"mention%s\" href=\"/users/%s\">@%s</a>", me ? " mention-me" : "", name, name);
    }
    return len + 1;
}

/* http(s)://… at i (i < e): returns the bytes consumed (a link, or a too-long URL kept as
 * text), 0 when this is not a link. */
static size_t try_link(fmt_state *st, size_t i, size_t e)
{
    size_t scheme;
    if (e - i >= 8 && !memcmp(st->s + i, "https://", 8)) scheme = 8;
    else if (e - i >= 7 && !memcmp(st->s + i, "http://", 7)) scheme = 7;
    else return 0;
    if (is_alnum(before(st, i))) return 0;                         /* "xhttp://" */
    size_t j = i + scheme, open = 0, close = 0;
    while (j < e && is_url(at(st, j))) {
        if (st->s[j] == '(') open++;
        else if (st->s[j] == ')') close++;
        j++;
    }
    size_t run = j;
    while (j > i + scheme) {                                        /* trailing punctuation */
        char c = st->s[j - 1];
        if (c && strchr(".,;:!?'", c)) j--;
        else if (c == ')' && close > open) { j--; close--; }
        else break;
    }
    unsigned char host = at(st, i + scheme);
    if (j == i + scheme || !(is_alnum(host) || host == '[')) return 0;
    if (j - i > FMT_MAX_URL) {                                     /* too long: plain text */
        put_text(st, i, run, 1);
        return run - i;
    }
    put(st, "<a href=\"");
    put_text(st, i, j, 0);
    put(st, "\" rel=\"noopener nofollow ugc\" target=\"_blank\">");
    put_text(st, i, j, 0);
    put(st, "</a>");
    return j - i;
}

/* ```…``` starting with a run of r >= 3 backticks at i: returns the bytes consumed, 0 when
 * the fence is never closed. */
static size_t try_fence(fmt_state *st, size_t i, size_t r)
{
    size_t from = i + r, j;
    if (from >= st->fence_none) return 0;
    for (j = from; j + 3 <= st->n; j++)
        if (st->s[j] == '`' && st->s[j + 1] == '`' && st->s[j + 2] == '`') break;
    if (j + 3 > st->n) { st->fence_none = from; return 0; }
    size_t end = j;
    while (end < st->n && st->s[end] == '`') end++;                /* the whole closing run */
    size_t cs = from, ce = j;
    if (cs < ce && st->s[cs] == '\n') cs++;                        /* "```\ncode\n```" */
    if (ce > cs && st->s[ce - 1] == '\n') ce--;
    if (end < st->n && st->s[end] == '\n') end++;                  /* <pre> is a block already */
    put(st, "<pre><code>");
    put_text(st, cs, ce, 0);
    put(st, "</code></pre>");
    return end - i;
}

static void render(fmt_state *st, size_t i, size_t e, int top);

/* An emphasis span of kind k (marker length m) opening at i: 0 when it does not close. */
static size_t try_span(fmt_state *st, size_t i, size_t e, int k, size_t m, const char *tag)
{
    if (!is_opener(st, k, i)) return 0;
    size_t cl = st->next[k][i + m];
    if (cl == FMT_NONE || cl + m > e) return 0;
    if (st->out) buf_printf(st->out, "<%s>", tag);
    render(st, i + m, cl, 0);
    if (st->out) buf_printf(st->out, "</%s>", tag);
    return cl + m - i;
}

/* Renders s[i..e). top: the whole body, where code blocks may start (never inside a span). */
static void render(fmt_state *st, size_t i, size_t e, int top)
{
    while (i < e) {
        unsigned char c = at(st, i);
        size_t used = 0;
        if (c == '`') {
            size_t r = 1;
            while (i + r < e && st->s[i + r] == '`') r++;
            if (r >= 3 && top) used = try_fence(st, i, r);
            else if (r == 1) {
                size_t cl = st->next[K_TICK][i + 1];
                if (cl != FMT_NONE && cl < e) {
                    put(st, "<code>");
                    put_text(st, i + 1, cl, 0);
                    put(st, "</code>");
                    used = cl + 1 - i;
                }
            }
            if (!used) { put_text(st, i, i + r, 0); used = r; }   /* unclosed: literal */
        } else if (c == '*') {
            used = try_span(st, i, e, K_STAR2, 2, "strong");
            if (!used) used = try_span(st, i, e, K_STAR1, 1, "em");
        } else if (c == '_') {
            used = try_span(st, i, e, K_UNDER, 1, "em");
        } else if (c == '@') {
            used = try_mention(st, i, e);
        } else if (c == 'h') {
            used = try_link(st, i, e);
        }
        if (!used) {                                               /* plain text up to a special */
            size_t j = i + 1;
            while (j < e && !strchr("`*_@h", st->s[j])) j++;
            put_text(st, i, j, 1);
            used = j - i;
        }
        i += used;
    }
}

/* Sets up st over body (CR dropped); -1 when memory runs out or the body is too big. */
static int fmt_begin(fmt_state *st, arena *a, const char *body, size_t len)
{
    memset(st, 0, sizeof *st);
    st->a = a;
    if (len >= FMT_NONE) return -1;
    if (memchr(body, '\r', len)) {
        char *p = arena_alloc(a, len + 1);
        if (!p) return -1;
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
            if (body[i] != '\r') p[n++] = body[i];
        st->s = p;
        st->n = n;
    } else {
        st->s = body;
        st->n = len;
    }
    st->fence_none = st->n + 1;
    return build_tables(st);
}

char *fmt_message(arena *a, const char *body, size_t len, const char *viewer, int *mentions_viewer)
{
    fmt_state st;
    if (fmt_begin(&st, a, body, len)) return NULL;
    buf out;                       /* malloc-backed while growing; copied to the arena, freed here */
    buf_init(&out);
    st.out = &out;
    st.viewer = viewer;
    render(&st, 0, st.n, 1);
    char *html = out.oom ? NULL : arena_strndup(a, buf_str(&out), out.len);
    buf_free(&out);
    if (mentions_viewer) *mentions_viewer = st.viewer_mentioned;
    return html;
}

size_t fmt_mentions(arena *a, const char *body, size_t len, const char **out, size_t max)
{
    fmt_state st;
    if (!max || fmt_begin(&st, a, body, len)) return 0;
    st.ment = out;
    st.maxment = max;
    render(&st, 0, st.n, 1);
    return st.nment;
}

char *fmt_excerpt(arena *a, const char *body, size_t len, size_t max_chars)
{
    char *p = arena_alloc(a, len + sizeof "…");
    if (!p) return NULL;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if (body[i] != '\r' && ((unsigned char)body[i] & 0xC0) != 0x80) chars++;
    size_t keep = chars <= max_chars ? chars : (max_chars ? max_chars - 1 : 0);
    size_t n = 0, seen = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == '\r') continue;
        if ((c & 0xC0) != 0x80 && seen++ == keep) break;          /* cut before the next lead byte */
        p[n++] = c == '\n' ? ' ' : (char)c;
    }
    if (chars > max_chars && max_chars) {
        while (n > 0 && p[n - 1] == ' ') n--;                      /* "hello …" reads badly */
        memcpy(p + n, "…", sizeof "…");
    } else {
        p[n] = '\0';
    }
    return p;
}

/* fmt_message's HTML of the excerpt, with its <a …> and </a> tags dropped: the text of
 * links and mentions stays. Safe to scan for tags: every "<" of user text is escaped. */
char *fmt_quote(arena *a, const char *body, size_t len, size_t max_chars)
{
    char *ex = fmt_excerpt(a, body, len, max_chars);
    char *html = ex ? fmt_message(a, ex, strlen(ex), NULL, NULL) : NULL;
    if (!html) return NULL;
    char *o = html;
    for (const char *s = html; *s;) {
        if (!strncmp(s, "<a ", 3) || !strncmp(s, "</a>", 4)) {
            const char *end = strchr(s, '>');
            if (!end) break;
            s = end + 1;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return html;
}
