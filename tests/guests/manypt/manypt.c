// manypt.c — many address spaces with many page tables: the VMM builds thousands of
// shadow tables (and the heap blocks that describe them). Used by 35-load.sh to check that
// a later, larger VM still finds its RAM: what the heap keeps must not split free memory.
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"

#define MIB          0x100000u
#define PT_POOL      0x02000000u     // page tables from 32 MiB up (mapped by 4 MiB pages)
#define NDIRS        100u            // below the VMM's cache of 128 shadow roots
#define PTS_PER_DIR  200u
#define FIRST_SLOT   64u             // va 256 MiB up: clear of the identity map
#define DATA_PAGE    0x00900000u     // every table maps this one page

static uint32_t pool_next = PT_POOL;

// A zeroed page of the big pool (identity-mapped through the 4 MiB pages added below).
static uint32_t *pool_page(void) {
    uint32_t *p = (uint32_t *)pool_next;
    pool_next += PAGE_SIZE;
    for (uint32_t i = 0; i < PT_ENTRIES; i++) p[i] = 0;
    return p;
}

void guest_main(void) {
    uint32_t top = boot.ram_end & ~(LARGE_SIZE - 1);
    uint32_t need = PT_POOL + NDIRS * (PTS_PER_DIR + 1) * PAGE_SIZE;
    if (!test_check(top >= need, "manypt_ram", "RAM ends at %x, need %x (vmN.mem=128M or more)", top, need))
        return;
    uint32_t *base = pd_new_identity(PTE_P | PTE_W, PTE_P | PTE_W);
    for (uint32_t pa = IDENTITY_TOP; pa < top; pa += LARGE_SIZE) map_large(base, pa, pa, PTE_P | PTE_W);
    paging_enable(base, CR4_PSE);
    uint32_t bad = 0;
    for (uint32_t d = 0; d < NDIRS; d++) {
        uint32_t *pd = pool_page();
        for (uint32_t i = 0; i < FIRST_SLOT; i++) pd[i] = base[i];
        for (uint32_t s = FIRST_SLOT; s < FIRST_SLOT + PTS_PER_DIR; s++) {
            uint32_t *pt = pool_page();
            pt[0] = DATA_PAGE | PTE_P | PTE_W;
            pd[s] = (uint32_t)pt | PTE_P | PTE_W;
        }
        __asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory");
        for (uint32_t s = FIRST_SLOT; s < FIRST_SLOT + PTS_PER_DIR; s++) {
            volatile uint32_t *va = (volatile uint32_t *)(s << 22);
            *va = d;
            if (*(volatile uint32_t *)DATA_PAGE != d) bad++;
        }
    }
    __asm__ volatile("mov %0, %%cr3" ::"r"(base) : "memory");
    gprintf("INFO manypt: %u directories of %u page tables\n", NDIRS, PTS_PER_DIR);
    test_check(bad == 0, "manypt_all_mapped", "%u stores did not reach the data page", bad);
}
