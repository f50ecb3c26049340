// perm.c — mmu.elf: permission faults, their error codes and CR2, CR0.WP 0 and 1
#include "mmu.h"
#include "io.h"
#include "print.h"
#include "trap.h"

#define PERM_BASE    (REGION_4K + 0x00800000u)   // 4 KiB pages with each permission
#define PDE_S_BASE   (REGION_4K + 0x00c00000u)   // PDE supervisor-only, PTE user
#define PDE_RO_BASE  (REGION_4K + 0x01000000u)   // PDE read-only, PTE writable
#define LARGE_S_VA   (REGION_LARGE + 4 * LARGE_SIZE)
#define LARGE_URO_VA (REGION_LARGE + 5 * LARGE_SIZE)
#define LARGE_PERM_PA 0x01400000u
#define WP0_VALUE    0x3b0u
#define NO_FAULT     (-1)
#define MARK_PERM    0x9e000000u

enum page { S_RO, S_RW, U_RO, U_RW, NP, PDE_S, PDE_RO, L_S, L_URO, PAGES };
static uint32_t va_of[PAGES];

struct perm_case {
    const char *name;
    enum page page;
    int user, write;
    int fault;          // expect a #PF
    uint32_t err;       // its error code
};

static const struct perm_case cases[] = {
    { "pf_sup_read_np", NP, 0, 0, 1, 0 },
    { "pf_sup_write_np", NP, 0, 1, 1, PF_W },
    { "pf_user_read_np", NP, 1, 0, 1, PF_U },
    { "pf_user_write_np", NP, 1, 1, 1, PF_U | PF_W },
    { "pf_sup_read_ro", S_RO, 0, 0, 0, 0 },
    { "pf_sup_write_ro_wp1", S_RO, 0, 1, 1, PF_P | PF_W },
    { "pf_sup_write_rw", S_RW, 0, 1, 0, 0 },
    { "pf_user_read_sup", S_RW, 1, 0, 1, PF_P | PF_U },
    { "pf_user_write_sup", S_RW, 1, 1, 1, PF_P | PF_W | PF_U },
    { "pf_user_read_uro", U_RO, 1, 0, 0, 0 },
    { "pf_user_write_uro", U_RO, 1, 1, 1, PF_P | PF_W | PF_U },
    { "pf_user_write_urw", U_RW, 1, 1, 0, 0 },
    { "pf_user_read_pde_sup", PDE_S, 1, 0, 1, PF_P | PF_U },
    { "pf_sup_read_pde_sup", PDE_S, 0, 0, 0, 0 },
    { "pf_user_write_pde_ro", PDE_RO, 1, 1, 1, PF_P | PF_W | PF_U },
    { "pf_sup_write_pde_ro_wp1", PDE_RO, 0, 1, 1, PF_P | PF_W },
    { "pf_user_read_pde_ro", PDE_RO, 1, 0, 0, 0 },
    { "pf_user_read_large_sup", L_S, 1, 0, 1, PF_P | PF_U },
    { "pf_user_write_large_ro", L_URO, 1, 1, 1, PF_P | PF_W | PF_U },
    { "pf_user_read_large_ro", L_URO, 1, 0, 0, 0 },
    { "pf_sup_write_large_ro_wp1", L_URO, 0, 1, 1, PF_P | PF_W },
};

// Map every kind of page the cases use.
static void setup(void) {
    static const uint32_t flags[] = { PTE_P, PTE_P | PTE_W, PTE_P | PTE_U, PTE_P | PTE_W | PTE_U };
    for (int p = S_RO; p <= U_RW; p++) {
        va_of[p] = PERM_BASE + (uint32_t)p * PAGE_SIZE;
        map_page(kpd, va_of[p], marker_page(MARK_PERM + (uint32_t)p), flags[p]);
    }
    va_of[NP] = PERM_BASE + NP * PAGE_SIZE;
    map_page(kpd, va_of[NP], marker_page(MARK_PERM + NP), 0);
    va_of[PDE_S] = PDE_S_BASE;
    map_page(kpd, PDE_S_BASE, marker_page(MARK_PERM + PDE_S), PTE_P | PTE_W | PTE_U);
    kpd[PD_INDEX(PDE_S_BASE)] &= ~PTE_U;
    va_of[PDE_RO] = PDE_RO_BASE;
    map_page(kpd, PDE_RO_BASE, marker_page(MARK_PERM + PDE_RO), PTE_P | PTE_W | PTE_U);
    kpd[PD_INDEX(PDE_RO_BASE)] &= ~PTE_W;
    va_of[L_S] = LARGE_S_VA + PAGE_SIZE;
    map_large(kpd, LARGE_S_VA, LARGE_PERM_PA, PTE_P | PTE_W);
    va_of[L_URO] = LARGE_URO_VA + 2 * PAGE_SIZE;
    map_large(kpd, LARGE_URO_VA, LARGE_PERM_PA, PTE_P | PTE_U);
    write_cr3((uint32_t)kpd);
}

// Run one access; returns the fault vector or NO_FAULT.
static int access(uint32_t va, int user, int write) {
    uint32_t v;
    if (user) return write ? user_write(va, 0) : user_read(va, &v);
    return write ? probe_write(va, 0) : probe_read(va, &v);
}

// Expected EIP of a faulting access.
static uint32_t insn_of(int user, int write) {
    if (user) return (uint32_t)(write ? user_write32_insn : user_read32_insn);
    return (uint32_t)(write ? raw_write32_insn : raw_read32_insn);
}

// Check one case: fault or not, vector, error code, CR2, EIP.
static void run_case(const struct perm_case *c) {
    uint32_t va = va_of[c->page] + 16;
    int r = access(va, c->user, c->write);
    if (!c->fault) {
        test_check(r == NO_FAULT, c->name, "unexpected vector %d err=%x cr2=%x", r, trap_last.err, trap_last.cr2);
        return;
    }
    test_check(r == VEC_PF && trap_last.err == c->err && trap_last.cr2 == va && trap_last.eip == insn_of(c->user, c->write),
               c->name, "vector=%d err=%x (want %x) cr2=%x (want %x) eip=%x (want %x)", r, trap_last.err, c->err,
               trap_last.cr2, va, trap_last.eip, insn_of(c->user, c->write));
}

// CR0.WP=0: supervisor writes to read-only pages succeed (and set D); user ones still fault.
static void check_wp0(void) {
    uint32_t va = va_of[S_RO] + 32, *pte = pte_ptr(kpd, va_of[S_RO], 0);
    *pte &= ~PTE_D;
    invlpg(va);
    write_cr0(read_cr0() & ~CR0_WP);
    int r1 = probe_write(va, WP0_VALUE);
    int r2 = probe_write(va_of[PDE_RO] + 32, WP0_VALUE);
    int r3 = probe_write(va_of[L_URO] + 32, WP0_VALUE);
    int ru = user_write(va_of[U_RO] + 32, WP0_VALUE);
    uint32_t ru_err = trap_last.err;
    write_cr0(read_cr0() | CR0_WP);
    uint32_t got = read_marker(va);
    test_check(r1 == NO_FAULT && r2 == NO_FAULT && r3 == NO_FAULT && got == WP0_VALUE, "wp0_sup_write_ro",
               "vectors %d/%d/%d, read back %x", r1, r2, r3, got);
    test_check((*pte & PTE_D) != 0, "wp0_write_sets_dirty", "pte=%x", *pte);
    test_check(ru == VEC_PF && ru_err == (PF_P | PF_W | PF_U), "wp0_user_write_ro", "vector=%d err=%x", ru, ru_err);
    int r = probe_write(va, 0);
    test_check(r == VEC_PF && trap_last.err == (PF_P | PF_W), "wp1_again", "vector=%d err=%x", r, trap_last.err);
}

// Permission faults, error codes, CR2, CR0.WP.
void check_permissions(void) {
    setup();
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) run_case(&cases[i]);
    check_wp0();
}
