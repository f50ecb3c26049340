// fuzz_mc146818.c — fuzz the MC146818 RTC/CMOS through the VM's device set (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/mc146818.h"

#define INDEX MC146818_PORT
#define DATA  (MC146818_PORT + 1)
static const u16 focus[] = { INDEX, DATA };

// Write CMOS register `reg`.
static void cmos_out(struct dpseed *s, u8 reg, u8 v)
{
    dps_out(s, INDEX, 1, reg);
    dps_out(s, DATA, 1, v);
}

// Read CMOS register `reg`.
static void cmos_in(struct dpseed *s, u8 reg)
{
    dps_out(s, INDEX, 1, reg);
    dps_in(s, DATA, 1);
}

// Seeds: the time read loop of a BIOS/Linux, setting the clock under SET, binary and
// 12-hour modes, periodic/alarm/update interrupts with REG_C acknowledges.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_pic_init(&s);
    cmos_in(&s, MC146818_REG_A);
    cmos_in(&s, MC146818_SEC);
    cmos_in(&s, MC146818_HOUR);
    cmos_in(&s, MC146818_CENTURY);
    cmos_out(&s, MC146818_REG_B, MC146818_B_SET | 0x06);       // SET, binary, 24h
    cmos_out(&s, MC146818_SEC, 59);
    cmos_out(&s, MC146818_MIN, 59);
    cmos_out(&s, MC146818_HOUR, 23);
    cmos_out(&s, MC146818_SEC_ALARM, 0xc0);
    cmos_out(&s, MC146818_REG_B, 0x06 | 0x70);                // PIE, AIE, UIE
    cmos_out(&s, MC146818_REG_A, MC146818_A_DV_RUN | 3);
    for (int i = 0; i < 4; i++) {
        dps_time(&s, 0xf4, 0xf000);
        dps_op(&s, DP_INTA, 0);
        cmos_in(&s, MC146818_REG_C);
    }
    dps_add(&s);
    s.n = 0;
    cmos_out(&s, MC146818_REG_B, 0x00);                       // BCD, 12-hour
    cmos_out(&s, MC146818_HOUR, 0x92);                        // 12 PM
    cmos_out(&s, MC146818_REG_A, 0x70);                       // divider reset
    dps_time(&s, 0xf8, 0x2000);
    cmos_out(&s, MC146818_REG_A, MC146818_A_DV_RUN);
    dps_time(&s, 0xf8, 0x2000);
    cmos_in(&s, MC146818_HOUR);
    cmos_in(&s, MC146818_REG_D);
    cmos_in(&s, 0x7f);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
