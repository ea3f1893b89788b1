/* fuzz_imghdr.c — image header sizes (PNG, GIF, JPEG, WebP) from any bytes: never a read
 * outside the buffer (ASan), never a size below 1 when it says it found one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/media/imghdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);    /* exact size: overreads are caught */
    if (!copy) return 0;
    memcpy(copy, data, size);
    long w = -1, h = -1;
    if (imghdr_size(copy, size, &w, &h) == 0) {
        if (w < 1 || h < 1) abort();
    } else if (w != 0 || h != 0) {
        abort();
    }
    free(copy);
    return 0;
}
