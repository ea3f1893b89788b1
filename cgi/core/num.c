/* num.c — see num.h. */
#include "num.h"

int num_parse(const char *s, size_t n, long long *out)
{
    if (!s || n == 0 || n > 18) return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}
