// pit.c — the host's 8254 PIT, used for calibration (channel 2) and one-shot IRQ 0.
#include "kernel/pit.h"
#include "kernel/x86.h"

#define PIT_CH0      0x40
#define PIT_CH2      0x42
#define PIT_CMD      0x43
#define PORT_B       0x61
#define PORTB_GATE2  0x01
#define PORTB_SPKR   0x02
#define PORTB_OUT2   0x20
#define CMD_CH0_MODE0_LOHI 0x30
#define CMD_CH2_MODE0_LOHI 0xb0
#define PIT_MAX_COUNT 0xffff

// Count TSC ticks while channel 2 counts down `ms` milliseconds.
u64 pit_measure_tsc(unsigned ms)
{
    u32 count = PIT_HZ * ms / 1000;
    u8 b = inb(PORT_B);
    outb(PORT_B, (b & ~PORTB_SPKR) & ~PORTB_GATE2);
    outb(PIT_CMD, CMD_CH2_MODE0_LOHI);
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    outb(PORT_B, (b & ~PORTB_SPKR) | PORTB_GATE2);   // gate rising edge starts the count
    u64 start = rdtsc();
    for (u32 spins = 0; !(inb(PORT_B) & PORTB_OUT2) && spins < 100000000; spins++)
        ;
    u64 ticks = rdtsc() - start;
    outb(PORT_B, b);
    return ticks;
}

// Program channel 0 in mode 0: IRQ 0 rises when the count reaches zero.
void pit_oneshot(u64 ns)
{
    u64 count = ns * PIT_HZ / 1000000000ULL;
    if (count < 1) count = 1;
    if (count > PIT_MAX_COUNT) count = PIT_MAX_COUNT;
    outb(PIT_CMD, CMD_CH0_MODE0_LOHI);
    outb(PIT_CH0, count & 0xff);
    outb(PIT_CH0, count >> 8);
}
