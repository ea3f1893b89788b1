/* secret.h — random tokens and their hashes: 256-bit secrets as unpadded base64url, stored
 * and looked up only as hex SHA-256, compared in constant time. */
#ifndef PARLEY_SECRET_H
#define PARLEY_SECRET_H
#include <stddef.h>

enum { SECRET_LEN = 43, SECRET_HEX = 64 };

void secret_new(char out[SECRET_LEN + 1]);
void secret_hash(const char *token, char out[SECRET_HEX + 1]);
/* 1 when token has the shape of a secret (prefix, then SECRET_LEN base64url characters). */
int secret_shape_ok(const char *token, const char *prefix);
/* A random (version 4) UUID in lower-case hex, for forms' client_id. */
void secret_uuid(char out[37]);
/* Constant-time equality of two NUL-terminated strings (length is not secret). */
int secret_equal(const char *a, const char *b);

#endif
