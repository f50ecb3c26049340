// ptwrite.h — ptwrite.elf: guest page-table writes by every instruction form
#pragma once
#include <stdint.h>
#include "paging.h"

#define PTW_REGION   0x60000000u     // each variant owns one 4 MiB slot from here
#define PTW_SLOT_VAS (2 * PAGE_SIZE) // each form owns two pages of its variant's slot
#define PTW_REP      4               // entries written by the REP forms

// How the page table under test is reached when the guest writes it.
struct variant {
    const char *name;
    uint32_t region;                 // the 4 MiB of VAs its page table maps
    int high;                        // page table in the 4 MiB-mapped pool
    int self;                        // written through the self-map window
    uint32_t *pt;                    // identity address of the page table
};

// One form's run: where it writes and what it saw.
struct ptw_ctx {
    struct variant *v;
    uint32_t va;                     // first VA the form remaps
    volatile uint32_t *pte;          // the entry as the guest writes it
    uint32_t old, want, ret, arg;    // entry before, entry value to install, returned value, operand
    uint32_t pt_writes0;             // myrmex PT_WRITES before the write
};

extern uint32_t *kpd;
extern uint32_t frame_old, frame_old2, frame_new, frame_new2, frame_rep[PTW_REP];
#define MARK_OLD  0x01d00001u
#define MARK_OLD2 0x01d00002u
#define MARK_NEW  0x0e300001u
#define MARK_NEW2 0x0e300002u
#define MARK_REP  0x4e900000u        // + index

// The entry of va as the variant writes it.
volatile uint32_t *ptw_pte(struct variant *v, uint32_t va);
// Natively, INVLPG va (a real TLB may hold the old entry); under myrmex nothing, since the
// shadow must follow the emulated write by itself.
void ptw_settle(uint32_t va);
// The marker at va, or ~0 when reading faults.
uint32_t ptw_read(uint32_t va);
// Run every instruction form against one variant.
void ptw_forms(struct variant *v);
// Directory writes: through the identity map and through the self-map.
void ptw_directory(void);
// Writes to the page tables of an address space that is not loaded.
void ptw_inactive(void);
// Stores straddling from a live page table into a page that faults write nothing.
void ptw_straddle(struct variant *v);
