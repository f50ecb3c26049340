// main.c — mmu.elf: 2-level paging, address spaces, A/D bits, permissions, TLB, paged string I/O
#include "mmu.h"
#include "io.h"
#include "multiboot.h"
#include "print.h"
#include "trap.h"

uint32_t *kpd;

// A low-pool page whose first and last dwords hold marker.
uint32_t marker_page(uint32_t marker) {
    uint32_t pa = page_alloc_low();
    *(volatile uint32_t *)pa = marker;
    *(volatile uint32_t *)(pa + MARK_OFFSET_LAST) = marker;
    return pa;
}

// The marker at va (first dword), or ~0 when reading faults.
uint32_t read_marker(uint32_t va) {
    uint32_t v = 0;
    return probe_read(va, &v) == TRAP_NONE ? v : ~0u;
}

// Build the identity space, turn paging on, run every group.
void guest_main(void) {
    if (boot.ram_end < IDENTITY_TOP) {
        test_fail("mmu_ram", "needs %x bytes of RAM, has %x", IDENTITY_TOP, boot.ram_end);
        return;
    }
    kpd = pd_new_identity(PTE_P | PTE_W | PTE_U, PTE_P | PTE_W);
    paging_enable(kpd, CR4_PSE);
    test_check((read_cr0() & (CR0_PG | CR0_WP)) == (CR0_PG | CR0_WP) && read_cr3() == (uint32_t)kpd, "paging_enable",
               "cr0=%x cr3=%x (want %x)", read_cr0(), read_cr3(), (uint32_t)kpd);
    check_basic();
    check_ad_bits();
    check_permissions();
    check_tlb();
    check_paged_string_io();
}
