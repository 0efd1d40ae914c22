/*
 * clock.h - the two clocks of the shell: wall-clock time for timestamps
 * and expiries, a monotonic clock for durations. The pure core never
 * reads a clock; it is given "now" by its caller.
 */
#ifndef CB_CLOCK_H
#define CB_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t clock_now_ms(void);

/* Microseconds of CLOCK_MONOTONIC, for measuring durations. */
int64_t clock_mono_us(void);

#endif
