// pic.c — program the host's 8259 pair: vectors 32-47, cascade on IRQ 2, all masked.
#include "kernel/pic.h"
#include "kernel/trap.h"
#include "kernel/x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define OCW2_EOI  0x20
#define OCW3_READ_ISR 0x0b
#define CASCADE_IRQ 2

static u16 mask = 0xffff;

static void write_mask(void)
{
    outb(PIC1_DATA, mask & 0xff);
    outb(PIC2_DATA, mask >> 8);
}

// Remap and mask everything but the cascade line.
void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4);
    outb(PIC2_CMD, ICW1_INIT_ICW4);
    outb(PIC1_DATA, IRQ_BASE);
    outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 1 << CASCADE_IRQ);
    outb(PIC2_DATA, CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    mask = 0xffff & ~(1 << CASCADE_IRQ);
    write_mask();
}

void pic_unmask(int irq) { mask &= ~(1 << irq); write_mask(); }
void pic_mask(int irq) { mask |= 1 << irq; write_mask(); }

void pic_eoi(int irq)
{
    if (irq >= 8) outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

bool pic_is_spurious(int irq)
{
    if (irq != 7 && irq != 15) return false;
    u16 cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, OCW3_READ_ISR);
    if (inb(cmd) & 0x80) return false;
    if (irq == 15) outb(PIC1_CMD, OCW2_EOI);   // the master did see the cascade
    return true;
}
