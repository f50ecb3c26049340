// pit.h — the host's 8254 PIT: TSC calibration and one-shot interrupts on IRQ 0.
#pragma once
#include "kernel/types.h"

#define PIT_HZ 1193182

// Count TSC ticks during `ms` milliseconds measured with channel 2 (ms <= 54).
u64 pit_measure_tsc(unsigned ms);
// Raise IRQ 0 once after `ns` nanoseconds (clamped to what the 16-bit counter holds).
void pit_oneshot(u64 ns);
