/* fuzz_tzfile.c — the TZif reader from any bytes: never a read outside the buffer (ASan);
 * a zone it accepts answers offsets within a day of UTC for any time, far past or future. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/core/tzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);   /* exact size: overreads are caught */
    if (!copy) return 0;
    memcpy(copy, data, size);
    tz_zone *z = tz_parse(copy, size);
    if (z) {
        static const long long at[] = {-4000000000000LL, -2208988800LL, 0, 1700000000, 2200000000LL, 4102444800LL,
                                       32503680000LL, 4000000000000LL};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            long off = tz_offset(z, at[i]);
            if (off < -26 * 3600L || off > 26 * 3600L) abort();
        }
        tz_free(z);
    }
    free(copy);
    return 0;
}
