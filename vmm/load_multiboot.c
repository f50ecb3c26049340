// load_multiboot.c — start a multiboot (v1) ELF32 or a.out-kludge kernel as a guest:
// segments, modules, an info block with mem_lower/mem_upper, command line, modules and a
// memory map. Pure: works on a RAM buffer (host-tested and fuzzed).
#include "vmm/loader.h"
#include "boot/multiboot.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define PAGE           4096ULL
#define MB_SEARCH      8192
#define MB_FLAG_AOUT   BIT(16)
#define MB_FLAGS_KNOWN (BIT(0) | BIT(1) | BIT(16))   // page align, memory info, a.out kludge
#define LOW_INFO_BASE  0x8000        // the info area's usual place, when the image leaves it free
#define LOW_INFO_END   0x10000
#define LOW_MEM_END    0x9fc00
#define BIOS_START     0xf0000
#define HIGH_START     0x100000
#define ELF_MAGIC      0x464c457f
#define ET_EXEC 2
#define EM_386  3
#define PT_LOAD 1
#define INFO_ALIGN 8
#define NMMAP 4

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

// The image's extent in guest RAM: [low, top).
struct extent { u64 low, top; };

static const struct mb_header *find_header(const u8 *img, u64 size)
{
    for (u64 off = 0; off + sizeof(struct mb_header) <= MIN(size, (u64)MB_SEARCH); off += 4) {
        const struct mb_header *h = (const void *)(img + off);
        if (h->magic == MULTIBOOT_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0) return h;
    }
    return NULL;
}

bool multiboot_detect(const u8 *img, u64 size) { return find_header(img, size) != NULL; }

// Copy file bytes into guest RAM with bounds checks on both sides (all operands < 2^33).
static bool place(struct load_target *t, u64 gpa, const u8 *src, u64 filesz, u64 memsz)
{
    if (filesz > memsz || gpa > t->ram_size || memsz > t->ram_size - gpa) return false;
    memcpy(t->ram + gpa, src, filesz);
    memset(t->ram + gpa + filesz, 0, memsz - filesz);
    return true;
}

static void extend(struct extent *x, u64 low, u64 top)
{
    x->low = MIN(x->low, low);
    x->top = MAX(x->top, top);
}

// Load the ELF32 image's PT_LOAD segments; an image with none is refused.
static bool load_elf(struct load_target *t, const u8 *img, u64 size, u32 *entry, struct extent *x)
{
    const struct elf32_ehdr *eh = (const void *)img;
    if (size < sizeof *eh || eh->magic != ELF_MAGIC || eh->cls != 1 || eh->machine != EM_386 ||
        eh->type != ET_EXEC || eh->phentsize != sizeof(struct elf32_phdr) ||
        (u64)eh->phoff + (u64)eh->phnum * sizeof(struct elf32_phdr) > size) {
        log_err("vm=%d multiboot: not an i386 ELF32 executable with a readable program header table",
                t->vm_id);
        return false;
    }
    const struct elf32_phdr *ph = (const void *)(img + eh->phoff);
    int loaded = 0;
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD || !ph[i].memsz) continue;
        if ((u64)ph[i].offset + ph[i].filesz > size ||
            !place(t, ph[i].paddr, img + ph[i].offset, ph[i].filesz, ph[i].memsz)) {
            log_err("vm=%d multiboot: segment %d (paddr=0x%x filesz=0x%x memsz=0x%x offset=0x%x) "
                    "does not fit in the file or in %lluM of RAM", t->vm_id, i, ph[i].paddr,
                    ph[i].filesz, ph[i].memsz, ph[i].offset, t->ram_size >> 20);
            return false;
        }
        extend(x, ph[i].paddr, (u64)ph[i].paddr + ph[i].memsz);
        loaded++;
    }
    if (!loaded) {
        log_err("vm=%d multiboot: the ELF image has no loadable segment", t->vm_id);
        return false;
    }
    *entry = eh->entry;
    return true;
}

// The a.out kludge: the header's address fields say where the file goes.
static bool load_aout(struct load_target *t, const u8 *img, u64 size, const struct mb_header *h,
                      u32 *entry, struct extent *x)
{
    u64 hoff = (const u8 *)h - img;
    bool ok = h->load_addr <= h->header_addr && hoff >= h->header_addr - h->load_addr;
    u64 foff = ok ? hoff - (h->header_addr - h->load_addr) : 0;
    u64 end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - foff);
    u64 bss = MAX((u64)h->bss_end_addr, end);
    ok = ok && end >= h->load_addr && bss > h->load_addr && foff + (end - h->load_addr) <= size &&
         place(t, h->load_addr, img + foff, end - h->load_addr, bss - h->load_addr);
    if (!ok) {
        log_err("vm=%d multiboot: a.out fields header=0x%x load=0x%x load_end=0x%x bss_end=0x%x do "
                "not fit the file or %lluM of RAM", t->vm_id, h->header_addr, h->load_addr,
                h->load_end_addr, h->bss_end_addr, t->ram_size >> 20);
        return false;
    }
    *entry = h->entry_addr;
    extend(x, h->load_addr, bss);
    return true;
}

// A small allocator for the info area [next, end).
struct info_area { u8 *ram; u64 next, end; };

static u32 info_alloc(struct info_area *a, u64 size)
{
    u64 p = ALIGN_UP(a->next, INFO_ALIGN);
    if (p + size > a->end) return 0;
    a->next = p + size;
    memset(a->ram + p, 0, size);
    return (u32)p;
}

static u32 info_string(struct info_area *a, const char *s)
{
    u32 p = info_alloc(a, strlen(s) + 1);
    if (p) memcpy(a->ram + p, s, strlen(s) + 1);
    return p;
}

// Bytes the info area needs: the block, strings, memory map and module list.
static u64 info_size(const struct load_blob *kernel, const struct load_blob *mods, int nmods)
{
    u64 n = ALIGN_UP(sizeof(struct mb_info), INFO_ALIGN) +
            ALIGN_UP(strlen(loader_args(kernel->cmdline)) + 1, INFO_ALIGN) +
            ALIGN_UP(sizeof "myrmex", INFO_ALIGN) + sizeof(struct mb_mmap) * NMMAP +
            ALIGN_UP(sizeof(struct mb_module) * (nmods ? nmods : 1), INFO_ALIGN);
    for (int i = 0; i < nmods; i++) n += ALIGN_UP(strlen(mods[i].cmdline) + 1, INFO_ALIGN);
    return n;
}

static u32 build_mmap(struct info_area *a, u64 ram_size)
{
    const struct { u64 base, end; u32 type; } ranges[NMMAP] = {
        { 0, LOW_MEM_END, MB_MMAP_AVAILABLE },
        { LOW_MEM_END, 0xa0000, 2 },
        { BIOS_START, HIGH_START, 2 },
        { HIGH_START, ram_size, MB_MMAP_AVAILABLE },
    };
    u32 p = info_alloc(a, sizeof(struct mb_mmap) * NMMAP);
    if (!p) return 0;
    struct mb_mmap *m = (void *)(a->ram + p);
    for (u32 i = 0; i < NMMAP; i++)
        m[i] = (struct mb_mmap){ sizeof(struct mb_mmap) - 4, ranges[i].base,
                                 ranges[i].end - ranges[i].base, ranges[i].type };
    return p;
}

// Where the info area goes: 0x8000-0x10000 when the image and modules [low, modules_end)
// leave it free, else the first page after them (as GRUB does). 0 when neither fits.
static u64 info_place(const struct load_target *t, const struct extent *x, u64 modules_end, u64 need)
{
    if (need <= LOW_INFO_END - LOW_INFO_BASE && (modules_end <= LOW_INFO_BASE || x->low >= LOW_INFO_END))
        return LOW_INFO_BASE;
    u64 at = ALIGN_UP(modules_end, PAGE);
    return at < t->ram_size && need <= t->ram_size - at ? at : 0;
}

bool multiboot_load(struct load_target *t, const struct load_blob *kernel,
                    const struct load_blob *mods, int nmods)
{
    const u8 *img = kernel->data;
    u64 size = kernel->size;
    const struct mb_header *h = find_header(img, size);
    if (!h) {
        log_err("vm=%d \"%s\" has no multiboot header", t->vm_id, kernel->cmdline);
        return false;
    }
    if (h->flags & ~MB_FLAGS_KNOWN & 0xffff) {
        log_err("vm=%d multiboot kernel asks for unsupported features flags=0x%x", t->vm_id, h->flags);
        return false;
    }
    struct extent x = { UINT64_MAX, 0 };
    u32 entry = 0;
    bool ok = (h->flags & MB_FLAG_AOUT) ? load_aout(t, img, size, h, &entry, &x)
                                        : load_elf(t, img, size, &entry, &x);
    if (!ok) {
        log_err("vm=%d \"%s\" is not a loadable multiboot kernel for %lluM of RAM", t->vm_id,
                kernel->cmdline, t->ram_size >> 20);
        return false;
    }
    // Modules: page-aligned, one after another above the image.
    u64 at = ALIGN_UP(x.top, PAGE), mod_at[nmods ? nmods : 1];
    for (int i = 0; i < nmods; i++) {
        if (!place(t, at, mods[i].data, mods[i].size, mods[i].size)) {
            log_err("vm=%d module \"%s\" of %llu bytes does not fit in guest RAM at 0x%llx (RAM %lluM)",
                    t->vm_id, mods[i].cmdline, mods[i].size, at, t->ram_size >> 20);
            return false;
        }
        mod_at[i] = at;
        at = ALIGN_UP(at + mods[i].size, PAGE);
    }
    u64 need = info_size(kernel, mods, nmods);
    u64 base = info_place(t, &x, at, need);
    if (!base) {
        log_err("vm=%d multiboot: no room for the %llu-byte info area (image 0x%llx-0x%llx, modules end "
                "0x%llx, RAM %lluM)", t->vm_id, need, x.low, x.top, at, t->ram_size >> 20);
        return false;
    }
    struct info_area a = { t->ram, base, base + need };
    u32 info = info_alloc(&a, sizeof(struct mb_info));
    struct mb_info *mbi = (void *)(t->ram + info);
    mbi->flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP | MB_INFO_LOADER;
    mbi->mem_lower = LOW_MEM_END >> 10;
    mbi->mem_upper = (t->ram_size - HIGH_START) >> 10;
    mbi->cmdline = info_string(&a, loader_args(kernel->cmdline));
    mbi->boot_loader_name = info_string(&a, "myrmex");
    mbi->mmap_addr = build_mmap(&a, t->ram_size);
    mbi->mmap_length = sizeof(struct mb_mmap) * NMMAP;
    u32 list = info_alloc(&a, sizeof(struct mb_module) * (nmods ? nmods : 1));
    mbi->mods_addr = list;
    mbi->mods_count = nmods;
    for (int i = 0; i < nmods; i++) {
        struct mb_module *mm = (void *)(t->ram + list + i * sizeof *mm);
        *mm = (struct mb_module){ (u32)mod_at[i], (u32)(mod_at[i] + mods[i].size),
                                  info_string(&a, mods[i].cmdline), 0 };
    }
    t->eip = entry;
    t->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    t->ebx = info;
    log_info("vm=%d multiboot entry=0x%x info=0x%x image=0x%llx-0x%llx", t->vm_id, entry, info, x.low,
             x.top);
    return true;
}
