/* htmlmeta.c — see htmlmeta.h. Every step moves forward through [p, end): the scan is linear
 * in the input (the searches for an end marker are bounded by the same end). */
#include "htmlmeta.h"
#include "utf8.h"
#include <string.h>

/* 1 when [p, end) starts with lit, ignoring ASCII case. */
static int starts_ci(const char *p, const char *end, const char *lit)
{
    for (; *lit; lit++, p++) {
        if (p >= end) return 0;
        char c = *p;
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != *lit) return 0;
    }
    return 1;
}

/* The first place in [p, end) where lit (lower case) starts, ignoring case; end if none. */
static const char *find_ci(const char *p, const char *end, const char *lit)
{
    for (; p < end; p++)
        if (starts_ci(p, end, lit)) return p;
    return end;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* A text value being written into dst (cap bytes before its NUL). */
typedef struct out {
    char *dst;
    size_t cap, len;
    int full, space;    /* full: a character did not fit, nothing more goes in; space: one is owed */
} out;

static void put(out *o, const char *s, size_t k)
{
    if (o->full) return;
    if (o->space && o->len) {
        if (o->len + 1 + k > o->cap) {
            o->full = 1;
            return;
        }
        o->dst[o->len++] = ' ';
    }
    o->space = 0;
    if (o->len + k > o->cap) {
        o->full = 1;
        return;
    }
    memcpy(o->dst + o->len, s, k);
    o->len += k;
}

/* Writes code point cp as UTF-8 unless it is a control, a surrogate or out of range. */
static void put_cp(out *o, unsigned long cp)
{
    char b[4];
    size_t k;
    if (cp == 0xA0 || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
        o->space = 1;
        return;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return;
    if (cp < 0x80) {
        b[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    put(o, b, k);
}

/* An entity at s (after its '&') in [s, end): its code point and length, or 0. */
static size_t entity(const char *s, const char *end, unsigned long *cp)
{
    static const struct { const char *name; unsigned long cp; } named[] = {
        {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", 0xA0},
        {"#39;", '\''}, {"hellip;", 0x2026}, {"mdash;", 0x2014}, {"ndash;", 0x2013}, {"rsquo;", 0x2019},
        {"lsquo;", 0x2018}, {"rdquo;", 0x201D}, {"ldquo;", 0x201C}, {"copy;", 0xA9},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t k = strlen(named[i].name);
        if ((size_t)(end - s) >= k && !memcmp(s, named[i].name, k)) {
            *cp = named[i].cp;
            return k;
        }
    }
    if (s < end && *s == '#') {
        const char *q = s + 1;
        int hex = q < end && (*q == 'x' || *q == 'X');
        if (hex) q++;
        unsigned long v = 0;
        int digits = 0;
        for (; q < end && digits < 8; q++, digits++) {
            int d;
            if (*q >= '0' && *q <= '9') d = *q - '0';
            else if (hex && *q >= 'a' && *q <= 'f') d = *q - 'a' + 10;
            else if (hex && *q >= 'A' && *q <= 'F') d = *q - 'A' + 10;
            else break;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
        }
        if (!digits || q >= end || *q != ';') return 0;
        *cp = v;
        return (size_t)(q + 1 - s);
    }
    return 0;
}

/* Cleans [s, end) into dst (cap bytes and a NUL): entities decoded, runs of white space one
 * space, no leading or trailing space, controls and invalid UTF-8 dropped. Returns its length. */
static size_t clean(char *dst, size_t cap, const char *s, const char *end)
{
    out o = {dst, cap, 0, 0, 0};
    while (s < end && !o.full) {
        unsigned char c = (unsigned char)*s;
        if (is_space((char)c)) {
            o.space = 1;
            s++;
        } else if (c == '&') {
            unsigned long cp;
            size_t k = entity(s + 1, end, &cp);
            if (k) {
                put_cp(&o, cp);
                s += 1 + k;
            } else {
                put(&o, "&", 1);
                s++;
            }
        } else if (c < 0x80) {
            if (c >= 0x20 && c != 0x7F) put(&o, s, 1);
            s++;
        } else {
            size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if ((size_t)(end - s) >= k && k > 1 && utf8_valid(s, k) && !utf8_has_control(s, k, 0)) put(&o, s, k);
            else k = 1;   /* a stray byte: dropped */
            s += k;
        }
    }
    dst[o.len] = '\0';
    return o.len;
}

/* One field with the rank of the source that filled it (lower wins; 0: empty). */
typedef struct field {
    char *dst;
    size_t cap;
    int rank;
} field;

static int offer(field *f, int rank, const char *s, const char *end)
{
    if (f->rank && f->rank <= rank) return 0;
    char tmp[HTMLMETA_IMAGE_MAX + 1];
    size_t n = clean(tmp, f->cap, s, end);
    if (!n) return 0;
    memcpy(f->dst, tmp, n + 1);
    f->rank = rank;
    return 1;
}

/* The end of a tag whose attributes start at p: just after its '>' (quotes respected). */
static const char *tag_end(const char *p, const char *end)
{
    char quote = 0;
    for (; p < end; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            return p + 1;
        }
    }
    return end;
}

/* A <meta>'s attributes from p: offers its content to the field its property or name names. */
static const char *meta(const char *p, const char *end, field *title, field *desc, field *image)
{
    const char *key = NULL, *key_end = NULL, *content = NULL, *content_end = NULL;
    while (p < end) {
        while (p < end && (is_space(*p) || *p == '/')) p++;
        if (p >= end || *p == '>') {
            if (p < end) p++;
            break;
        }
        const char *name = p;
        while (p < end && !is_space(*p) && *p != '=' && *p != '>' && *p != '/') p++;
        const char *name_end = p;
        if (name_end == name) {     /* a lone '=' or the like: step over it */
            p++;
            continue;
        }
        while (p < end && is_space(*p)) p++;
        const char *v = NULL, *v_end = NULL;
        if (p < end && *p == '=') {
            p++;
            while (p < end && is_space(*p)) p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                char q = *p++;
                v = p;
                while (p < end && *p != q) p++;
                v_end = p;
                if (p < end) p++;
            } else {
                v = p;
                while (p < end && !is_space(*p) && *p != '>') p++;
                v_end = p;
            }
        }
        if (!v) continue;
        size_t nl = (size_t)(name_end - name);
        if ((nl == 8 && starts_ci(name, name_end, "property")) || (nl == 4 && starts_ci(name, name_end, "name"))) {
            if (!key) key = v, key_end = v_end;
        } else if (nl == 7 && starts_ci(name, name_end, "content")) {
            content = v, content_end = v_end;
        }
    }
    if (!key || !content) return p;
    /* the property's value, lower case, for the comparisons below */
    char k[32];
    size_t kl = (size_t)(key_end - key);
    if (kl >= sizeof k) return p;
    for (size_t i = 0; i < kl; i++) k[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
    k[kl] = '\0';
    if (!strcmp(k, "og:title")) offer(title, 1, content, content_end);
    else if (!strcmp(k, "twitter:title")) offer(title, 2, content, content_end);
    else if (!strcmp(k, "og:description")) offer(desc, 1, content, content_end);
    else if (!strcmp(k, "twitter:description")) offer(desc, 2, content, content_end);
    else if (!strcmp(k, "description")) offer(desc, 3, content, content_end);
    else if (!strcmp(k, "og:image") || !strcmp(k, "og:image:url") || !strcmp(k, "og:image:secure_url")) offer(image, 1, content, content_end);
    else if (!strcmp(k, "twitter:image") || !strcmp(k, "twitter:image:src")) offer(image, 2, content, content_end);
    return p;
}

int htmlmeta_extract(const char *html, size_t n, htmlmeta *m)
{
    memset(m, 0, sizeof *m);
    field title = {m->title, HTMLMETA_TITLE_MAX, 0};
    field desc = {m->description, HTMLMETA_DESC_MAX, 0};
    field image = {m->image, HTMLMETA_IMAGE_MAX, 0};
    if (!html) return 0;
    const char *p = html, *end = html + n;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) break;
        p = lt + 1;
        if (starts_ci(p, end, "!--")) {
            const char *q = find_ci(p + 3, end, "-->");
            p = q < end ? q + 3 : end;
            continue;
        }
        if (p < end && *p == '/') {
            if (starts_ci(p + 1, end, "head")) break;
            p = tag_end(p, end);
            continue;
        }
        const char *name = p;
        while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) p++;
        size_t nl = (size_t)(p - name);
        if (nl == 4 && starts_ci(name, end, "body")) break;
        if (nl == 4 && starts_ci(name, end, "meta")) {
            p = meta(p, end, &title, &desc, &image);
        } else if (nl == 5 && starts_ci(name, end, "title")) {
            const char *text = tag_end(p, end);
            const char *close = find_ci(text, end, "</title");
            offer(&title, 3, text, close);
            p = close;
        } else if ((nl == 6 && starts_ci(name, end, "script")) || (nl == 5 && starts_ci(name, end, "style")) ||
                   (nl == 8 && starts_ci(name, end, "template"))) {
            /* raw text: nothing in it is a tag; skip to its closing tag */
            char closing[12] = "</";
            for (size_t i = 0; i < nl; i++) closing[2 + i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
            closing[2 + nl] = '\0';
            p = find_ci(tag_end(p, end), end, closing);
        } else {
            p = tag_end(p, end);
        }
    }
    return (title.rank > 0) + (desc.rank > 0) + (image.rank > 0);
}
