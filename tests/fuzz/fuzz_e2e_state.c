/* fuzz_e2e_state.c — saved state read back (cgi/e2e/): sessions, sender keys, identities and
 * prekeys, from storage a page script or another program could have changed. A state that
 * loads must save to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/group.h"
#include "../../cgi/e2e/keys.h"
#include "../../cgi/e2e/ratchet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static e2e_session s;
    static e2e_group_key g;
    static unsigned char again[E2E_SESSION_MAX > E2E_GROUP_MAX ? E2E_SESSION_MAX : E2E_GROUP_MAX];
    static int ready;
    if (!ready) { e2e_init(); ready = 1; }
    if (e2e_session_load(&s, data, size) == 0) {
        long n = e2e_session_save(&s, again, sizeof again);
        if (n != (long)size || memcmp(again, data, size) != 0) abort();
        unsigned char out[64];
        (void)e2e_session_encrypt(&s, (const unsigned char *)"x", 1, again, sizeof again);
        (void)out;
    }
    if (e2e_group_load(&g, data, size) == 0) {
        long n = e2e_group_save(&g, again, sizeof again);
        if (n != (long)size || memcmp(again, data, size) != 0) abort();
    }
    e2e_identity id;
    (void)e2e_identity_load(&id, data, size);
    e2e_prekey pk;
    (void)e2e_prekey_load(&pk, data, size);
    return 0;
}
