// main.c — leak.elf: a VM starts from the reset x87/SSE/debug state and keeps its own.
//
// With the argument `dirty` the guest loads recognisable values into the x87 stack, FCW,
// FSW, MXCSR, XMM0-7, DR0-3, DR6 and DR7, checks they survive exits to the VMM, and ends.
// Without it, the guest checks that it sees the power-up state (vmm/fpu.h): FNINIT x87
// state, MXCSR 0x1F80, XMM0-7 zero, DR0-3 zero, DR6 0xFFFF0FF0, DR7 0x400. Run
// `leak.elf dirty` then `leak.elf` in one boot: the second must not see the first's values.
#include <stdint.h>
#include "io.h"
#include "multiboot.h"
#include "print.h"
#include "test.h"

#define CPUID1_EDX_FXSR  (1u << 24)
#define CR0_MP           (1u << 1)
#define CR0_EM           (1u << 2)
#define CR0_TS           (1u << 3)
#define CR4_OSFXSR       (1u << 9)
#define FCW_INIT         0x037f
#define MXCSR_INIT       0x1f80
#define DR6_INIT         0xffff0ff0u
#define DR7_INIT         0x400u
// FXSAVE image layout (32-bit form)
#define FX_FCW    0
#define FX_FSW    2
#define FX_FTW    4           // abridged: 1 bit per register, 0 = empty
#define FX_MXCSR  24
#define FX_ST     32          // ST0-7, 16 bytes each
#define FX_XMM    160         // XMM0-7, 16 bytes each
#define FX_REGS_END 288
// What `dirty` loads
#define DIRTY_FCW    0x067f   // round down, 53-bit precision, all masked
#define DIRTY_MXCSR  0x5f81   // round up, IE flag set
#define DIRTY_DR7    (DR7_INIT | 0x1u)   // L0: an execute breakpoint nobody reaches
#define DIRTY_DR6    (DR6_INIT | 0x1u)   // B0
static const uint32_t dirty_dr[4] = { 0x11110000u, 0x22220000u, 0x33330000u, 0x44440000u };

struct fxarea { uint8_t b[512]; } __attribute__((aligned(16)));

static uint16_t fx16(const struct fxarea *a, int off) { return (uint16_t)(a->b[off] | a->b[off + 1] << 8); }
static uint32_t fx32(const struct fxarea *a, int off) { return fx16(a, off) | (uint32_t)fx16(a, off + 2) << 16; }

// Bytes [from, to) of the area that are not zero.
static int nonzero(const struct fxarea *a, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) n += a->b[i] != 0;
    return n;
}

static void fxsave(struct fxarea *a) { __asm__ volatile("fxsave %0" : "=m"(*a)); }

static uint32_t read_dr(int n) {
    uint32_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); break;
    case 6: __asm__ volatile("mov %%dr6, %0" : "=r"(v)); break;
    case 7: __asm__ volatile("mov %%dr7, %0" : "=r"(v)); break;
    }
    return v;
}

// FXSAVE/SSE usable: the guest itself turns on CR4.OSFXSR (and clears EM/TS). myrmex
// hides SSE in CPUID but the CPU runs it all the same, and a hostile guest does not ask:
// only FXSR is required.
static int enable_sse(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[3] & CPUID1_EDX_FXSR)) return 0;
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR);
    return 1;
}

// Load the recognisable values (x87: three values pushed, a masked divide by zero).
static void make_dirty(void) {
    static const uint16_t fcw = DIRTY_FCW;
    static const uint32_t mxcsr = DIRTY_MXCSR;
    static struct fxarea pattern;
    for (int i = 0; i < 128; i++) pattern.b[i] = (uint8_t)(0xa0 + i);
    __asm__ volatile("fninit; fldcw %0; fldpi; fld1; fldl2t; fldz; fld1; fdivp" :: "m"(fcw));
    __asm__ volatile("ldmxcsr %0" :: "m"(mxcsr));
    __asm__ volatile("movups 0(%0), %%xmm0; movups 16(%0), %%xmm1; movups 32(%0), %%xmm2; movups 48(%0), %%xmm3;"
                     "movups 64(%0), %%xmm4; movups 80(%0), %%xmm5; movups 96(%0), %%xmm6; movups 112(%0), %%xmm7"
                     :: "r"(pattern.b) : "memory");
    __asm__ volatile("mov %0, %%dr0" :: "r"(dirty_dr[0]));
    __asm__ volatile("mov %0, %%dr1" :: "r"(dirty_dr[1]));
    __asm__ volatile("mov %0, %%dr2" :: "r"(dirty_dr[2]));
    __asm__ volatile("mov %0, %%dr3" :: "r"(dirty_dr[3]));
    __asm__ volatile("mov %0, %%dr6" :: "r"(DIRTY_DR6));
    __asm__ volatile("mov %0, %%dr7" :: "r"(DIRTY_DR7));
}

// Dirty the state, leave the VMM many exits to lose it, check it is all still there.
static void check_dirty(void) {
    static struct fxarea before, after;
    make_dirty();
    fxsave(&before);
    test_check(fx16(&before, FX_FCW) == DIRTY_FCW && fx32(&before, FX_MXCSR) == DIRTY_MXCSR &&
               (fx16(&before, FX_FSW) & 0x3800) != 0 && before.b[FX_FTW] != 0, "leak_dirty_loaded",
               "fcw=%x fsw=%x ftw=%x mxcsr=%x", fx16(&before, FX_FCW), fx16(&before, FX_FSW), before.b[FX_FTW],
               fx32(&before, FX_MXCSR));
    uint32_t r[4];
    for (int i = 0; i < 200; i++) cpuid(0, 0, r);   // exits, and the VMM's own work in between
    for (int i = 0; i < 200; i++) (void)testdev_read(TESTDEV_EXITS);
    fxsave(&after);
    int diff = 0;
    for (int i = 0; i < FX_REGS_END; i++) diff += before.b[i] != after.b[i];
    test_check(!diff, "leak_fpu_kept", "%d bytes of the FXSAVE image changed across exits", diff);
    int dr_ok = read_dr(6) == DIRTY_DR6 && read_dr(7) == DIRTY_DR7;
    for (int n = 0; n < 4; n++) dr_ok &= read_dr(n) == dirty_dr[n];
    test_check(dr_ok, "leak_dr_kept", "dr0=%x dr1=%x dr2=%x dr3=%x dr6=%x dr7=%x", read_dr(0), read_dr(1), read_dr(2),
               read_dr(3), read_dr(6), read_dr(7));
}

// The power-up state, looked at before anything here has used the FPU.
static void check_reset(void) {
    static struct fxarea a;
    fxsave(&a);
    test_check(fx16(&a, FX_FCW) == FCW_INIT && fx16(&a, FX_FSW) == 0 && a.b[FX_FTW] == 0, "leak_x87_reset",
               "fcw=%x fsw=%x abridged ftw=%x", fx16(&a, FX_FCW), fx16(&a, FX_FSW), a.b[FX_FTW]);
    test_check(nonzero(&a, FX_ST, FX_XMM) == 0, "leak_x87_regs_zero", "%d non-zero bytes in ST0-7",
               nonzero(&a, FX_ST, FX_XMM));
    test_check(fx32(&a, FX_MXCSR) == MXCSR_INIT, "leak_mxcsr_reset", "mxcsr=%x", fx32(&a, FX_MXCSR));
    test_check(nonzero(&a, FX_XMM, FX_REGS_END) == 0, "leak_xmm_zero", "%d non-zero bytes in XMM0-7",
               nonzero(&a, FX_XMM, FX_REGS_END));
    gprintf("INFO leak: fip=%x fdp=%x fop=%x (not judged)\n", fx32(&a, 8), fx32(&a, 16), fx16(&a, 6));
    test_check(!read_dr(0) && !read_dr(1) && !read_dr(2) && !read_dr(3), "leak_dr0_3_zero",
               "dr0=%x dr1=%x dr2=%x dr3=%x", read_dr(0), read_dr(1), read_dr(2), read_dr(3));
    test_check(read_dr(6) == DR6_INIT && read_dr(7) == DR7_INIT, "leak_dr6_dr7_reset", "dr6=%x dr7=%x", read_dr(6),
               read_dr(7));
}

void guest_main(void) {
    if (!enable_sse()) {
        test_fail("leak_sse", "CPUID reports no FXSR");
        test_finish();
    }
    if (cmdline_has("dirty")) check_dirty();
    else check_reset();
    test_finish();
}
