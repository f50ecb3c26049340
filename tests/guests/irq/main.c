// main.c — irq.elf: PIC/PIT, timer interrupts in ring 0 and ring 3, then #DF via a task gate
#include "irq.h"
#include "desc.h"
#include "io.h"
#include "pic.h"
#include "test.h"
#include "trap.h"

struct ticks ticks;

// IRQ0: count, note where the interrupt came from and where its frame sits, EOI.
static void on_timer(struct trap_frame *f) {
    uint32_t frame = (uint32_t)f, lo = (uint32_t)kstack0, hi = lo + KSTACK0_SIZE;
    ticks.all++;
    ticks.last_cs = f->cs;
    ticks.last_frame = frame;
    if ((f->cs & 3) == 3) {
        ticks.user++;
        ticks.last_user_ss = f->user_ss;
        if (frame < lo || frame >= hi || f->user_ss != SEL_UDATA) ticks.bad_frame++;
    }
    pic_eoi(IRQ_TIMER);
}

// Any other PIC vector: count it, acknowledge it.
static void on_other_irq(struct trap_frame *f) {
    ticks.spurious++;
    pic_eoi((int)f->vector - PIC_VECTOR_BASE);
}

// Program the PIC and the PIT, run the interrupt checks, end with the #DF.
void guest_main(void) {
    pic_init();
    for (int irq = 0; irq < PIC_IRQS; irq++) trap_set_handler(PIC_VECTOR_BASE + irq, on_other_irq);
    trap_set_handler(PIC_VECTOR_BASE + IRQ_TIMER, on_timer);
    pit_periodic(TIMER_HZ);
    check_kernel_timer();
    check_user_timer();
    check_double_fault();
}
