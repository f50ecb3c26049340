// paging.c — hostile.elf attacks with bad PTEs, PDEs and CR3 values, and shadow pressure
#include "hostile.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define PATTERN        0x5eed1234u
#define PSE36_BITS     0x0001e000u     // 4 MiB PDE bits 16:13: physical bits 35:32 with PSE-36
#define PDE_RSVD_BITS  0x003e0000u     // 4 MiB PDE bits 21:17: reserved (or PA bits 39:36)
#define CPUID1_PSE36   (1u << 17)
#define THRASH_SPACES  48
#define THRASH_ROUNDS  40
#define MANY_PTS       600             // page tables in one directory (moderate: the big case is elsewhere)

// Read, write, read va; under myrmex each access must #PF, natively nothing must read back.
static void touch_nothing(const char *name, uint32_t va) {
    uint32_t before = 0, after = 0;
    int r1 = probe_read(va, &before);
    int r2 = probe_write(va, PATTERN);
    int r3 = probe_read(va, &after);
    if (myrmex())
        test_check(r1 == VEC_PF && r2 == VEC_PF && r3 == VEC_PF, name, "vectors %d/%d/%d values %x/%x", r1, r2, r3,
                   before, after);
    else
        test_check(r3 != TRAP_NONE || after != PATTERN, name, "vectors %d/%d/%d, wrote and read back %x", r1, r2, r3,
                   after);
}

// A PTE at the first page past RAM.
static void pte_beyond_ram(void) {
    uint32_t *pd = hostile_paging_on();
    map_page(pd, TEST_VA, beyond_ram(), PTE_P | PTE_W);
    touch_nothing("pte_beyond_ram", TEST_VA);
}

// PTEs at addresses where a VMM's own memory could be: just past RAM, 256 MiB, 1 GiB, 2 GiB,
// 3 GiB-1 page, the top page.
static void pte_host_addrs(void) {
    static const uint32_t gpas[] = { 0x10000000u, 0x40000000u, 0x7ffff000u, 0xbffff000u, 0xfffff000u };
    uint32_t *pd = hostile_paging_on();
    for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
        if (gpas[i] < boot.ram_end) continue;
        uint32_t va = TEST_VA + i * PAGE_SIZE;
        map_page(pd, va, gpas[i], PTE_P | PTE_W);
        gprintf("INFO pte_host_addrs: gpa %x\n", gpas[i]);
        touch_nothing("pte_host_addrs", va);
    }
}

// PTEs at MMIO holes (VGA, IOAPIC, LAPIC, PCI hole, BIOS): anything but a VMM failure.
static void pte_mmio_holes(void) {
    static const uint32_t gpas[] = { 0xa0000u, 0xc0000u, 0xe0000000u, 0xfec00000u, 0xfee00000u, 0xffff0000u };
    uint32_t *pd = hostile_paging_on();
    for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
        uint32_t va = TEST_VA + i * PAGE_SIZE, v = 0;
        map_page(pd, va, gpas[i], PTE_P | PTE_W);
        int r1 = probe_read(va, &v);
        int r2 = probe_write(va + 0x10, PATTERN);
        gprintf("INFO pte_mmio_holes: gpa %x read vector %d value %x, write vector %d\n", gpas[i], r1, v, r2);
    }
    test_pass("pte_mmio_holes");
}

// A PDE whose page table lies beyond RAM: natively that table reads as zeros (not present).
static void pde_table_beyond_ram(void) {
    uint32_t *pd = hostile_paging_on();
    pd[PD_INDEX(TEST_VA)] = beyond_ram() | PTE_P | PTE_W;
    invlpg(TEST_VA);
    uint32_t v;
    int r = probe_read(TEST_VA, &v);
    test_check(r == VEC_PF, "pde_table_beyond_ram", "vector %d value %x", r, v);
    r = probe_write(TEST_VA, PATTERN);
    test_check(r == VEC_PF, "pde_table_beyond_ram_write", "vector %d", r);
}

// A PDE whose page table is the LAPIC page.
static void pde_table_mmio(void) {
    uint32_t *pd = hostile_paging_on();
    pd[PD_INDEX(TEST_VA)] = 0xfee00000u | PTE_P | PTE_W;
    uint32_t v = 0;
    int r = probe_read(TEST_VA + 0x20 * PAGE_SIZE, &v);
    gprintf("INFO pde_table_mmio: read vector %d value %x\n", r, v);
    test_pass("pde_table_mmio");
}

// A 4 MiB page past RAM.
static void pde4m_beyond_ram(void) {
    uint32_t *pd = hostile_paging_on();
    map_large(pd, TEST_VA, beyond_ram(), PTE_P | PTE_W);
    touch_nothing("pde4m_beyond_ram", TEST_VA);
}

// 4 MiB PDEs with bits 21:13 set: above 4 GiB with PSE-36, reserved without; never low RAM.
static void pde4m_high_bits(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    gprintf("INFO pde4m_high_bits: PSE-36 %s\n", (r[3] & CPUID1_PSE36) ? "shown" : "hidden");
    uint32_t *pd = hostile_paging_on();
    // Written directly: map_large() masks the frame to bits 31:22.
    pd[PD_INDEX(TEST_VA)] = PSE36_BITS | PDE_PS | PTE_P | PTE_W;
    pd[PD_INDEX(TEST_VA2)] = PDE_RSVD_BITS | PDE_PS | PTE_P | PTE_W;
    raw_write32(0x1000, PATTERN);   // what a truncated walk would alias
    uint32_t v1 = 0, v2 = 0;
    int r1 = probe_read(TEST_VA + 0x1000, &v1), e1 = trap_last.err;
    int r2 = probe_read(TEST_VA2 + 0x1000, &v2), e2 = trap_last.err;
    gprintf("INFO pde4m_high_bits: pse36 vector %d err %x value %x; rsvd vector %d err %x value %x\n", r1, e1, v1, r2,
            e2, v2);
    if (myrmex()) {   // QEMU TCG's 32-bit CPU drops the bits above 4 GiB: natively this aliases
        test_check(!(r1 == TRAP_NONE && v1 == PATTERN), "pde4m_pse36_no_alias", "read low RAM through PA bits 35:32");
        test_check(!(r2 == TRAP_NONE && v2 == PATTERN), "pde4m_rsvd_no_alias", "read low RAM through bits 21:17");
        test_check(r1 == VEC_PF, "pde4m_pse36_pf", "vector %d", r1);
        test_check(r2 == VEC_PF, "pde4m_rsvd_pf", "vector %d", r2);
        // CPUID hides PSE-36, so both are reserved bits: a supervisor read's #PF is RSVD|P.
        test_check(e1 == (PF_RSVD | PF_P) && e2 == (PF_RSVD | PF_P), "pde4m_rsvd_err", "err %x %x", e1, e2);
    } else {
        test_pass("pde4m_high_bits_native");
    }
}

// Directory entries that all point at the directory itself: it becomes its own page table.
static void pd_self_ref(void) {
    uint32_t *pd = hostile_paging_on();
    for (uint32_t s = PD_INDEX(TEST_VA); s < PD_INDEX(TEST_VA) + 4; s++) pd[s] = (uint32_t)pd | PTE_P | PTE_W;
    invlpg(TEST_VA);
    uint32_t base = TEST_VA + PAGE_SIZE * 0;   // slot 384, index 0: the frame of PDE 0 (the low PT)
    uint32_t v = 0;
    int r = probe_read(base, &v);
    uint32_t *low_pt = (uint32_t *)(pd[0] & PTE_FRAME);
    test_check(r == TRAP_NONE && v == low_pt[0], "pd_self_ref_read", "vector %d value %x want %x", r, v, low_pt[0]);
    // Through slot 385, index 384: the directory page itself. Write PDE 386 there.
    uint32_t *pd_alias = (uint32_t *)(TEST_VA + LARGE_SIZE + PD_INDEX(TEST_VA) * PAGE_SIZE);
    uint32_t frame = page_alloc_low();
    *(volatile uint32_t *)frame = MARKER_A;
    uint32_t *pt = (uint32_t *)page_alloc_low();
    pt[0] = frame | PTE_P | PTE_W;
    r = probe_write((uint32_t)&pd_alias[PD_INDEX(TEST_VA) + 2], (uint32_t)pt | PTE_P | PTE_W);
    native_invlpg(TEST_VA + 2 * LARGE_SIZE);
    r = r == TRAP_NONE ? probe_read(TEST_VA + 2 * LARGE_SIZE, &v) : r;
    test_check(r == TRAP_NONE && v == MARKER_A, "pd_self_ref_write", "vector %d value %x", r, v);
}

// A page table that maps itself and the directory: rewrite a PTE through its own mapping.
static void pt_maps_itself(void) {
    uint32_t *pd = hostile_paging_on();
    uint32_t *pt = pte_ptr(pd, TEST_VA, 0) - PT_INDEX(TEST_VA);
    uint32_t fa = page_alloc_low(), fb = page_alloc_low();
    *(volatile uint32_t *)fa = MARKER_A;
    *(volatile uint32_t *)fb = MARKER_B;
    pt[0] = (uint32_t)pt | PTE_P | PTE_W;
    pt[1] = (uint32_t)pd | PTE_P | PTE_W;
    pt[2] = fa | PTE_P | PTE_W;
    uint32_t v = 0;
    probe_read(TEST_VA + 2 * PAGE_SIZE, &v);
    int r = probe_write(TEST_VA + 2 * 4, fb | PTE_P | PTE_W);   // pt[2] through pt's own page
    native_invlpg(TEST_VA + 2 * PAGE_SIZE);
    uint32_t w = 0;
    int r2 = probe_read(TEST_VA + 2 * PAGE_SIZE, &w);
    test_check(v == MARKER_A && r == TRAP_NONE && r2 == TRAP_NONE && w == MARKER_B, "pt_maps_itself",
               "before %x, write vector %d, read vector %d value %x", v, r, r2, w);
}

// CR3 at a directory beyond RAM while paging is on: the next fetch cannot be translated.
static void cr3_beyond_ram(void) {
    hostile_paging_on();
    gprintf("INFO cr3_beyond_ram: loading CR3=%x\n", beyond_ram());
    write_cr3(beyond_ram());
    __asm__ volatile("mov (0x1000), %%eax" : : : "eax", "memory");
    must_not_return("cr3_beyond_ram");
}

// CR3 = 0xfffff000 while paging is on.
static void cr3_top_page(void) {
    hostile_paging_on();
    gprintf("INFO cr3_top_page: loading CR3=fffff000\n");
    write_cr3(0xfffff000u);
    __asm__ volatile("mov (0x1000), %%eax" : : : "eax", "memory");
    must_not_return("cr3_top_page");
}

// CR3 with every ignored low bit set (and PWT/PCD): translation uses bits 31:12 only.
static void cr3_unaligned(void) {
    uint32_t *pd = hostile_paging_on();
    uint32_t frame = page_alloc_low();
    *(volatile uint32_t *)frame = MARKER_A;
    map_page(pd, TEST_VA, frame, PTE_P | PTE_W);
    write_cr3((uint32_t)pd | 0xfffu);
    uint32_t v = 0;
    int r = probe_read(TEST_VA, &v);
    gprintf("INFO cr3_unaligned: CR3 reads %x\n", read_cr3());
    write_cr3((uint32_t)pd);
    test_check(r == TRAP_NONE && v == MARKER_A, "cr3_unaligned", "vector %d value %x", r, v);
}

// Garbage CR3 values with paging off are harmless until paging is enabled with a good one.
static void cr3_garbage_unpaged(void) {
    static const uint32_t vals[] = { 0xfffff000u, 0xffffffffu, 0x12345678u, 0x80000000u };
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) write_cr3(vals[i]);
    uint32_t *pd = hostile_paging_on();
    test_check(read_cr3() == (uint32_t)pd && raw_read32(0x1000) == raw_read32(0x1000),
               "cr3_garbage_unpaged", "CR3 %x", read_cr3());
}

// Many address spaces switched round robin, each touching its own frame.
static void cr3_thrash(void) {
    static uint32_t *pds[THRASH_SPACES];
    static uint32_t frames[THRASH_SPACES];
    uint32_t *base = pd_new_identity(PTE_P | PTE_W, PTE_P | PTE_W);
    for (int i = 0; i < THRASH_SPACES; i++) {
        pds[i] = pd_clone(base);
        frames[i] = page_alloc_high();
        *(volatile uint32_t *)frames[i] = MARKER_A + (uint32_t)i;
        map_page(pds[i], TEST_VA, frames[i], PTE_P | PTE_W);
    }
    paging_enable(base, CR4_PSE);
    int bad = 0;
    for (int round = 0; round < THRASH_ROUNDS; round++)
        for (int i = 0; i < THRASH_SPACES; i++) {
            int j = (i * 7 + round) % THRASH_SPACES;
            write_cr3((uint32_t)pds[j]);
            if (*(volatile uint32_t *)TEST_VA != MARKER_A + (uint32_t)j) bad++;
        }
    write_cr3((uint32_t)base);
    test_check(bad == 0, "cr3_thrash", "%d wrong reads", bad);
}

// One directory with hundreds of page tables, each with one touched page.
static void shadow_many_pts(void) {
    uint32_t *pd = hostile_paging_on();
    uint32_t frame = page_alloc_low();
    *(volatile uint32_t *)frame = MARKER_C;
    for (uint32_t i = 0; i < MANY_PTS; i++) *pte_ptr(pd, 0x40000000u + i * LARGE_SIZE, 1) = frame | PTE_P | PTE_W;
    int bad = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < MANY_PTS; i++)
            if (*(volatile uint32_t *)(0x40000000u + i * LARGE_SIZE) != MARKER_C) bad++;
    test_check(bad == 0, "shadow_many_pts", "%d wrong reads", bad);
}

const struct attack paging_attacks[] = {
    { "pte_beyond_ram", pte_beyond_ram },       { "pte_host_addrs", pte_host_addrs },
    { "pte_mmio_holes", pte_mmio_holes },       { "pde_table_beyond_ram", pde_table_beyond_ram },
    { "pde_table_mmio", pde_table_mmio },       { "pde4m_beyond_ram", pde4m_beyond_ram },
    { "pde4m_high_bits", pde4m_high_bits },     { "pd_self_ref", pd_self_ref },
    { "pt_maps_itself", pt_maps_itself },       { "cr3_beyond_ram", cr3_beyond_ram },
    { "cr3_top_page", cr3_top_page },           { "cr3_unaligned", cr3_unaligned },
    { "cr3_garbage_unpaged", cr3_garbage_unpaged }, { "cr3_thrash", cr3_thrash },
    { "shadow_many_pts", shadow_many_pts },     { 0, 0 },
};
