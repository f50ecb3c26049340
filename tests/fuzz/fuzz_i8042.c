// fuzz_i8042.c — fuzz the 8042 keyboard controller through the VM's device set (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/i8042.h"

static const u16 focus[] = { I8042_DATA_PORT, I8042_CMD_PORT };

// Seeds: Linux's i8042 probe (flush, CTR read/write, self test, AUX loop), keyboard
// commands, output-port writes (A20, reset).
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_pic_init(&s);
    dps_in(&s, I8042_CMD_PORT, 1);
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_CMD_PORT, 1, I8042_CMD_READ_CTR);
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_CMD_PORT, 1, I8042_CMD_WRITE_CTR);
    dps_out(&s, I8042_DATA_PORT, 1, I8042_CTR_KBDINT | I8042_CTR_AUXINT | I8042_CTR_SYS);
    dps_out(&s, I8042_CMD_PORT, 1, I8042_CMD_SELF_TEST);
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_CMD_PORT, 1, I8042_CMD_AUX_EN);
    dps_out(&s, I8042_CMD_PORT, 1, 0xd3);                     // write AUX output buffer
    dps_out(&s, I8042_DATA_PORT, 1, 0x5a);
    dps_op(&s, DP_INTA, 0);
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_CMD_PORT, 1, 0xd4);                     // to the mouse
    dps_out(&s, I8042_DATA_PORT, 1, 0xf2);
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_DATA_PORT, 1, 0xff);                    // keyboard reset
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_DATA_PORT, 1, 0xed);                    // LEDs
    dps_out(&s, I8042_DATA_PORT, 1, 0x07);
    dps_add(&s);
    s.n = 0;
    dps_out(&s, I8042_CMD_PORT, 1, 0xd0);                     // read output port
    dps_in(&s, I8042_DATA_PORT, 1);
    dps_out(&s, I8042_CMD_PORT, 1, 0xd1);                     // write output port
    dps_out(&s, I8042_DATA_PORT, 1, I8042_OUT_A20 | I8042_OUT_RESET);
    dps_out(&s, I8042_CMD_PORT, 1, 0xfe);                     // pulse reset
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
