// antfarm.c — an antfarm instance: lifetime, the observer hooks, summaries and queries.
#include "antfarm/internal.h"
#include "kernel/heap.h"
#include "kernel/lib.h"

#define NS_PER_SEC 1000000000ull

// A new instance for VM vm_id; NULL when out of memory.
struct antfarm *antfarm_create(int vm_id, const struct antfarm_config *cfg,
                               const struct antfarm_env *env)
{
    struct antfarm *af = kzalloc(sizeof *af);
    if (!af) return NULL;
    af->vm = vm_id;
    af->cfg = *cfg;
    af->env = *env;
    if (!af_hash_init(&af->tables) || !af_hash_init(&af->dirs) || !af_hash_init(&af->pids)) {
        antfarm_destroy(af);
        return NULL;
    }
    if (cfg->summary_secs)
        af->next_summary_ns = env->now_ns(env->ctx) + cfg->summary_secs * NS_PER_SEC;
    return af;
}

// MOV to CR3 on vcpu.
static void hook_cr3_load(void *ctx, int vcpu, u32 old_cr3, u32 new_cr3)
{
    af_cr3_load(ctx, vcpu, new_cr3);   // antfarm keeps its own idea of the old value
}

// A tracked entry changed; the rules are applied once both of its halves are counted.
static void hook_pte_write(void *ctx, u32 table_gpa, unsigned index, u32 old, u32 new,
                           int level)
{
    struct antfarm *af = ctx;
    if (level == PT_LEVEL_DIR) af_dir_write(af, table_gpa & AF_PAGE_MASK, index, old, new);
    else af_table_write(af, table_gpa & AF_PAGE_MASK, old, new);
    af_settle(af);
}

// A table or directory appears or goes.
static void hook_pt_track(void *ctx, u32 table_gpa, int level, const u32 *entries, bool on)
{
    struct antfarm *af = ctx;
    if (level == PT_LEVEL_DIR) af_dir_track(af, table_gpa & AF_PAGE_MASK, entries, on);
    else af_table_track(af, table_gpa & AF_PAGE_MASK, entries, on);
    af_settle(af);
}

// Exits are decided when an address space leaves CR3 (which flushes its TLB entries):
// INVLPG and global flushes release no address space, so they change nothing here.
static void hook_tlb_flush(void *ctx, int vcpu, enum tlb_flush_kind kind, u32 cr3, u32 va)
{
}

// User code runs on vcpu in cr3.
static void hook_user_mode(void *ctx, int vcpu, u32 cr3)
{
    af_user_mode(ctx, vcpu, cr3);
}

// The hooks to hand to the shadow MMU.
void antfarm_observer(struct antfarm *af, struct mmu_observer *out)
{
    *out = (struct mmu_observer){
        .ctx = af, .cr3_load = hook_cr3_load, .pte_write = hook_pte_write,
        .pt_track = hook_pt_track, .tlb_flush = hook_tlb_flush, .user_mode = hook_user_mode,
    };
}

// The periodic summary, when due.
void antfarm_tick(struct antfarm *af)
{
    if (!af->cfg.summary_secs) return;
    u64 now = af->env.now_ns(af->env.ctx);
    if (now < af->next_summary_ns) return;
    antfarm_summary(af);
    af->next_summary_ns = now + af->cfg.summary_secs * NS_PER_SEC;
}

// Totals, then one line per live process, oldest first.
void antfarm_summary(struct antfarm *af)
{
    u64 now = af->env.now_ns(af->env.ctx);
    struct af_field s[] = {
        { "live", AF_DEC, af->totals.live }, { "created", AF_DEC, af->totals.created },
        { "exited", AF_DEC, af->totals.exited }, { "switches", AF_DEC, af->totals.switches },
        { "t", AF_TIME, now },
    };
    af_emit(af, "summary", s, ARRAY_SIZE(s));
    for (struct af_proc *p = af->live_head; p; p = p->next) {
        struct antfarm_proc_stats st;
        af_proc_snapshot(af, p, now, &st);
        struct af_field f[] = {
            { "pid", AF_DEC, st.pid }, { "asid", AF_HEX, st.asid },
            { "created", AF_TIME, st.created_ns }, { "cpu", AF_TIME, st.cpu_ns },
            { "switches", AF_DEC, st.switches }, { "ptwrites", AF_DEC, st.ptwrites },
            { "disk_reqs", AF_DEC, st.disk_requests }, { "disk_bytes", AF_DEC, st.disk_bytes },
        };
        af_emit(af, "live", f, ARRAY_SIZE(f));
    }
}

// Close the running CPU slices at the end of the VM's run, then the final summary.
void antfarm_vm_end(struct antfarm *af)
{
    u64 now = af->env.now_ns(af->env.ctx);
    for (int i = 0; i < ANTFARM_MAX_VCPUS; i++) {
        struct af_vcpu *v = &af->vcpu[i];
        if (!v->has_cr3) continue;
        v->cur->cpu_ns += now - v->since_ns;
        v->since_ns = now;
    }
    antfarm_summary(af);
}

// A drain callback that frees nothing.
static void forget(struct af_hnode *n)
{
    // pids index registry entries that af_count_free_all frees with their directories
}

// Free everything; no events are printed.
void antfarm_destroy(struct antfarm *af)
{
    if (!af) return;
    af_hash_drain(&af->pids, forget);
    af_count_free_all(af);
    kfree(af);
}

// The pid in effect on vcpu (0: none or a kernel-only address space).
u32 antfarm_current(struct antfarm *af, int vcpu)
{
    if (vcpu < 0 || vcpu >= ANTFARM_MAX_VCPUS || !af->vcpu[vcpu].has_cr3) return 0;
    return af->vcpu[vcpu].cur->pid;
}

// The live process with `pid`, or NULL.
static struct af_proc *proc_find(struct antfarm *af, u32 pid)
{
    return pid ? (struct af_proc *)af_hash_find(&af->pids, pid) : NULL;
}

// A live process's statistics, CPU time counted up to now.
bool antfarm_stats(struct antfarm *af, u32 pid, struct antfarm_proc_stats *out)
{
    struct af_proc *p = proc_find(af, pid);
    if (!p) return false;
    af_proc_snapshot(af, p, af->env.now_ns(af->env.ctx), out);
    return true;
}

// Visit every live process, oldest first.
void antfarm_for_each(struct antfarm *af, antfarm_visit_fn fn, void *arg)
{
    u64 now = af->env.now_ns(af->env.ctx);
    for (struct af_proc *p = af->live_head; p; p = p->next) {
        struct antfarm_proc_stats st;
        af_proc_snapshot(af, p, now, &st);
        fn(arg, &st);
    }
}

// Totals since antfarm_create.
void antfarm_totals(struct antfarm *af, struct antfarm_totals *out)
{
    *out = af->totals;
}

// Charge disk traffic to a live process; a gone one is ignored.
void antfarm_add_disk(struct antfarm *af, u32 pid, u32 requests, u64 bytes)
{
    struct af_proc *p = proc_find(af, pid);
    if (!p) return;
    p->disk_requests += requests;
    p->disk_bytes += bytes;
}
