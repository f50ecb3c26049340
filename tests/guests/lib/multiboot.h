// multiboot.h — the multiboot v1 information block, and what the guest keeps of it
#pragma once
#include <stdint.h>

#define MB_BOOT_MAGIC   0x2badb002u  // EAX at entry
#define MB_INFO_MEM     (1u << 0)    // mem_lower/mem_upper valid
#define MB_INFO_CMDLINE (1u << 2)    // cmdline valid
#define MB_INFO_MODS    (1u << 3)    // mods_count/mods_addr valid
#define MB_INFO_MMAP    (1u << 6)    // mmap_length/mmap_addr valid
#define MB_MMAP_RAM     1            // memory-map type of usable RAM
#define MB_CMDLINE_MAX  256
#define MB_MMAP_MAX     16

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap_entry {
    uint32_t size;            // of the rest of the entry
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

struct mb_region { uint64_t addr, len; uint32_t type; };

// A copy of the boot information, taken before the guest reuses any memory.
struct boot_info {
    uint32_t magic, flags, mem_lower, mem_upper;
    char cmdline[MB_CMDLINE_MAX];
    int nregions;
    struct mb_region regions[MB_MMAP_MAX];
    uint32_t ram_end;         // end of the highest usable RAM region below 4 GiB
};

extern struct boot_info boot;

// Copy what the guest needs out of the multiboot information block.
void multiboot_parse(uint32_t magic, const struct mb_info *mbi);
// Value of "key=..." on the command line as a number, or dflt when absent.
uint32_t cmdline_num(const char *key, uint32_t dflt);
// True when the command line holds the word w on its own ("dirty", "cascade").
int cmdline_has(const char *w);
