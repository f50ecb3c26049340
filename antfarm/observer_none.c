// observer_none.c — the observer plugged in with antfarm=off: every hook does nothing.
#include "mmu/observer.h"

// Every hook ignores its event.
static void none_cr3_load(void *ctx, int vcpu, u32 old_cr3, u32 new_cr3) {}
static void none_pte_write(void *ctx, u32 table_gpa, unsigned index, u32 old, u32 new,
                           int level) {}
static void none_pt_track(void *ctx, u32 table_gpa, int level, const u32 *entries, bool on) {}
static void none_tlb_flush(void *ctx, int vcpu, enum tlb_flush_kind kind, u32 cr3, u32 va) {}
static void none_user_mode(void *ctx, int vcpu, u32 cr3) {}

// Real functions rather than NULL hooks, so the MMU calls every observer the same way.
const struct mmu_observer mmu_observer_none = {
    .ctx = NULL, .cr3_load = none_cr3_load, .pte_write = none_pte_write,
    .pt_track = none_pt_track, .tlb_flush = none_tlb_flush, .user_mode = none_user_mode,
};
