// fuzz_i8259.c — fuzz the 8259A pair and ELCR through the VM's device set (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/i8259.h"

static const u16 focus[] = { I8259_MASTER_PORT, I8259_MASTER_PORT + 1, I8259_SLAVE_PORT,
                             I8259_SLAVE_PORT + 1, I8259_ELCR_PORT, I8259_ELCR_PORT + 1 };

// Seeds: Linux's PIC setup, then requests, acknowledges, EOIs and status reads.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_pic_init(&s);
    dps_out(&s, I8259_ELCR_PORT + 1, 1, 0x0e);                 // IRQ 9-11 level
    dps_op(&s, DP_IRQ, 0x13);                                   // IRQ 3 high
    dps_op(&s, DP_IRQ, 0x1a);                                   // IRQ 10 high
    dps_op(&s, DP_INTA, 0);
    dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW3_SEL | I8259_OCW3_RR | I8259_OCW3_RIS);
    dps_in(&s, I8259_MASTER_PORT, 1);
    dps_op(&s, DP_INTA, 0);
    dps_out(&s, I8259_SLAVE_PORT, 1, I8259_OCW2_EOI);
    dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW2_EOI | I8259_OCW2_SL | 2);
    dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW3_SEL | I8259_OCW3_POLL);
    dps_in(&s, I8259_MASTER_PORT, 1);
    dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW3_SEL | I8259_OCW3_ESMM | I8259_OCW3_SMM);
    dps_add(&s);
    s.n = 0;
    dps_out(&s, I8259_MASTER_PORT, 1, 0x13);                    // single, ICW4, auto-EOI
    dps_out(&s, I8259_MASTER_PORT + 1, 1, 0x08);
    dps_out(&s, I8259_MASTER_PORT + 1, 1, I8259_ICW4_AEOI | 1);
    dps_out(&s, I8259_MASTER_PORT + 1, 1, 0);
    dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW2_R);            // rotate in AEOI
    dps_op(&s, DP_IRQ, 0x11);
    dps_op(&s, DP_INTA, 0);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
