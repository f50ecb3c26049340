// shadowstorm.c — CR3 thrash over many page directories, each linking ~1000 distinct page
// tables: more shadow tables than any per-VM budget. Under myrmex the VMM must recycle the
// VM's own shadows transparently (every read through every space sees its own mapping) and
// keep seeing page-table writes of address spaces that are not loaded.
//
// Layout: 0..32 MiB identity (the lib's directory, cloned into every storm directory);
// data frames at 16..20 MiB, frame f holding MARK(f); storm page tables from 20 MiB up.
// Storm slot q (directory q / SLOTS, PDE 8 + q % SLOTS) links table q % N with role q / N
// (PDE R/W and U/S bits), so each (table, role) pair, i.e. each shadow table, is distinct.
// Args: pts=N (page tables, default from RAM), pds=P (directories, default: as many as give
// distinct pairs, at most 96; more repeat pairs), rounds=R (2), tracked=1 (antfarm on:
// page-table writes must be counted even after the space's shadow was recycled; 0 with
// antfarm=off).
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"

#define MIB         0x100000u
#define DATA_BASE   (16 * MIB)
#define DATA_FRAMES 1024u
#define PT_BASE     (20 * MIB)
#define MAX_PTS     24576u           // 96 MiB of page tables
#define FIRST_SLOT  PD_INDEX(IDENTITY_TOP)
#define SLOTS       (PT_ENTRIES - FIRST_SLOT)
#define MAX_PDS     96u              // the low pool holds them
#define ROLES       4u               // PDE R/W x U/S
#define MARK(f)     (0x5d000000u + (f))
#define PROBE_VA    (FIRST_SLOT << 22)
#define MAX_SHOWN   4                // mismatches printed per round

static uint32_t npts, npds;
static uint32_t *pds[MAX_PDS];
static uint32_t *kpd, *probe_pd, *probe_pt;

static uint32_t data_pa(uint32_t f) { return DATA_BASE + (f % DATA_FRAMES) * PAGE_SIZE; }
static uint32_t pt_pa(uint32_t t) { return PT_BASE + t * PAGE_SIZE; }
// The data frame entry i of storm table t maps.
static uint32_t frame_of(uint32_t t, uint32_t i) { return (t * 7 + i) % DATA_FRAMES; }

// Data markers, storm tables and directories, written with paging off.
static void build(void) {
    for (uint32_t f = 0; f < DATA_FRAMES; f++) *(volatile uint32_t *)data_pa(f) = MARK(f);
    for (uint32_t t = 0; t < npts; t++) {
        uint32_t *pt = (uint32_t *)pt_pa(t);
        for (uint32_t i = 0; i < PT_ENTRIES; i++) pt[i] = data_pa(frame_of(t, i)) | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D;
    }
    for (uint32_t k = 0; k < npds; k++) {
        pds[k] = pd_clone(kpd);
        for (uint32_t s = 0; s < SLOTS; s++) {
            uint32_t q = k * SLOTS + s, role = q / npts % ROLES;
            pds[k][FIRST_SLOT + s] = pt_pa(q % npts) | PTE_P | (role & 1 ? PTE_W : 0) | (role & 2 ? PTE_U : 0);
        }
    }
    probe_pd = pd_clone(kpd);
    probe_pt = (uint32_t *)page_alloc_high();    // inside a 4 MiB identity page: writable
    probe_pd[PD_INDEX(PROBE_VA)] = (uint32_t)probe_pt | PTE_P | PTE_W | PTE_U;
    probe_pt[0] = data_pa(1) | PTE_P | PTE_W;
}

// Load storm directories from..to-1 and read one page through each of their tables;
// returns the number of wrong values.
static uint32_t storm(uint32_t round, uint32_t from, uint32_t to) {
    uint32_t bad = 0;
    for (uint32_t k = from; k < to; k++) {
        write_cr3((uint32_t)pds[k]);
        for (uint32_t s = 0; s < SLOTS; s++) {
            uint32_t q = k * SLOTS + s, i = (round * 37 + k * 5 + s) % PT_ENTRIES;
            uint32_t got = *(volatile uint32_t *)(((FIRST_SLOT + s) << 22) | (i << 12));
            uint32_t want = MARK(frame_of(q % npts, i));
            if (got != want && bad++ < MAX_SHOWN)
                gprintf("INFO shadowstorm: round %u pd %u slot %u page %u: read %x, want %x\n", round, k, s, i, got,
                        want);
        }
    }
    write_cr3((uint32_t)kpd);
    return bad;
}

// The probe space's page, read through the probe directory.
static uint32_t probe_read_va(void) {
    write_cr3((uint32_t)probe_pd);
    uint32_t v = *(volatile uint32_t *)PROBE_VA;
    write_cr3((uint32_t)kpd);
    return v;
}

// Point the probe page at data frame f while the probe space is not loaded; the number of
// page-table writes the VMM counted.
static uint32_t probe_retarget(uint32_t f) {
    uint32_t w0 = testdev_read(TESTDEV_PT_WRITES);
    ((volatile uint32_t *)probe_pt)[0] = data_pa(f) | PTE_P | PTE_W;
    return testdev_read(TESTDEV_PT_WRITES) - w0;
}

// A write seen by the VMM: checked under myrmex only (natively the counter reads ~0).
static void check_counted(const char *name, uint32_t writes) {
    if (myrmex()) test_check(writes >= 1, name, "PT_WRITES +%u for a write to a tracked page table", writes);
}

void guest_main(void) {
    uint32_t room = boot.ram_end > PT_BASE ? (boot.ram_end - PT_BASE) / PAGE_SIZE : 0;
    npts = cmdline_num("pts", room < MAX_PTS ? room : MAX_PTS);
    uint32_t rounds = cmdline_num("rounds", 2), tracked = cmdline_num("tracked", 1);
    npds = cmdline_num("pds", npts * ROLES / SLOTS);
    if (npds > MAX_PDS) npds = MAX_PDS;
    if (npts > room || npds == 0) {
        test_fail("shadowstorm_ram", "RAM ends at %x: no room for %u page tables", boot.ram_end, npts);
        return;
    }
    kpd = pd_new_identity(PTE_P | PTE_W, PTE_P | PTE_W);
    build();
    gprintf("INFO shadowstorm: %u directories x %u slots over %u page tables (%u shadow tables)\n", npds, SLOTS,
            npts, npds * SLOTS);
    paging_enable(kpd, CR4_PSE);

    // A write to a space that is not loaded, while its shadow is cached.
    uint32_t before = probe_read_va();
    check_counted("shadowstorm_inactive_write_counted", probe_retarget(2));
    uint32_t after = probe_read_va();
    test_check(before == MARK(1) && after == MARK(2), "shadowstorm_inactive_write", "read %x then %x", before, after);

    for (uint32_t r = 0; r < rounds; r++) {
        // Written while the probe space's shadow is cached, read after a storm recycled it.
        probe_retarget(3 + 2 * r);
        uint32_t bad = storm(r, 0, npds / 2);
        uint32_t v1 = probe_read_va();
        // Written after a storm recycled its shadow again (the space is still live): the
        // VMM must still see the write, and the space must read the new mapping.
        bad += storm(r, npds / 2, npds);
        uint32_t writes = probe_retarget(4 + 2 * r);
        uint32_t v2 = probe_read_va();
        gprintf("INFO shadowstorm: round %u done, %u wrong reads\n", r, bad);
        test_check(bad == 0, "shadowstorm_round", "round %u: %u wrong reads", r, bad);
        test_check(v1 == MARK(3 + 2 * r) && v2 == MARK(4 + 2 * r), "shadowstorm_write_across_storm",
                   "round %u: read %x then %x", r, v1, v2);
        if (tracked) check_counted("shadowstorm_write_after_recycle_counted", writes);
    }
}
