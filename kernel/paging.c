// paging.c — the host page tables: all RAM and the first 4 GiB identity-mapped with
// 2 MiB pages, and the kernel image at KERNEL_VMA.
#include "kernel/mem.h"
#include "kernel/bootinfo.h"
#include "kernel/panic.h"
#include "kernel/log.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define PTE_P   BIT(0)
#define PTE_W   BIT(1)
#define PTE_PS  BIT(7)
#define BOOT_MAPPED (1ULL << 30)
#define SIZE_2M (1ULL << 21)
#define SIZE_1G (1ULL << 30)
#define SIZE_512G (1ULL << 39)

void pmm_init(void);

// A zeroed frame the boot page tables can reach.
static u64 *table_page(void)
{
    u64 p = page_alloc_contig(1, BOOT_MAPPED, PAGE_SIZE);
    if (!p) panic("out of memory for host page tables");
    memset(phys_to_virt(p), 0, PAGE_SIZE);
    return phys_to_virt(p);
}

static u64 *next_level(u64 *table, unsigned idx)
{
    if (!(table[idx] & PTE_P)) table[idx] = virt_to_phys(table_page()) | PTE_P | PTE_W;
    return phys_to_virt(table[idx] & ~0xfffULL);
}

// Map [0, top) 1:1 and the first GiB at KERNEL_VMA, then switch CR3.
static void paging_init(void)
{
    u64 top = LOW_4G;
    for (int i = 0; i < bootinfo.nmmap; i++)   // RAM; MMIO above 4 GiB is not ours to touch
        if (bootinfo.mmap[i].type == 1) top = MAX(top, bootinfo.mmap[i].base + bootinfo.mmap[i].len);
    top = ALIGN_UP(top, SIZE_2M);
    if (top > 64 * SIZE_512G) panic("physical memory above 32 TiB is not supported");
    u64 *pml4 = table_page();
    for (u64 a = 0; a < top; a += SIZE_2M) {
        u64 *pdpt = next_level(pml4, a / SIZE_512G);
        u64 *pd = next_level(pdpt, a / SIZE_1G % 512);
        pd[a / SIZE_2M % 512] = a | PTE_P | PTE_W | PTE_PS;
    }
    // Kernel: PML4[511] -> PDPT[510] -> the same PD as physical 0-1 GiB.
    u64 *kpdpt = next_level(pml4, 511);
    kpdpt[510] = (pml4[0] & PTE_P) ? ((u64 *)phys_to_virt(pml4[0] & ~0xfffULL))[0] : 0;
    write_cr3(virt_to_phys(pml4));
    log_info("paging identity-mapped=0x%llx (%llu MiB)", top, top >> 20);
}

void mem_init(void)
{
    pmm_init();
    paging_init();
}
