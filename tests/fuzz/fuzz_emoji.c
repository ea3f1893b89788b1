/* fuzz_emoji.c — the reaction check from any bytes: never a read outside the buffer (ASan);
 * what it accepts maps to a canonical form that is accepted as itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/emoji.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);    /* exact size, no NUL: overreads are caught */
    if (!copy) return 0;
    memcpy(copy, data, size);
    const char *canon = emoji_canonical(copy, size);
    if (canon && emoji_canonical(canon, strlen(canon)) != canon) abort();
    free(copy);
    return 0;
}
