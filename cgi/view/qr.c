/* qr.c — see qr.h. One path of unit squares on a white square: no text of the caller's
 * ever reaches the SVG, only the module matrix. */
#include "qr.h"
#include <qrencode.h>
#include <string.h>
#include "../core/buf.h"

char *qr_svg(arena *a, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return NULL;
    int w = q->width, size = w + 8;
    buf b;
    buf_init(&b);
    buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                   "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size, size * 6, size * 6, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (q->data[y * w + x] & 1) buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
    buf_puts(&b, "\"/></svg>\n");
    QRcode_free(q);
    char *out = b.oom ? NULL : arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return out;
}
