// multiboot.h — Multiboot v1 structures (the GRUB "Multiboot Specification 0.6.96").
#pragma once
#include "kernel/types.h"

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

// multiboot header flags
#define MB_HDR_PAGE_ALIGN  BIT(0)   // modules page aligned
#define MB_HDR_MEMINFO     BIT(1)   // want mem_* and mmap

// multiboot info flags
#define MB_INFO_MEMORY   BIT(0)
#define MB_INFO_BOOTDEV  BIT(1)
#define MB_INFO_CMDLINE  BIT(2)
#define MB_INFO_MODS     BIT(3)
#define MB_INFO_MMAP     BIT(6)
#define MB_INFO_LOADER   BIT(9)

struct mb_info {
    u32 flags;
    u32 mem_lower, mem_upper;
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
    u32 drives_length, drives_addr;
    u32 config_table;
    u32 boot_loader_name;
    u32 apm_table;
    u32 vbe[6];
} __attribute__((packed));

struct mb_module {
    u32 mod_start, mod_end;
    u32 string;
    u32 reserved;
} __attribute__((packed));

// One memory-map entry; `size` does not count itself.
struct mb_mmap {
    u32 size;
    u64 addr, len;
    u32 type;
} __attribute__((packed));

#define MB_MMAP_AVAILABLE 1
