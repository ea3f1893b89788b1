/* safety.h — the safety number two people compare to know no one sits between them: as
 * Signal's (version 0 of its numeric fingerprint). For each person, h = SHA-512(0x00 0x00 ||
 * identity key || stable id), then 5,199 times h = SHA-512(h || identity key); the first 30
 * bytes, as six 5-byte big-endian numbers each taken modulo 100,000, give 30 digits. The two
 * halves are joined lower first, so both people see the same 60 digits. The identity key is
 * the device's Ed25519 public key; the stable id is the caller's (Parley uses the user id). */
#ifndef PARLEY_E2E_SAFETY_H
#define PARLEY_E2E_SAFETY_H
#include <stddef.h>

enum { E2E_SAFETY_DIGITS = 60, E2E_SAFETY_ITERATIONS = 5200 };

/* Writes the 60 digits and a NUL into out[61]. */
int e2e_safety_number(const unsigned char ik_a[32], const unsigned char *id_a, size_t la, const unsigned char ik_b[32],
                      const unsigned char *id_b, size_t lb, char out[E2E_SAFETY_DIGITS + 1]);

#endif
