// time.h — host time: a TSC calibrated against the PIT at boot.
#pragma once
#include "kernel/types.h"

extern u64 tsc_hz;            // 0 until calibrated

// Calibrate the TSC against PIT channel 2 (about 50 ms).
void time_init(void);
// Nanoseconds since boot (0 before calibration).
u64 time_ns(void);
// Convert between TSC ticks and nanoseconds at the calibrated rate.
u64 tsc_to_ns(u64 ticks);
u64 ns_to_tsc(u64 ns);
// Busy-wait.
void udelay(u64 us);
