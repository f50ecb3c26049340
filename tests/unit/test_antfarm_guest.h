// test_antfarm_guest.h — a fake 32-bit guest and shadow MMU that play traces into antfarm.
//
// Layer 1 (fg_*): guest memory pages of 1024 u32 and an MMU that tracks directories from
// their first CR3 load and the tables they link, calling the observer hooks in the order
// mmu/observer.h guarantees. Layer 2 (lx_*): a Linux-like kernel on top: a boot directory
// with a shared kernel half from index LX_KERNEL_PDE, mm creation, fork, mapping, teardown.
#pragma once
#include "antfarm/antfarm.h"

#define FG_PAGES      512
#define FG_VCPUS      4
#define LX_KERNEL_PDE 768            // 0xc0000000: the kernel half starts here
#define LX_FIXMAP_PDE 1023           // the fixmap table (vsyscall page at 0xffffe000)
#define PTE_P   0x001u
#define PTE_RW  0x002u
#define PTE_US  0x004u
#define PDE_PS  0x080u
#define PTE_USER (PTE_P | PTE_RW | PTE_US)
#define PTE_KERNEL (PTE_P | PTE_RW)

struct fg_page { u32 gpa; bool dir_tracked, table_tracked; u32 e[1024]; };

struct fg {
    struct antfarm *af;
    struct mmu_observer obs;
    u64 now_ns, tsc;
    bool loaded[FG_VCPUS];
    u32 cr3[FG_VCPUS];
    u32 next_gpa, next_frame;
    u32 swapper;                     // the kernel's reference directory (lx_boot)
    unsigned npages;
    struct fg_page pages[FG_PAGES];
};

// A guest for VM vm_id with antfarm configured by cfg (NULL: defaults). Time starts at 1 s.
struct fg *fg_new(int vm_id, const struct antfarm_config *cfg);
void fg_free(struct fg *g);
void fg_advance(struct fg *g, u64 ns);
u32 fg_alloc(struct fg *g);                          // a zeroed page (gpa)
u32 fg_alloc_at(struct fg *g, u32 gpa);              // the page at gpa, zeroed (reuse)
u32 *fg_mem(struct fg *g, u32 gpa);
void fg_write(struct fg *g, u32 gpa, unsigned index, u32 val);   // a guest store
void fg_load(struct fg *g, int vcpu, u32 dir);       // MOV to CR3 (same value too)
void fg_user(struct fg *g, int vcpu);                // an exit at CPL 3
void fg_free_dir(struct fg *g, u32 dir);             // the OS frees a page directory
int fg_count(const char *needle);                    // occurrences in the captured log
struct antfarm_totals fg_totals(struct fg *g);       // antfarm's totals for this guest

// Linux-like kernel. lx_boot: boot directory loaded on vCPU 0, kernel tables at 768..771
// and the fixmap table; vsyscall=true maps the vsyscall page user-accessible in it.
void lx_boot(struct fg *g, bool vsyscall);
u32 lx_mm_new(struct fg *g);                         // pgd_alloc: kernel half copied
void lx_map(struct fg *g, u32 dir, u32 va, u32 flags);   // map a fresh frame at va
void lx_unmap_all(struct fg *g, u32 dir);            // exit_mmap + free_pgtables
u32 lx_fork(struct fg *g, u32 parent);               // a copy of parent's user half
void lx_start_init(struct fg *g, int vcpu, u32 *init_dir);   // first exec + CPL 3
