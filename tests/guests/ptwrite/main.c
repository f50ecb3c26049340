// main.c — ptwrite.elf: set up frames and a self-mapped directory, run the variants
#include "ptwrite.h"
#include "io.h"
#include "multiboot.h"
#include "print.h"
#include "test.h"
#include "trap.h"

uint32_t *kpd;
uint32_t frame_old, frame_old2, frame_new, frame_new2, frame_rep[PTW_REP];

// A low-pool page holding marker in its first dword.
static uint32_t marked(uint32_t marker) {
    uint32_t pa = page_alloc_low();
    *(volatile uint32_t *)pa = marker;
    return pa;
}

// The entry of va as the variant writes it.
volatile uint32_t *ptw_pte(struct variant *v, uint32_t va) {
    if (v->self) return (volatile uint32_t *)(SELFMAP_PTS + (va >> 12) * 4);
    return (volatile uint32_t *)&v->pt[PT_INDEX(va)];
}

// Natively, INVLPG va; under myrmex nothing.
void ptw_settle(uint32_t va) {
    if (!myrmex()) invlpg(va);
}

// The marker at va, or ~0 when reading faults.
uint32_t ptw_read(uint32_t va) {
    uint32_t v = 0;
    return probe_read(va, &v) == TRAP_NONE ? v : ~0u;
}

static struct variant variants[] = {
    { "4k", PTW_REGION, 0, 0, 0 },                      // page table under a 4 KiB identity page
    { "pse", PTW_REGION + LARGE_SIZE, 1, 0, 0 },        // page table inside a 4 MiB identity page
    { "self", PTW_REGION + 2 * LARGE_SIZE, 0, 1, 0 },   // page table written via the directory-as-table
};

// Identity space with a self-map; every variant's page table is live in it.
void guest_main(void) {
    if (boot.ram_end < IDENTITY_TOP) {
        test_fail("ptw_ram", "needs %x bytes of RAM, has %x", IDENTITY_TOP, boot.ram_end);
        return;
    }
    kpd = pd_new_identity(PTE_P | PTE_W | PTE_U, PTE_P | PTE_W);
    kpd[SELFMAP_SLOT] = (uint32_t)kpd | PTE_P | PTE_W;
    frame_old = marked(MARK_OLD);
    frame_old2 = marked(MARK_OLD2);
    frame_new = marked(MARK_NEW);
    frame_new2 = marked(MARK_NEW2);
    for (uint32_t i = 0; i < PTW_REP; i++) frame_rep[i] = marked(MARK_REP + i);
    for (unsigned i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        struct variant *v = &variants[i];
        (void)pte_ptr(kpd, v->region, v->high);
        v->pt = (uint32_t *)(kpd[PD_INDEX(v->region)] & PTE_FRAME);
    }
    paging_enable(kpd, CR4_PSE);
    gprintf("INFO page tables: 4k=%x pse=%x self=%x (via %x), directory %x\n", (uint32_t)variants[0].pt,
            (uint32_t)variants[1].pt, (uint32_t)variants[2].pt, SELFMAP_PTS + (variants[2].region >> 12) * 4,
            (uint32_t)kpd);
    for (unsigned i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) ptw_forms(&variants[i]);
    ptw_directory();
    ptw_inactive();
    ptw_straddle(&variants[0]);
}
