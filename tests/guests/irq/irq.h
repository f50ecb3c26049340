// irq.h — irq.elf: timer interrupts (kernel, HLT, ring 3 on untouched pages), #DF task gate
#pragma once
#include <stdint.h>

#define TIMER_HZ    200
#define TICKS_WANT  3
#define SPIN_LIMIT  50000000u   // bail-out for waits on a timer that never ticks

// Tick bookkeeping written by the IRQ0 handler.
struct ticks {
    volatile uint32_t all, user, bad_frame, spurious;
    volatile uint32_t last_cs, last_frame, last_user_ss;
};
extern struct ticks ticks;

// Timer in ring 0 with paging off, and HLT woken by it.
void check_kernel_timer(void);
// Timer taken in ring 3 on a kernel stack and IDT untouched since paging was enabled.
void check_user_timer(void);
// #DF through a task gate; ends the run from the #DF task.
void check_double_fault(void) __attribute__((noreturn));
