// mem.h — physical memory: the frame allocator, host page tables, address conversion.
#pragma once
#include "kernel/types.h"

#define PAGE_SIZE  4096ULL
#define PAGE_SHIFT 12
#define KERNEL_VMA 0xffffffff80000000ULL
#define LOW_4G     (1ULL << 32)

// All RAM (and the first 4 GiB) is identity-mapped after mem_init; before that, 1 GiB.
static inline void *phys_to_virt(u64 p) { return (void *)p; }
static inline u64 virt_to_phys(const void *v)
{
    u64 a = (u64)v;
    return a >= KERNEL_VMA ? a - KERNEL_VMA : a;
}

// Build the frame allocator from the boot memory map, leaving out reserved ranges, the
// first MiB, the kernel image and the modules; then map all RAM.
void mem_init(void);
// One 4 KiB frame (zeroed), anywhere; 0 when memory is exhausted.
u64 page_alloc(void);
// One zeroed frame below 4 GiB (for 32-bit shadow tables and PDPTs); 0 when none.
u64 page_alloc_low(void);
// `n` contiguous frames (not zeroed) below `limit`, aligned to `align` bytes; 0 if none
// or if n is 0 (a size that rounded or wrapped to nothing).
u64 page_alloc_contig(u64 n, u64 limit, u64 align);
// `n` contiguous frames (not zeroed) as high as possible: the VMM's long-lived heap lives at
// the top of memory so that it never splits the low RAM that guests need contiguous.
u64 page_alloc_top(u64 n);
void page_free(u64 phys);
void page_free_contig(u64 phys, u64 n);
// Frames free and total.
u64 mem_free_pages(void);
u64 mem_total_pages(void);
