// timer.h — one-shot deadlines on host time, run from the host timer interrupt.
#pragma once
#include "kernel/types.h"

struct timer {
    u64 deadline;                        // time_ns() at which fn runs
    void (*fn)(struct timer *t);         // runs with interrupts off; may re-arm t
    void *arg;
    struct timer *next;
    bool armed;
};

void timer_init(void);
// Arm (or move) t to fire at `deadline` ns.
void timer_arm(struct timer *t, u64 deadline);
void timer_cancel(struct timer *t);
// Run every timer whose deadline has passed (also called from the idle loop).
void timer_run_expired(void);
// Interrupts taken so far (for selftests and statistics).
extern u64 timer_irqs;
