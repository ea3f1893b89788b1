/* fuzz_e2e_group.c — what a group member receives (cgi/e2e/group.c): a sender-key message and
 * a distribution message; every byte may be a forger's. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static e2e_group_key own, recv, scratch;
    static unsigned char out[1 << 16];
    static int ready;
    if (!ready) {
        e2e_init();
        e2e_group_new(&own, 1);
        unsigned char dist[E2E_DISTRIBUTION_LEN];
        e2e_group_distribution(&own, dist, sizeof dist);
        e2e_group_accept(&recv, dist, sizeof dist);
        ready = 1;
    }
    uint32_t id;
    (void)e2e_group_peek(data, size, &id);
    (void)e2e_group_decrypt(&recv, data, size, out, sizeof out);
    if (e2e_group_accept(&scratch, data, size) == 0) (void)e2e_group_decrypt(&scratch, data, size, out, sizeof out);
    return 0;
}
