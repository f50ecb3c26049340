// fuzz_sysports.c — fuzz the POST and System Control A ports through the VM's device set.
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/sysports.h"

static const u16 focus[] = { SYSPORTS_POST_PORT, SYSPORTS_A_PORT };

// Seeds: POST codes, A20 on and off, the fast-reset pulse.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_out(&s, SYSPORTS_POST_PORT, 1, 0x55);
    dps_in(&s, SYSPORTS_POST_PORT, 1);
    dps_in(&s, SYSPORTS_A_PORT, 1);
    dps_out(&s, SYSPORTS_A_PORT, 1, SYSPORTS_A_A20);
    dps_in(&s, SYSPORTS_A_PORT, 1);
    dps_out(&s, SYSPORTS_A_PORT, 1, SYSPORTS_A_A20 | SYSPORTS_A_RESET);
    dps_in(&s, SYSPORTS_A_PORT, 1);
    dps_out(&s, SYSPORTS_A_PORT, 2, 0xffff);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
