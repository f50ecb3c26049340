// adbits.c — mmu.elf: accessed and dirty bits set in the guest's own PTEs/PDEs
#include "mmu.h"
#include "io.h"
#include "print.h"
#include "trap.h"

#define AD_VA        (REGION_4K + 0x00400000u)   // a fresh PD slot: its PDE starts with A=0
#define AD_VA_WRITE  (AD_VA + PAGE_SIZE)
#define AD_LARGE_VA  (REGION_LARGE + 2 * LARGE_SIZE)
#define AD_LARGE_PA  0x01400000u
#define MARK_AD      0xad000001u

// Format the A/D bits of an entry as "A" "D" letters for messages.
static const char *ad(uint32_t e) {
    static const char *const names[] = { "--", "A-", "-D", "AD" };
    return names[((e & PTE_A) ? 1 : 0) | ((e & PTE_D) ? 2 : 0)];
}

// Read sets A only; a later write sets D; the PDE gets A but never D.
static void check_4k(void) {
    uint32_t *pte = pte_ptr(kpd, AD_VA, 0), *pde = &kpd[PD_INDEX(AD_VA)];
    *pte = marker_page(MARK_AD) | PTE_P | PTE_W;
    *pde &= ~(PTE_A | PTE_D);
    invlpg(AD_VA);
    uint32_t m = read_marker(AD_VA);
    uint32_t after_read = *pte, pde_read = *pde;
    test_check(m == MARK_AD && (after_read & PTE_A) && !(after_read & PTE_D), "ad_read_sets_a", "pte %s (%x) marker %x",
               ad(after_read), after_read, m);
    test_check((pde_read & PTE_A) && !(pde_read & PTE_D), "ad_pde_accessed", "pde %s (%x)", ad(pde_read), pde_read);
    raw_write32(AD_VA + 8, 1);                     // no INVLPG: the CPU must re-walk to set D
    uint32_t after_write = *pte;
    test_check((after_write & (PTE_A | PTE_D)) == (PTE_A | PTE_D) && !(*pde & PTE_D), "ad_write_sets_d",
               "pte %s (%x), pde %s", ad(after_write), after_write, ad(*pde));

    // A write to a fresh page sets both at once.
    uint32_t *pte2 = pte_ptr(kpd, AD_VA_WRITE, 0);
    *pte2 = marker_page(MARK_AD) | PTE_P | PTE_W;
    invlpg(AD_VA_WRITE);
    raw_write32(AD_VA_WRITE + 8, 2);
    test_check((*pte2 & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "ad_first_write", "pte %s (%x)", ad(*pte2), *pte2);

    // The guest clears them (as an OS scanning for dirty pages does) and flushes: they come back.
    *pte &= ~(PTE_A | PTE_D);
    invlpg(AD_VA);
    (void)read_marker(AD_VA);
    uint32_t again_read = *pte;
    raw_write32(AD_VA + 12, 3);
    uint32_t again_write = *pte;
    test_check((again_read & (PTE_A | PTE_D)) == PTE_A && (again_write & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
               "ad_cleared_and_reset", "after read %s, after write %s", ad(again_read), ad(again_write));

    // A faulting access sets nothing in a not-present entry.
    *pte2 = (*pte2 & ~(PTE_P | PTE_A | PTE_D));
    invlpg(AD_VA_WRITE);
    uint32_t v;
    int r = probe_read(AD_VA_WRITE, &v);
    test_check(r == VEC_PF && !(*pte2 & (PTE_A | PTE_D)), "ad_not_present_untouched", "vector=%d pte=%x", r, *pte2);
}

// A 4 MiB page: its PDE is the leaf and gets A, then D.
static void check_large(void) {
    uint32_t *pde = &kpd[PD_INDEX(AD_LARGE_VA)];
    map_large(kpd, AD_LARGE_VA, AD_LARGE_PA, PTE_P | PTE_W);
    invlpg(AD_LARGE_VA);
    (void)read_marker(AD_LARGE_VA + PAGE_SIZE);
    uint32_t after_read = *pde;
    raw_write32(AD_LARGE_VA + 2 * PAGE_SIZE, 4);
    uint32_t after_write = *pde;
    test_check((after_read & (PTE_A | PTE_D)) == PTE_A && (after_write & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
               "ad_large_page", "pde after read %s (%x), after write %s (%x)", ad(after_read), after_read,
               ad(after_write), after_write);
}

// Accessed and dirty bits in the guest's own entries.
void check_ad_bits(void) {
    check_4k();
    check_large();
}
