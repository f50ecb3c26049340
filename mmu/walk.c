// walk.c — the guest page-table walker: 2-level 32-bit paging with PSE and PGE.
#include "mmu/paging.h"
#include "kernel/x86.h"

// Does an entry pair allow the access? user = combined U/S, rw = combined R/W.
static bool allowed(u32 access, bool user, bool rw, bool wp)
{
    if ((access & PFEC_U) && !user) return false;
    if (access & PFEC_W) {
        if (access & PFEC_U) return rw;
        return rw || !wp;            // CR0.WP=0: the kernel writes anything
    }
    return true;
}

int walk_guest(const struct walk_mem *m, u32 cr0, u32 cr4, u32 cr3, u32 va, u32 access,
               bool set_ad, struct walk *w, u32 *pfec)
{
    u32 err = access & (PFEC_W | PFEC_U);
    *w = (struct walk){ 0 };
    w->pde_gpa = (cr3 & PTE_ADDR) + PDI(va) * 4;
    if (!m->read32(m->ctx, w->pde_gpa, &w->pde)) return WALK_BAD_GPA;
    if (!(w->pde & PTE_P)) { *pfec = err; return WALK_FAULT; }
    w->large = (w->pde & PTE_PS) && (cr4 & CR4_PSE);
    u32 leaf;
    if (w->large) {
        leaf = w->pde;
        if (leaf & PDE_LARGE_RSVD) { *pfec = err | PFEC_P | PFEC_RSVD; return WALK_FAULT; }
        w->user = leaf & PTE_US;
        w->writable = leaf & PTE_RW;
        w->gpa = (leaf & PDE_LARGE_ADDR) | (va & ~PDE_LARGE_ADDR);
    } else {
        w->pte_gpa = (w->pde & PTE_ADDR) + PTI(va) * 4;
        if (!m->read32(m->ctx, w->pte_gpa, &w->pte)) return WALK_BAD_GPA;
        if (!(w->pte & PTE_P)) { *pfec = err; return WALK_FAULT; }
        leaf = w->pte;
        w->user = (w->pde & PTE_US) && (leaf & PTE_US);
        w->writable = (w->pde & PTE_RW) && (leaf & PTE_RW);
        w->gpa = (leaf & PTE_ADDR) | (va & 0xfff);
    }
    w->global = (leaf & PTE_G) && (cr4 & CR4_PGE);
    if (!allowed(access, w->user, w->writable, cr0 & CR0_WP)) {
        *pfec = err | PFEC_P;
        return WALK_FAULT;
    }
    if (!set_ad) return WALK_OK;
    // Hardware sets A in every entry it used, and D only in the leaf, only on writes.
    u32 new_pde = w->pde | PTE_A;
    if (w->large && (access & PFEC_W)) new_pde |= PTE_D;
    if (new_pde != w->pde) {
        m->update32(m->ctx, w->pde_gpa, w->pde, new_pde, 2);
        w->pde = new_pde;
    }
    if (!w->large) {
        u32 new_pte = w->pte | PTE_A | ((access & PFEC_W) ? PTE_D : 0);
        if (new_pte != w->pte) {
            m->update32(m->ctx, w->pte_gpa, w->pte, new_pte, 1);
            w->pte = new_pte;
        }
    }
    return WALK_OK;
}
