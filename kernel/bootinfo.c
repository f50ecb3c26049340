// bootinfo.c — copy the multiboot v1 info (command line, memory map, modules).
#include "kernel/bootinfo.h"
#include "boot/multiboot.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

struct bootinfo bootinfo;
static char loader_name[64];

// Copy a NUL-terminated string from physical memory; false (dst cut to `len`) if too long.
static bool copy_str(char *dst, u64 phys, size_t len)
{
    const char *s = phys_to_virt(phys);
    size_t i = 0;
    for (; i + 1 < len && s[i]; i++) dst[i] = s[i];
    dst[i] = 0;
    return !s[i];
}

bool bootinfo_parse(u32 magic, u64 mbi_phys)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        log_err("boot: not started by a multiboot loader (magic=0x%x)", magic);
        return false;
    }
    const struct mb_info *mbi = phys_to_virt(mbi_phys);
    // A cut line would silently change options (vm0.mem=64M became mem=4M): refuse it,
    // reporting through the exit port the line asks for.
    if ((mbi->flags & MB_INFO_CMDLINE) && !copy_str(bootinfo.cmdline, mbi->cmdline, CMDLINE_MAX)) {
        config_early_exitport(phys_to_virt(mbi->cmdline));
        log_err("cmdline: the boot command line is longer than %d bytes", CMDLINE_MAX - 1);
        machine_exit(EXIT_BAD_CMDLINE);
    }
    if (mbi->flags & MB_INFO_LOADER) {
        copy_str(loader_name, mbi->boot_loader_name, sizeof loader_name);
        bootinfo.loader = loader_name;
    }
    if (mbi->flags & MB_INFO_MODS) {
        const struct mb_module *m = phys_to_virt(mbi->mods_addr);
        for (u32 i = 0; i < mbi->mods_count && i < MAX_MODULES; i++) {
            bootinfo.modules[i].start = m[i].mod_start;
            bootinfo.modules[i].end = m[i].mod_end;
            if (m[i].mod_end < m[i].mod_start) {   // its size would wrap to ~2^32
                config_early_exitport(bootinfo.cmdline);
                log_err("boot: module %u ends before it starts: start=0x%x end=0x%x",
                        i, m[i].mod_start, m[i].mod_end);
                return false;
            }
            if (m[i].string && !copy_str(bootinfo.modules[i].cmdline, m[i].string, MODULE_CMDLINE_MAX)) {
                config_early_exitport(bootinfo.cmdline);
                log_err("boot: module %u's string is longer than %d bytes", i, MODULE_CMDLINE_MAX - 1);
                return false;
            }
            bootinfo.nmodules++;
        }
        if (mbi->mods_count > MAX_MODULES)
            log_warn("boot: %u modules, only the first %d are used", mbi->mods_count, MAX_MODULES);
    }
    if (mbi->flags & MB_INFO_MMAP) {
        u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p < end && bootinfo.nmmap < MAX_MMAP) {
            const struct mb_mmap *e = phys_to_virt(p);
            bootinfo.mmap[bootinfo.nmmap++] = (struct mem_range){ e->addr, e->len, e->type };
            p += e->size + sizeof e->size;
        }
    } else if (mbi->flags & MB_INFO_MEMORY) {
        bootinfo.mmap[0] = (struct mem_range){ 0, (u64)mbi->mem_lower << 10, 1 };
        bootinfo.mmap[1] = (struct mem_range){ 1 << 20, (u64)mbi->mem_upper << 10, 1 };
        bootinfo.nmmap = 2;
    } else {
        log_err("boot: the loader gave no memory map");
        return false;
    }
    return true;
}

void bootinfo_print(void)
{
    static const char *const types[] = { "?", "available", "reserved", "acpi", "nvs", "bad" };
    for (int i = 0; i < bootinfo.nmmap; i++) {
        const struct mem_range *r = &bootinfo.mmap[i];
        log_info("mem base=0x%010llx end=0x%010llx size=%lluK type=%s", r->base, r->base + r->len,
                 r->len >> 10, r->type < 6 ? types[r->type] : "?");
    }
    log_info("modules count=%d", bootinfo.nmodules);
    for (int i = 0; i < bootinfo.nmodules; i++) {
        const struct module *m = &bootinfo.modules[i];
        log_info("module %d start=0x%llx end=0x%llx size=%llu cmdline=\"%s\"", i, m->start, m->end,
                 m->end - m->start, m->cmdline);
    }
}
