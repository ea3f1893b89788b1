/* clock.h — the monotonic clock in milliseconds, for timeouts, intervals and caches' ages
 * (never for a time shown or stored: that is the wall clock). */
#pragma once

long long clock_now_ms(void);
