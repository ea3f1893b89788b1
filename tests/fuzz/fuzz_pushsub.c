/* fuzz_pushsub.c — a push subscription as a browser (or anyone) POSTs it: the JSON, the
 * endpoint URL (cgi/core/outbound.c's parser) and the base64url keys (cgi/core/pushsub.c).
 * The input's first byte picks an allow list, so the allowed paths are reached too. No DNS:
 * pushsub_parse never resolves. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>
#include "../../cgi/core/outbound.h"
#include "../../cgi/core/pushsub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allows[] = {"", "127.0.0.1:9000", "push.example,[::1]:8443"};
    if (!size) return 0;
    const char *allow = allows[data[0] % 3];
    json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
    if (in) {
        pushsub sub;
        const char *field, *why;
        (void)pushsub_parse(allow, in, &sub, &field, &why);
        json_decref(in);
    }
    /* The URL parser and allow list on the raw bytes as a string, too. */
    char url[OUTBOUND_URL_MAX + 8];
    size_t n = size - 1 < sizeof url - 1 ? size - 1 : sizeof url - 1;
    memcpy(url, data + 1, n);
    url[n] = '\0';
    outbound_url u;
    const char *why;
    if (!outbound_parse(url, &u, &why)) (void)outbound_allowed(allow, u.host, u.port);
    return 0;
}
