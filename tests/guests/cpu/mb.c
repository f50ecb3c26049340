// mb.c — cpu.elf: the multiboot information the loader handed over
#include "cpu.h"
#include "multiboot.h"
#include "print.h"
#include "test.h"

#define MEM_LOWER_MIN_KB 512
#define MEM_LOWER_MAX_KB 640
#define MEM_UPPER_MIN_KB (31 * 1024)   // the paging guests need 32 MiB
#define ONE_MIB          0x100000u
#define KIB              1024u

// Multiboot magic, memory sizes, memory map and command line.
void check_multiboot(void) {
    test_check(boot.magic == MB_BOOT_MAGIC, "mb_magic", "eax=%x", boot.magic);
    int mem = (boot.flags & MB_INFO_MEM) != 0;
    test_check(mem && boot.mem_lower >= MEM_LOWER_MIN_KB && boot.mem_lower <= MEM_LOWER_MAX_KB, "mb_mem_lower",
               "flags=%x mem_lower=%u KiB", boot.flags, boot.mem_lower);
    test_check(mem && boot.mem_upper >= MEM_UPPER_MIN_KB, "mb_mem_upper", "flags=%x mem_upper=%u KiB", boot.flags,
               boot.mem_upper);
    // With mem=N (MiB) on the command line, 1 MiB + mem_upper lies within N's last MiB
    // (QEMU keeps 128 KiB at the top for its tables).
    uint32_t want_kib = cmdline_num("mem", 0) * KIB, top_kib = KIB + boot.mem_upper;
    if (want_kib)
        test_check(top_kib <= want_kib && top_kib + KIB > want_kib, "mb_mem_size", "1 MiB + mem_upper = %u KiB, mem=%u KiB",
                   top_kib, want_kib);
    test_check((boot.flags & MB_INFO_CMDLINE) && boot.cmdline[0], "mb_cmdline", "flags=%x", boot.flags);

    // The memory map: RAM at 0 (at least mem_lower) and from 1 MiB up to 1 MiB + mem_upper.
    int low_ok = 0, high_ok = 0;
    for (int i = 0; i < boot.nregions; i++) {
        struct mb_region *r = &boot.regions[i];
        gprintf("INFO mmap %x%08x len %x%08x type %u\n", (uint32_t)(r->addr >> 32), (uint32_t)r->addr,
                (uint32_t)(r->len >> 32), (uint32_t)r->len, r->type);
        if (r->type != MB_MMAP_RAM) continue;
        if (r->addr == 0 && r->len >= boot.mem_lower * KIB) low_ok = 1;
        if (r->addr <= ONE_MIB && r->addr + r->len >= ONE_MIB + (uint64_t)boot.mem_upper * KIB) high_ok = 1;
    }
    test_check((boot.flags & MB_INFO_MMAP) && boot.nregions > 0 && low_ok && high_ok, "mb_mmap",
               "flags=%x regions=%d low=%d high=%d", boot.flags, boot.nregions, low_ok, high_ok);
}
