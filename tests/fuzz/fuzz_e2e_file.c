/* fuzz_e2e_file.c — an attachment's blob as downloaded (cgi/e2e/file.c): the server, or
 * whoever replaced the file, chose the bytes; the key and header come from the first 56. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) { e2e_init(); ready = 1; }
    if (size < E2E_FILE_KEY_LEN + E2E_FILE_HEADER_LEN) return 0;
    const uint8_t *key = data, *header = data + E2E_FILE_KEY_LEN, *blob = header + E2E_FILE_HEADER_LEN;
    size_t n = size - E2E_FILE_KEY_LEN - E2E_FILE_HEADER_LEN;
    unsigned char *out = malloc(n ? n : 1);
    if (!out) return 0;
    long rc = e2e_file_open(key, header, blob, n, out, n);
    if (rc > (long)n) abort();                       /* never more out than in */
    free(out);
    return 0;
}
