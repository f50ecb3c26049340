// paging.h — 2-level (non-PAE) page tables: page pools, mapping helpers, CR0/CR4 control
#pragma once
#include <stdint.h>

#define PAGE_SIZE       0x1000u
#define LARGE_SIZE      0x400000u      // a 4 MiB (PSE) page
#define PTE_P           0x001u
#define PTE_W           0x002u
#define PTE_U           0x004u
#define PTE_A           0x020u
#define PTE_D           0x040u
#define PDE_PS          0x080u
#define PTE_G           0x100u
#define PTE_FRAME       0xfffff000u
#define PDE_LARGE_FRAME 0xffc00000u
#define CR0_WP          0x00010000u
#define CR0_PG          0x80000000u
#define CR4_PSE         0x00000010u
#define CR4_PGE         0x00000080u
#define PD_INDEX(va)    ((uint32_t)(va) >> 22)
#define PT_INDEX(va)    (((uint32_t)(va) >> 12) & 0x3ffu)
#define PT_ENTRIES      1024u

// Identity layout every paging guest uses: 0..4 MiB through one page table (4 KiB pages),
// 4..32 MiB through 4 MiB pages. Page tables and test pages come from two pools.
#define LOW_POOL_START  0x00200000u    // 2..4 MiB: 4 KiB-mapped
#define LOW_POOL_END    0x00400000u
#define HIGH_POOL_START 0x00800000u    // 8..16 MiB: inside 4 MiB pages
#define HIGH_POOL_END   0x01000000u
#define IDENTITY_TOP    0x02000000u    // identity-mapped up to 32 MiB
#define SELFMAP_SLOT    1023u          // PD slot of a self-map, when a test installs one
#define SELFMAP_PTS     0xffc00000u    // page tables seen through the self-map
#define SELFMAP_PD      0xfffff000u    // the directory seen through the self-map

// A zeroed page from the 4 KiB-mapped pool (its physical address = identity address).
uint32_t page_alloc_low(void);
// A zeroed page from the pool covered by 4 MiB identity pages.
uint32_t page_alloc_high(void);
// A directory with the identity layout; leaf flags for the 0..4 MiB and 4..32 MiB parts.
uint32_t *pd_new_identity(uint32_t low_flags, uint32_t large_flags);
// A directory sharing the identity entries of pd (same page tables).
uint32_t *pd_clone(const uint32_t *pd);
// Pointer to va's PTE; creates the page table (P|W|U, from the high pool if high).
uint32_t *pte_ptr(uint32_t *pd, uint32_t va, int high);
// Map one 4 KiB page (creates its page table from the low pool).
void map_page(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags);
// Map one 4 MiB page.
void map_large(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags);
// Load CR3, set CR4 bits and turn on CR0.PG (with WP).
void paging_enable(uint32_t *pd, uint32_t cr4_bits);
// Turn CR0.PG off (the caller runs from identity-mapped code).
void paging_disable(void);
