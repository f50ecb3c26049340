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

#define RMAP_CHUNK 255
struct rmap_chunk {
    struct rmap_chunk *next;
    struct rmap nodes[RMAP_CHUNK];
};

// Per guest frame.
struct gfn_info {
    u16 links;               // PDEs of live directories linking it as a table (eager)
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
    struct mmu_stats st;
};

// track.c
bool gfn_protected(struct mmu *m, u32 gfn);
void rmap_add(struct mmu *m, u32 gfn, u32 *sptep);
void rmap_del(struct mmu *m, u32 gfn, u32 *sptep);
void track_spt(struct mmu *m, u32 gfn, int delta);
void dir_make_live(struct mmu *m, u32 gfn);
void dir_kill(struct mmu *m, u32 gfn);
bool pde_links_table(struct mmu *m, u32 pde, u32 *gfn);
void entry_written(struct mmu *m, u32 gpa, u32 old, u32 new);
void dir_check_dead(struct mmu *m, u32 gfn);

// shadow.c
struct spage *spage_find(struct mmu *m, u32 gfn, u32 role);
void spage_zap_entry(struct mmu *m, struct spage *s, unsigned idx);
void root_zap_pde(struct mmu *m, struct spage *root, unsigned idx);
void root_free(struct mmu *m, struct spage *root);

static inline u32 *gfn_ptr(struct mmu *m, u32 gfn) { return (u32 *)(m->ram + (u64)gfn * 4096); }
static inline u32 hpa_to_gfn(struct mmu *m, u32 e) { return (u32)(((e & PTE_ADDR) - m->ram_hpa) >> 12); }
