/* fuzz_tus.c — the tus header parsers (Upload-Metadata, Upload-Offset/Length) on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/utf8.h"
#include "../../cgi/http/tus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char name[TUS_MAX_NAME], type[TUS_MAX_TYPE];
    if (tus_metadata(s, name, type) == 0) {
        size_t nl = strlen(name), tl = strlen(type);
        if (nl >= TUS_MAX_NAME || tl >= TUS_MAX_TYPE) abort();
        if (!utf8_valid(name, nl) || !utf8_valid(type, tl)) abort();
        if (utf8_has_control(name, nl, 0) || utf8_has_control(type, tl, 0)) abort();
    }
    long long v;
    if (tus_number(s, &v) == 0 && (v < 0 || strlen(s) > 16)) abort();
    free(s);
    return 0;
}
