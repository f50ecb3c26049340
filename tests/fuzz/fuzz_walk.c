// fuzz_walk.c — fuzz the guest page-table walker (mmu/walk.c) with guest-chosen entries.
//
// Input: CR0.WP, CR4.PSE/PGE, the access kind and set_ad, CR3, the virtual address, then
// the page-directory and page-table entries the walk will read (other reads return
// what the input's tail holds, or "not RAM" when its gpa is past the fake RAM limit).
// A reference walker written from the SDM (32-bit paging, PSE without PSE-36, PGE, CR0.WP,
// U/S and R/W combined over both levels, A on every entry used, D on the leaf of a write)
// computes the expected outcome. Checks: the same result, GPA, error code and flags as
// the reference; reads only at the PDE and PTE slots the address selects; A/D updates
// only at those slots, only adding A/D bits, with the old value the walk read.
#include "tests/fuzz/fuzz.h"
#include "mmu/paging.h"
#include "kernel/x86.h"
#include <string.h>

#define MAX_READS 2

struct fake {
    u32 ram_limit;           // gpas at or past this are not RAM
    u32 pde, pte;            // the values at the PDE and PTE slots
    u32 reads;
    u32 read_gpa[MAX_READS];
    int nupdates;
    u32 upd_gpa[MAX_READS], upd_old[MAX_READS], upd_new[MAX_READS];
    int upd_level[MAX_READS];
};

// Read callback: the first read is the PDE, the second the PTE; past ram_limit, not RAM.
static bool f_read32(void *ctx, u32 gpa, u32 *val)
{
    struct fake *f = ctx;
    FUZZ_CHECK(f->reads < MAX_READS);
    f->read_gpa[f->reads++] = gpa;
    if ((u64)gpa + 4 > f->ram_limit) return false;
    *val = f->reads == 1 ? f->pde : f->pte;
    return true;
}

// A/D update callback: record it for the checks.
static void f_update32(void *ctx, u32 gpa, u32 old, u32 new, int level)
{
    struct fake *f = ctx;
    FUZZ_CHECK(f->nupdates < MAX_READS);
    int i = f->nupdates++;
    f->upd_gpa[i] = gpa;
    f->upd_old[i] = old;
    f->upd_new[i] = new;
    f->upd_level[i] = level;
}

// The next 4 input bytes, little-endian; 0 past the end.
static u32 take32(const unsigned char *d, unsigned long len, unsigned long *pos)
{
    u32 v = 0;
    for (int i = 0; i < 4; i++, (*pos)++)
        if (*pos < len) v |= (u32)d[*pos] << (8 * i);
    return v;
}

// See fuzz.h: one walk, then the reference walk and the comparison.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    unsigned long pos = 0;
    u32 ctl = take32(data, len, &pos);
    u32 cr0 = (ctl & 1) ? CR0_WP : 0;
    u32 cr4 = ((ctl & 2) ? CR4_PSE : 0) | ((ctl & 4) ? CR4_PGE : 0);
    u32 access = ((ctl & 8) ? PFEC_W : 0) | ((ctl & 0x10) ? PFEC_U : 0) | ((ctl & 0x20) ? PFEC_I : 0);
    bool set_ad = ctl & 0x40;
    struct fake f = { .ram_limit = (ctl & 0x80) ? take32(data, len, &pos) : 0xFFFFFFFF };
    u32 cr3 = take32(data, len, &pos), va = take32(data, len, &pos);
    f.pde = take32(data, len, &pos);
    f.pte = take32(data, len, &pos);

    struct walk w;
    u32 pfec = 0xdeadbeef;
    struct walk_mem mem = { &f, f_read32, f_update32 };
    int rc = walk_guest(&mem, cr0, cr4, cr3, va, access, set_ad, &w, &pfec);

    // The reference.
    u32 err = access & (PFEC_W | PFEC_U);
    u32 pde_gpa = (cr3 & PTE_ADDR) | (PDI(va) << 2);
    FUZZ_CHECK(f.reads >= 1 && f.read_gpa[0] == pde_gpa);
    if ((u64)pde_gpa + 4 > f.ram_limit) { FUZZ_CHECK(rc == WALK_BAD_GPA && f.nupdates == 0); return; }
    if (!(f.pde & PTE_P)) {
        FUZZ_CHECK(rc == WALK_FAULT && pfec == err && f.reads == 1 && f.nupdates == 0);
        return;
    }
    bool large = (f.pde & PTE_PS) && (cr4 & CR4_PSE);
    u32 leaf = f.pde, gpa, pte_gpa = (f.pde & PTE_ADDR) | (PTI(va) << 2);
    bool user = f.pde & PTE_US, rw = f.pde & PTE_RW;
    if (large) {
        FUZZ_CHECK(f.reads == 1);
        if (f.pde & 0x003fe000u) {   // bits 21:13 reserved without PSE-36: #PF with RSVD, P
            FUZZ_CHECK(rc == WALK_FAULT && pfec == (err | PFEC_P | PFEC_RSVD) && f.nupdates == 0);
            return;
        }
        gpa = (f.pde & 0xffc00000u) | (va & 0x3fffff);
    } else {
        FUZZ_CHECK(f.reads == 2 && f.read_gpa[1] == pte_gpa);
        if ((u64)pte_gpa + 4 > f.ram_limit) { FUZZ_CHECK(rc == WALK_BAD_GPA && f.nupdates == 0); return; }
        if (!(f.pte & PTE_P)) { FUZZ_CHECK(rc == WALK_FAULT && pfec == err && f.nupdates == 0); return; }
        leaf = f.pte;
        user = user && (f.pte & PTE_US);
        rw = rw && (f.pte & PTE_RW);
        gpa = (f.pte & PTE_ADDR) | (va & 0xfff);
    }
    bool ok = true;
    if ((access & PFEC_U) && !user) ok = false;
    if ((access & PFEC_W) && !rw && ((access & PFEC_U) || (cr0 & CR0_WP))) ok = false;
    if (!ok) {
        FUZZ_CHECK(rc == WALK_FAULT && pfec == (err | PFEC_P) && f.nupdates == 0);
        return;
    }
    FUZZ_CHECK(rc == WALK_OK);
    FUZZ_CHECK(w.gpa == gpa && w.large == large && w.user == user && w.writable == rw);
    FUZZ_CHECK(w.global == ((leaf & PTE_G) && (cr4 & CR4_PGE)));
    FUZZ_CHECK(w.pde_gpa == pde_gpa && (large || w.pte_gpa == pte_gpa));
    // A/D: exactly the bits hardware would set, each entry once, old value as read.
    u32 want_pde = f.pde | PTE_A | (large && (access & PFEC_W) ? PTE_D : 0);
    u32 want_pte = f.pte | PTE_A | ((access & PFEC_W) ? PTE_D : 0);
    int want = !set_ad ? 0 : (want_pde != f.pde) + (!large && want_pte != f.pte);
    FUZZ_CHECK(f.nupdates == want);
    for (int i = 0; i < f.nupdates; i++) {
        bool is_pde = f.upd_gpa[i] == pde_gpa && f.upd_level[i] == 2;
        FUZZ_CHECK(is_pde || (!large && f.upd_gpa[i] == pte_gpa && f.upd_level[i] == 1));
        FUZZ_CHECK(f.upd_old[i] == (is_pde ? f.pde : f.pte));
        FUZZ_CHECK(f.upd_new[i] == (is_pde ? want_pde : want_pte));
    }
    FUZZ_CHECK(w.pde == (set_ad ? want_pde : f.pde));
    FUZZ_CHECK(large || w.pte == (set_ad ? want_pte : f.pte));
}

// Seeds: a kernel write through a 4 KiB mapping, a user read of a 4 MiB page.
void fuzz_init(void)
{
    // A present 4 KiB mapping written by the kernel, and a user 4 MiB page read with PSE.
    static const u32 small[] = { 0x41 | 0x8, 0x1000, 0xc0101234, 0x2007, 0x5003 };
    static const u32 large[] = { 0x13 | 0x40, 0x1000, 0x00801234, 0x00c00087, 0 };
    fuzz_add_seed(small, sizeof small);
    fuzz_add_seed(large, sizeof large);
}
