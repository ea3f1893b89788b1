/* mail.h — e-mail addresses and RFC 5322 messages, without I/O (the worker sends them with
 * libcurl, cgi/worker/mail.c). Addresses are outside input: mail_addr_parse is the one
 * parser, and it accepts only plain ASCII addr-specs (dot-atom local part, a domain of at
 * least two labels), so nothing it returns can break out of a header or an SMTP command.
 * Messages are multipart/alternative (text and HTML, UTF-8, base64) with CRLF line endings;
 * display names and subjects are RFC 2047 encoded-words when they are not plain ASCII, and
 * control characters in them (CR, LF, …) become spaces: no header can be injected. */
#ifndef PARLEY_MAIL_H
#define PARLEY_MAIL_H
#include "arena.h"
#include "buf.h"
#include "err.h"

enum { MAIL_ADDR_MAX = 254, MAIL_LOCAL_MAX = 64, MAIL_SUBJECT_MAX = 200 };

/* The address s as stored and used (arena): surrounding spaces trimmed, the domain folded to
 * lower case; NULL when s is not a plain address (then *why, when given, says why in a
 * sentence a person understands; static). */
const char *mail_addr_parse(arena *a, const char *s, const char **why);
/* A sender as configured (PARLEY_MAIL_FROM): "Name <addr>" or "addr". 0 and *name (may be
 * "") and *addr in the arena, or -1 when it is neither. */
int mail_from_parse(arena *a, const char *s, const char **name, const char **addr);

/* Appends a display name as a header phrase: as it is (atoms), quoted, or as encoded-words;
 * control characters become spaces. */
void mail_put_phrase(buf *b, const char *name);
/* Appends unstructured header text (a subject) the same way, encoded-words when needed. */
void mail_put_text(buf *b, const char *text);
/* The RFC 5322 date of unix time t, in UTC ("Sat, 05 Dec 2026 21:34:31 +0000"). */
void mail_put_date(buf *b, long long t);

typedef struct mail_msg {
    const char *from_name, *from_addr;   /* the name may be NULL or "" */
    const char *to_name, *to_addr;
    const char *subject;                 /* UTF-8, cut at MAIL_SUBJECT_MAX bytes */
    const char *text, *html;             /* the two bodies, UTF-8 (LF or CRLF) */
    const char *id;                      /* a random token: Message-ID <id@from-domain>, and the boundary */
    long long date;                      /* unix time */
    /* NULL, or an http(s) URL (printable ASCII, no space or <>, at most 900 bytes) that turns
     * these mails off: List-Unsubscribe with List-Unsubscribe-Post (RFC 8058 one-click). */
    const char *list_unsubscribe;
} mail_msg;

/* Appends the whole message to out. ERR_INVALID_FIELD when an address does not parse,
 * the id is not [A-Za-z0-9_-]{8,64} or list_unsubscribe is not such a URL; ERR_INTERNAL when out ran out of memory. */
err_t mail_build(const mail_msg *m, buf *out);

#endif
