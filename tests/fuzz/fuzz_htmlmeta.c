/* fuzz_htmlmeta.c — a link preview's title, description and image from any bytes: never a
 * read outside the buffer (ASan); every value valid UTF-8 within its size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/htmlmeta.h"
#include "../../cgi/core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);    /* exact size, no NUL: overreads are caught */
    if (!copy) return 0;
    memcpy(copy, data, size);
    static htmlmeta m;
    htmlmeta_extract(copy, size, &m);
    if (strlen(m.title) > HTMLMETA_TITLE_MAX || !utf8_valid(m.title, strlen(m.title))) abort();
    if (strlen(m.description) > HTMLMETA_DESC_MAX || !utf8_valid(m.description, strlen(m.description))) abort();
    if (strlen(m.image) > HTMLMETA_IMAGE_MAX || !utf8_valid(m.image, strlen(m.image))) abort();
    free(copy);
    return 0;
}
