// load_multiboot.c — start a multiboot (v1) ELF32 kernel as a guest: segments, modules,
// an info block with mem_lower/mem_upper, command line, modules and a memory map.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "boot/multiboot.h"
#include "kernel/bootinfo.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/lib.h"

#define MB_SEARCH      8192
#define MB_FLAG_AOUT   BIT(16)
#define MB_FLAGS_KNOWN (BIT(0) | BIT(1) | BIT(16))   // page align, memory info, a.out kludge
#define INFO_BASE      0x8000        // info block, map, module list and strings live here
#define INFO_END       0x10000
#define LOW_MEM_END    0x9fc00
#define BIOS_START     0xf0000
#define ELF_MAGIC      0x464c457f
#define ET_EXEC 2
#define EM_386  3
#define PT_LOAD 1

struct elf32_ehdr {
    u32 magic;
    u8 cls, data, version, pad[9];
    u16 type, machine;
    u32 version2, entry, phoff, shoff, flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));

struct elf32_phdr { u32 type, offset, vaddr, paddr, filesz, memsz, flags, align; } __attribute__((packed));

struct mb_header {
    u32 magic, flags, checksum;
    u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
} __attribute__((packed));

static const struct mb_header *find_header(const u8 *img, u64 size)
{
    for (u64 off = 0; off + sizeof(struct mb_header) <= MIN(size, (u64)MB_SEARCH); off += 4) {
        const struct mb_header *h = (const void *)(img + off);
        if (h->magic == MULTIBOOT_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0) return h;
    }
    return NULL;
}

bool multiboot_detect(const u8 *img, u64 size) { return find_header(img, size) != NULL; }

// Copy file bytes into guest RAM with bounds checks on both sides.
static bool place(struct vm *vm, u64 gpa, const u8 *src, u64 filesz, u64 memsz)
{
    if (filesz > memsz || gpa + memsz > vm->ram_size || gpa + memsz < gpa) return false;
    memcpy(vm->ram + gpa, src, filesz);
    memset(vm->ram + gpa + filesz, 0, memsz - filesz);
    return true;
}

// Load the ELF32 image; returns the entry point and the lowest and highest addresses.
static bool load_elf(struct vm *vm, const u8 *img, u64 size, u32 *entry, u64 *low, u64 *top)
{
    const struct elf32_ehdr *eh = (const void *)img;
    if (size < sizeof *eh || eh->magic != ELF_MAGIC || eh->cls != 1 || eh->machine != EM_386 ||
        eh->type != ET_EXEC || eh->phentsize != sizeof(struct elf32_phdr) ||
        (u64)eh->phoff + (u64)eh->phnum * sizeof(struct elf32_phdr) > size)
        return false;
    const struct elf32_phdr *ph = (const void *)(img + eh->phoff);
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD || !ph[i].memsz) continue;
        if ((u64)ph[i].offset + ph[i].filesz > size) return false;
        if (!place(vm, ph[i].paddr, img + ph[i].offset, ph[i].filesz, ph[i].memsz)) return false;
        *top = MAX(*top, (u64)ph[i].paddr + ph[i].memsz);
        *low = MIN(*low, (u64)ph[i].paddr);
    }
    *entry = eh->entry;
    return true;
}

// The a.out kludge: the header's address fields say where the file goes.
static bool load_aout(struct vm *vm, const u8 *img, u64 size, const struct mb_header *h, u32 *entry,
                      u64 *low, u64 *top)
{
    u64 hoff = (const u8 *)h - img;
    if (h->load_addr > h->header_addr || hoff < h->header_addr - h->load_addr) return false;
    u64 foff = hoff - (h->header_addr - h->load_addr);
    u64 end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - foff);
    u64 bss = MAX((u64)h->bss_end_addr, end);
    if (end < h->load_addr || foff + (end - h->load_addr) > size) return false;
    if (!place(vm, h->load_addr, img + foff, end - h->load_addr, bss - h->load_addr)) return false;
    *entry = h->entry_addr;
    *low = h->load_addr;
    *top = bss;
    return true;
}

// A small allocator for the info area below 640 KiB.
struct info_area { struct vm *vm; u32 next; };

static u32 info_alloc(struct info_area *a, u32 size)
{
    u32 p = ALIGN_UP(a->next, 8);
    if (p + size > INFO_END) return 0;
    a->next = p + size;
    memset(a->vm->ram + p, 0, size);
    return p;
}

static u32 info_string(struct info_area *a, const char *s)
{
    u32 p = info_alloc(a, strlen(s) + 1);
    if (p) memcpy(a->vm->ram + p, s, strlen(s) + 1);
    return p;
}

static u32 build_mmap(struct info_area *a, struct vm *vm, u32 *len)
{
    const struct { u64 base, end; u32 type; } ranges[] = {
        { 0, LOW_MEM_END, MB_MMAP_AVAILABLE },
        { LOW_MEM_END, 0xa0000, 2 },
        { BIOS_START, 0x100000, 2 },
        { 0x100000, vm->ram_size, MB_MMAP_AVAILABLE },
    };
    u32 p = info_alloc(a, sizeof(struct mb_mmap) * ARRAY_SIZE(ranges));
    if (!p) return 0;
    struct mb_mmap *m = (void *)(vm->ram + p);
    for (u32 i = 0; i < ARRAY_SIZE(ranges); i++)
        m[i] = (struct mb_mmap){ sizeof(struct mb_mmap) - 4, ranges[i].base,
                                 ranges[i].end - ranges[i].base, ranges[i].type };
    *len = sizeof(struct mb_mmap) * ARRAY_SIZE(ranges);
    return p;
}

bool multiboot_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods)
{
    const u8 *img = phys_to_virt(kernel->start);
    u64 size = kernel->end - kernel->start, top = 0, low = UINT64_MAX;
    const struct mb_header *h = find_header(img, size);
    u32 entry = 0;
    if (h->flags & ~MB_FLAGS_KNOWN & 0xffff) {
        log_err("vm=%d multiboot kernel asks for unsupported features flags=0x%x", vm->id, h->flags);
        return false;
    }
    bool ok = (h->flags & MB_FLAG_AOUT) ? load_aout(vm, img, size, h, &entry, &low, &top)
                                        : load_elf(vm, img, size, &entry, &low, &top);
    if (!ok || low < INFO_END) {     // the info block below 64 KiB must stay clear
        log_err("vm=%d \"%s\" is not a loadable multiboot kernel for %lluM of RAM", vm->id,
                kernel->cmdline, vm->ram_size >> 20);
        return false;
    }
    struct info_area a = { vm, INFO_BASE };
    u32 info = info_alloc(&a, sizeof(struct mb_info));
    struct mb_info *mbi = (void *)(vm->ram + info);
    u32 mmap_len = 0;
    mbi->flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP | MB_INFO_LOADER;
    mbi->mem_lower = LOW_MEM_END >> 10;
    mbi->mem_upper = (vm->ram_size - 0x100000) >> 10;
    mbi->cmdline = info_string(&a, loader_args(kernel));
    mbi->boot_loader_name = info_string(&a, "myrmex");
    mbi->mmap_addr = build_mmap(&a, vm, &mmap_len);
    mbi->mmap_length = mmap_len;
    u32 list = info_alloc(&a, sizeof(struct mb_module) * (nmods ? nmods : 1));
    mbi->mods_addr = list;
    mbi->mods_count = nmods;
    u64 at = ALIGN_UP(top, PAGE_SIZE);
    for (int i = 0; i < nmods; i++) {
        u64 msize = mods[i].end - mods[i].start;
        if (!place(vm, at, phys_to_virt(mods[i].start), msize, msize)) {
            log_err("vm=%d module \"%s\" does not fit in guest RAM", vm->id, mods[i].cmdline);
            return false;
        }
        struct mb_module *mm = (void *)(vm->ram + list) + i * sizeof *mm;
        *mm = (struct mb_module){ at, at + msize, info_string(&a, mods[i].cmdline), 0 };
        at = ALIGN_UP(at + msize, PAGE_SIZE);
    }
    if (!mbi->cmdline || !mbi->mmap_addr || !list) return false;
    struct vcpu *v = &vm->vcpu;
    v->rip = entry;
    v->gpr[RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    v->gpr[RBX] = info;
    log_info("vm=%d multiboot entry=0x%x info=0x%x top=0x%llx", vm->id, entry, info, top);
    return true;
}
