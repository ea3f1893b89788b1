/* fuzz_preview_url.c — a page's og:image resolved against the page's address, from any
 * bytes ("<base>\n<ref>"): never a write or read outside the buffers (ASan), and whatever
 * is accepted fits its buffer and passes the outbound guard's URL parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/worker/preview_url.h"
#include "../../cgi/core/outbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t bl = nl ? (size_t)(nl - data) : size, rl = nl ? size - bl - 1 : 0;
    char *base = malloc(bl + 1), *ref = malloc(rl + 1);
    if (!base || !ref) { free(base); free(ref); return 0; }
    memcpy(base, data, bl);
    base[bl] = '\0';
    if (rl) memcpy(ref, nl + 1, rl);
    ref[rl] = '\0';
    size_t cap = 1 + size % (OUTBOUND_URL_MAX + 1);   /* small buffers too */
    char *out = malloc(cap);
    if (out && preview_image_url(base, ref, out, cap) == 0) {
        outbound_url u;
        const char *why;
        if (strlen(out) >= cap || outbound_parse(out, &u, &why)) abort();
    }
    free(out);
    free(base);
    free(ref);
    return 0;
}
