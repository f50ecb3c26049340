// cpuid.c — the CPU a guest sees: a deliberate whitelist, not the host's CPUID.
//
// Identity: AuthenticAMD family 6 model 4 stepping 2, an Athlon ("Thunderbird"). On it,
// Linux 2.4, 2.6 and 6.1 read no model-specific MSR without a safe accessor: K7 HWCR is
// touched only on models 6-7 and CLK_CTL only from model 8 on (init_amd). Features are
// what a 686 kernel needs and what myrmex virtualizes: fpu, de, pse, tsc, msr, cx8, sep,
// pge, cmov, mmx, fxsr. Hidden until virtualized: VME, PAE, APIC, MTRR, MCE, MCA, PAT,
// PSE-36, CLFLUSH, SSE*, x2APIC, MONITOR, XSAVE, PCID; SVM, LM, NX, SYSCALL, RDTSCP, 3DNow!.
#include "vmm/guest.h"
#include "kernel/lib.h"

#define SIGNATURE        0x00000642   // family 6, model 4, stepping 2
#define MAX_BASIC_LEAF   1
#define MAX_EXT_LEAF     0x80000004
#define F_FPU  BIT(0)
#define F_DE   BIT(2)
#define F_PSE  BIT(3)
#define F_TSC  BIT(4)
#define F_MSR  BIT(5)
#define F_CX8  BIT(8)
#define F_SEP  BIT(11)
#define F_PGE  BIT(13)
#define F_CMOV BIT(15)
#define F_MMX  BIT(23)
#define F_FXSR BIT(24)
#define FEATURES (F_FPU | F_DE | F_PSE | F_TSC | F_MSR | F_CX8 | F_SEP | F_PGE | F_CMOV | \
                  F_MMX | F_FXSR)
#define EXT_FEATURES (F_FPU | F_DE | F_PSE | F_TSC | F_MSR | F_CX8 | F_PGE | F_CMOV | F_MMX | F_FXSR)

static const char vendor[12] = "AuthenticAMD";
static const char brand[48] = "AMD Athlon(tm) Processor";

// Four little-endian words of a 16-byte slice of s.
static void words(const char *s, u32 *a, u32 *b, u32 *c, u32 *d)
{
    memcpy(a, s, 4);
    memcpy(b, s + 4, 4);
    memcpy(c, s + 8, 4);
    memcpy(d, s + 12, 4);
}

void cpuid_handle(struct vcpu *v)
{
    u32 leaf = (u32)v->gpr[RAX], a = 0, b = 0, c = 0, d = 0;
    switch (leaf) {
    case 0:
        a = MAX_BASIC_LEAF;
        memcpy(&b, vendor, 4);
        memcpy(&d, vendor + 4, 4);
        memcpy(&c, vendor + 8, 4);
        break;
    case 1:
        a = SIGNATURE;
        d = FEATURES;
        break;
    case 0x80000000:
        a = MAX_EXT_LEAF;
        memcpy(&b, vendor, 4);
        memcpy(&d, vendor + 4, 4);
        memcpy(&c, vendor + 8, 4);
        break;
    case 0x80000001:
        a = SIGNATURE;
        d = EXT_FEATURES;
        break;
    case 0x80000002: case 0x80000003: case 0x80000004:
        words(brand + (leaf - 0x80000002) * 16, &a, &b, &c, &d);
        break;
    default:
        break;                      // leaves past the maximum read as zeros, as on AMD
    }
    v->gpr[RAX] = a;
    v->gpr[RBX] = b;
    v->gpr[RCX] = c;
    v->gpr[RDX] = d;
}
