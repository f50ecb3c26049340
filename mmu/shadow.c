// shadow.c — shadow page tables: roots cached per guest CR3, tables shared between roots,
// filled on #PF from the guest's own tables, dropped on INVLPG and guest writes.
#include "mmu/shadow_int.h"
#include "vmm/vcpu.h"
#include "vmm/tssguard.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/panic.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define PAGING_OFF_PDE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS)

static unsigned hash_of(u32 gfn) { return gfn % SPAGE_HASH; }

struct spage *spage_find(struct mmu *m, u32 gfn, u32 role)
{
    for (struct spage *s = m->hash[hash_of(gfn)]; s; s = s->hnext)
        if (s->gfn == gfn && s->role == role) return s;
    return NULL;
}

// A new, empty shadow table in the hash, charged to the budget; NULL (the VM is stopped)
// when there is no room or no host memory.
static struct spage *spage_new(struct mmu *m, u32 gfn, u32 role)
{
    if (!shadow_charge(m, SPAGE_FRAMES)) return NULL;
    struct spage *s = kzalloc(sizeof *s);
    u64 pa = s ? page_alloc_low() : 0;
    if (!pa) {
        kfree(s);
        shadow_release(m, SPAGE_FRAMES);
        shadow_exhausted(m, "host");
        return NULL;
    }
    s->gfn = gfn;
    s->role = role;
    s->hpa = pa;
    s->sp = phys_to_virt(pa);
    s->hnext = m->hash[hash_of(gfn)];
    m->hash[hash_of(gfn)] = s;
    if (role & ROLE_PT) track_spt(m, gfn, +1);
    return s;
}

// Drop shadow entry idx of a leaf table (and its reverse-map entry if writable).
void spage_zap_entry(struct mmu *m, struct spage *s, unsigned idx)
{
    u32 e = s->sp[idx];
    if (!e) return;
    if (e & PTE_RW) rmap_del(m, hpa_to_gfn(m, e), &s->sp[idx]);
    s->sp[idx] = 0;
}

static void spage_free(struct mmu *m, struct spage *s)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++) spage_zap_entry(m, s, i);
    for (struct spage **p = &m->hash[hash_of(s->gfn)]; *p; p = &(*p)->hnext)
        if (*p == s) { *p = s->hnext; break; }
    if (s->role & ROLE_PT) track_spt(m, s->gfn, -1);
    page_free(s->hpa);
    if (s->child) shadow_release(m, CHILD_FRAMES);
    kfree(s->child);
    kfree(s);
    shadow_release(m, SPAGE_FRAMES);
    m->need_flush = true;    // the hardware may still cache translations through it
}

// Unlink the table behind shadow PDE idx of a root.
void root_zap_pde(struct mmu *m, struct spage *root, unsigned idx)
{
    struct spage *c = root->child[idx];
    root->sp[idx] = 0;
    root->child[idx] = NULL;
    if (c && --c->refs == 0) spage_free(m, c);
}

void root_free(struct mmu *m, struct spage *root)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++) root_zap_pde(m, root, i);
    if (root->prev) {
        root->prev->next = root->next;
        root->next->prev = root->prev;
        m->nroots--;
    }
    if (m->cur_root == root) m->cur_root = NULL;
    spage_free(m, root);
}

// Drop a root of a directory that is not loaded. Without eager tracking the directory
// stops being tracked with it (its tables were tracked only through their shadows).
void root_evict(struct mmu *m, struct spage *root)
{
    u32 gfn = root->gfn;
    root_free(m, root);
    if (!m->eager) dir_kill(m, gfn);
}

// Drop every table a root links (the root stays; #PF refills it).
void root_clear(struct mmu *m, struct spage *root)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++) root_zap_pde(m, root, i);
    m->need_flush = true;    // its entries may be cached even where a shared table survives
}

// A new root with its child array; NULL (the VM is stopped) when it cannot be had.
static struct spage *root_new(struct mmu *m, u32 gfn, u32 role)
{
    struct spage *r = spage_new(m, gfn, role);
    if (!r) return NULL;
    if (shadow_charge(m, CHILD_FRAMES)) {
        r->child = kzalloc(PT_ENTRIES * sizeof *r->child);
        if (r->child) return r;
        shadow_release(m, CHILD_FRAMES);
        shadow_exhausted(m, "host");
    }
    spage_free(m, r);
    return NULL;
}

static void lru_unlink(struct spage *r)
{
    r->prev->next = r->next;
    r->next->prev = r->prev;
}

static void lru_push(struct mmu *m, struct spage *r)
{
    r->next = m->lru.next;
    r->prev = &m->lru;
    m->lru.next->prev = r;
    m->lru.next = r;
}

// The cached shadow root for guest directory `gfn`, built if missing; NULL (the VM is
// stopped) when it cannot be built.
static struct spage *root_get(struct mmu *m, u32 gfn)
{
    struct spage *r = spage_find(m, gfn, ROLE_ROOT);
    if (r) {
        m->st.root_hits++;
        lru_unlink(r);
        lru_push(m, r);
        return r;
    }
    m->st.roots_built++;
    while (m->nroots >= MAX_ROOTS) {
        struct spage *old = m->lru.prev;
        if (old == m->cur_root) break;
        m->st.root_evictions++;
        root_evict(m, old);
    }
    if (!shadow_reserve(m, NULL)) return NULL;
    r = root_new(m, gfn, ROLE_ROOT);
    if (!r) return NULL;
    lru_push(m, r);
    m->nroots++;
    return r;
}

struct mmu *mmu_create(int vm_id, u8 *ram, u64 ram_hpa, u64 ram_size,
                       const struct mmu_observer *obs, bool eager)
{
    struct mmu *m = kzalloc(sizeof *m);
    if (!m) return NULL;
    m->vm_id = vm_id;
    m->ram = ram;
    m->ram_hpa = ram_hpa;
    m->npages = ram_size >> 12;
    m->gfn = kzalloc(m->npages * sizeof *m->gfn);
    if (!m->gfn) { kfree(m); return NULL; }
    m->lru.next = m->lru.prev = &m->lru;
    m->obs = obs;
    m->eager = eager;
    m->loaded_dir = ~0U;
    m->st.shadow_budget = shadow_default_budget(ram_size);
    m->max_links = m->npages * LINKS_PER_RAM_PAGE;
    m->null_hpa = page_alloc_low();
    m->off_root = m->null_hpa ? root_new(m, 0, ROLE_OFF) : NULL;
    if (!m->off_root) {
        mmu_destroy(m);
        return NULL;
    }
    return m;
}

void mmu_destroy(struct mmu *m)
{
    if (!m) return;
    m->obs = &mmu_observer_none;     // the VM has ended: tearing down is not guest activity
    m->cur_root = NULL;
    while (m->lru.next != &m->lru) root_free(m, m->lru.next);
    if (m->off_root) root_free(m, m->off_root);
    for (u32 g = 0; g < m->npages; g++)
        if (m->gfn[g].dir) dir_kill(m, g);
    rmap_free_chunks(m);
    if (m->st.shadow_used)
        log_err("vm=%d mmu shadow accounting off at the end: used=%llu", m->vm_id, m->st.shadow_used);
    if (m->null_hpa) page_free(m->null_hpa);
    kfree(m->gfn);
    kfree(m);
}

u32 mmu_hw_cr0(u32 guest_cr0)
{
    const u32 passed = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_ET | CR0_AM;
    return (guest_cr0 & passed) | CR0_PE | CR0_PG | CR0_WP;
}

u32 mmu_hw_cr4(u32 guest_cr4)
{
    const u32 passed = CR4_TSD | CR4_DE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    return guest_cr4 & passed;    // no PSE, no PAE: the shadow is 2-level with 4 KiB pages
}

static bool paging_on(struct vcpu *v) { return v->cr0 & CR0_PG; }

// Point the hardware at the right shadow root for the vCPU's current mode.
static void bind(struct vcpu *v, struct mmu *m)
{
    struct spage *r = m->off_root;
    u32 was_loaded = m->loaded_dir;
    m->loaded_dir = ~0U;
    if (paging_on(v)) {
        u32 gfn = v->cr3 >> 12;
        if (gfn >= m->npages) {
            // A directory outside RAM: an empty root, so every access faults to bad-gpa.
            r = m->off_root;
            log_warn("vm=%d mmu cr3=0x%x outside guest RAM", m->vm_id, v->cr3);
        } else {
            r = root_get(m, gfn);
            m->loaded_dir = gfn;
            dir_make_live(m, gfn);
        }
    }
    m->cur_root = r;
    // Without a root the VM has been stopped: the empty root faults on every access.
    vcpu_set_shadow(v, r ? r->hpa : m->null_hpa, mmu_hw_cr0(v->cr0), mmu_hw_cr4(v->cr4));
    if (r) tssguard_refresh(v);   // the TSS may lie on other frames in this address space
    if (was_loaded != ~0U && was_loaded != m->loaded_dir) dir_check_dead(m, was_loaded);
}

void mmu_reset(struct vcpu *v)
{
    struct mmu *m = v->mmu;
    m->vcpu = v;
    m->pse = v->cr4 & CR4_PSE;
    bind(v, m);
    v->tlb_flush = TLB_FLUSH_ASID;
}

void mmu_load_cr3(struct vcpu *v, u32 cr3)
{
    struct mmu *m = v->mmu;
    u32 old = v->cr3;
    v->cr3 = cr3;
    if (!paging_on(v)) return;
    bind(v, m);
    if (v->cr4 & CR4_PGE) m->st.global_kept++;
    v->tlb_flush = MAX(v->tlb_flush, TLB_FLUSH_NONGLOBAL);
    if (m->obs->cr3_load) m->obs->cr3_load(m->obs->ctx, v->id, old, cr3);
    if (m->obs->tlb_flush) m->obs->tlb_flush(m->obs->ctx, v->id, TLB_FLUSH_CR3, cr3, 0);
}

void mmu_paging_changed(struct vcpu *v, u32 old_cr0, u32 old_cr4)
{
    struct mmu *m = v->mmu;
    bool pg_changed = (old_cr0 ^ v->cr0) & CR0_PG;
    bool pse_changed = (old_cr4 ^ v->cr4) & CR4_PSE;
    bool pge_changed = (old_cr4 ^ v->cr4) & CR4_PGE;
    bool wp_changed = (old_cr0 ^ v->cr0) & CR0_WP;
    if (pse_changed) {
        // PDE.PS now reads differently: no cached shadow can be trusted.
        m->pse = v->cr4 & CR4_PSE;
        m->cur_root = NULL;
        while (m->lru.next != &m->lru) root_free(m, m->lru.next);
    }
    if (pg_changed || pse_changed || pge_changed || wp_changed) {
        m->st.shadow_flushes++;
        v->tlb_flush = TLB_FLUSH_ASID;
        if (m->obs->tlb_flush) m->obs->tlb_flush(m->obs->ctx, v->id, TLB_FLUSH_ALL, v->cr3, 0);
    }
    u32 old_cr3 = paging_on(v) && pg_changed ? 0 : v->cr3;
    bind(v, m);
    if (pg_changed && paging_on(v) && m->obs->cr3_load)
        m->obs->cr3_load(m->obs->ctx, v->id, old_cr3, v->cr3);
}

static bool mem_read32(void *ctx, u32 gpa, u32 *val)
{
    struct mmu *m = ctx;
    if (gpa >= m->npages * 4096ULL - 3) return false;
    *val = *(u32 *)(m->ram + gpa);
    return true;
}

// Accessed/dirty updates by the walker: the shadows stay valid; only the observer hears.
static void mem_update32(void *ctx, u32 gpa, u32 old, u32 new, int level)
{
    struct mmu *m = ctx;
    *(u32 *)(m->ram + gpa) = new;
    u32 gfn = gpa >> 12, idx = (gpa & 0xfff) / 4;
    if (!m->obs->pte_write) return;
    if (level == PT_LEVEL_DIR && m->gfn[gfn].dir)
        m->obs->pte_write(m->obs->ctx, gfn << 12, idx, old, new, PT_LEVEL_DIR);
    if (level == PT_LEVEL_TABLE && m->gfn[gfn].links)
        m->obs->pte_write(m->obs->ctx, gfn << 12, idx, old, new, PT_LEVEL_TABLE);
}

static int walk(struct vcpu *v, struct mmu *m, u32 va, u32 access, struct walk *w, u32 *pfec)
{
    struct walk_mem wm = { m, mem_read32, mem_update32 };
    return walk_guest(&wm, v->cr0, v->cr4, v->cr3, va, access, true, w, pfec);
}

int mmu_translate(struct vcpu *v, u32 va, u32 access, u32 *gpa, u32 *pfec)
{
    struct mmu *m = v->mmu;
    if (!paging_on(v)) {
        *gpa = va;
        return va < m->npages * 4096ULL ? WALK_OK : WALK_BAD_GPA;
    }
    struct walk w;
    int r = walk(v, m, va, access, &w, pfec);
    if (r == WALK_OK) {
        *gpa = w.gpa;
        if (w.gpa >= m->npages * 4096ULL) return WALK_BAD_GPA;
    }
    return r;
}

// The shadow entry mapping `gfn` with the given permissions (writable only if allowed).
static void set_spte(struct mmu *m, struct spage *s, unsigned idx, u32 gfn, bool user,
                     bool writable, bool global)
{
    spage_zap_entry(m, s, idx);
    if (gfn >= m->npages) return;
    writable = writable && !gfn_protected(m, gfn) && !m->gfn[gfn].guard;
    u32 e = (u32)(m->ram_hpa + ((u64)gfn << 12)) | PTE_P | (user ? PTE_US : 0) |
            (writable ? PTE_RW : 0) | (global ? PTE_G : 0);
    s->sp[idx] = e;
    // Without a reverse-map node the entry stays read-only (the VM is being stopped).
    if (writable && !rmap_add(m, gfn, &s->sp[idx])) s->sp[idx] &= ~PTE_RW;
}

// The shadow table under root PDE `pdi` for the given role, linked if it is not yet;
// NULL (the VM is stopped) when it cannot be built.
static struct spage *leaf_table(struct mmu *m, struct spage *root, unsigned pdi, u32 gfn, u32 role)
{
    struct spage *c = root->child[pdi];
    if (c && c->gfn == gfn && c->role == role) return c;
    if (c) root_zap_pde(m, root, pdi);
    c = spage_find(m, gfn, role);
    bool fresh = !c;
    if (fresh) c = spage_new(m, gfn, role);
    if (!c) return NULL;
    c->refs++;
    root->child[pdi] = c;
    root->sp[pdi] = (u32)c->hpa | SHADOW_PDE_FLAGS;
    if (fresh && (role & ROLE_LARGE)) {
        // Split a 4 MiB page into 4 KiB entries all at once: one exit, not 1024.
        bool user = role & PTE_US, rw = (role & PTE_RW) && (role & PTE_D), g = role & PTE_G;
        for (unsigned i = 0; i < PT_ENTRIES; i++) set_spte(m, c, i, gfn + i, user, rw, g);
    }
    return c;
}

enum mmu_fault_result mmu_page_fault(struct vcpu *v, u32 va, u32 err, u32 *pfec)
{
    struct mmu *m = v->mmu;
    u32 access = err & (PFEC_W | PFEC_U | PFEC_I);
    struct spage *root = m->cur_root;
    unsigned pdi = PDI(va);
    // A stopped VM (no root, or no room) gets nothing more: it does not run again.
    if (!root || m->exhausted) return MMU_FIXED;
    tssguard_refresh(v);     // before any fill: the guest may have remapped its TSS
    if (!paging_on(v) || root == m->off_root) {
        if (va >= m->npages * 4096ULL) return MMU_BAD_GPA;
        if ((access & PFEC_W) && (gfn_protected(m, va >> 12) || m->gfn[va >> 12].guard)) return MMU_EMULATE;
        if (!shadow_reserve(m, root)) return MMU_FIXED;
        struct spage *c = leaf_table(m, root, pdi, pdi << 10, ROLE_LARGE | (PAGING_OFF_PDE & ROLE_PDE_BITS));
        if (!c) return MMU_FIXED;
        set_spte(m, c, PTI(va), va >> 12, true, true, false);
        m->st.fills++;
        vcpu_flush_page(v, va);
        return MMU_FIXED;
    }
    struct walk w;
    int r = walk(v, m, va, access, &w, pfec);
    if (r == WALK_BAD_GPA) return MMU_BAD_GPA;
    if (r == WALK_FAULT) return MMU_REFLECT;
    u32 gfn = w.gpa >> 12;
    if (gfn >= m->npages) return MMU_BAD_GPA;
    if ((access & PFEC_W) && (gfn_protected(m, gfn) || m->gfn[gfn].guard || !w.writable)) return MMU_EMULATE;
    if (!shadow_reserve(m, root)) return MMU_FIXED;
    struct spage *c;
    bool writable = w.writable;
    if (w.large) {
        u32 role = ROLE_LARGE | (w.pde & ROLE_PDE_BITS);
        if (!(v->cr4 & CR4_PGE)) role &= ~PTE_G;
        // The role holds PDE.D: once the walker dirties the PDE, a writable split replaces
        // the read-only one.
        c = leaf_table(m, root, pdi, (w.pde & PDE_LARGE_ADDR) >> 12, role);
        writable = writable && (w.pde & PTE_D);
    } else {
        c = leaf_table(m, root, pdi, w.pde >> 12, ROLE_PT | (w.pde & (PTE_US | PTE_RW)));
        writable = writable && (w.pte & PTE_D);
    }
    if (!c) return MMU_FIXED;
    // Always (re)compute the faulting entry: a split filled while this frame was a page
    // table holds it read-only, and the frame may have stopped being one since.
    set_spte(m, c, PTI(va), gfn, w.user, writable, w.global);
    m->st.fills++;
    vcpu_flush_page(v, va);
    return MMU_FIXED;
}

void mmu_invlpg(struct vcpu *v, u32 va)
{
    struct mmu *m = v->mmu;
    struct spage *root = m->cur_root;
    unsigned pdi = PDI(va);
    if (root && root->child[pdi]) {
        struct spage *c = root->child[pdi];
        if (c->role & ROLE_LARGE) {
            root_zap_pde(m, root, pdi);        // the whole 4 MiB range goes
            m->st.invlpg_drops++;
        } else if (c->sp[PTI(va)]) {
            spage_zap_entry(m, c, PTI(va));
            m->st.invlpg_drops++;
        }
    }
    vcpu_flush_page(v, va);
    if (m->obs->tlb_flush) m->obs->tlb_flush(m->obs->ctx, v->id, TLB_FLUSH_INVLPG, v->cr3, va);
}

int mmu_lookup(struct vcpu *v, u32 va, u32 *gpa)
{
    struct mmu *m = v->mmu;
    struct walk w;
    u32 pfec;
    int r = WALK_OK;
    if (paging_on(v)) {
        struct walk_mem wm = { m, mem_read32, mem_update32 };
        r = walk_guest(&wm, v->cr0, v->cr4, v->cr3, va, 0, false, &w, &pfec);
        if (r == WALK_OK) va = w.gpa;
    }
    if (r == WALK_OK && va >= m->npages * 4096ULL) r = WALK_BAD_GPA;
    *gpa = va;
    return r;
}

const struct mmu_stats *mmu_stats(struct mmu *m) { return &m->st; }

bool mmu_dir_valid(struct mmu *m, u32 cr3) { return (cr3 >> 12) < m->npages; }

bool mmu_take_flush(struct mmu *m)
{
    bool f = m->need_flush;
    m->need_flush = false;
    return f;
}
