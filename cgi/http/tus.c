/* tus.c — see tus.h. Fuzzed by tests/fuzz/fuzz_tus.c. */
#include "tus.h"
#include <string.h>
#include <sodium.h>
#include "../core/utf8.h"

int tus_number(const char *s, long long *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 16 || strspn(s, "0123456789") != n) return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    *out = v;
    return 0;
}

/* Decodes one base64 value of len characters into out (NUL-terminated); -1 when invalid. */
static int tus_value(const char *b64, size_t len, char *out, size_t outlen)
{
    size_t got = 0;
    const char *end;
    if (len == 0) { out[0] = '\0'; return 0; }
    if (sodium_base642bin((unsigned char *)out, outlen - 1, b64, len, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) || end != b64 + len)
        return -1;
    out[got] = '\0';
    if (strlen(out) != got || !utf8_valid(out, got) || utf8_has_control(out, got, 0)) return -1;
    return 0;
}

int tus_metadata(const char *s, char name[TUS_MAX_NAME], char type[TUS_MAX_TYPE])
{
    name[0] = type[0] = '\0';
    if (!s) return 0;
    int seen_name = 0, seen_type = 0;
    char keys[32][64];
    int nkeys = 0;
    while (*s) {
        while (*s == ' ') s++;
        const char *k = s;
        size_t kl = strcspn(s, " ,");
        if (kl == 0 || kl >= 64 || nkeys >= 32) return -1;
        for (int i = 0; i < nkeys; i++)
            if (strlen(keys[i]) == kl && !memcmp(keys[i], k, kl)) return -1;
        for (size_t i = 0; i < kl; i++)
            if ((unsigned char)k[i] <= ' ' || (unsigned char)k[i] >= 0x7f) return -1;
        memcpy(keys[nkeys], k, kl);
        keys[nkeys++][kl] = '\0';
        s += kl;
        const char *v = s;
        size_t vl = 0;
        if (*s == ' ') {
            v = ++s;
            vl = strcspn(s, ",");
            while (vl && v[vl - 1] == ' ') vl--;
            s += strcspn(s, ",");
        }
        if ((kl == 8 && !memcmp(k, "filename", 8)) || (kl == 4 && !memcmp(k, "name", 4))) {
            if (seen_name++ || tus_value(v, vl, name, TUS_MAX_NAME)) return -1;
        } else if ((kl == 8 && !memcmp(k, "filetype", 8)) || (kl == 4 && !memcmp(k, "type", 4))) {
            if (seen_type++ || tus_value(v, vl, type, TUS_MAX_TYPE)) return -1;
        }
        if (*s == ',') {
            s++;
            if (!*s) return -1;                      /* a trailing comma */
        } else if (*s) return -1;
    }
    return 0;
}
