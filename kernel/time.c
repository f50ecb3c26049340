// time.c — calibrate the TSC against PIT channel 2; host time in nanoseconds.
#include "kernel/time.h"
#include "kernel/x86.h"
#include "kernel/pit.h"

u64 tsc_hz;
static u64 tsc_boot;

#define CALIBRATE_MS 50

// Measure TSC ticks across a 50 ms PIT channel-2 countdown.
void time_init(void)
{
    u64 ticks = pit_measure_tsc(CALIBRATE_MS);
    tsc_hz = ticks * (1000 / CALIBRATE_MS);
    if (!tsc_hz) tsc_hz = 1000000000;   // a TSC that does not count: pretend 1 GHz
    tsc_boot = rdtsc() - ticks;
}

// Ticks to nanoseconds without overflow for centuries of uptime at GHz rates.
u64 tsc_to_ns(u64 ticks)
{
    if (!tsc_hz) return 0;
    return ticks / tsc_hz * 1000000000ULL + ticks % tsc_hz * 1000000000ULL / tsc_hz;
}

// Nanoseconds to ticks.
u64 ns_to_tsc(u64 ns)
{
    return ns / 1000000000ULL * tsc_hz + ns % 1000000000ULL * tsc_hz / 1000000000ULL;
}

// Nanoseconds since boot.
u64 time_ns(void)
{
    if (!tsc_hz) return 0;
    return tsc_to_ns(rdtsc() - tsc_boot);
}

// Spin for `us` microseconds.
void udelay(u64 us)
{
    u64 end = time_ns() + us * 1000;
    while (time_ns() < end) pause();
}
