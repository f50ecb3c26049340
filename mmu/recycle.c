// recycle.c — the per-VM shadow memory budget: charge shadow frames, recycle the VM's own
// shadow tables when the budget runs out, stop the VM when even that cannot make room.
//
// Only shadows are recycled, never tracking: with eager tracking (antfarm on) which frames
// are live directories and linked tables lives in gfn_info, not in the shadow tables, so a
// page-table write of any live address space is still trapped and reported after its
// shadow is gone. A dropped shadow table is rebuilt by the next #PF through it.
#include "mmu/shadow_int.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/lib.h"

// The default budget: 1/8 of guest RAM, at least the floor and at most the cap.
u32 shadow_default_budget(u64 ram_size)
{
    u64 frames = (ram_size >> 12) >> BUDGET_RAM_SHIFT;
    return (u32)MIN(MAX(frames, BUDGET_FLOOR_FRAMES), BUDGET_CAP_FRAMES);
}

// Stop the VM (once): its shadow memory cannot be provided.
void shadow_exhausted(struct mmu *m, const char *cause)
{
    if (m->exhausted) return;
    m->exhausted = true;
    log_err("vm=%d shadow memory exhausted: budget=%llu used=%llu cause=%s", m->vm_id,
            m->st.shadow_budget, m->st.shadow_used, cause);
    if (m->vcpu) vm_stop(m->vcpu->vm, "shadow-exhausted", 1);
}

// Take `frames` from the budget; false (the VM is stopped) if they are not there.
bool shadow_charge(struct mmu *m, u32 frames)
{
    struct mmu_stats *st = &m->st;
    if (m->exhausted) return false;
    if (st->shadow_used + frames > st->shadow_budget) {
        shadow_exhausted(m, "budget");
        return false;
    }
    st->shadow_used += frames;
    st->shadow_peak = MAX(st->shadow_peak, st->shadow_used);
    return true;
}

// Give back frames taken by shadow_charge.
void shadow_release(struct mmu *m, u32 frames) { m->st.shadow_used -= frames; }

// Ensure the next operation (a #PF fill or a new root) finds SHADOW_HEADROOM frames, so
// nothing it holds is recycled under it. When short, one recycling pass frees shadows down
// to 3/4 of the budget, so that passes stay rare: first whole roots of directories that are
// not loaded, least recently used first; then the paging-off root's tables; then the
// tables of `keep` (the root about to be used) and of the loaded root. False (the VM is
// stopped) if even that leaves too little.
bool shadow_reserve(struct mmu *m, struct spage *keep)
{
    struct mmu_stats *st = &m->st;
    if (m->exhausted) return false;
    if (st->shadow_used + SHADOW_HEADROOM <= st->shadow_budget) return true;
    u64 before = st->shadow_used, low = st->shadow_budget - st->shadow_budget / 4;
    for (struct spage *r = m->lru.prev, *prev; r != &m->lru && st->shadow_used > low; r = prev) {
        prev = r->prev;
        if (r != keep && r != m->cur_root) root_evict(m, r);
    }
    if (st->shadow_used > low && m->off_root != keep && m->off_root != m->cur_root)
        root_clear(m, m->off_root);
    if (st->shadow_used > low && keep) root_clear(m, keep);
    if (st->shadow_used > low && m->cur_root && m->cur_root != keep) root_clear(m, m->cur_root);
    rmap_release_idle(m);
    st->shadow_recycled += before - st->shadow_used;
    st->recycle_passes++;
    // Passes 1, 2, 4, 8, ...: a storm of passes logs a handful of lines.
    if ((st->recycle_passes & (st->recycle_passes - 1)) == 0)
        log_info("vm=%d shadow recycle passes=%llu freed=%llu used=%llu budget=%llu recycled=%llu",
                 m->vm_id, st->recycle_passes, before - st->shadow_used, st->shadow_used,
                 st->shadow_budget, st->shadow_recycled);
    if (st->shadow_used + SHADOW_HEADROOM > st->shadow_budget) {
        shadow_exhausted(m, "recycling");
        return false;
    }
    return true;
}
