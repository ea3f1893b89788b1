/* html_check.h — the well-formedness check of fmt_message output, shared by the unit test and
 * the fuzzer: only the formatter's own tags, exactly spelled, balanced and properly nested;
 * links whole (<a …>text</a>, text = href); & only in our five entities; no raw " ' > in text. */
#ifndef PARLEY_HTML_CHECK_H
#define PARLEY_HTML_CHECK_H
#include <string.h>

enum { HC_STRONG, HC_EM, HC_CODE, HC_PRE };

static size_t hc_prefix(const char *s, const char *p)
{
    size_t n = strlen(p);
    return strncmp(s, p, n) ? 0 : n;
}

/* The length of the entity at s ("&amp;" …), 0 when s does not start one of ours. */
static size_t hc_entity(const char *s)
{
    static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
    for (size_t i = 0; i < sizeof ents / sizeof *ents; i++) {
        size_t n = hc_prefix(s, ents[i]);
        if (n) return n;
    }
    return 0;
}

/* An attribute value from s up to the next '"': no < > and & only as an entity. Returns its
 * length, or (size_t)-1 when bad or unterminated. */
static size_t hc_value(const char *s)
{
    size_t i = 0;
    while (s[i] && s[i] != '"') {
        if (s[i] == '<' || s[i] == '>' || s[i] == '\'') return (size_t)-1;
        if (s[i] == '&') {
            size_t e = hc_entity(s + i);
            if (!e) return (size_t)-1;
            i += e;
        } else {
            i++;
        }
    }
    return s[i] == '"' ? i : (size_t)-1;
}

/* A whole anchor at s: returns its length, 0 when it is not one we produce. */
static size_t hc_anchor(const char *s)
{
    static const char link_tail[] = "\" rel=\"noopener nofollow ugc\" target=\"_blank\">";
    size_t p, v;
    if ((p = hc_prefix(s, "<a href=\""))) {
        if (!hc_prefix(s + p, "http://") && !hc_prefix(s + p, "https://")) return 0;
        if ((v = hc_value(s + p)) == (size_t)-1) return 0;
        const char *text = s + p + v + strlen(link_tail);
        if (!hc_prefix(s + p + v, link_tail) || strncmp(text, s + p, v) || !hc_prefix(text + v, "</a>"))
            return 0;
        return (size_t)(text + v + 4 - s);
    }
    if (!(p = hc_prefix(s, "<a class=\"mention\" href=\"/users/")) &&
        !(p = hc_prefix(s, "<a class=\"mention mention-me\" href=\"/users/")))
        return 0;
    for (v = 0; s[p + v] != '"'; v++) {
        char c = s[p + v];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return 0;
    }
    if (v < 3 || v > 32 || !hc_prefix(s + p + v, "\">@")) return 0;
    const char *text = s + p + v + 3;
    if (strncmp(text, s + p, v) || !hc_prefix(text + v, "</a>")) return 0;
    return (size_t)(text + v + 4 - s);
}

static int html_ok(const char *html)
{
    static const struct { const char *tag; int kind, open; } tags[] = {
        { "<strong>", HC_STRONG, 1 }, { "</strong>", HC_STRONG, 0 }, { "<em>", HC_EM, 1 },
        { "</em>", HC_EM, 0 }, { "<code>", HC_CODE, 1 }, { "</code>", HC_CODE, 0 },
        { "<pre>", HC_PRE, 1 }, { "</pre>", HC_PRE, 0 },
    };
    int stack[64];
    size_t depth = 0;
    const char *s = html;
    while (*s) {
        int top = depth ? stack[depth - 1] : -1;
        if (*s == '<') {
            size_t n;
            if ((n = hc_prefix(s, "<br>"))) {                  /* lines never split a span */
                if (depth) return 0;
                s += n;
                continue;
            }
            if ((n = hc_anchor(s))) {
                if (top == HC_CODE || top == HC_PRE) return 0;
                s += n;
                continue;
            }
            size_t t;
            for (t = 0; t < sizeof tags / sizeof *tags; t++)
                if ((n = hc_prefix(s, tags[t].tag))) break;
            if (t == sizeof tags / sizeof *tags) return 0;
            if (tags[t].open) {
                if (top == HC_CODE) return 0;                  /* code is never formatted */
                if (top == HC_PRE && tags[t].kind != HC_CODE) return 0;
                if (tags[t].kind == HC_PRE && depth) return 0; /* blocks only at top level */
                if (depth == sizeof stack / sizeof *stack) return 0;
                stack[depth++] = tags[t].kind;
            } else {
                if (top != tags[t].kind) return 0;
                depth--;
            }
            s += n;
        } else if (*s == '&') {
            size_t n = hc_entity(s);
            if (!n) return 0;
            s += n;
        } else if (*s == '"' || *s == '\'' || *s == '>') {
            return 0;
        } else {
            if (top == HC_PRE) return 0;                       /* <pre> holds only <code> */
            s++;
        }
    }
    return depth == 0;
}

#endif
