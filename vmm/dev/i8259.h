// i8259.h — the PC's cascaded 8259A interrupt controller pair with the PIIX ELCR.
//
// Master at 0x20/0x21 (IRQ 0-7), slave at 0xa0/0xa1 (IRQ 8-15) cascaded on master IRQ 2,
// ELCR at 0x4d0/0x4d1 choosing edge or level per line. Device models drive lines through
// the VM (devenv.set_irq -> i8259_set_irq); the vCPU asks i8259_has_intr and, when it
// can deliver, takes the vector with i8259_intack (the INTA cycle).
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define I8259_MASTER_PORT 0x20
#define I8259_SLAVE_PORT  0xa0
#define I8259_ELCR_PORT   0x4d0
#define I8259_CASCADE_IRQ 2

// ICW1 (command port, bit 4 set)
#define I8259_ICW1_IC4    0x01   // ICW4 follows
#define I8259_ICW1_SNGL   0x02   // single chip, no ICW3
#define I8259_ICW1_LTIM   0x08   // level mode for the whole chip (PIIX: ignored, use ELCR)
#define I8259_ICW1_INIT   0x10
// ICW4
#define I8259_ICW4_AEOI   0x02   // automatic EOI
#define I8259_ICW4_SFNM   0x10   // special fully nested mode
// OCW2 (command port, bits 4:3 = 00): command in bits 7:5, level in 2:0
#define I8259_OCW2_EOI       0x20
#define I8259_OCW2_SL        0x40
#define I8259_OCW2_R         0x80
// OCW3 (command port, bits 4:3 = 01)
#define I8259_OCW3_SEL       0x08
#define I8259_OCW3_RIS       0x01   // read ISR (else IRR)
#define I8259_OCW3_RR        0x02   // RIS is valid
#define I8259_OCW3_POLL      0x04
#define I8259_OCW3_SMM       0x20   // special mask mode value
#define I8259_OCW3_ESMM      0x40   // SMM is valid
// ELCR bits that are always edge: IRQ 0, 1, 2 on the master, 8 and 13 on the slave.
#define I8259_ELCR_MASK_MASTER 0xf8
#define I8259_ELCR_MASK_SLAVE  0xde

struct i8259_chip {
    u8 irr, isr, imr, elcr;
    u8 line;              // input levels, for edge detection
    u8 base;              // vector base (ICW2)
    u8 lowest;            // priority rotation: IRQ `lowest` has the lowest priority
    u8 init_step;         // 0 ready; 1, 2, 3 = waiting for ICW2, ICW3, ICW4
    bool icw4_needed, single, auto_eoi, rotate_aeoi, sfnm;
    bool read_isr, poll, special_mask;
};

struct i8259 {
    struct devenv env;
    struct i8259_chip chip[2];   // [0] master, [1] slave
    bool ltim_warned;
};

// Create the pair in its power-on state (all masked until programmed, ELCR all edge).
struct i8259 *i8259_create(const struct devenv *env);
void i8259_destroy(struct i8259 *pic);
// Claim 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1 on `bus`.
bool i8259_attach(struct i8259 *pic, struct iobus *bus);
// Drive ISA line `irq` (0-15) to `level`: an edge line latches on 0 -> 1, a level line
// (ELCR) requests while high.
void i8259_set_irq(struct i8259 *pic, int irq, int level);
// True when the pair asserts INTR to the CPU.
bool i8259_has_intr(struct i8259 *pic);
// True when some line can still raise INTR, were its device to request (the mask
// registers alone decide: whether that device will ever request is not asked).
bool i8259_any_unmasked(struct i8259 *pic);
// The INTA cycle: the vector to deliver (base+7 of the chip for a spurious request),
// moving the request from IRR to ISR (or EOIing it at once in auto-EOI mode).
int i8259_intack(struct i8259 *pic);
