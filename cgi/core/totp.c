/* totp.c — see totp.h. Codes are compared in constant time. */
#include "totp.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

long totp_hotp(const unsigned char *secret, size_t n, uint64_t step)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    for (int i = 7; i >= 0; i--) { msg[i] = (unsigned char)(step & 0xff); step >>= 8; }
    if (!HMAC(EVP_sha1(), secret, (int)n, msg, sizeof msg, mac, &len) || len != 20) return -1;
    unsigned off = mac[19] & 0x0f;                      /* RFC 4226 dynamic truncation */
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    return (long)(bin % 1000000);
}

int totp_verify(const unsigned char *secret, size_t n, const char *code, long long now, long long last_step,
                long long *step)
{
    char digits[TOTP_DIGITS + 1];
    size_t d = 0;
    for (const char *p = code; p && *p; p++) {
        if (*p == ' ' || *p == '-') continue;
        if (*p < '0' || *p > '9' || d == TOTP_DIGITS) return 0;
        digits[d++] = *p;
    }
    if (d != TOTP_DIGITS) return 0;
    digits[d] = '\0';
    long long cur = now / TOTP_STEP;
    int found = 0;
    for (long long s = cur - 1; s <= cur + 1; s++) {    /* every step is computed: same time either way */
        long want = totp_hotp(secret, n, (uint64_t)s);
        char w[TOTP_DIGITS + 1];
        for (int i = TOTP_DIGITS - 1; i >= 0; i--) { w[i] = (char)('0' + want % 10); want /= 10; }
        unsigned diff = 0;
        for (int i = 0; i < TOTP_DIGITS; i++) diff |= (unsigned)(w[i] ^ digits[i]);
        if (!diff && s > last_step && !found) { found = 1; *step = s; }
    }
    return found;
}

void totp_base32(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t o = 0;
    unsigned buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buffer = (buffer << 8) | in[i];
        bits += 8;
        while (bits >= 5) { out[o++] = alphabet[(buffer >> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) out[o++] = alphabet[(buffer << (5 - bits)) & 31];
    out[o] = '\0';
}
