// paging.c — 2-level (non-PAE) page tables: page pools, mapping helpers, CR0/CR4 control
#include "paging.h"
#include "io.h"
#include "print.h"
#include "test.h"

static uint32_t low_next = LOW_POOL_START, high_next = HIGH_POOL_START;

// Zero one page at a physical (identity) address.
static void zero_page(uint32_t pa) {
    uint32_t *p = (uint32_t *)pa;
    for (uint32_t i = 0; i < PT_ENTRIES; i++) p[i] = 0;
}

extern char _end[];

// Take the next page of a pool, or stop the guest if it is exhausted or overlaps the image.
static uint32_t pool_take(uint32_t *next, uint32_t end) {
    if ((uint32_t)_end > LOW_POOL_START) {
        test_fail("page_pool", "the image ends at %x, inside the pool", (uint32_t)_end);
        test_finish();
    }
    if (*next >= end) {
        test_fail("page_pool", "exhausted at %x", *next);
        test_finish();
    }
    uint32_t pa = *next;
    *next += PAGE_SIZE;
    zero_page(pa);
    return pa;
}

// A zeroed page from the 4 KiB-mapped pool (its physical address = identity address).
uint32_t page_alloc_low(void) { return pool_take(&low_next, LOW_POOL_END); }
// A zeroed page from the pool covered by 4 MiB identity pages.
uint32_t page_alloc_high(void) { return pool_take(&high_next, HIGH_POOL_END); }

// A directory with the identity layout; leaf flags for the 0..4 MiB and 4..32 MiB parts.
uint32_t *pd_new_identity(uint32_t low_flags, uint32_t large_flags) {
    uint32_t *pd = (uint32_t *)page_alloc_low();
    uint32_t *pt = (uint32_t *)page_alloc_low();
    for (uint32_t i = 0; i < PT_ENTRIES; i++) pt[i] = (i * PAGE_SIZE) | low_flags;
    pd[0] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
    for (uint32_t va = LARGE_SIZE; va < IDENTITY_TOP; va += LARGE_SIZE) pd[PD_INDEX(va)] = va | PDE_PS | large_flags;
    return pd;
}

// A directory sharing the identity entries of pd (same page tables).
uint32_t *pd_clone(const uint32_t *pd) {
    uint32_t *n = (uint32_t *)page_alloc_low();
    for (uint32_t i = 0; i < PD_INDEX(IDENTITY_TOP); i++) n[i] = pd[i];
    return n;
}

// Pointer to va's PTE; creates the page table (P|W|U, from the high pool if high).
uint32_t *pte_ptr(uint32_t *pd, uint32_t va, int high) {
    uint32_t *pde = &pd[PD_INDEX(va)];
    if (!(*pde & PTE_P) || (*pde & PDE_PS)) *pde = (high ? page_alloc_high() : page_alloc_low()) | PTE_P | PTE_W | PTE_U;
    return (uint32_t *)(*pde & PTE_FRAME) + PT_INDEX(va);
}

// Map one 4 KiB page (creates its page table from the low pool).
void map_page(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags) { *pte_ptr(pd, va, 0) = (pa & PTE_FRAME) | flags; }

// Map one 4 MiB page.
void map_large(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags) {
    pd[PD_INDEX(va)] = (pa & PDE_LARGE_FRAME) | flags | PDE_PS;
}

// Load CR3, set CR4 bits and turn on CR0.PG (with WP).
void paging_enable(uint32_t *pd, uint32_t cr4_bits) {
    write_cr4(read_cr4() | cr4_bits);
    write_cr3((uint32_t)pd);
    write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

// Turn CR0.PG off (the caller runs from identity-mapped code).
void paging_disable(void) { write_cr0(read_cr0() & ~CR0_PG); }
