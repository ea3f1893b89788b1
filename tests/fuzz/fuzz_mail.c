/* fuzz_mail.c — e-mail addresses as people type them (outside input: PATCH /me, the
 * password reset form), and messages built from whatever names and subjects come along:
 * an accepted address is plain ASCII without specials a header or an SMTP command could
 * trip on, parses again to itself, and no built message has a bare CR or LF or more
 * header lines than it should. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/core/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) { if (sodium_init() < 0) abort(); ready = 1; }
    arena a;
    arena_init(&a);
    char *s = arena_strndup(&a, (const char *)data, size);   /* stops at a NUL, as C strings do */
    const char *why = NULL;
    const char *addr = mail_addr_parse(&a, s, &why);
    if (addr) {
        size_t n = strlen(addr);
        if (!n || n > MAIL_ADDR_MAX || !strchr(addr, '@') || strchr(addr, '@') != strrchr(addr, '@')) abort();
        for (const char *p = addr; *p; p++)
            if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>()[],;:\"\\", *p)) abort();
        const char *again = mail_addr_parse(&a, addr, NULL);
        if (!again || strcmp(again, addr)) abort();
    } else if (!why || !*why) abort();
    const char *name, *from;
    if (!mail_from_parse(&a, s, &name, &from) && !mail_addr_parse(&a, from, NULL)) abort();
    /* The input as a display name and a subject. */
    buf b;
    buf_init(&b);
    mail_msg m = {.from_name = s, .from_addr = "chat@example.org", .to_name = s, .to_addr = addr ? addr : "a@example.org",
                  .subject = s, .text = s, .html = s, .id = "fuzzfuzzfuzz", .date = (long long)size * 86400};
    if (mail_build(&m, &b) != ERR_OK) abort();
    const char *msg = buf_str(&b);
    for (size_t i = 0; i < b.len; i++) {
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) abort();
        if (msg[i] == '\r' && msg[i + 1] != '\n') abort();
    }
    const char *end = strstr(msg, "\r\n\r\n");
    if (!end) abort();
    size_t headers = 0;
    for (const char *p = msg; p < end; p = strstr(p, "\r\n") + 2)
        if (p[0] != ' ' && p[0] != '\t') headers++;
    if (headers != 8) abort();                    /* From To Subject Date Message-ID MIME-Version
                                                     Auto-Submitted Content-Type */
    buf_free(&b);
    arena_free(&a);
    return 0;
}
