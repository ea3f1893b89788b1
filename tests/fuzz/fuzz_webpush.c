/* fuzz_webpush.c — an encrypted Web Push body as a receiver gets it (cgi/core/webpush.c's
 * webpush_decrypt): header, key, record size and ciphertext are all the sender's. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>
#include "../../cgi/core/webpush.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* RFC 8291's example subscription: a body made for it may even open. */
    static unsigned char priv[32], pub[65], auth[16];
    static int ready;
    if (!ready) {
        size_t n;
        sodium_base642bin(priv, sizeof priv, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94", 43, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_base642bin(pub, sizeof pub, "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                          87, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_base642bin(auth, sizeof auth, "BTBZMqHH6r4Tts7J_aSIgg", 22, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        ready = 1;
    }
    static unsigned char out[8192];
    (void)webpush_decrypt(priv, pub, auth, data, size, out, sizeof out);
    return 0;
}
