// pic.h — 8259 pair and 8254 PIT programming
#pragma once
#include <stdint.h>

#define PIC_VECTOR_BASE  0x20   // IRQ0..7 -> 0x20..0x27, IRQ8..15 -> 0x28..0x2f
#define PIC_IRQS         16
#define IRQ_TIMER        0
#define PIT_HZ           1193182u

// Remap both PICs to PIC_VECTOR_BASE and mask every IRQ.
void pic_init(void);
// Unmask one IRQ line.
void pic_unmask(int irq);
// Mask one IRQ line.
void pic_mask(int irq);
// Send end-of-interrupt for an IRQ.
void pic_eoi(int irq);
// Program PIT channel 0 as a periodic rate generator at hz.
void pit_periodic(uint32_t hz);
