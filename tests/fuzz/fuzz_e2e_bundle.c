/* fuzz_e2e_bundle.c — a prekey bundle as the key directory hands it out (cgi/e2e/keys.c):
 * the bytes are whatever the other device (or the server) put there. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/keys.h"
#include "../../cgi/e2e/ratchet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static e2e_identity me;
    static e2e_session s;
    static int ready;
    if (!ready) { e2e_init(); e2e_identity_new(&me, NULL); ready = 1; }
    e2e_bundle b;
    if (e2e_bundle_decode(&b, data, size) == 0) (void)e2e_session_initiate(&s, &me, &b);
    return 0;
}
