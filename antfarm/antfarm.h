// antfarm.h — infer a guest's processes from its paging (Antfarm, USENIX '06), per VM.
//
// One instance per VM. The shadow MMU feeds it through struct mmu_observer (mmu/observer.h):
// call antfarm_observer() and hand the filled observer to the MMU. The rest of the VMM asks
// it which process runs on a vCPU, reads a process's statistics and adds disk traffic to a
// process. The rules (what is a process, when it is created, switched, gone) are in
// docs/antfarm.md. Calls into one instance must be serialized by the caller (they come from
// the exit path of its VM); instances of different VMs are independent.
#pragma once
#include "kernel/types.h"
#include "mmu/observer.h"

#define ANTFARM_MAX_VCPUS 32   // vCPUs per VM that antfarm follows (a bitmask per process)

// What the command line chose (antfarm=, antfarm.switch=, antfarm.json=, antfarm.summary=).
struct antfarm_config {
    bool enabled;          // antfarm=on|off: off means the VMM plugs mmu_observer_none
    bool switch_events;    // antfarm.switch=on: one ev=switch line per context switch
    bool json;             // antfarm.json=on: JSON lines instead of key=value lines
    u32 summary_secs;      // antfarm.summary=SECONDS: periodic summary; 0 = only at the end
};

// The VMM services antfarm needs: VMM time (ns since boot) and the VM's guest TSC.
struct antfarm_env {
    void *ctx;
    u64 (*now_ns)(void *ctx);
    u64 (*guest_tsc)(void *ctx);
};

// A process as antfarm sees it (live processes only; exited ones are gone after ev=exit).
struct antfarm_proc_stats {
    u32 pid;               // per VM, increasing from 1
    u32 asid;              // guest-physical address of its page directory
    u64 created_ns;        // VMM time of the first CR3 load of its address space
    u64 created_tsc;       // guest TSC at that moment
    u64 cpu_ns;            // time its address space was loaded on some vCPU (up to now)
    u64 switches;          // context switches into it
    u64 ptwrites;          // writes to its directory and to its own (non-kernel) page tables
    u64 disk_requests;     // filled in by the disk scheduler (antfarm_add_disk)
    u64 disk_bytes;
    u32 loaded_vcpus;      // bitmask of vCPUs that have it in CR3 now
};

// Totals of one VM since antfarm_create.
struct antfarm_totals {
    u64 live, created, exited, switches;
};

struct antfarm;

// Defaults: enabled, no switch events, key=value lines, summary only at the end.
void antfarm_config_default(struct antfarm_config *cfg);
// Apply one command-line option "key=value" split in two. Keys: antfarm (on|off),
// antfarm.switch (on|off), antfarm.json (on|off), antfarm.summary (seconds).
// Returns false, leaving cfg unchanged, for another key or a bad value.
bool antfarm_config_set(struct antfarm_config *cfg, const char *key, const char *value);

// A new instance for VM `vm_id`; NULL when out of memory. cfg and env are copied.
struct antfarm *antfarm_create(int vm_id, const struct antfarm_config *cfg,
                               const struct antfarm_env *env);
// Fill `out` with hooks whose ctx is `af`.
void antfarm_observer(struct antfarm *af, struct mmu_observer *out);
// Print the summary when antfarm.summary is due (call it now and then; CR3 loads call it too).
void antfarm_tick(struct antfarm *af);
// Print the summary now: totals and one ev=live line per live process.
void antfarm_summary(struct antfarm *af);
// The VM stopped: close the CPU time of loaded processes and print the final summary.
void antfarm_vm_end(struct antfarm *af);
// Free the instance and everything it tracks (no events are printed).
void antfarm_destroy(struct antfarm *af);

// The process whose address space vCPU `vcpu` has loaded; 0 when none (a kernel-only
// address space, or nothing loaded yet).
u32 antfarm_current(struct antfarm *af, int vcpu);
// Statistics of live process `pid`; false when no such live process.
bool antfarm_stats(struct antfarm *af, u32 pid, struct antfarm_proc_stats *out);
// Call fn for every live process, oldest first. fn must not call back into antfarm.
typedef void (*antfarm_visit_fn)(void *arg, const struct antfarm_proc_stats *p);
void antfarm_for_each(struct antfarm *af, antfarm_visit_fn fn, void *arg);
// Totals of this VM.
void antfarm_totals(struct antfarm *af, struct antfarm_totals *out);
// The disk scheduler charges `requests` requests of `bytes` in total to `pid` (ignored when
// the process has exited meanwhile).
void antfarm_add_disk(struct antfarm *af, u32 pid, u32 requests, u64 bytes);
