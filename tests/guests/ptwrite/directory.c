// directory.c — ptwrite.elf: directory entries written through the identity map and through
// the self-map (the directory used as a page table), and writes to an unloaded address space
#include "ptwrite.h"
#include "io.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define RW          (PTE_P | PTE_W)
#define PDW_REGION  (PTW_REGION + 4 * LARGE_SIZE)   // slots whose PDEs the tests rewrite
#define PDW_LARGE_PA 0x01800000u
#define MARK_LARGE  0x1a46e000u
#define INACTIVE_VA (PTW_REGION + 8 * LARGE_SIZE)

// A page table (low pool) whose first entry maps frame.
static uint32_t table_mapping(uint32_t frame) {
    uint32_t pt = page_alloc_low();
    ((uint32_t *)pt)[0] = frame | RW;
    return pt;
}

// Natively flush the slot's first page and its self-map window page.
static void settle_slot(uint32_t va) {
    ptw_settle(va);
    ptw_settle(SELFMAP_PTS + PD_INDEX(va) * PAGE_SIZE);
}

// Report a directory check with the PT_WRITES delta under myrmex.
static void report(const char *name, int ok, uint32_t w0, uint32_t got) {
    uint32_t writes = testdev_read(TESTDEV_PT_WRITES) - w0;
    test_check(ok && (!myrmex() || writes >= 1), name, "reads %x, PT_WRITES +%u", got, myrmex() ? writes : 0);
}

// Replace a PDE (identity pointer or self-map) and see the new table's mapping.
static void pde_swap(const char *name, uint32_t va, volatile uint32_t *pde) {
    uint32_t pt_a = table_mapping(frame_old), pt_b = table_mapping(frame_new);
    *pde = pt_a | RW | PTE_U;
    invlpg(va);
    invlpg(SELFMAP_PTS + PD_INDEX(va) * PAGE_SIZE);
    uint32_t g0 = ptw_read(va);
    uint32_t w0 = testdev_read(TESTDEV_PT_WRITES);
    __asm__ volatile("movl %1, %0" : "=m"(*pde) : "r"(pt_b | RW | PTE_U) : "memory");
    settle_slot(va);
    uint32_t g1 = ptw_read(va);
    report(name, g0 == MARK_OLD && g1 == MARK_NEW, w0, g1);
}

// Directory writes: through the identity map and through the self-map.
void ptw_directory(void) {
    uint32_t va = PDW_REGION;
    pde_swap("ptw_pde_mov_identity", va, &kpd[PD_INDEX(va)]);
    va += LARGE_SIZE;
    volatile uint32_t *self_pde = (volatile uint32_t *)(SELFMAP_PD + PD_INDEX(va) * 4);
    pde_swap("ptw_pde_mov_self", va, self_pde);

    // The self-map window of that slot now shows the new table: a PTE written there remaps va.
    volatile uint32_t *window_pte = (volatile uint32_t *)(SELFMAP_PTS + PD_INDEX(va) * PAGE_SIZE);
    uint32_t w0 = testdev_read(TESTDEV_PT_WRITES);
    __asm__ volatile("movl %1, %0" : "=m"(*window_pte) : "r"(frame_new2 | RW) : "memory");
    ptw_settle(va);
    uint32_t g = ptw_read(va);
    report("ptw_pte_via_new_window", g == MARK_NEW2, w0, g);

    // A 4 MiB PDE written through the self-map, then cleared the same way.
    va += LARGE_SIZE;
    self_pde = (volatile uint32_t *)(SELFMAP_PD + PD_INDEX(va) * 4);
    *(volatile uint32_t *)(PDW_LARGE_PA + PAGE_SIZE) = MARK_LARGE;
    w0 = testdev_read(TESTDEV_PT_WRITES);
    __asm__ volatile("movl %1, %0" : "=m"(*self_pde) : "r"(PDW_LARGE_PA | RW | PDE_PS) : "memory");
    ptw_settle(va + PAGE_SIZE);
    g = ptw_read(va + PAGE_SIZE);
    report("ptw_pde_large_self", g == MARK_LARGE, w0, g);
    w0 = testdev_read(TESTDEV_PT_WRITES);
    __asm__ volatile("lock andb %1, %0" : "+m"(*(volatile uint8_t *)self_pde) : "iq"((uint8_t)~PTE_P) : "memory");
    ptw_settle(va + PAGE_SIZE);
    uint32_t v;
    int r = probe_read(va + PAGE_SIZE, &v);
    report("ptw_pde_large_clear_self", r == VEC_PF && trap_last.err == 0, w0, r == TRAP_NONE ? v : 0);
}

// Writes to the page tables of an address space that is not loaded take effect when it is.
void ptw_inactive(void) {
    uint32_t *other = pd_clone(kpd);
    uint32_t pt = table_mapping(frame_old);
    other[PD_INDEX(INACTIVE_VA)] = pt | RW;
    write_cr3((uint32_t)other);
    uint32_t g0 = ptw_read(INACTIVE_VA);
    write_cr3((uint32_t)kpd);
    uint32_t w0 = testdev_read(TESTDEV_PT_WRITES);
    ((volatile uint32_t *)pt)[0] = frame_new | RW;
    ((volatile uint32_t *)pt)[1] = frame_new2 | RW;
    uint32_t writes = testdev_read(TESTDEV_PT_WRITES) - w0;
    write_cr3((uint32_t)other);
    uint32_t g1 = ptw_read(INACTIVE_VA), g2 = ptw_read(INACTIVE_VA + PAGE_SIZE);
    write_cr3((uint32_t)kpd);
    test_check(g0 == MARK_OLD && g1 == MARK_NEW && g2 == MARK_NEW2, "ptw_inactive_space", "before %x, after %x / %x", g0,
               g1, g2);
    if (myrmex()) gprintf("INFO ptw_inactive_space: PT_WRITES +%u while the space was not loaded\n", writes);
}
