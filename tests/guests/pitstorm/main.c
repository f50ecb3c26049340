// main.c — pitstorm.elf: the PIT at count 2 and 1 (an edge due at every VM entry) with
// IRQ 0 unmasked must not starve the guest: it still counts to SPIN_TARGET with the
// ticks arriving, and a normal rate works afterwards.
#include <stdint.h>
#include "io.h"
#include "pic.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define PIT_CH0        0x40
#define PIT_CMD        0x43
#define PIT_MODE2      0x34    // channel 0, lobyte/hibyte, rate generator
#define PIT_MODE0      0x30    // channel 0, lobyte/hibyte, interrupt on terminal count
#define SPIN_TARGET    2000000u
#define NORMAL_HZ      200
#define NORMAL_TICKS   3
#define WAIT_LIMIT     50000000u

static volatile uint32_t ticks, others;

// IRQ 0: count and acknowledge, nothing more.
static void on_timer(struct trap_frame *f) {
    (void)f;
    ticks++;
    pic_eoi(IRQ_TIMER);
}

// Any other PIC vector: count it, acknowledge it.
static void on_other_irq(struct trap_frame *f) {
    others++;
    pic_eoi((int)f->vector - PIC_VECTOR_BASE);
}

static void pit_count(uint16_t count) {
    outb(PIT_CMD, PIT_MODE2);
    outb(PIT_CH0, (uint8_t)count);
    outb(PIT_CH0, (uint8_t)(count >> 8));
}

// Count to SPIN_TARGET with interrupts on under a storm of period `count` PIT ticks.
static void storm(uint16_t count, const char *name) {
    uint32_t inj0 = testdev_read(TESTDEV_INJECTED_IRQS), t0 = ticks;
    volatile uint32_t n = 0;
    pit_count(count);
    pic_unmask(IRQ_TIMER);
    sti();
    while (n < SPIN_TARGET) n++;
    cli();
    pic_mask(IRQ_TIMER);
    uint32_t got = ticks - t0, inj = testdev_read(TESTDEV_INJECTED_IRQS) - inj0;
    test_check(n == SPIN_TARGET && got >= 1, name, "counted %u, ticks %u", n, got);
    gprintf("INFO pitstorm: count=%u ticks=%u injected=%u\n", count, got, myrmex() ? inj : 0);
}

void guest_main(void) {
    pic_init();
    for (int irq = 0; irq < PIC_IRQS; irq++) trap_set_handler(PIC_VECTOR_BASE + irq, on_other_irq);
    trap_set_handler(PIC_VECTOR_BASE + IRQ_TIMER, on_timer);
    storm(2, "pitstorm_count2_progress");
    storm(1, "pitstorm_count1_progress");
    // After the storm a normal rate still ticks.
    uint32_t t0 = ticks;
    pit_periodic(NORMAL_HZ);
    pic_unmask(IRQ_TIMER);
    sti();
    for (uint32_t i = 0; i < WAIT_LIMIT && ticks < t0 + NORMAL_TICKS; i++) cpu_relax();
    cli();
    pic_mask(IRQ_TIMER);
    test_check(ticks >= t0 + NORMAL_TICKS, "pitstorm_normal_rate_after", "ticks %u", ticks - t0);
    outb(PIT_CMD, PIT_MODE0);  // stop the periodic counter: no IRQ 0 until a count is written
    test_finish();
}
