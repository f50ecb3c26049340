// observer.h — what the shadow MMU tells an observer (antfarm) about a guest's paging.
//
// The shadow MMU calls these hooks from the exit path of one VM. A VM has exactly one
// observer; `ctx` is the observer's own per-VM state. All addresses are guest-physical.
// Guests here use 2-level (non-PAE) 32-bit paging: entries are 32 bits, a table has 1024.
//
// Ordering guarantees, relied on by antfarm:
//  - A page is announced with pt_track(on=true, contents) before any pte_write to it and
//    before a cr3_load names it. Contents are the 1024 entries at that moment.
//  - When a directory entry changes, pte_write(level=2) comes after pt_track(on=true)
//    of the newly linked table (if it was not tracked yet) and before pt_track(on=false)
//    of the old one (if nothing links it any more).
//  - A page stops being tracked (pt_track on=false) only when no live directory links it
//    or, for a directory, when it is no longer used as one (freed and reused as data).
//  - cr3_load comes after the new directory and its linked tables are tracked.
#pragma once
#include "kernel/types.h"

#define PT_LEVEL_TABLE 1   // a page table: entries map 4 KiB pages
#define PT_LEVEL_DIR   2   // a page directory: entries link tables or map 4 MiB pages

enum tlb_flush_kind {
    TLB_FLUSH_CR3,         // MOV to CR3 (also with the same value): non-global entries
    TLB_FLUSH_INVLPG,      // one page, `va`
    TLB_FLUSH_ALL,         // CR4.PGE/PSE/PAE toggle or CR0.PG change: everything
};

struct mmu_observer {
    void *ctx;
    // The guest loaded CR3 on vCPU `vcpu` (old may equal new: a TLB flush only).
    void (*cr3_load)(void *ctx, int vcpu, u32 old_cr3, u32 new_cr3);
    // An entry of a tracked table changed from `old` to `new` (whole 32-bit entries,
    // even when the guest wrote only a byte). `level` is PT_LEVEL_TABLE or PT_LEVEL_DIR.
    void (*pte_write)(void *ctx, u32 table_gpa, unsigned index, u32 old, u32 new, int level);
    // Page `table_gpa` starts (on=true, with its 1024 entries) or stops being tracked as
    // a table of `level`. A page can be tracked at both levels at once.
    void (*pt_track)(void *ctx, u32 table_gpa, int level, const u32 *entries, bool on);
    // The guest flushed translations.
    void (*tlb_flush)(void *ctx, int vcpu, enum tlb_flush_kind kind, u32 cr3, u32 va);
    // An exit found the vCPU running at CPL 3 with this CR3 loaded.
    void (*user_mode)(void *ctx, int vcpu, u32 cr3);
};

// An observer that ignores everything (antfarm=off).
extern const struct mmu_observer mmu_observer_none;
