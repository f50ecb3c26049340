// fuzz_i8254.c — fuzz the 8254 PIT and port 0x61 through the VM's device set (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/i8254.h"
#include "vmm/dev/i8259.h"

static const u16 focus[] = { I8254_PORT, I8254_PORT + 1, I8254_PORT + 2, I8254_PORT + 3,
                             I8254_PORT61 };

// Seeds: a periodic counter 0 with ticks and acknowledges; counter 2 as Linux calibrates
// the TSC; latches, read-back and BCD.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_pic_init(&s);
    dps_out(&s, I8254_PORT + 3, 1, 0x34);               // counter 0, word, mode 2
    dps_out(&s, I8254_PORT, 1, 0x9c);
    dps_out(&s, I8254_PORT, 1, 0x2e);
    for (int i = 0; i < 4; i++) {
        dps_time(&s, 7, 0x4000);
        dps_op(&s, DP_INTA, 0);
        dps_out(&s, I8259_MASTER_PORT, 1, I8259_OCW2_EOI);
    }
    dps_out(&s, I8254_PORT + 3, 1, 0x00);               // latch counter 0
    dps_in(&s, I8254_PORT, 1);
    dps_in(&s, I8254_PORT, 1);
    dps_out(&s, I8254_PORT + 3, 1, 0xc2);               // read-back count+status of 0
    dps_in(&s, I8254_PORT, 1);
    dps_in(&s, I8254_PORT, 1);
    dps_in(&s, I8254_PORT, 1);
    dps_add(&s);
    s.n = 0;
    dps_out(&s, I8254_PORT61, 1, I8254_P61_GATE2);
    dps_out(&s, I8254_PORT + 3, 1, 0xb0);               // counter 2, word, mode 0
    dps_out(&s, I8254_PORT + 2, 1, 0xff);
    dps_out(&s, I8254_PORT + 2, 1, 0xff);
    dps_time(&s, 5, 0x1000);
    dps_in(&s, I8254_PORT61, 1);
    dps_out(&s, I8254_PORT + 3, 1, 0x17);               // counter 0, LSB, mode 3, BCD
    dps_out(&s, I8254_PORT, 1, 0x99);
    dps_out(&s, I8254_PORT + 3, 1, 0x38);               // counter 0, mode 4 one-shot
    dps_out(&s, I8254_PORT, 1, 0x02);
    dps_out(&s, I8254_PORT, 1, 0x00);
    dps_time(&s, 0xf3, 0x100);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
