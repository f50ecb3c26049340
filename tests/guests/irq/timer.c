// timer.c — irq.elf: timer interrupts in ring 0 (paging off, HLT wake-up) and in ring 3
// (paging on, delivered through an IDT and onto a ring 0 stack not touched since paging began)
#include "irq.h"
#include "desc.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "pic.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define USER_SPINS  200000000u
#define HLT_ROUNDS  3

static int timer_works;

// Wait (bounded) for the tick count to reach target with interrupts on.
static int wait_ticks(uint32_t target) {
    sti();
    for (uint32_t i = 0; i < SPIN_LIMIT && ticks.all < target; i++) cpu_relax();
    cli();
    return ticks.all >= target;
}

// Timer in ring 0 with paging off, and HLT woken by it.
void check_kernel_timer(void) {
    uint32_t inj0 = testdev_read(TESTDEV_INJECTED_IRQS);
    pic_unmask(IRQ_TIMER);
    timer_works = wait_ticks(ticks.all + TICKS_WANT);
    uint32_t inj = testdev_read(TESTDEV_INJECTED_IRQS) - inj0;
    test_check(timer_works && (ticks.last_cs & 3) == 0, "timer_irq_kernel", "ticks=%u last cs=%x", ticks.all, ticks.last_cs);
    if (myrmex()) test_check(inj >= TICKS_WANT, "timer_irq_injected", "INJECTED_IRQS +%u", inj);
    if (!timer_works) return;
    uint32_t before = ticks.all;
    for (int i = 0; i < HLT_ROUNDS; i++) sti_hlt();   // each HLT ends with an interrupt
    cli();
    test_check(ticks.all >= before + HLT_ROUNDS, "timer_hlt_wakeup", "ticks %u -> %u", before, ticks.all);
}

// Timer taken in ring 3 on a kernel stack and IDT untouched since paging was enabled.
void check_user_timer(void) {
    if (!timer_works) {
        test_fail("user_timer", "the timer does not tick");
        return;
    }
    if (boot.ram_end < IDENTITY_TOP) {
        test_fail("user_timer", "needs %x bytes of RAM", IDENTITY_TOP);
        return;
    }
    gprintf("INFO idt page, TSS page and ring 0 stack %x..%x untouched since paging on\n", (uint32_t)kstack0,
            (uint32_t)kstack0 + KSTACK0_SIZE);
    uint32_t *pd = pd_new_identity(PTE_P | PTE_W | PTE_U, PTE_P | PTE_W);
    paging_enable(pd, CR4_PSE);
    uint32_t inj0 = testdev_read(TESTDEV_INJECTED_IRQS), re0 = testdev_read(TESTDEV_REINJECTED);
    uint32_t user0 = ticks.user;
    user_args.addr = (uint32_t)&ticks.user;
    user_args.target = user0 + TICKS_WANT;
    user_args.spins = USER_SPINS;
    int r = user_call(user_spin_ticks, 1);
    uint32_t inj = testdev_read(TESTDEV_INJECTED_IRQS) - inj0, re = testdev_read(TESTDEV_REINJECTED) - re0;
    test_check(r == TRAP_NONE && ticks.user >= user0 + TICKS_WANT, "user_timer_ticks", "vector=%d user ticks %u (all %u)",
               r, ticks.user - user0, ticks.all);
    test_check(ticks.bad_frame == 0 && ticks.user > user0, "user_timer_frame",
               "%u frames off the ring 0 stack or with a wrong SS (last frame %x ss %x)", ticks.bad_frame,
               ticks.last_frame, ticks.last_user_ss);
    if (myrmex()) {
        test_check(inj >= TICKS_WANT, "user_timer_injected", "INJECTED_IRQS +%u", inj);
        gprintf("INFO user_timer: REINJECTED +%u (deliveries interrupted by shadow faults)\n", re);
    } else {
        test_skip("user_timer_injected", "no myrmex");
    }
    pic_mask(IRQ_TIMER);
}
