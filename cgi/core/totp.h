/* totp.h — time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA-1, six
 * digits, 30-second steps: what every authenticator app speaks) and the base32 their
 * secrets are shown in. HMAC-SHA-1 comes from OpenSSL: libsodium has no SHA-1. */
#ifndef PARLEY_TOTP_H
#define PARLEY_TOTP_H
#include <stddef.h>
#include <stdint.h>

enum { TOTP_SECRET_LEN = 20, TOTP_STEP = 30, TOTP_DIGITS = 6, TOTP_B32_LEN = 33 };

/* The code for counter value step (HOTP), 0..999999; -1 when HMAC fails. */
long totp_hotp(const unsigned char *secret, size_t n, uint64_t step);
/* Checks a six-digit code against the steps around now (one step either way, for clocks
 * that drift), refusing steps at or below last_step (a code works once). 1 with *step set
 * to the matching step, else 0. code may hold spaces ("123 456"). */
int totp_verify(const unsigned char *secret, size_t n, const char *code, long long now, long long last_step,
                long long *step);
/* RFC 4648 base32 without padding, upper case; out needs (n * 8 + 4) / 5 + 1 bytes. */
void totp_base32(const unsigned char *in, size_t n, char *out);

#endif
