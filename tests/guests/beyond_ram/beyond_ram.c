// beyond_ram.c — map guest-physical addresses beyond the guest's RAM and touch them.
// Natively QEMU has nothing there (reads all ones, writes vanish). Under myrmex the access
// must either be reflected as a #PF or stop the VM; it must never reach memory.
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define PROBE_VA    0x70000000u      // where the beyond-RAM frames are mapped
#define GPA_3GIB    0xc0000000u
#define MIB         0x100000u
#define PATTERN     0x5eed1234u

// Map gpa at va, read it, write a pattern, read again; judge by where we run.
static void probe(uint32_t *pd, const char *name, uint32_t va, uint32_t gpa) {
    map_page(pd, va, gpa, PTE_P | PTE_W);
    invlpg(va);
    gprintf("INFO beyond_ram: touching gpa %x through va %x\n", gpa, va);
    uint32_t before = 0, after = 0;
    int r1 = probe_read(va, &before);
    uint32_t err1 = trap_last.err, cr2_1 = trap_last.cr2;
    int r2 = probe_write(va, PATTERN);
    int r3 = probe_read(va, &after);
    if (myrmex()) {
        test_check(r1 == VEC_PF && cr2_1 == va && r2 == VEC_PF, name,
                   "read: vector %d err %x cr2 %x (value %x); write: vector %d; reread %x", r1, err1, cr2_1, before, r2,
                   after);
        return;
    }
    gprintf("INFO beyond_ram native: read %x, after write %x\n", before, after);
    test_check(r1 == TRAP_NONE && r2 == TRAP_NONE && r3 == TRAP_NONE && after != PATTERN, name,
               "vectors %d/%d/%d, reread %x", r1, r2, r3, after);
}

// Probe the first page past RAM and a page at 3 GiB.
void guest_main(void) {
    uint32_t *pd = pd_new_identity(PTE_P | PTE_W, PTE_P | PTE_W);
    paging_enable(pd, CR4_PSE);
    uint32_t past = (boot.ram_end + MIB - 1) & ~(MIB - 1);
    gprintf("INFO beyond_ram: RAM ends at %x\n", boot.ram_end);
    probe(pd, "beyond_ram_end", PROBE_VA, past);
    probe(pd, "beyond_ram_3gib", PROBE_VA + PAGE_SIZE, GPA_3GIB);
}
