/* fuzz_e2e_ratchet.c — what a device receives from another over a one-to-one session
 * (cgi/e2e/ratchet.c): a ratchet message (header and ciphertext) on a live session, and a
 * prekey message that would start one. Every byte is the sender's (or a forger's). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/keys.h"
#include "../../cgi/e2e/ratchet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Alice and Bob with a session both ways, made once. */
    static e2e_identity alice, bob;
    static e2e_prekey spk, opk;
    static e2e_session a, b, scratch;
    static unsigned char out[1 << 16];
    static int ready;
    if (!ready) {
        e2e_init();
        e2e_identity_new(&alice, NULL);
        e2e_identity_new(&bob, NULL);
        e2e_signed_prekey_new(&spk, &bob, 1);
        e2e_onetime_prekey_new(&opk, 2);
        unsigned char bundle[E2E_BUNDLE_MAX], msg[128];
        long bn = e2e_bundle_encode(&bob, &spk, &opk, bundle, sizeof bundle);
        e2e_bundle bd;
        e2e_bundle_decode(&bd, bundle, (size_t)bn);
        e2e_session_initiate(&a, &alice, &bd);
        long mn = e2e_session_encrypt(&a, (const unsigned char *)"hi", 2, msg, sizeof msg);
        e2e_session_respond(&b, &bob, &spk, &opk, msg, (size_t)mn, out, sizeof out);
        ready = 1;
    }
    /* On Bob's live session (unchanged unless a message really decrypts)... */
    (void)e2e_session_decrypt(&b, data, size, out, sizeof out);
    /* ... and as the first message of a new one. */
    unsigned char ik[32];
    uint32_t spk_id, opk_id;
    int has;
    if (e2e_prekey_message_peek(data, size, ik, &spk_id, &has, &opk_id) == 0)
        (void)e2e_session_respond(&scratch, &bob, &spk, has ? &opk : NULL, data, size, out, sizeof out);
    return 0;
}
