// straddle.c — ptwrite.elf: a store that straddles from a live page table into a page that
// faults must write nothing; the #PF reports the second page (CR2 = the page boundary)
#include "ptwrite.h"
#include "io.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define RW            (PTE_P | PTE_W)
#define ALIAS_REGION  (PTW_REGION + 3 * LARGE_SIZE)  // a slot no other check uses
#define ALIAS_VA      ALIAS_REGION                    // the page table, mapped a second time
#define NEXT_VA       (ALIAS_VA + PAGE_SIZE)          // the page after it: made to fault
#define STRADDLE_OFF  (PAGE_SIZE - 2)                 // two bytes in each page
#define LAST_ENTRY    (PT_ENTRIES - 1)
#define STORE_VALUE   0x5a5a0010u  // a wrongly kept low half would move the entry to RAM at 1 MiB

// Store a dword over the end of the 4k variant's page table (seen at ALIAS_VA) into
// NEXT_VA, whose entry is next_pte: the store must fault with err at CR2 = NEXT_VA and
// leave the table's last entry as it was, still in effect.
static void straddle(struct variant *v, uint32_t *alias_pt, const char *name, uint32_t next_pte, uint32_t err) {
    uint32_t last_va = v->region + LAST_ENTRY * PAGE_SIZE;
    v->pt[LAST_ENTRY] = frame_old | RW;
    invlpg(last_va);
    uint32_t before_read = ptw_read(last_va);            // the shadow now holds the entry
    uint32_t before = v->pt[LAST_ENTRY];                  // with the A bit that read set
    alias_pt[PT_INDEX(NEXT_VA)] = next_pte;
    invlpg(NEXT_VA);
    int vec = probe_write(ALIAS_VA + STRADDLE_OFF, STORE_VALUE);
    uint32_t cr2 = trap_last.cr2, got_err = trap_last.err, after = v->pt[LAST_ENTRY];
    uint32_t after_read = ptw_read(last_va);
    test_check(vec == VEC_PF && got_err == err && cr2 == NEXT_VA && after == before && before_read == MARK_OLD &&
                   after_read == MARK_OLD,
               name, "vector %d err %x cr2 %x (want %x), entry %x -> %x, reads %x / %x", vec, got_err, cr2, NEXT_VA,
               before, after, before_read, after_read);
}

// The 4k variant's page table mapped at ALIAS_VA (tracked by the VMM as a page table),
// then stores from it into a not-present and into a read-only page.
void ptw_straddle(struct variant *v) {
    map_page(kpd, ALIAS_VA, (uint32_t)v->pt, RW);
    uint32_t *alias_pt = (uint32_t *)(kpd[PD_INDEX(ALIAS_REGION)] & PTE_FRAME);
    invlpg(ALIAS_VA);
    straddle(v, alias_pt, "ptw_straddle_not_present", 0, PF_W);
    straddle(v, alias_pt, "ptw_straddle_readonly", frame_new | PTE_P, PF_W | PF_P);
}
