/* search.h — message, conversation and people search. The query parser is pure (no
 * database) so the fuzzer and unit tests drive it alone; search.c runs the statements. */
#ifndef PARLEY_SEARCH_H
#define PARLEY_SEARCH_H
#include <stddef.h>
#include "../core/arena.h"
#include "../core/err.h"

enum { SEARCH_MAX_WORDS = 8, SEARCH_MAX_IN = 100 };

/* A parsed search: the free text split into plain words (each must occur somewhere in the
 * message, inside words too) and the structured part (phrases, -exclusions, or) that goes
 * to websearch_to_tsquery; plus the operators. Strings live in the parser's arena. */
typedef struct search_query {
    const char *words[SEARCH_MAX_WORDS];
    size_t nwords;
    const char *text;        /* for websearch_to_tsquery; "" when none */
    int terms;               /* text has something to find (a phrase, a word after or) */
    const char *from;        /* from:@name — a username, lower case, or NULL */
    const char *in;          /* in:… — a conversation id (digits) or title text, or NULL */
    char before[11], after[11], on[11];   /* YYYY-MM-DD, or "" */
    int mention;             /* is:mention */
    const char *has;         /* has:link, file, image, video or audio (static), or NULL */
} search_query;

/* Parses q (len bytes) into *out. On bad input returns ERR_INVALID_FIELD with *msg saying
 * what is wrong (in a; never NULL then). Never reads past len. */
err_t search_parse(arena *a, const char *q, size_t len, search_query *out, const char **msg);
/* 1 when s is a real calendar date written YYYY-MM-DD (years 1000–9999). */
int search_date_ok(const char *s, size_t len);
/* 1 when s holds three letters or digits in a row (bytes of non-ASCII characters count as
 * letters): pg_trgm then has a trigram to look up, and an index can start from the text. */
int search_has_trigram(const char *s);
/* The words joined by U+001F (the statements split on it): "" for none. In a. */
const char *search_words_joined(arena *a, const search_query *q);
/* The ts_headline snippet (highlights between \x01 and \x02; '<' and '&' sent as \x03 and
 * \x04) as HTML: the text escaped, the highlights as <mark>…</mark>, always balanced. Also
 * marked: every occurrence of the folded words frags (separated by \x1f; NULL or "": none),
 * inside words too, comparing the text folded: ASCII letters lower-cased, other characters
 * as fold says ("é\x1fe\x1eÆ\x1fae": each character, \x1f, its folded form, \x1e before
 * the next; NULL: none), else as they are. In a; NULL when out of memory. */
char *search_snippet_html(arena *a, const char *s, const char *frags, const char *fold);

#endif
