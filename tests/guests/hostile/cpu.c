// cpu.c — hostile.elf attacks: SVM instructions, MSRs, CR0/CR4 games, hidden instructions
#include "hostile.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define VEC_DB 1
#define VEC_NM 7
#define MSR_APIC_BASE  0x1bu
#define MSR_PAT        0x277u
#define MSR_EFER       0xc0000080u
#define MSR_TSC_AUX    0xc0000103u
#define MSR_SYSCFG     0xc0010010u
#define MSR_VM_CR      0xc0010114u
#define MSR_VM_HSAVE   0xc0010117u
#define EFER_LME       (1u << 8)
#define EFER_NXE       (1u << 11)
#define EFER_SVME      (1u << 12)
#define EFER_RSVD      0xffff0000u
#define CR0_PE         0x1u
#define CR0_MP         0x2u
#define CR0_EM         0x4u
#define CR0_TS         0x8u
#define CR0_NW         0x20000000u
#define CR0_CD         0x40000000u
#define DR7_L0         0x1u
#define DR7_RW0_WRITE  (1u << 16)
#define DR7_LEN0_4     (3u << 18)
#define DR6_B0         0x1u
#define X2APIC_FIRST   0x800u
#define X2APIC_COUNT   0x100u
#define RANDOM_MSRS    40

#define INSN(fn, text) static void fn(void *a) { (void)a; __asm__ volatile(text : : : "memory"); }
INSN(do_vmrun, "mov $0x200000, %%eax\n\t.byte 0x0f, 0x01, 0xd8")
INSN(do_vmmcall, ".byte 0x0f, 0x01, 0xd9")
INSN(do_vmload, "mov $0x200000, %%eax\n\t.byte 0x0f, 0x01, 0xda")
INSN(do_vmsave, "mov $0x200000, %%eax\n\t.byte 0x0f, 0x01, 0xdb")
INSN(do_stgi, ".byte 0x0f, 0x01, 0xdc")
INSN(do_clgi, ".byte 0x0f, 0x01, 0xdd")
INSN(do_skinit, "mov $0x200000, %%eax\n\t.byte 0x0f, 0x01, 0xde")
INSN(do_invlpga, "xor %%ecx, %%ecx\n\tmov $0x1000, %%eax\n\t.byte 0x0f, 0x01, 0xdf")
INSN(do_xsetbv, "xor %%ecx, %%ecx\n\tmov $1, %%eax\n\txor %%edx, %%edx\n\t.byte 0x0f, 0x01, 0xd1")
INSN(do_rdtscp, ".byte 0x0f, 0x01, 0xf9")
INSN(do_monitor, "mov $0x1000, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t.byte 0x0f, 0x01, 0xc8")
INSN(do_mwait, "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t.byte 0x0f, 0x01, 0xc9")
INSN(do_mov_cr5, "xor %%eax, %%eax\n\t.byte 0x0f, 0x22, 0xe8")
INSN(do_fninit, "fninit")

// Each SVM instruction: #UD (SVM is not shown to the guest, EFER.SVME is 0).
static void svm_insn(const char *name, void (*fn)(void *)) { expect_vector(name, fn, 0, VEC_UD); }
static void svm_vmrun(void) { svm_insn("svm_vmrun_ud", do_vmrun); }
static void svm_vmload(void) { svm_insn("svm_vmload_ud", do_vmload); }
static void svm_vmsave(void) { svm_insn("svm_vmsave_ud", do_vmsave); }
static void svm_stgi(void) { svm_insn("svm_stgi_ud", do_stgi); }
static void svm_clgi(void) { svm_insn("svm_clgi_ud", do_clgi); }
static void svm_skinit(void) { svm_insn("svm_skinit_ud", do_skinit); }
static void svm_invlpga(void) { svm_insn("svm_invlpga_ud", do_invlpga); }
// VMMCALL: #UD natively; under myrmex #UD or handled (no fault), never a VMM failure.
static void svm_vmmcall(void) {
    int r = trap_call(do_vmmcall, 0);
    test_check(r == VEC_UD || (myrmex() && r == TRAP_NONE), "svm_vmmcall", "vector %d", r);
}

// A WRMSR that must #GP(0) and leave the MSR unchanged.
static void msr_gp(const char *name, uint32_t msr, uint64_t v) {
    uint64_t before = 0, after = 0;
    int rr = probe_rdmsr(msr, &before);
    int r = probe_wrmsr(msr, v);
    uint32_t err = trap_last.err;
    int ra = probe_rdmsr(msr, &after);
    if (!myrmex()) {   // QEMU TCG accepts or ignores many of these writes: report only
        gprintf("INFO %s: native wrmsr vector %d\n", name, r);
        if (r == TRAP_NONE && rr == TRAP_NONE) wrmsr(msr, before);
        test_pass(name);
        return;
    }
    test_check(r == VEC_GP && err == 0 && rr == ra && before == after, name, "wrmsr vector %d err %x, %x -> %x", r, err,
               (uint32_t)before, (uint32_t)after);
}
static void msr_efer_bits(void) {
    uint64_t efer = 0;
    probe_rdmsr(MSR_EFER, &efer);
    msr_gp("msr_efer_lme_gp", MSR_EFER, efer | EFER_LME);
    msr_gp("msr_efer_nxe_gp", MSR_EFER, efer | EFER_NXE);
    msr_gp("msr_efer_rsvd_gp", MSR_EFER, efer | EFER_RSVD);
    msr_gp("msr_efer_svme_lme_gp", MSR_EFER, efer | EFER_SVME | EFER_LME);
}
// PAT with reserved memory types (2, 3, 8): #GP, or #GP anyway when PAT is hidden.
static void msr_pat_rsvd(void) {
    msr_gp("msr_pat_type2_gp", MSR_PAT, 0x0007040600070402ull);
    msr_gp("msr_pat_type8_gp", MSR_PAT, 0x0007040600070408ull);
    msr_gp("msr_pat_high_gp", MSR_PAT, 0x0007040600070406ull | (1ull << 63));
}
// An SVM or platform MSR: #GP, or (under myrmex) a write that reads back without side effects.
static void msr_either(const char *name, uint32_t msr, uint64_t v) {
    uint64_t after = 0;
    int w = probe_wrmsr(msr, v);
    int r = probe_rdmsr(msr, &after);
    gprintf("INFO %s: wrmsr vector %d, rdmsr vector %d value %x:%x\n", name, w, r, (uint32_t)(after >> 32),
            (uint32_t)after);
    test_check(w == VEC_GP || w == TRAP_NONE, name, "wrmsr vector %d", w);
}
static void msr_hsave(void) {
    msr_either("msr_vm_hsave_pa", MSR_VM_HSAVE, 0x1000);
    msr_either("msr_vm_hsave_pa_high", MSR_VM_HSAVE, 0xfffff000ull);
}
static void msr_vm_cr(void) { msr_either("msr_vm_cr", MSR_VM_CR, 0x18); }
static void msr_syscfg(void) { msr_either("msr_syscfg", MSR_SYSCFG, 0); }
static void msr_tsc_aux(void) { msr_either("msr_tsc_aux", MSR_TSC_AUX, 0x12345678); }
static void msr_apic_base(void) { msr_either("msr_apic_base", MSR_APIC_BASE, 0xfee00000ull); }
// The x2APIC range (x2APIC hidden): every read and write #GP.
static void msr_x2apic(void) {
    int bad = 0;
    for (uint32_t m = X2APIC_FIRST; m < X2APIC_FIRST + X2APIC_COUNT; m++) {
        uint64_t v;
        if (probe_rdmsr(m, &v) != VEC_GP) bad++;
        if (probe_wrmsr(m, 0) != VEC_GP) bad++;
    }
    if (!myrmex()) gprintf("INFO msr_x2apic: native QEMU TCG ignores unknown MSRs (%d no #GP)\n", bad), bad = 0;
    test_check(bad == 0, "msr_x2apic_gp", "%d accesses did not #GP", bad);
}
// Pseudo-random MSR numbers in unassigned ranges: reads and writes #GP.
static void msr_random(void) {
    uint32_t x = 0x2545f491u;
    int bad = 0;
    for (int i = 0; i < RANDOM_MSRS; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        static const uint32_t bases[] = { 0x40001000u, 0xc0012000u, 0x00003000u, 0x80000000u };
        uint32_t m = bases[i & 3] + (x & 0xfffu);
        uint64_t v;
        if (probe_rdmsr(m, &v) != VEC_GP) bad++;
        if (probe_wrmsr(m, x) != VEC_GP) bad++;
    }
    if (!myrmex()) gprintf("INFO msr_random: native QEMU TCG ignores unknown MSRs (%d no #GP)\n", bad), bad = 0;
    test_check(bad == 0, "msr_random_gp", "%d accesses did not #GP", bad);
}

// MOV to CR0 that must #GP(0), leaving CR0 as it was.
static uint32_t cr_val;
static void do_write_cr0(void *a) { (void)a; write_cr0(cr_val); }
static void do_write_cr4(void *a) { (void)a; write_cr4(cr_val); }
static void cr0_gp(const char *name, uint32_t v) {
    uint32_t before = read_cr0();
    cr_val = v;
    int r = trap_call(do_write_cr0, 0);
    uint32_t after = read_cr0();
    if (r == TRAP_NONE) write_cr0(before);
    test_check(r == VEC_GP && before == after, name, "vector %d cr0 %x -> %x", r, before, after);
}
static void cr0_games(void) {
    uint32_t c = read_cr0();
    if (myrmex()) {   // QEMU TCG lacks both checks natively
        cr0_gp("cr0_pg_without_pe_gp", (c & ~CR0_PE) | CR0_PG);
        cr0_gp("cr0_nw_without_cd_gp", (c & ~CR0_CD) | CR0_NW);
    }
    hostile_paging_on();
    if (myrmex()) cr0_gp("cr0_clear_pe_paged_gp", read_cr0() & ~CR0_PE);
    write_cr0(read_cr0() | CR0_CD | CR0_NW);
    write_cr0(read_cr0() & ~(CR0_CD | CR0_NW));
    test_pass("cr0_cd_nw_toggle");
}
// CR4 bits whose feature CPUID does not show (and reserved ones) must #GP.
static void cr4_unsupported(void) {
    uint32_t l1[4], l7[4] = { 0, 0, 0, 0 }, l0[4];
    cpuid(0, 0, l0);
    cpuid(1, 0, l1);
    if (l0[0] >= 7) cpuid(7, 0, l7);
    struct { int bit; int shown; } bits[] = {
        { 11, !!(l7[2] & (1u << 2)) },  { 12, !!(l7[2] & (1u << 16)) }, { 13, !!(l1[2] & (1u << 5)) },
        { 14, !!(l1[2] & (1u << 6)) },  { 15, 0 }, { 16, !!(l7[1] & 1u) }, { 18, !!(l1[2] & (1u << 26)) },
        { 19, 0 }, { 20, !!(l7[1] & (1u << 7)) }, { 21, !!(l7[1] & (1u << 20)) }, { 22, !!(l7[2] & (1u << 3)) },
        { 24, 0 }, { 28, 0 }, { 31, 0 },
    };
    if (!myrmex()) { test_skip("cr4_unsupported_gp", "QEMU TCG's own CR4 checks differ natively"); return; }
    int bad = 0;
    uint32_t before = read_cr4();
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        cr_val = before | (1u << bits[i].bit);
        gprintf("INFO cr4 bit %d (shown %d)\n", bits[i].bit, bits[i].shown);
        int r = trap_call(do_write_cr4, 0);
        if (r == TRAP_NONE) write_cr4(before);
        if (r != (bits[i].shown ? TRAP_NONE : VEC_GP) || read_cr4() != before) {
            gprintf("INFO cr4 bit %d: vector %d\n", bits[i].bit, r);
            bad++;
        }
    }
    test_check(bad == 0, "cr4_unsupported_gp", "%d bits misbehaved", bad);
}
// CR0.WP toggled many times, a supervisor write to a read-only page checked each time.
static void cr0_wp_toggle(void) {
    uint32_t *pd = hostile_paging_on();
    uint32_t f = page_alloc_low();
    map_page(pd, TEST_VA, f, PTE_P);
    int bad = 0;
    for (int i = 0; i < 200; i++) {
        int wp = i & 1;
        write_cr0(wp ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
        int r = probe_write(TEST_VA, (uint32_t)i);
        if (r != (wp ? VEC_PF : TRAP_NONE)) bad++;
    }
    write_cr0(read_cr0() | CR0_WP);
    test_check(bad == 0, "cr0_wp_toggle", "%d wrong outcomes", bad);
}
// The guest's own CR0.TS / CR0.EM must give it #NM (a VMM's lazy FPU must not eat it).
static void cr0_ts_em(void) {
    write_cr0(read_cr0() | CR0_TS);
    expect_vector("cr0_ts_nm", do_fninit, 0, VEC_NM);
    __asm__ volatile("clts");
    test_check(!(read_cr0() & CR0_TS), "clts_clears_ts", "cr0 %x", read_cr0());
    write_cr0(read_cr0() | CR0_EM);
    expect_vector("cr0_em_nm", do_fninit, 0, VEC_NM);
    write_cr0(read_cr0() & ~CR0_EM);
    expect_vector("cr0_fpu_again", do_fninit, 0, TRAP_NONE);
}
// LMSW sets TS and cannot clear PE; SMSW reads the low word.
static void lmsw_games(void) {
    uint16_t msw = (uint16_t)(read_cr0() | CR0_TS);
    __asm__ volatile("lmsw %0" : : "r"(msw));
    int ts = !!(read_cr0() & CR0_TS);
    uint16_t zero = 0;
    __asm__ volatile("lmsw %0" : : "r"(zero));
    uint32_t c = read_cr0();
    __asm__ volatile("clts");
    test_check(ts && (c & CR0_PE) && !(c & (CR0_TS | CR0_MP | CR0_EM)), "lmsw_games", "ts %d then cr0 %x", ts, c);
}
static void mov_cr5(void) { expect_vector("mov_cr5_ud", do_mov_cr5, 0, VEC_UD); }
// Instructions whose CPUID bits are hidden from the guest must #UD.
static void hidden_insns(void) {
    uint32_t r1[4], r8[4];
    cpuid(1, 0, r1);
    cpuid(0x80000001u, 0, r8);
    if (!(r1[2] & (1u << 26))) expect_vector("xsetbv_ud", do_xsetbv, 0, VEC_UD);
    if (!(r8[3] & (1u << 27))) expect_vector("rdtscp_ud", do_rdtscp, 0, VEC_UD);
    if (!(r1[2] & (1u << 3))) {
        expect_vector("monitor_ud", do_monitor, 0, VEC_UD);
        expect_vector("mwait_ud", do_mwait, 0, VEC_UD);
    }
}
// CPUID over odd leaves and subleaves: never a fault, never a VMM failure.
static void cpuid_sweep(void) {
    static const uint32_t ranges[][2] = { { 0, 0x20 }, { 0x40000000u, 0x40000010u }, { 0x80000000u, 0x80000030u },
                                          { 0x8fffffffu, 0x90000002u }, { 0xfffffff0u, 0xffffffffu } };
    uint32_t r[4], n = 0;
    for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        for (uint32_t l = ranges[i][0]; l <= ranges[i][1] && l >= ranges[i][0]; l++, n++) cpuid(l, l * 0x9e3779b9u, r);
    test_check(n > 100, "cpuid_sweep", "%u leaves", n);
}
// INVD and WBINVD: a VMM must not let INVD drop its own dirty lines.
static void invd_wbinvd(void) {
    volatile uint32_t x = MARKER_A;
    __asm__ volatile("wbinvd\n\tinvd" : : : "memory");
    test_check(x == MARKER_A, "invd_wbinvd", "value %x", x);
}
// SGDT/SIDT/STR return the guest's own tables, not the host's.
static void sgdt_sidt(void) {
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) g, i;
    __asm__ volatile("sgdt %0\n\tsidt %1" : "=m"(g), "=m"(i));
    test_check(g.base < boot.ram_end && i.base < boot.ram_end && g.limit == 8 * 8 - 1 && read_tr() == 0x28,
               "sgdt_sidt_guest", "gdt %x/%x idt %x/%x tr %x", g.base, g.limit, i.base, i.limit, read_tr());
}
// A data breakpoint set by the guest fires in the guest (#DB with DR6.B0).
static volatile uint32_t bp_target;
static void do_bp_write(void *a) { (void)a; bp_target = 1; }
static void dr_breakpoint(void) {
    __asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr7" : : "r"(&bp_target), "r"(DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4));
    int r = trap_call(do_bp_write, 0);
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0\n\tmov %1, %%dr7" : "=r"(dr6) : "r"(0));
    test_check(r == VEC_DB && (dr6 & DR6_B0), "dr_breakpoint", "vector %d dr6 %x", r, dr6);
}
// INVLPG of odd addresses: the top byte, 0, unaligned, the page table, a 4 MiB page's middle.
static void invlpg_odd(void) {
    uint32_t *pd = hostile_paging_on();
    static const uint32_t vas[] = { 0xffffffffu, 0, 0x1003u, 0x00c01234u, 0xfffff000u, 0x7fffffffu };
    for (unsigned i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) invlpg(vas[i]);
    invlpg((uint32_t)pd);
    __asm__ volatile("mov %0, %%fs\n\tinvlpg %%fs:0x7ff" : : "r"(0x10) : "memory");
    test_check(raw_read32(0x1000) == raw_read32(0x1000), "invlpg_odd", "lost");
}
// HLT with IF=0: nothing can wake it; the VMM stops the VM (reason halt).
static void hlt_cli(void) {
    gprintf("INFO hlt_cli: cli; hlt\n");
    __asm__ volatile("cli\n\thlt");
    must_not_return("hlt_cli");
}

const struct attack cpu_attacks[] = {
    { "svm_vmrun", svm_vmrun },       { "svm_vmmcall", svm_vmmcall },   { "svm_vmload", svm_vmload },
    { "svm_vmsave", svm_vmsave },     { "svm_stgi", svm_stgi },         { "svm_clgi", svm_clgi },
    { "svm_skinit", svm_skinit },     { "svm_invlpga", svm_invlpga },   { "msr_efer_bits", msr_efer_bits },
    { "msr_pat_rsvd", msr_pat_rsvd }, { "msr_hsave", msr_hsave },       { "msr_vm_cr", msr_vm_cr },
    { "msr_syscfg", msr_syscfg },     { "msr_tsc_aux", msr_tsc_aux },   { "msr_apic_base", msr_apic_base },
    { "msr_x2apic", msr_x2apic },     { "msr_random", msr_random },     { "cr0_games", cr0_games },
    { "cr4_unsupported", cr4_unsupported }, { "cr0_wp_toggle", cr0_wp_toggle }, { "cr0_ts_em", cr0_ts_em },
    { "lmsw_games", lmsw_games },     { "mov_cr5", mov_cr5 },           { "hidden_insns", hidden_insns },
    { "cpuid_sweep", cpuid_sweep },   { "invd_wbinvd", invd_wbinvd },   { "sgdt_sidt", sgdt_sidt },
    { "dr_breakpoint", dr_breakpoint }, { "invlpg_odd", invlpg_odd },   { "hlt_cli", hlt_cli },
    { 0, 0 },
};
