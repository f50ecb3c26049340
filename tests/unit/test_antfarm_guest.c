// test_antfarm_guest.c — the fake guest and MMU of test_antfarm_guest.h.
#include "unit.h"
#include "test_antfarm_guest.h"
#include <stdlib.h>

#define FG_FIRST_GPA    0x00400000u   // page-table pages come from here
#define FG_FIRST_FRAME  0x10000000u   // data frames (never tables) from here
#define FG_START_NS     1000000000ull
#define FG_TSC_PER_NS   3             // a 3 GHz guest TSC
#define FG_PAGE         0x1000u

// The antfarm_env of the fake guest: its clock and TSC.
static u64 fg_now(void *ctx) { return ((struct fg *)ctx)->now_ns; }
static u64 fg_tsc(void *ctx) { return ((struct fg *)ctx)->tsc; }

// See test_antfarm_guest.h for the contracts of the exported helpers.
struct fg *fg_new(int vm_id, const struct antfarm_config *cfg)
{
    struct fg *g = calloc(1, sizeof *g);
    struct antfarm_config def;
    struct antfarm_env env = { g, fg_now, fg_tsc };
    antfarm_config_default(&def);
    g->now_ns = FG_START_NS;
    g->tsc = FG_START_NS * FG_TSC_PER_NS;
    g->next_gpa = FG_FIRST_GPA;
    g->next_frame = FG_FIRST_FRAME;
    g->af = antfarm_create(vm_id, cfg ? cfg : &def, &env);
    antfarm_observer(g->af, &g->obs);
    return g;
}

void fg_free(struct fg *g)
{
    antfarm_destroy(g->af);
    free(g);
}

void fg_advance(struct fg *g, u64 ns)
{
    g->now_ns += ns;
    g->tsc += ns * FG_TSC_PER_NS;
}

// The memory of page gpa (created zeroed on first use).
static struct fg_page *page(struct fg *g, u32 gpa)
{
    for (unsigned i = 0; i < g->npages; i++)
        if (g->pages[i].gpa == gpa) return &g->pages[i];
    if (g->npages == FG_PAGES) abort();
    struct fg_page *p = &g->pages[g->npages++];
    p->gpa = gpa;
    return p;
}

u32 fg_alloc_at(struct fg *g, u32 gpa)
{
    memset(page(g, gpa)->e, 0, sizeof page(g, gpa)->e);
    return gpa;
}

u32 fg_alloc(struct fg *g)
{
    u32 gpa = g->next_gpa;
    g->next_gpa += FG_PAGE;
    return fg_alloc_at(g, gpa);
}

u32 *fg_mem(struct fg *g, u32 gpa) { return page(g, gpa)->e; }

// A directory entry that links a table.
static bool links(u32 pde) { return (pde & PTE_P) && !(pde & PDE_PS); }

// Is table `t` linked from any tracked directory?
static bool linked(struct fg *g, u32 t)
{
    for (unsigned i = 0; i < g->npages; i++) {
        struct fg_page *d = &g->pages[i];
        if (!d->dir_tracked) continue;
        for (unsigned j = 0; j < 1024; j++)
            if (links(d->e[j]) && (d->e[j] & ~0xfffu) == t) return true;
    }
    return false;
}

// The MMU starts tracking table t, announcing its contents.
static void track_table(struct fg *g, u32 t)
{
    struct fg_page *p = page(g, t);
    if (p->table_tracked) return;
    p->table_tracked = true;
    g->obs.pt_track(g->obs.ctx, t, PT_LEVEL_TABLE, p->e, true);
}

// The MMU stops tracking a table no tracked directory links any more.
static void untrack_if_unlinked(struct fg *g, u32 t)
{
    struct fg_page *p = page(g, t);
    if (!p->table_tracked || linked(g, t)) return;
    p->table_tracked = false;
    g->obs.pt_track(g->obs.ctx, t, PT_LEVEL_TABLE, p->e, false);
}

void fg_write(struct fg *g, u32 gpa, unsigned index, u32 val)
{
    struct fg_page *p = page(g, gpa);
    u32 old = p->e[index];
    if (p->dir_tracked && links(val)) track_table(g, val & ~0xfffu);
    p->e[index] = val;
    if (p->table_tracked) g->obs.pte_write(g->obs.ctx, gpa, index, old, val, PT_LEVEL_TABLE);
    if (p->dir_tracked) {
        g->obs.pte_write(g->obs.ctx, gpa, index, old, val, PT_LEVEL_DIR);
        if (links(old)) untrack_if_unlinked(g, old & ~0xfffu);
    }
}

void fg_load(struct fg *g, int vcpu, u32 dir)
{
    struct fg_page *p = page(g, dir);
    if (!p->dir_tracked) {
        p->dir_tracked = true;
        g->obs.pt_track(g->obs.ctx, dir, PT_LEVEL_DIR, p->e, true);
        for (unsigned j = 0; j < 1024; j++)
            if (links(p->e[j])) track_table(g, p->e[j] & ~0xfffu);
    }
    u32 old = g->cr3[vcpu];
    g->cr3[vcpu] = dir;
    g->loaded[vcpu] = true;
    g->obs.cr3_load(g->obs.ctx, vcpu, old, dir);
}

void fg_user(struct fg *g, int vcpu)
{
    g->obs.user_mode(g->obs.ctx, vcpu, g->cr3[vcpu]);
}

void fg_free_dir(struct fg *g, u32 dir)
{
    struct fg_page *p = page(g, dir);
    if (!p->dir_tracked) return;
    p->dir_tracked = false;
    g->obs.pt_track(g->obs.ctx, dir, PT_LEVEL_DIR, p->e, false);
    for (unsigned j = 0; j < 1024; j++)
        if (links(p->e[j])) untrack_if_unlinked(g, p->e[j] & ~0xfffu);
}

int fg_count(const char *needle)
{
    int n = 0;
    for (const char *s = unit_log(); (s = strstr(s, needle)); s += strlen(needle)) n++;
    return n;
}

struct antfarm_totals fg_totals(struct fg *g)
{
    struct antfarm_totals t;
    antfarm_totals(g->af, &t);
    return t;
}

// A table of `n` kernel (supervisor) pages for the kernel half.
static u32 kernel_table(struct fg *g, unsigned n)
{
    u32 t = fg_alloc(g);
    for (unsigned i = 0; i < n; i++) fg_mem(g, t)[i] = (g->next_frame += FG_PAGE) | PTE_KERNEL;
    return t;
}

void lx_boot(struct fg *g, bool vsyscall)
{
    g->swapper = fg_alloc(g);
    for (unsigned i = 0; i < 4; i++)
        fg_write(g, g->swapper, LX_KERNEL_PDE + i, kernel_table(g, 1024) | PTE_USER);
    fg_load(g, 0, g->swapper);
    // The fixmap table is filled while the boot directory runs, like paging_init does.
    u32 fix = fg_alloc(g);
    fg_write(g, g->swapper, LX_FIXMAP_PDE, fix | PTE_USER);
    fg_write(g, fix, 0, (g->next_frame += FG_PAGE) | PTE_KERNEL);
    if (vsyscall) fg_write(g, fix, 1022, (g->next_frame += FG_PAGE) | PTE_P | PTE_US);
}

u32 lx_mm_new(struct fg *g)
{
    u32 d = fg_alloc(g);
    for (unsigned i = LX_KERNEL_PDE; i < 1024; i++) fg_write(g, d, i, fg_mem(g, g->swapper)[i]);
    return d;
}

void lx_map(struct fg *g, u32 dir, u32 va, u32 flags)
{
    unsigned pdi = va >> 22, pti = (va >> 12) & 1023;
    if (!fg_mem(g, dir)[pdi]) fg_write(g, dir, pdi, fg_alloc(g) | PTE_USER);
    fg_write(g, fg_mem(g, dir)[pdi] & ~0xfffu, pti, (g->next_frame += FG_PAGE) | flags);
}

void lx_unmap_all(struct fg *g, u32 dir)
{
    for (unsigned i = 0; i < LX_KERNEL_PDE; i++) {
        u32 pde = fg_mem(g, dir)[i];
        if (!pde) continue;
        if (links(pde))
            for (unsigned j = 0; j < 1024; j++)
                if (fg_mem(g, pde & ~0xfffu)[j]) fg_write(g, pde & ~0xfffu, j, 0);
        fg_write(g, dir, i, 0);
    }
}

u32 lx_fork(struct fg *g, u32 parent)
{
    u32 child = lx_mm_new(g);
    for (unsigned i = 0; i < LX_KERNEL_PDE; i++) {
        u32 pde = fg_mem(g, parent)[i];
        if (!links(pde)) { if (pde) fg_write(g, child, i, pde); continue; }
        u32 t = fg_alloc(g);
        memcpy(fg_mem(g, t), fg_mem(g, pde & ~0xfffu), 1024 * sizeof(u32));
        fg_write(g, child, i, t | (pde & 0xfffu));
    }
    return child;
}

void lx_start_init(struct fg *g, int vcpu, u32 *init_dir)
{
    *init_dir = lx_mm_new(g);
    lx_map(g, *init_dir, 0xbffff000u, PTE_USER);   // argv and envp on the stack
    fg_load(g, vcpu, *init_dir);
    lx_map(g, *init_dir, 0x08048000u, PTE_USER);   // the ELF text
    fg_user(g, vcpu);
}
