/* fuzz_e2e_link.c — what a new device reads while linking (cgi/e2e/link.c): the sealed
 * transfer (the server, or whoever swapped it, chose the bytes; the key comes from the first
 * 32) and the code as typed (the same bytes read as text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) { e2e_init(); ready = 1; }
    char id[E2E_LINK_ID_DIGITS + 1], code[E2E_LINK_CODE_DIGITS + 1];
    unsigned char secret[E2E_LINK_SECRET_LEN], back[E2E_LINK_SECRET_LEN];
    if (e2e_link_code_parse((const char *)data, size, id, secret) == 0) {
        /* A code read is written back the same (less its spaces), and read again the same. */
        if (e2e_link_code(id, secret, code) != 0) abort();
        char again[E2E_LINK_ID_DIGITS + 1];
        if (e2e_link_code_parse(code, strlen(code), again, back) != 0 || memcmp(back, secret, sizeof secret) ||
            strcmp(again, id))
            abort();
    }
    if (size < 32) return 0;
    size_t n = size - 32;
    unsigned char *out = malloc(n ? n : 1);
    if (!out) return 0;
    long rc = e2e_link_open(data, data + 32, n, out, n);
    if (rc > (long)n) abort();                       /* never more out than in */
    free(out);
    return 0;
}
