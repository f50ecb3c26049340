// registry.c — the ASID registry: when an address space becomes a process, switches, exits.
//
// An entry is made at the first CR3 load of an ASID not in the registry. It becomes a
// process (gets a pid, ev=create) once it holds a user mapping while loaded, or when the
// guest runs at CPL 3 in it. It leaves the registry when its count is zero while no vCPU
// has it loaded (ev=exit if it was a process; silently if it never was).
#include "antfarm/internal.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// VMM time and the guest TSC, from the VMM.
static u64 now_ns(struct antfarm *af) { return af->env.now_ns(af->env.ctx); }
static u64 guest_tsc(struct antfarm *af) { return af->env.guest_tsc(af->env.ctx); }

// Process p is now the one in effect on vCPU `vcpu`: a switch if another was before.
// Kernel-only address spaces loaded in between do not matter: they run no user code.
static void in_effect(struct antfarm *af, int vcpu, struct af_proc *p)
{
    struct af_vcpu *v = &af->vcpu[vcpu];
    if (v->last_pid == p->pid) return;
    if (v->last_pid) {
        af->totals.switches++;
        p->switches++;
        if (af->cfg.switch_events) {
            struct af_field f[] = {
                { "from", AF_DEC, v->last_pid }, { "to", AF_DEC, p->pid },
                { "t", AF_TIME, now_ns(af) }, { "tsc", AF_DEC, guest_tsc(af) },
            };
            af_emit(af, "switch", f, ARRAY_SIZE(f));
        }
    }
    v->last_pid = p->pid;
}

// The registry entry p is a process from now on.
static void qualify(struct antfarm *af, struct af_proc *p)
{
    p->pid = ++af->next_pid;
    p->h.key = p->pid;
    af_hash_insert(&af->pids, &p->h);
    p->prev = af->live_tail;
    if (af->live_tail) af->live_tail->next = p; else af->live_head = p;
    af->live_tail = p;
    af->totals.created++;
    af->totals.live++;
    struct af_field f[] = {
        { "pid", AF_DEC, p->pid }, { "asid", AF_HEX, p->dir->h.key },
        { "t", AF_TIME, p->created_ns }, { "tsc", AF_DEC, p->created_tsc },
    };
    af_emit(af, "create", f, ARRAY_SIZE(f));
    for (int i = 0; i < ANTFARM_MAX_VCPUS; i++)
        if (p->loaded & (1u << i)) in_effect(af, i, p);
}

// p leaves the registry: its address space is gone.
static void retire(struct antfarm *af, struct af_proc *p)
{
    if (p->pid) {
        u64 now = now_ns(af);
        struct af_field f[] = {
            { "pid", AF_DEC, p->pid }, { "asid", AF_HEX, p->dir->h.key },
            { "t", AF_TIME, now }, { "tsc", AF_DEC, guest_tsc(af) },
            { "life", AF_TIME, now - p->created_ns }, { "cpu", AF_TIME, p->cpu_ns },
            { "switches", AF_DEC, p->switches }, { "ptwrites", AF_DEC, p->ptwrites },
            { "lag", AF_TIME, p->empty ? now - p->empty_ns : 0 },
            { "disk_reqs", AF_DEC, p->disk_requests }, { "disk_bytes", AF_DEC, p->disk_bytes },
        };
        af_emit(af, "exit", f, ARRAY_SIZE(f));
        af_hash_remove(&af->pids, &p->h);
        if (p->prev) p->prev->next = p->next; else af->live_head = p->next;
        if (p->next) p->next->prev = p->prev; else af->live_tail = p->prev;
        af->totals.exited++;
        af->totals.live--;
    }
    p->dir->proc = NULL;
    kfree(p);
}

// Apply the rules to d after its count or load state changed.
static void examine(struct antfarm *af, struct af_dir *d)
{
    struct af_proc *p = d->proc;
    if (p) {
        if (d->count) p->empty = false;
        else if (!p->empty) { p->empty = true; p->empty_ns = now_ns(af); }
        if (!p->pid && d->count && p->loaded && !d->kernel) qualify(af, p);
        else if (!d->count && !p->loaded) retire(af, p);
    }
    af_dir_release(af, d);
}

// Examine every directory changed by the current hook, in order of first change.
void af_settle(struct antfarm *af)
{
    while (af->dirty) {
        struct af_dir *d = af->dirty;
        af->dirty = d->dirty_next;
        if (!af->dirty) af->dirty_tail = NULL;
        d->dirty = false;
        examine(af, d);
    }
}

// A new registry entry for d, first loaded now.
static struct af_proc *entry_new(struct antfarm *af, struct af_dir *d, u64 now)
{
    struct af_proc *p = kzalloc(sizeof *p);
    if (!p) { af_nomem(af); return NULL; }
    p->dir = d;
    p->created_ns = now;
    p->created_tsc = guest_tsc(af);
    d->proc = p;
    return p;
}

// Whether antfarm follows this vCPU (warns when it does not).
static bool vcpu_ok(struct antfarm *af, int vcpu)
{
    if (vcpu >= 0 && vcpu < ANTFARM_MAX_VCPUS) return true;
    klog(LOG_WARN, "antfarm vm=%d: vcpu %d beyond %d ignored", af->vm, vcpu, ANTFARM_MAX_VCPUS);
    return false;
}

// vCPU `vcpu` loaded CR3 with `cr3` (any value; the same value is only a TLB flush).
void af_cr3_load(struct antfarm *af, int vcpu, u32 cr3)
{
    if (!vcpu_ok(af, vcpu)) return;
    struct af_vcpu *v = &af->vcpu[vcpu];
    cr3 &= AF_PAGE_MASK;
    if (v->has_cr3 && v->cr3 == cr3) return;   // flushes the TLB but ends nothing
    u64 now = now_ns(af);
    if (v->has_cr3) {
        struct af_proc *old = v->cur;
        old->cpu_ns += now - v->since_ns;
        old->loaded &= ~(1u << vcpu);
        af_dir_mark(af, old->dir);
    }
    v->has_cr3 = false;
    v->cur = NULL;
    struct af_dir *d = af_dir_get(af, cr3);
    struct af_proc *p = d ? d->proc : NULL;
    if (d && !af->booted) af_dir_set_kernel(af, d, true);
    if (d && !p) p = entry_new(af, d, now);
    if (p) {
        p->loaded |= 1u << vcpu;
        v->has_cr3 = true;
        v->cr3 = cr3;
        v->cur = p;
        v->since_ns = now;
        af_dir_mark(af, d);
    }
    af_settle(af);
    if (p && p->pid) in_effect(af, vcpu, p);
    antfarm_tick(af);
}

// An exit found vCPU `vcpu` at CPL 3 with `cr3` loaded. Called on many exits: the common
// case (a known process already in effect) returns at once.
void af_user_mode(struct antfarm *af, int vcpu, u32 cr3)
{
    if (!vcpu_ok(af, vcpu)) return;
    struct af_vcpu *v = &af->vcpu[vcpu];
    cr3 &= AF_PAGE_MASK;
    if (af->booted && v->has_cr3 && v->cr3 == cr3 && v->cur->pid) return;
    af->booted = true;   // user code runs: directories loaded from now on are not boot ones
    if (!v->has_cr3 || v->cr3 != cr3) af_cr3_load(af, vcpu, cr3);   // a load we missed
    struct af_proc *p = v->cur;
    if (!p) return;
    af_dir_set_kernel(af, p->dir, false);   // user code runs in it: not a kernel directory
    af_settle(af);
    if (!p->pid) qualify(af, p);
}

// p's statistics, with the CPU time of its current slices up to `now`.
void af_proc_snapshot(struct antfarm *af, const struct af_proc *p, u64 now,
                      struct antfarm_proc_stats *out)
{
    *out = (struct antfarm_proc_stats){
        .pid = p->pid, .asid = p->dir->h.key,
        .created_ns = p->created_ns, .created_tsc = p->created_tsc,
        .cpu_ns = p->cpu_ns, .switches = p->switches, .ptwrites = p->ptwrites,
        .disk_requests = p->disk_requests, .disk_bytes = p->disk_bytes,
        .loaded_vcpus = p->loaded,
    };
    for (int i = 0; i < ANTFARM_MAX_VCPUS; i++)
        if (p->loaded & (1u << i)) out->cpu_ns += now - af->vcpu[i].since_ns;
}
