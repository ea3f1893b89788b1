/* fuzz_webauthn.c — what a browser sends when adding a passkey or signing in: attestation
 * objects, authenticator data and COSE keys, read by cgi/core/cbor.c and webauthn.c. */
#include <stddef.h>
#include <stdint.h>
#include "../../cgi/core/cbor.h"
#include "../../cgi/core/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wa_authdata ad;
    const unsigned char *p;
    size_t n;
    unsigned char point[WA_P256_POINT_LEN];
    cbor_item it, v;
    (void)wa_attestation_parse(data, size, &ad, &p, &n);
    (void)wa_authdata_parse(data, size, &ad);
    (void)wa_cose_p256(data, size, point);
    if (!cbor_read(data, size, &it)) {
        int64_t x;
        (void)cbor_int(&it, &x);
        (void)cbor_map_get(&it, "authData", 0, &v);
        (void)cbor_map_get(&it, NULL, -2, &v);
    }
    return 0;
}
