// cpuid_msr.c — cpu.elf: CPUID filtering and the MSRs myrmex passes, emulates or refuses
#include "cpu.h"
#include "desc.h"
#include "io.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define VENDOR_AMD_EBX 0x68747541u   // "Auth"
#define VENDOR_AMD_EDX 0x69746e65u   // "enti"
#define VENDOR_AMD_ECX 0x444d4163u   // "cAMD"
#define LEAF_EXT_BASE  0x80000000u
#define LEAF_EXT_FEAT  0x80000001u
#define LEAF_STRUCT    7u
#define BIT(n)         (1u << (n))

// Leaf 1 bits myrmex hides.
#define L1_ECX_HIDDEN (BIT(3) | BIT(5) | BIT(17) | BIT(21) | BIT(26) | BIT(27))  // MONITOR VMX PCID x2APIC XSAVE OSXSAVE
#define L1_EDX_HIDDEN (BIT(6) | BIT(7) | BIT(9) | BIT(12) | BIT(16))             // PAE MCE APIC MTRR PAT
#define EXT_ECX_HIDDEN BIT(2)                                                    // SVM
#define EXT_EDX_HIDDEN (BIT(20) | BIT(27) | BIT(29))                              // NX RDTSCP LM
// Leaf 1 EDX bits the test guests rely on: PSE TSC MSR CX8 PGE.
#define L1_EDX_NEEDED (BIT(3) | BIT(4) | BIT(5) | BIT(8) | BIT(13))

#define MSR_TSC          0x10u
#define MSR_SYSENTER_CS  0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_EFER         0xc0000080u
#define EFER_SVME        BIT(12)
#define MSR_UNKNOWN_AMD  0xc0011234u
#define MSR_UNKNOWN_LOW  0x1234u
#define MSR_UNKNOWN_MANY 0xc0011300u  // the first of a run of unknown AMD MSRs
#define UNKNOWN_MSRS     64           // well past the VMM's table of logged MSRs
#define SYSENTER_ESP_VAL 0x12345678u
#define SYSENTER_EIP_VAL 0x9abcdef0u

static const char *const NO_MYRMEX = "no myrmex";

// CPUID identity and hidden features.
void check_cpuid(void) {
    uint32_t r[4], l1[4];
    cpuid(0, 0, r);
    uint32_t max_basic = r[0];
    gprintf("INFO cpuid max_basic=%x vendor=%x/%x/%x\n", r[0], r[1], r[3], r[2]);
    cpuid(1, 0, l1);
    test_check((l1[3] & L1_EDX_NEEDED) == L1_EDX_NEEDED, "cpuid_needed_features", "leaf1 edx=%x lacks %x", l1[3],
               L1_EDX_NEEDED & ~l1[3]);
    if (!myrmex()) {
        test_skip("cpuid_vendor", NO_MYRMEX);
        test_skip("cpuid_leaf1_hidden", NO_MYRMEX);
        test_skip("cpuid_leaf7_zero", NO_MYRMEX);
        test_skip("cpuid_ext_hidden", NO_MYRMEX);
        return;
    }
    test_check(r[1] == VENDOR_AMD_EBX && r[3] == VENDOR_AMD_EDX && r[2] == VENDOR_AMD_ECX, "cpuid_vendor",
               "ebx=%x edx=%x ecx=%x", r[1], r[3], r[2]);
    test_check(!(l1[2] & L1_ECX_HIDDEN) && !(l1[3] & L1_EDX_HIDDEN), "cpuid_leaf1_hidden", "ecx=%x (shows %x) edx=%x (shows %x)",
               l1[2], l1[2] & L1_ECX_HIDDEN, l1[3], l1[3] & L1_EDX_HIDDEN);
    if (max_basic >= LEAF_STRUCT) {
        cpuid(LEAF_STRUCT, 0, r);
        test_check(!r[0] && !r[1] && !r[2] && !r[3], "cpuid_leaf7_zero", "%x %x %x %x", r[0], r[1], r[2], r[3]);
    } else {
        test_pass("cpuid_leaf7_zero");
    }
    cpuid(LEAF_EXT_BASE, 0, r);
    if (r[0] >= LEAF_EXT_FEAT) {
        cpuid(LEAF_EXT_FEAT, 0, r);
        test_check(!(r[2] & EXT_ECX_HIDDEN) && !(r[3] & EXT_EDX_HIDDEN), "cpuid_ext_hidden", "ecx=%x edx=%x", r[2], r[3]);
    } else {
        test_pass("cpuid_ext_hidden");
    }
}

// An MSR access must raise #GP(0).
static void expect_gp(const char *name, int vec) {
    test_check(vec == VEC_GP && trap_last.err == 0, name, "vector=%d err=%x", vec, vec >= 0 ? trap_last.err : 0);
}

// Many distinct unknown MSRs: each is #GP(0), and the known MSRs still work afterwards
// (the VMM's per-MSR log must not outgrow its table).
static void check_many_unknown_msrs(void) {
    int bad = 0, first_bad = -1, first_vec = 0;
    uint64_t v = 0;
    for (uint32_t i = 0; i < UNKNOWN_MSRS; i++) {
        int vec = i & 1 ? probe_wrmsr(MSR_UNKNOWN_MANY + i, i) : probe_rdmsr(MSR_UNKNOWN_MANY + i, &v);
        if (vec != VEC_GP || trap_last.err != 0) {
            if (!bad++) { first_bad = (int)i; first_vec = vec; }
        }
    }
    test_check(!bad, "msr_unknown_many_gp", "%d of %d without #GP(0), first msr=%x vector=%d", bad, UNKNOWN_MSRS,
               MSR_UNKNOWN_MANY + (uint32_t)first_bad, first_vec);
    uint64_t esp = 0;
    int w = probe_wrmsr(MSR_SYSENTER_ESP, SYSENTER_ESP_VAL), r = probe_rdmsr(MSR_SYSENTER_ESP, &esp);
    test_check(w == TRAP_NONE && r == TRAP_NONE && (uint32_t)esp == SYSENTER_ESP_VAL, "msr_unknown_many_after",
               "vector=%d/%d esp=%x", w, r, (uint32_t)esp);
    expect_gp("msr_unknown_many_again_gp", probe_rdmsr(MSR_UNKNOWN_MANY, &v));
}

// EFER, SYSENTER, TSC and unknown MSRs.
void check_msrs(void) {
    uint64_t efer = 0, v = 0;
    int r = probe_rdmsr(MSR_EFER, &efer);
    test_check(r == TRAP_NONE && !(efer & EFER_SVME), "msr_efer_read", "vector=%d efer=%x", r, (uint32_t)efer);
    if (r == TRAP_NONE) {
        r = probe_wrmsr(MSR_EFER, efer);
        test_check(r == TRAP_NONE, "msr_efer_write_same", "vector=%d", r);
    }
    if (myrmex()) {
        expect_gp("msr_efer_svme_gp", probe_wrmsr(MSR_EFER, efer | EFER_SVME));
        r = probe_rdmsr(MSR_EFER, &v);
        test_check(r == TRAP_NONE && v == efer, "msr_efer_unchanged", "vector=%d efer=%x", r, (uint32_t)v);
    } else {
        test_skip("msr_efer_svme_gp", NO_MYRMEX);
    }

    uint64_t cs = 0, esp = 0, eip = 0;
    int w = (probe_wrmsr(MSR_SYSENTER_CS, SEL_KCODE) != TRAP_NONE) + (probe_wrmsr(MSR_SYSENTER_ESP, SYSENTER_ESP_VAL) != TRAP_NONE) +
            (probe_wrmsr(MSR_SYSENTER_EIP, SYSENTER_EIP_VAL) != TRAP_NONE);
    int rd = (probe_rdmsr(MSR_SYSENTER_CS, &cs) != TRAP_NONE) + (probe_rdmsr(MSR_SYSENTER_ESP, &esp) != TRAP_NONE) +
             (probe_rdmsr(MSR_SYSENTER_EIP, &eip) != TRAP_NONE);
    test_check(!w && !rd && (uint32_t)cs == SEL_KCODE && (uint32_t)esp == SYSENTER_ESP_VAL &&
                   (uint32_t)eip == SYSENTER_EIP_VAL,
               "msr_sysenter", "faults: wr=%d rd=%d cs=%x esp=%x eip=%x", w, rd, (uint32_t)cs, (uint32_t)esp, (uint32_t)eip);
    probe_wrmsr(MSR_SYSENTER_CS, 0);

    uint64_t t1 = 0, t3 = 0;
    int r1 = probe_rdmsr(MSR_TSC, &t1);
    uint64_t t2 = rdtsc();
    int r3 = probe_rdmsr(MSR_TSC, &t3);
    test_check(r1 == TRAP_NONE && r3 == TRAP_NONE, "msr_tsc_read", "vector=%d/%d", r1, r3);
    // QEMU TCG reads MSR 0x10 as 0; myrmex must give the running TSC.
    if (myrmex())
        test_check(t1 <= t2 && t2 <= t3 && t1 < t3, "msr_tsc_value", "msr %x%08x rdtsc %x%08x msr %x%08x",
                   (uint32_t)(t1 >> 32), (uint32_t)t1, (uint32_t)(t2 >> 32), (uint32_t)t2, (uint32_t)(t3 >> 32),
                   (uint32_t)t3);
    else
        test_skip("msr_tsc_value", NO_MYRMEX);

    if (myrmex()) {
        expect_gp("msr_unknown_amd_rd_gp", probe_rdmsr(MSR_UNKNOWN_AMD, &v));
        expect_gp("msr_unknown_amd_wr_gp", probe_wrmsr(MSR_UNKNOWN_AMD, 1));
        expect_gp("msr_unknown_low_rd_gp", probe_rdmsr(MSR_UNKNOWN_LOW, &v));
        expect_gp("msr_unknown_low_wr_gp", probe_wrmsr(MSR_UNKNOWN_LOW, 1));
        check_many_unknown_msrs();
    } else {
        test_skip("msr_unknown_gp", NO_MYRMEX);
    }
}
