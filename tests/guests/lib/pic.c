// pic.c — 8259 pair and 8254 PIT programming
#include "pic.h"
#include "io.h"

#define PIC1_CMD   0x20
#define PIC1_DATA  0x21
#define PIC2_CMD   0xa0
#define PIC2_DATA  0xa1
#define ICW1_INIT  0x11    // edge triggered, cascade, ICW4 needed
#define ICW3_MASTER 0x04   // slave on IRQ2
#define ICW3_SLAVE 0x02    // slave id 2
#define ICW4_8086  0x01
#define PIC_EOI    0x20
#define PIC_CASCADE_IRQ 2
#define PIT_CH0    0x40
#define PIT_CMD    0x43
#define PIT_MODE2  0x34    // channel 0, lobyte/hibyte, rate generator

static uint16_t mask = 0xffff;

// Write both mask registers from the cached mask.
static void pic_write_mask(void) {
    outb(PIC1_DATA, (uint8_t)mask);
    outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

// Remap both PICs to PIC_VECTOR_BASE and mask every IRQ.
void pic_init(void) {
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, PIC_VECTOR_BASE);
    outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC1_DATA, ICW3_MASTER);
    outb(PIC2_DATA, ICW3_SLAVE);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    mask = 0xffff & ~(1u << PIC_CASCADE_IRQ);
    pic_write_mask();
}

// Unmask one IRQ line.
void pic_unmask(int irq) { mask &= ~(1u << irq); pic_write_mask(); }
// Mask one IRQ line.
void pic_mask(int irq) { mask |= 1u << irq; pic_write_mask(); }

// Send end-of-interrupt for an IRQ.
void pic_eoi(int irq) {
    if (irq >= 8) outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

// Program PIT channel 0 as a periodic rate generator at hz.
void pit_periodic(uint32_t hz) {
    uint32_t div = PIT_HZ / hz;
    outb(PIT_CMD, PIT_MODE2);
    outb(PIT_CH0, (uint8_t)div);
    outb(PIT_CH0, (uint8_t)(div >> 8));
}
