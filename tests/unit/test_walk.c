// test_walk.c — the guest page-table walker: 4 KiB and 4 MiB translations, not-present and
// protection faults, CR0.WP, combined U/S and R/W, accessed/dirty updates, PGE, bad GPAs.
#include "unit.h"
#include "mmu/paging.h"
#include "kernel/x86.h"

// ---- A fake guest: 8 MiB of RAM, every A/D update recorded ----------------------------

#define RAM_SIZE (8u << 20)
#define MAX_UPDATES 8

struct update { u32 gpa, old, new; int level; };

static u8 ram[RAM_SIZE] __attribute__((aligned(4)));
static struct update updates[MAX_UPDATES];
static int nupdates;
static int nreads;

static bool fake_read32(void *ctx, u32 gpa, u32 *val)
{
    nreads++;
    if ((u64)gpa + 4 > RAM_SIZE) return false;
    memcpy(val, &ram[gpa], 4);
    return true;
}

static void fake_update32(void *ctx, u32 gpa, u32 old, u32 new, int level)
{
    if (nupdates < MAX_UPDATES)
        updates[nupdates] = (struct update){ gpa, old, new, level };
    nupdates++;
    if ((u64)gpa + 4 <= RAM_SIZE) memcpy(&ram[gpa], &new, 4);
}

static const struct walk_mem MEM = { NULL, fake_read32, fake_update32 };

static u32 peek(u32 gpa) { u32 v; memcpy(&v, &ram[gpa], 4); return v; }
static void poke(u32 gpa, u32 v) { memcpy(&ram[gpa], &v, 4); }

// The layout: page directory at 0x1000, page tables at 0x2000 and 0x3000.
#define PD  0x1000u
#define PT  0x2000u
#define PT2 0x3000u

#define CR0_PG_WP (CR0_WP)
#define NO_WP     0u

static void reset(void)
{
    memset(ram, 0, 64 << 10);        // only the low 64 KiB hold paging structures
    memset(updates, 0, sizeof updates);
    nupdates = 0;
    nreads = 0;
}

static void set_pde(u32 va, u32 val) { poke(PD + PDI(va) * 4, val); }
static void set_pte(u32 pt, u32 va, u32 val) { poke(pt + PTI(va) * 4, val); }

// Map va by a 4 KiB page at frame with the given PDE and PTE flags (no A/D unless asked).
static void map4k(u32 va, u32 frame, u32 pde_flags, u32 pte_flags)
{
    set_pde(va, PT | pde_flags);
    set_pte(PT, va, frame | pte_flags);
}

static int walk(u32 cr0, u32 cr4, u32 va, u32 access, bool set_ad, struct walk *w, u32 *pfec)
{
    return walk_guest(&MEM, cr0, cr4, PD, va, access, set_ad, w, pfec);
}

#define URW (PTE_P | PTE_RW | PTE_US)
#define KRW (PTE_P | PTE_RW)
#define URO (PTE_P | PTE_US)
#define KRO (PTE_P)

// ---- 4 KiB translations -----------------------------------------------------------------

TEST(walk_4k_translates_gpa_from_pte_frame_and_offset)
{
    reset();
    u32 va = 0x00403abc;                          // PDI 1, PTI 3, offset 0xabc
    map4k(va, 0x00567000, URW, URW);
    struct walk w; u32 pfec = 0xdead;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00567abc);
    CHECK_EQ(w.large, false);
    CHECK_EQ(pfec, 0xdead);                       // untouched on success
}

TEST(walk_4k_reports_pde_and_pte_gpa_and_entries)
{
    reset();
    u32 va = 0x00403abc;
    map4k(va, 0x00567000, URW | PTE_A, URW | PTE_A);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.pde_gpa, PD + 1 * 4);
    CHECK_EQ(w.pte_gpa, PT + 3 * 4);
    CHECK_EQ(w.pde, PT | URW | PTE_A);
    CHECK_EQ(w.pte, 0x00567000 | URW | PTE_A);
}

TEST(walk_4k_ignores_cr3_low_bits)
{
    reset();
    u32 va = 0x00801234;
    map4k(va, 0x00345000, KRW, KRW);
    struct walk w; u32 pfec;
    // PWT, PCD and the ignored low bits of CR3 do not move the page directory.
    CHECK_EQ(walk_guest(&MEM, CR0_PG_WP, 0, PD | 0xfff, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.pde_gpa, PD + PDI(va) * 4);
    CHECK_EQ(w.gpa, 0x00345234);
}

TEST(walk_4k_flag_bits_do_not_leak_into_gpa)
{
    reset();
    u32 va = 0x00001fff;
    // Every flag bit (and the ignored bits 9-11) set in both entries.
    set_pde(va, PT | 0xe7f);                      // not PS (bit 7) and not G
    set_pte(PT, va, 0x00abc000 | 0xfff);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00abcfff);
    CHECK_EQ(w.pte_gpa, PT + 1 * 4);
}

TEST(walk_4k_highest_address_uses_last_entries)
{
    reset();
    u32 va = 0xffffffff;
    map4k(va, 0x007ff000, KRW, KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.pde_gpa, PD + 1023 * 4);
    CHECK_EQ(w.pte_gpa, PT + 1023 * 4);
    CHECK_EQ(w.gpa, 0x007fffff);
}

TEST(walk_4k_two_tables_are_independent)
{
    reset();
    u32 va1 = 0x00000000, va2 = 0x00400000;
    set_pde(va1, PT | KRW);
    set_pde(va2, PT2 | KRW);
    set_pte(PT, va1, 0x00111000 | KRW);
    set_pte(PT2, va2, 0x00222000 | KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va1 + 0x10, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00111010);
    CHECK_EQ(w.pte_gpa, PT);
    CHECK_EQ(walk(CR0_PG_WP, 0, va2 + 0x20, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00222020);
    CHECK_EQ(w.pte_gpa, PT2);
}

// ---- Not-present faults -------------------------------------------------------------------

static const u32 ACCESS_KINDS[] = { 0, PFEC_W, PFEC_U, PFEC_W | PFEC_U };

TEST(walk_pde_not_present_faults_with_access_bits_and_p0)
{
    reset();
    u32 va = 0x00c00000;
    set_pde(va, PT | (URW & ~PTE_P));             // everything but P
    for (unsigned i = 0; i < 4; i++) {
        struct walk w; u32 pfec = 0xdead;
        CHECK_EQ(walk(CR0_PG_WP, 0, va, ACCESS_KINDS[i], true, &w, &pfec), WALK_FAULT);
        CHECK_EQ(pfec, ACCESS_KINDS[i]);
        CHECK_EQ(pfec & PFEC_P, 0);
    }
    CHECK_EQ(nreads, 4);                          // only the PDE was read, each time
    CHECK_EQ(nupdates, 0);
}

TEST(walk_pte_not_present_faults_with_access_bits_and_p0)
{
    reset();
    u32 va = 0x00c05000;
    map4k(va, 0x00100000, URW, URW & ~PTE_P);
    for (unsigned i = 0; i < 4; i++) {
        struct walk w; u32 pfec = 0xdead;
        CHECK_EQ(walk(CR0_PG_WP, 0, va, ACCESS_KINDS[i], true, &w, &pfec), WALK_FAULT);
        CHECK_EQ(pfec, ACCESS_KINDS[i]);
    }
    CHECK_EQ(nupdates, 0);                        // not even the PDE's A bit
    CHECK_EQ(peek(PD + PDI(va) * 4) & PTE_A, 0);
}

TEST(walk_zero_pde_faults_not_present)
{
    reset();                                      // an all-zero page directory
    struct walk w; u32 pfec = 0xdead;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE | CR4_PGE, 0x12345678, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_W);
}

// ---- Protection faults --------------------------------------------------------------------

TEST(walk_user_read_of_supervisor_pde_faults_p_u)
{
    reset();
    u32 va = 0x00401000;
    map4k(va, 0x00100000, KRW, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_U);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_user_read_of_supervisor_pte_faults_p_u)
{
    reset();
    u32 va = 0x00401000;
    map4k(va, 0x00100000, URW, KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_U);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_supervisor_access_to_supervisor_page_allowed)
{
    reset();
    u32 va = 0x00401000;
    map4k(va, 0x00100000, KRW, KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.user, false);
    CHECK_EQ(w.writable, true);
}

TEST(walk_user_write_to_readonly_pde_faults_p_w_u)
{
    reset();
    u32 va = 0x00402000;
    map4k(va, 0x00100000, URO, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, false, &w, &pfec), WALK_OK);   // read is fine
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_user_write_to_readonly_pte_faults_p_w_u)
{
    reset();
    u32 va = 0x00402000;
    map4k(va, 0x00100000, URW, URO);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_user_write_to_readonly_faults_even_with_wp_clear)
{
    reset();
    u32 va = 0x00402000;
    map4k(va, 0x00100000, URW, URO);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(NO_WP, 0, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
}

TEST(walk_supervisor_write_to_readonly_with_wp_faults_p_w)
{
    reset();
    u32 va1 = 0x00402000, va2 = 0x00802000;
    map4k(va1, 0x00100000, KRO, KRW);             // read-only at the PDE
    set_pde(va2, PT2 | KRW);                      // read-only at the PTE
    set_pte(PT2, va2, 0x00200000 | KRO);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va1, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W);
    CHECK_EQ(walk(CR0_PG_WP, 0, va2, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_supervisor_write_to_readonly_without_wp_allowed)
{
    reset();
    u32 va1 = 0x00402000, va2 = 0x00802000;
    map4k(va1, 0x00100000, URO, URO);             // read-only (and user) at both levels
    set_pde(va2, PT2 | KRW);
    set_pte(PT2, va2, 0x00200000 | KRO);
    struct walk w; u32 pfec = 0xdead;
    CHECK_EQ(walk(NO_WP, 0, va1, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00100000);
    CHECK_EQ(w.writable, false);                  // still reported as not writable
    CHECK(w.pte & PTE_D);                         // and the write dirties the page
    CHECK_EQ(walk(NO_WP, 0, va2, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0x00200000);
    CHECK_EQ(pfec, 0xdead);
}

TEST(walk_supervisor_access_to_user_page_allowed)
{
    reset();
    u32 va = 0x00402000;
    map4k(va, 0x00100000, URW, URW);
    struct walk w; u32 pfec;
    // No SMEP/SMAP in the 32-bit guest model: the kernel may touch user pages.
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, false, &w, &pfec), WALK_OK);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_I, false, &w, &pfec), WALK_OK);
}

// ---- Combined permissions -----------------------------------------------------------------

TEST(walk_combined_user_writable_is_and_of_both_levels)
{
    for (u32 pd_us = 0; pd_us < 2; pd_us++)
    for (u32 pd_rw = 0; pd_rw < 2; pd_rw++)
    for (u32 pt_us = 0; pt_us < 2; pt_us++)
    for (u32 pt_rw = 0; pt_rw < 2; pt_rw++) {
        reset();
        u32 va = 0x00405000;
        u32 pdf = PTE_P | (pd_us ? PTE_US : 0) | (pd_rw ? PTE_RW : 0);
        u32 ptf = PTE_P | (pt_us ? PTE_US : 0) | (pt_rw ? PTE_RW : 0);
        map4k(va, 0x00100000, pdf, ptf);
        struct walk w; u32 pfec;
        CHECK_EQ(walk(NO_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
        CHECK_EQ(w.user, pd_us && pt_us);
        CHECK_EQ(w.writable, pd_rw && pt_rw);
        // And the user-mode outcome follows the combination.
        int r = walk(CR0_PG_WP, 0, va, PFEC_U | PFEC_W, false, &w, &pfec);
        bool ok = pd_us && pt_us && pd_rw && pt_rw;
        CHECK_EQ(r, ok ? WALK_OK : WALK_FAULT);
        if (!ok) CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
        r = walk(CR0_PG_WP, 0, va, PFEC_U, false, &w, &pfec);
        CHECK_EQ(r, (pd_us && pt_us) ? WALK_OK : WALK_FAULT);
    }
}

TEST(walk_large_page_user_writable_from_pde)
{
    reset();
    u32 va = 0x00c00000;
    set_pde(va, 0x00400000 | PTE_PS | URO);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.user, true);
    CHECK_EQ(w.writable, false);
    set_pde(va, 0x00400000 | PTE_PS | KRW);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.user, false);
    CHECK_EQ(w.writable, true);
}

// ---- Accessed and dirty bits --------------------------------------------------------------

TEST(walk_read_sets_accessed_in_pde_and_pte_not_dirty)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 2);
    CHECK_EQ(updates[0].gpa, PD + PDI(va) * 4);
    CHECK_EQ(updates[0].old, PT | URW);
    CHECK_EQ(updates[0].new, PT | URW | PTE_A);
    CHECK_EQ(updates[0].level, 2);
    CHECK_EQ(updates[1].gpa, PT + PTI(va) * 4);
    CHECK_EQ(updates[1].old, 0x00100000 | URW);
    CHECK_EQ(updates[1].new, 0x00100000 | URW | PTE_A);
    CHECK_EQ(updates[1].level, 1);
    // The returned entries are the updated ones.
    CHECK_EQ(w.pde, PT | URW | PTE_A);
    CHECK_EQ(w.pte, 0x00100000 | URW | PTE_A);
}

TEST(walk_write_sets_dirty_only_in_leaf_pte)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 2);
    CHECK_EQ(updates[0].level, 2);
    CHECK_EQ(updates[0].new, PT | URW | PTE_A);   // PDE: A only, never D
    CHECK_EQ(updates[1].level, 1);
    CHECK_EQ(updates[1].new, 0x00100000 | URW | PTE_A | PTE_D);
    CHECK_EQ(w.pde & PTE_D, 0);
    CHECK_EQ(w.pte & (PTE_A | PTE_D), PTE_A | PTE_D);
}

TEST(walk_no_update_when_accessed_already_set)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW | PTE_A, URW | PTE_A);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_no_update_when_accessed_and_dirty_already_set)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW | PTE_A, URW | PTE_A | PTE_D);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_write_to_accessed_clean_page_updates_only_pte_dirty)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW | PTE_A, URW | PTE_A);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].gpa, PT + PTI(va) * 4);
    CHECK_EQ(updates[0].old, 0x00100000 | URW | PTE_A);
    CHECK_EQ(updates[0].new, 0x00100000 | URW | PTE_A | PTE_D);
    CHECK_EQ(updates[0].level, 1);
}

TEST(walk_only_missing_accessed_bit_is_updated)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW | PTE_A, URW);      // PDE already accessed, PTE not
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].level, 1);
    CHECK_EQ(updates[0].new, 0x00100000 | URW | PTE_A);

    reset();
    map4k(va, 0x00100000, URW, URW | PTE_A | PTE_D);   // PTE done, PDE not
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].level, 2);
    CHECK_EQ(updates[0].new, PT | URW | PTE_A);
}

TEST(walk_no_update_without_set_ad)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W | PFEC_U, false, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 0);
    CHECK_EQ(w.pde, PT | URW);                    // entries reported as read
    CHECK_EQ(w.pte, 0x00100000 | URW);
    CHECK_EQ(peek(PD + PDI(va) * 4), PT | URW);

    set_pde(va, 0x00400000 | PTE_PS | URW);       // nor on a 4 MiB page
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W, false, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_no_update_on_faulting_walk)
{
    reset();
    u32 va = 0x00403000;
    struct walk w; u32 pfec;
    map4k(va, 0x00100000, URW, URO);              // protection fault at the PTE
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W | PFEC_U, true, &w, &pfec), WALK_FAULT);
    map4k(va, 0x00100000, KRW, URW);              // protection fault at the PDE
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    map4k(va, 0x00100000, URW, 0);                // PTE not present
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_FAULT);
    set_pde(va, 0x00400000 | PTE_PS | URO);       // 4 MiB read-only page
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(nupdates, 0);
    CHECK_EQ(peek(PD + PDI(va) * 4) & (PTE_A | PTE_D), 0);
}

TEST(walk_updates_reach_guest_memory_and_repeat_walk_is_quiet)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW, URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 2);
    CHECK_EQ(peek(PT + PTI(va) * 4), 0x00100000 | URW | PTE_A | PTE_D);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 2);                        // the second walk finds them set
}

// ---- 4 MiB pages --------------------------------------------------------------------------

TEST(walk_large_page_gpa_is_pde_base_plus_low_22_bits)
{
    reset();
    u32 va = 0x00b23456;                          // PDI 2, low 22 bits 0x323456
    set_pde(va, 0x00400000 | PTE_PS | KRW | PTE_A | PTE_D);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.large, true);
    CHECK_EQ(w.gpa, 0x00723456);
    CHECK_EQ(w.pde_gpa, PD + 2 * 4);
    CHECK_EQ(w.pte, 0);
    CHECK_EQ(nreads, 1);                          // no page table was read
    CHECK_EQ(nupdates, 0);
}

TEST(walk_large_page_pat_bit_does_not_leak_into_gpa)
{
    reset();
    u32 va = 0x003fffff;
    // Bit 12 of a 4 MiB PDE is PAT, not address (bits 21:13 are reserved: next test).
    set_pde(va, 0xffc00000 | BIT(12) | PTE_PS | KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0xffffffff);
}

TEST(walk_large_page_bits_21_13_are_reserved)
{
    reset();
    u32 va = 0x00c01234;
    struct walk w; u32 pfec;
    // Without PSE-36 each of bits 21:13 of a 4 MiB PDE is reserved: #PF with RSVD and P,
    // before any permission check and without setting A.
    for (int bit = 13; bit <= 21; bit++) {
        set_pde(va, 0x00400000 | BIT(bit) | PTE_PS | URW);
        CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W | PFEC_U, true, &w, &pfec), WALK_FAULT);
        CHECK_EQ(pfec, PFEC_RSVD | PFEC_P | PFEC_W | PFEC_U);
    }
    set_pde(va, 0x00400000 | BIT(13) | PTE_PS | KRW);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_RSVD | PFEC_P | PFEC_U);
    CHECK_EQ(nupdates, 0);
}

TEST(walk_ps_without_cr4_pse_is_a_table_pointer)
{
    reset();
    u32 va = 0x00c05123;
    // PS set, but CR4.PSE=0: the PDE points at PT like any other.
    set_pde(va, PT | PTE_PS | URW);
    set_pte(PT, va, 0x00600000 | URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.large, false);
    CHECK_EQ(w.pte_gpa, PT + PTI(va) * 4);
    CHECK_EQ(w.gpa, 0x00600123);
    CHECK_EQ(nupdates, 2);                        // A in PDE and PTE, as for 4 KiB
    CHECK_EQ(updates[0].new, PT | PTE_PS | URW | PTE_A);
    // With CR4.PSE the same PDE maps a 4 MiB page, where PT's bit 13 is a reserved bit.
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, false, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_RSVD | PFEC_P);
}

TEST(walk_ps_without_cr4_pse_pte_not_present_faults)
{
    reset();
    u32 va = 0x00c05000;
    set_pde(va, 0x00400000 | PTE_PS | URW);       // meant as a 4 MiB page, PT there is zero
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_U);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U, true, &w, &pfec), WALK_OK);
}

TEST(walk_large_page_read_sets_accessed_in_pde)
{
    reset();
    u32 va = 0x00c00010;
    set_pde(va, 0x00400000 | PTE_PS | URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].gpa, PD + PDI(va) * 4);
    CHECK_EQ(updates[0].old, 0x00400000 | PTE_PS | URW);
    CHECK_EQ(updates[0].new, 0x00400000 | PTE_PS | URW | PTE_A);
    CHECK_EQ(updates[0].level, 2);
}

TEST(walk_large_page_write_sets_dirty_in_pde)
{
    reset();
    u32 va = 0x00c00010;
    set_pde(va, 0x00400000 | PTE_PS | URW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].new, 0x00400000 | PTE_PS | URW | PTE_A | PTE_D);
    CHECK_EQ(updates[0].level, 2);
    CHECK_EQ(w.pde, 0x00400000 | PTE_PS | URW | PTE_A | PTE_D);
    // Accessed but clean: the write adds only D.
    reset();
    set_pde(va, 0x00400000 | PTE_PS | URW | PTE_A);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].old, 0x00400000 | PTE_PS | URW | PTE_A);
    CHECK_EQ(updates[0].new, 0x00400000 | PTE_PS | URW | PTE_A | PTE_D);
}

TEST(walk_large_page_protection_faults)
{
    reset();
    u32 va = 0x00c00000;
    struct walk w; u32 pfec;
    set_pde(va, 0x00400000 | PTE_PS | KRW);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_U);
    set_pde(va, 0x00400000 | PTE_PS | URO);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_U | PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W | PFEC_U);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_W);
    CHECK_EQ(walk(NO_WP, CR4_PSE, va, PFEC_W, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 1);
    CHECK_EQ(updates[0].new & PTE_D, PTE_D);
    set_pde(va, 0x00400000 | PTE_PS | (URW & ~PTE_P));
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, PFEC_W, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_W);
}

// ---- Global pages -------------------------------------------------------------------------

TEST(walk_global_only_with_pte_g_and_cr4_pge)
{
    reset();
    u32 va = 0x00403000;
    struct walk w; u32 pfec;
    map4k(va, 0x00100000, KRW, KRW | PTE_G);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PGE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, true);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, false);
    map4k(va, 0x00100000, KRW, KRW);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PGE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, false);
}

TEST(walk_global_ignores_pde_g_bit_for_4k_pages)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, KRW | PTE_G, KRW);      // bit 8 of a table-pointer PDE is ignored
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PGE | CR4_PSE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, false);
}

TEST(walk_global_large_page_uses_pde_g)
{
    reset();
    u32 va = 0x00c00000;
    set_pde(va, 0x00400000 | PTE_PS | KRW | PTE_G);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE | CR4_PGE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, true);
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, false, &w, &pfec), WALK_OK);
    CHECK_EQ(w.global, false);
}

// ---- Paging structures outside guest RAM --------------------------------------------------

TEST(walk_page_directory_outside_ram_is_bad_gpa)
{
    reset();
    struct walk w; u32 pfec = 0xdead;
    CHECK_EQ(walk_guest(&MEM, CR0_PG_WP, 0, 0x10000000, 0x00403000, 0, true, &w, &pfec),
             WALK_BAD_GPA);
    CHECK_EQ(pfec, 0xdead);                       // not a guest #PF
    CHECK_EQ(nupdates, 0);
    // A directory page just past the end of RAM.
    CHECK_EQ(walk_guest(&MEM, CR0_PG_WP, 0, RAM_SIZE, 0xffc00000, 0, true, &w, &pfec),
             WALK_BAD_GPA);
}

TEST(walk_page_table_outside_ram_is_bad_gpa)
{
    reset();
    u32 va = 0x00403000;
    set_pde(va, 0x40000000 | URW);                // a table at 1 GiB, beyond 8 MiB of RAM
    struct walk w; u32 pfec = 0xdead;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_U, true, &w, &pfec), WALK_BAD_GPA);
    CHECK_EQ(pfec, 0xdead);
    CHECK_EQ(nupdates, 0);                        // PDE's A bit not set either
}

TEST(walk_large_page_frame_outside_ram_is_not_bad_gpa)
{
    reset();
    u32 va = 0x00c00000;
    // Only paging structures are read; the final frame may be MMIO or absent.
    set_pde(va, 0xfec00000 | PTE_PS | KRW);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, CR4_PSE, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0xfec00000);
    map4k(va, 0xfee00000, KRW, KRW);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, 0, true, &w, &pfec), WALK_OK);
    CHECK_EQ(w.gpa, 0xfee00000);
}

// ---- Instruction fetches ------------------------------------------------------------------

TEST(walk_fetch_bit_does_not_change_present_outcome)
{
    u32 flag_sets[] = { KRO, KRW, URO, URW };
    for (unsigned i = 0; i < 4; i++)
    for (unsigned j = 0; j < 4; j++)
    for (unsigned k = 0; k < 4; k++)
    for (u32 wp = 0; wp < 2; wp++) {
        u32 cr0 = wp ? CR0_WP : 0;
        u32 va = 0x00403000;
        struct walk w1, w2; u32 pf1 = 0, pf2 = 0;
        reset();
        map4k(va, 0x00100000, flag_sets[i], flag_sets[j]);
        int r1 = walk(cr0, 0, va, ACCESS_KINDS[k], true, &w1, &pf1);
        int n1 = nupdates;
        reset();
        map4k(va, 0x00100000, flag_sets[i], flag_sets[j]);
        int r2 = walk(cr0, 0, va, ACCESS_KINDS[k] | PFEC_I, true, &w2, &pf2);
        CHECK_EQ(r2, r1);
        CHECK_EQ(nupdates, n1);
        if (r1 == WALK_OK) {
            CHECK_EQ(w2.gpa, w1.gpa);
            CHECK_EQ(w2.pte, w1.pte);
        } else {
            CHECK_EQ(pf2, pf1);                   // no I bit: 32-bit paging has no NX
        }
    }
}

TEST(walk_fetch_from_readonly_and_user_pages_allowed)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URO, URO);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_I | PFEC_U, true, &w, &pfec), WALK_OK);
    CHECK_EQ(nupdates, 2);                        // A set, as for a read
    CHECK_EQ(w.pte & PTE_D, 0);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_I, true, &w, &pfec), WALK_OK);
}

TEST(walk_fetch_not_present_pfec_has_no_fetch_bit)
{
    reset();
    u32 va = 0x00403000;
    map4k(va, 0x00100000, URW, 0);
    struct walk w; u32 pfec;
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_I | PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_U);
    map4k(va, 0x00100000, KRW, URW);
    CHECK_EQ(walk(CR0_PG_WP, 0, va, PFEC_I | PFEC_U, true, &w, &pfec), WALK_FAULT);
    CHECK_EQ(pfec, PFEC_P | PFEC_U);
}
