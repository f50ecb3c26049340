// basic.c — mmu.elf: paging on and off, address spaces switched by CR3, 4 MiB pages
#include "mmu.h"
#include "io.h"
#include "print.h"
#include "trap.h"

#define MARK_A       0xa11a0001u
#define MARK_B       0xa11a0002u
#define MARK_SPACE   0x5ace0000u
#define WRITE_ALIAS  0xa11a0003u
#define SPACES       3
#define ROUNDS       3
#define LARGE_PA     0x01000000u          // a 4 MiB-aligned frame inside identity RAM
#define LARGE_OFF_MID 0x00123454u
#define LARGE_OFF_END (LARGE_SIZE - 4)

// With paging the page of pa shows pb; without, pa itself.
static void check_on_off(void) {
    uint32_t pa = marker_page(MARK_A), pb = marker_page(MARK_B);
    *pte_ptr(kpd, pa, 0) = pb | PTE_P | PTE_W;
    invlpg(pa);
    uint32_t on1 = read_marker(pa);
    raw_write32(pa + 4, WRITE_ALIAS);             // lands in pb
    paging_disable();
    uint32_t off = *(volatile uint32_t *)pa, in_b = *(volatile uint32_t *)(pb + 4);
    uint32_t cr0_off = read_cr0();
    paging_enable(kpd, 0);
    uint32_t on2 = read_marker(pa);
    test_check(on1 == MARK_B && off == MARK_A && on2 == MARK_B && in_b == WRITE_ALIAS && !(cr0_off & CR0_PG),
               "paging_on_off", "on=%x off=%x on again=%x write via alias=%x cr0 off=%x", on1, off, on2, in_b, cr0_off);
    *pte_ptr(kpd, pa, 0) = pa | PTE_P | PTE_W | PTE_U;
    invlpg(pa);
}

// Several address spaces, each with its own page at REGION_SPACE, switched by CR3.
static void check_spaces(void) {
    uint32_t *pd[SPACES], pa[SPACES];
    for (int i = 0; i < SPACES; i++) {
        pd[i] = pd_clone(kpd);
        pa[i] = marker_page(MARK_SPACE + i);
        map_page(pd[i], REGION_SPACE, pa[i], PTE_P | PTE_W);
    }
    uint32_t hits0 = ctr(TESTDEV_ROOT_HITS), built0 = ctr(TESTDEV_ROOTS_BUILT);
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < SPACES; i++) {
            write_cr3((uint32_t)pd[i]);
            uint32_t m = read_marker(REGION_SPACE), cr3 = read_cr3();
            raw_write32(REGION_SPACE + 4, (uint32_t)(r << 8 | i));
            if (m != MARK_SPACE + (uint32_t)i || cr3 != (uint32_t)pd[i]) {
                if (!bad) gprintf("INFO space %d round %d: marker %x cr3 %x\n", i, r, m, cr3);
                bad++;
            }
        }
    write_cr3((uint32_t)kpd);
    uint32_t hits = ctr(TESTDEV_ROOT_HITS) - hits0, built = ctr(TESTDEV_ROOTS_BUILT) - built0;
    for (int i = 0; i < SPACES; i++)
        if (*(volatile uint32_t *)(pa[i] + 4) != (uint32_t)((ROUNDS - 1) << 8 | i)) bad++;
    test_check(!bad && read_marker(REGION_SPACE) == ~0u, "cr3_switch_spaces", "%d mismatches", bad);
    if (myrmex())
        test_check(hits >= (uint32_t)(SPACES * (ROUNDS - 1)) && built >= 1, "cr3_root_cache",
                   "root hits +%u (want >= %u), roots built +%u", hits, SPACES * (ROUNDS - 1), built);
    else
        test_skip("cr3_root_cache", "no myrmex");
}

// A 4 MiB page at REGION_LARGE shows the same bytes as the identity map of its frame.
static void check_large(void) {
    map_large(kpd, REGION_LARGE, LARGE_PA, PTE_P | PTE_W);
    static const uint32_t offs[] = { 0, PAGE_SIZE, LARGE_OFF_MID & ~3u, LARGE_OFF_END };
    int bad = 0;
    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        *(volatile uint32_t *)(LARGE_PA + offs[i]) = 0x1a000000u + i;
        if (read_marker(REGION_LARGE + offs[i]) != 0x1a000000u + i) bad++;
    }
    raw_write32(REGION_LARGE + LARGE_OFF_END, 0x1a0000ffu);
    test_check(!bad && *(volatile uint32_t *)(LARGE_PA + LARGE_OFF_END) == 0x1a0000ffu, "large_page_4m",
               "%d mismatches, write-back %x", bad, *(volatile uint32_t *)(LARGE_PA + LARGE_OFF_END));
    uint32_t v;
    int r = probe_read(REGION_LARGE + LARGE_SIZE, &v);
    test_check(r == VEC_PF && trap_last.cr2 == REGION_LARGE + LARGE_SIZE && trap_last.err == 0, "large_page_end",
               "vector=%d cr2=%x err=%x", r, trap_last.cr2, trap_last.err);
}

// Paging on/off, CR3 switching between address spaces, 4 MiB pages.
void check_basic(void) {
    check_on_off();
    check_spaces();
    check_large();
}
