// shadow_int.h — the shadow MMU's internal state, shared by shadow.c and track.c.
#pragma once
#include "mmu/shadow.h"
#include "mmu/paging.h"

// What a shadow page shadows (its role); low bits carry the guest PDE bits it depends on.
#define ROLE_ROOT   0x10000  // a guest page directory
#define ROLE_PT     0x20000  // a guest page table, under a PDE with these U/S, R/W bits
#define ROLE_LARGE  0x40000  // a 4 MiB region (guest large page, or paging off), split
#define ROLE_OFF    0x80000  // the identity root used while guest paging is off
#define ROLE_PDE_BITS (PTE_US | PTE_RW | PTE_D | PTE_G)

#define SHADOW_PDE_FLAGS (PTE_P | PTE_RW | PTE_US)
#define SPAGE_HASH 1024
#define MAX_ROOTS 128
#define FLOOD_LIMIT 4096     // writes to an unloaded directory before it counts as data

// Shadow memory is charged to the VM's budget in frames (see recycle.c).
#define SPAGE_FRAMES 1       // a shadow table (its small struct spage rides along)
#define CHILD_FRAMES 3       // a root's child array: 8 KiB plus the heap header
#define RMAP_FRAMES 1        // a reverse-map chunk
#define SHADOW_HEADROOM 8    // most one #PF fill (a table, 5 rmap chunks) or a root can take
#define BUDGET_FLOOR_FRAMES 256      // 1 MiB: a guest always gets room for its working set
#define BUDGET_CAP_FRAMES 16384      // 64 MiB: several large VMs fit in the host
#define BUDGET_RAM_SHIFT 3           // otherwise 1/8 of guest RAM
#define LINKS_PER_RAM_PAGE 2         // eager: tracked table links per guest page (antfarm's bound)

struct spage {
    u32 gfn;                 // shadowed guest frame (first frame for ROLE_LARGE)
    u32 role;
    u32 *sp;                 // the shadow table, 1024 entries
    u64 hpa;
    u32 refs;                // shadow PDEs linking this table (not for roots)
    struct spage **child;    // roots: the table each shadow PDE links
    struct spage *hnext;     // hash chain
    struct spage *prev, *next;   // roots: LRU list
};

struct rmap {
    u32 *sptep;              // a writable shadow entry mapping this frame
    struct rmap *next;
};

#define RMAP_CHUNK 254       // a chunk and the heap's 16-byte header fit one frame
struct rmap_chunk {
    struct rmap_chunk *next;
    struct rmap nodes[RMAP_CHUNK];
};

// Per guest frame.
struct gfn_info {
    u32 links;               // PDEs of live directories linking it as a table (eager);
                             // up to 1024 per live directory, so wider than 16 bits
    u16 spts;                // shadow tables shadowing it as a page table
    u16 flood;               // writes since it was last loaded as a directory
    u8 dir;                  // a live directory
    u16 user_pdes;           // live directories: present entries with U/S=1
    bool guard;              // never mapped writable: the CPU writes it itself (the TSS)
    struct rmap *rmap;
};

struct mmu {
    int vm_id;
    u8 *ram;
    u64 ram_hpa;
    u32 npages;
    struct gfn_info *gfn;
    struct spage *hash[SPAGE_HASH];
    struct spage lru;        // sentinel of the roots' LRU list (most recent first)
    u32 nroots;
    struct spage *off_root;
    struct spage *cur_root;
    u32 loaded_dir;          // gfn loaded in CR3 (paging on), or ~0
    bool pse;                // the guest's CR4.PSE: how PDE.PS is read
    bool need_flush;         // a shadow entry was downgraded: flush before the next entry
    bool eager;              // track every table a live directory links (antfarm on)
    const struct mmu_observer *obs;
    struct rmap *rmap_free;
    struct rmap_chunk *rmap_chunks;
    u32 rmap_used;           // reverse-map nodes in use
    u32 nlinks, max_links;   // eager: table links of live directories, and their bound
    struct vcpu *vcpu;       // the VM's vCPU (set by mmu_reset): stopped when exhausted
    u64 null_hpa;            // an empty root: bound when a VM's shadow cannot be built
    bool exhausted;          // the VM was stopped for shadow memory
    struct mmu_stats st;
};

// track.c
bool gfn_protected(struct mmu *m, u32 gfn);
bool rmap_add(struct mmu *m, u32 gfn, u32 *sptep);
void rmap_del(struct mmu *m, u32 gfn, u32 *sptep);
void track_spt(struct mmu *m, u32 gfn, int delta);
void dir_make_live(struct mmu *m, u32 gfn);
void dir_kill(struct mmu *m, u32 gfn);
bool pde_links_table(struct mmu *m, u32 pde, u32 *gfn);
void entry_written(struct mmu *m, u32 gpa, u32 old, u32 new);
void dir_check_dead(struct mmu *m, u32 gfn);

// recycle.c
u32 shadow_default_budget(u64 ram_size);
bool shadow_charge(struct mmu *m, u32 frames);
void shadow_release(struct mmu *m, u32 frames);
bool shadow_reserve(struct mmu *m, struct spage *keep);
void shadow_exhausted(struct mmu *m, const char *cause);

// track.c (more)
void rmap_free_chunks(struct mmu *m);
void rmap_release_idle(struct mmu *m);

// shadow.c
void root_evict(struct mmu *m, struct spage *root);
void root_clear(struct mmu *m, struct spage *root);
struct spage *spage_find(struct mmu *m, u32 gfn, u32 role);
void spage_zap_entry(struct mmu *m, struct spage *s, unsigned idx);
void root_zap_pde(struct mmu *m, struct spage *root, unsigned idx);
void root_free(struct mmu *m, struct spage *root);

static inline u32 *gfn_ptr(struct mmu *m, u32 gfn) { return (u32 *)(m->ram + (u64)gfn * 4096); }
static inline u32 hpa_to_gfn(struct mmu *m, u32 e) { return (u32)(((e & PTE_ADDR) - m->ram_hpa) >> 12); }
