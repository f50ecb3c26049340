// shadow.h — the shadow MMU: the guest's page tables never reach the hardware; the VMM
// builds its own from them, traps every write to them, and tells the observer.
//
// Shadow format: 2-level 32-bit tables (VMCB CR4.PAE=0), every shadow frame and all guest
// RAM below 4 GiB (see docs/mmu.md for why). Guest 4 MiB pages are shadowed by 4 KiB
// entries, so that a single page table inside a large page can be write-protected.
#pragma once
#include "kernel/types.h"
#include "mmu/observer.h"

struct vcpu;
struct mmu;

struct mmu_stats {
    u64 fills;               // shadow entries filled on a #PF
    u64 invlpg_drops;        // shadow entries dropped by INVLPG
    u64 roots_built;         // shadow directories built from scratch
    u64 root_hits;           // CR3 loads that found their shadow directory cached
    u64 root_evictions;
    u64 pt_writes;           // guest page-table entries written (emulated)
    u64 global_kept;         // CR3 loads with CR4.PGE on: global translations survive
    u64 shadow_flushes;      // whole-TLB flushes (PGE/PSE toggles, paging on/off)
    u64 write_protects;      // writable shadow entries revoked (a page became a table)
    u64 floods;              // directories dropped after being reused as data
    u64 dead_dirs;           // directories dropped once unloaded with no user entries
    u64 tracked_pages;       // pages tracked as tables now
    u64 shadow_budget;       // shadow frames this VM may hold
    u64 shadow_used;         // shadow frames held now (tables, root arrays, reverse map)
    u64 shadow_peak;
    u64 shadow_recycled;     // shadow frames freed by recycling passes
    u64 recycle_passes;
    u64 links_peak;          // eager: most table links of live directories at once
};

enum mmu_fault_result {
    MMU_FIXED,               // shadow filled: resume the guest
    MMU_REFLECT,             // a real guest #PF: deliver it with *pfec
    MMU_EMULATE,             // a write to a protected page: emulate the instruction
    MMU_BAD_GPA,             // the guest maps memory it does not have
};

struct mmu *mmu_create(int vm_id, u8 *ram, u64 ram_hpa, u64 ram_size,
                       const struct mmu_observer *obs, bool eager);
void mmu_destroy(struct mmu *m);
// After a vCPU reset: paging off, identity shadow.
void mmu_reset(struct vcpu *v);
// The guest wrote CR3 (v->cr3 is the old value; this sets it).
void mmu_load_cr3(struct vcpu *v, u32 cr3);
// The guest changed CR0 or CR4 (already stored in v): rebind the shadow, flush.
void mmu_paging_changed(struct vcpu *v, u32 old_cr0, u32 old_cr4);
// A #PF exit at `va` with hardware error code `err`.
enum mmu_fault_result mmu_page_fault(struct vcpu *v, u32 va, u32 err, u32 *pfec);
void mmu_invlpg(struct vcpu *v, u32 va);
// Translate a guest-virtual address for an access done on the guest's behalf (A/D set).
// Returns WALK_OK, WALK_FAULT (*pfec set) or WALK_BAD_GPA.
int mmu_translate(struct vcpu *v, u32 va, u32 access, u32 *gpa, u32 *pfec);
// Read or write guest-physical memory; writes to page tables are tracked. False if the
// range is not all RAM.
bool mmu_read_gpa(struct mmu *m, u32 gpa, void *buf, u32 len);
bool mmu_write_gpa(struct mmu *m, u32 gpa, const void *buf, u32 len);
// The emulator cannot handle a write to `gpa`: stop protecting it if it is not a live
// page table (a freed directory reused as data). False if it must stay protected.
bool mmu_unprotect(struct mmu *m, u32 gpa);
const struct mmu_stats *mmu_stats(struct mmu *m);
// Keep frame `gfn` read-only in every shadow (on), or no longer (off): a frame the CPU
// writes by itself (the current TSS, vmm/tssguard.c), so each write exits to the VMM.
void mmu_guard_frame(struct mmu *m, u32 gfn, bool on);
// Translate `va` through the guest's tables as a supervisor read, setting no A/D bit and
// filling nothing: WALK_OK with *gpa, WALK_FAULT or WALK_BAD_GPA.
int mmu_lookup(struct vcpu *v, u32 va, u32 *gpa);
// Is this page directory address inside guest RAM?
bool mmu_dir_valid(struct mmu *m, u32 cr3);
// The hardware CR0/CR4 the shadow needs for the guest-visible values.
u32 mmu_hw_cr0(u32 guest_cr0);
u32 mmu_hw_cr4(u32 guest_cr4);
// True (once) if shadow entries were downgraded or freed since the last call: the vCPU
// must flush its TLB before it runs again.
bool mmu_take_flush(struct mmu *m);
