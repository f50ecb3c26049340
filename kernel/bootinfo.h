// bootinfo.h — what the boot loader handed over, copied out of the multiboot info.
#pragma once
#include "kernel/types.h"

#define MAX_MODULES 32
#define MAX_MMAP 64
#define CMDLINE_MAX 1024
#define MODULE_CMDLINE_MAX 256

struct module {
    u64 start, end;          // physical, [start, end)
    char cmdline[MODULE_CMDLINE_MAX];   // "path args..."
};

struct mem_range {
    u64 base, len;
    u32 type;                // 1 = available
};

struct bootinfo {
    char cmdline[CMDLINE_MAX];
    int nmodules;
    struct module modules[MAX_MODULES];
    int nmmap;
    struct mem_range mmap[MAX_MMAP];
    const char *loader;
};

extern struct bootinfo bootinfo;

// Copy the multiboot info at physical `mbi`; false (with a console line) if unusable.
bool bootinfo_parse(u32 magic, u64 mbi);
// Log the memory map and the modules.
void bootinfo_print(void);
