// internal.h — antfarm's private state: tracked tables and directories, links, the registry.
//
// Counting invariant (see docs/antfarm.md for why):
//   dir->count = dir->own + sum of table->user over the dir's links whose PDE has U/S=1
//                and whose table is not a kernel table (table->klinks == 0).
// A kernel table is one linked from at least one kernel directory (dir->kernel).
#pragma once
#include "antfarm/antfarm.h"

#define AF_ENTRIES    1024          // entries in a 32-bit (non-PAE) table or directory
#define AF_PAGE_MASK  0xfffff000u   // CR3 and PDE bits that name a page
#define AF_PTE_P      0x001u        // present
#define AF_PTE_US     0x004u        // user-accessible
#define AF_PDE_PS     0x080u        // a directory entry mapping a 4 MiB page

// An intrusive hash of records keyed by a u32 (a guest-physical address or a pid).
struct af_hnode { struct af_hnode *next; u32 key; };
struct af_hash { struct af_hnode **bucket; u32 nbuckets, n; };

struct af_dir;
struct af_proc;

// A tracked page table (level 1), or a placeholder for one a directory links before the
// MMU announces it.
struct af_table {
    struct af_hnode h;              // key: guest-physical address
    bool tracked;
    u32 user;                       // entries that count as user mappings
    u32 klinks;                     // links from kernel directories
    struct af_link *links;          // every directory slot that links it
};

// Directory `dir` links `table` in slot `index` through entry `pde`.
struct af_link {
    struct af_link *tprev, *tnext;  // in table->links
    struct af_link *dprev, *dnext;  // in dir->links
    struct af_dir *dir;
    struct af_table *table;
    u32 pde;
    u16 index;
};

// A page directory: tracked by the MMU, loaded in CR3, or both.
struct af_dir {
    struct af_hnode h;              // key: guest-physical address = the ASID
    bool tracked;
    bool kernel;                    // first loaded in the boot era and not (yet) a process
    bool dirty;                     // on af->dirty: its count or load state changed
    struct af_dir *dirty_next;
    u32 own;                        // its own entries that count: 4 MiB pages, non-present
    u32 count;                      // user mappings (the invariant above)
    struct af_link *links;
    struct af_proc *proc;           // its registry entry, or NULL
};

// A registry entry: an ASID loaded at least once and not gone. pid 0 = not a process yet.
struct af_proc {
    struct af_hnode h;              // key: pid (in af->pids once it is a process)
    struct af_proc *prev, *next;    // af->live, oldest first (processes only)
    struct af_dir *dir;
    u32 pid;
    u32 loaded;                     // bitmask of vCPUs that have it in CR3
    bool empty;                     // count is zero since empty_ns
    u64 empty_ns;
    u64 created_ns, created_tsc;    // first CR3 load
    u64 cpu_ns, switches, ptwrites, disk_requests, disk_bytes;
};

struct af_vcpu {
    bool has_cr3;                   // a CR3 load was seen on this vCPU
    u32 cr3;                        // masked
    struct af_proc *cur;            // registry entry of cr3
    u64 since_ns;                   // when cur was switched in (CPU time)
    u32 last_pid;                   // last process in effect here (switch detection)
};

struct antfarm {
    int vm;
    struct antfarm_config cfg;
    struct antfarm_env env;
    struct af_hash tables, dirs, pids;
    struct af_proc *live_head, *live_tail;
    struct af_dir *dirty, *dirty_tail;   // directories to re-examine once the hook is done
    struct af_vcpu vcpu[ANTFARM_MAX_VCPUS];
    bool booted;                    // the guest has run at CPL 3: the boot era is over
    bool warned_nomem;
    u32 next_pid;
    struct antfarm_totals totals;
    u64 next_summary_ns;
};

// hash.c
bool af_hash_init(struct af_hash *h);
struct af_hnode *af_hash_find(const struct af_hash *h, u32 key);
void af_hash_insert(struct af_hash *h, struct af_hnode *n);
void af_hash_remove(struct af_hash *h, struct af_hnode *n);
// Remove every node, handing each to fn (which may free it); then free the buckets.
void af_hash_drain(struct af_hash *h, void (*fn)(struct af_hnode *n));

// count.c: page-table bookkeeping under the invariant above.
void af_table_track(struct antfarm *af, u32 gpa, const u32 *entries, bool on);
void af_table_write(struct antfarm *af, u32 gpa, u32 old, u32 new);
void af_dir_track(struct antfarm *af, u32 gpa, const u32 *entries, bool on);
void af_dir_write(struct antfarm *af, u32 gpa, unsigned index, u32 old, u32 new);
struct af_dir *af_dir_get(struct antfarm *af, u32 gpa);
void af_dir_set_kernel(struct antfarm *af, struct af_dir *d, bool kernel);
void af_dir_mark(struct antfarm *af, struct af_dir *d);
void af_dir_release(struct antfarm *af, struct af_dir *d);
void af_nomem(struct antfarm *af);
void af_count_free_all(struct antfarm *af);

// registry.c: processes: create, switch, exit.
void af_settle(struct antfarm *af);
void af_cr3_load(struct antfarm *af, int vcpu, u32 cr3);
void af_user_mode(struct antfarm *af, int vcpu, u32 cr3);
void af_proc_snapshot(struct antfarm *af, const struct af_proc *p, u64 now,
                      struct antfarm_proc_stats *out);

// emit.c: event lines, key=value or JSON.
enum af_kind { AF_DEC, AF_HEX, AF_TIME };
struct af_field { const char *key; enum af_kind kind; u64 v; };
void af_emit(struct antfarm *af, const char *ev, const struct af_field *f, unsigned n);
