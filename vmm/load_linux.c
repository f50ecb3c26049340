// load_linux.c — start a Linux bzImage through the 32-bit boot protocol
// (Documentation/arch/x86/boot.rst): zero page, command line, initrd, e820, entry state.
// Each setup-header field is used only from the protocol version that introduced it.
// Pure: works on a RAM buffer (host-tested and fuzzed).
#include "vmm/loader.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define HDR_MAGIC        0x53726448   // "HdrS"
#define OFF_SETUP_SECTS  0x1f1
#define OFF_HDR_START    0x1f1
#define OFF_JUMP_LEN     0x201        // setup header ends at 0x202 + this byte
#define OFF_MAGIC        0x202
#define OFF_VERSION      0x206
#define OFF_TYPE_LOADER  0x210
#define OFF_LOADFLAGS    0x211
#define OFF_CODE32       0x214
#define OFF_RAMDISK      0x218
#define OFF_RAMDISK_SIZE 0x21c
#define OFF_HEAP_END     0x224
#define OFF_CMDLINE_PTR  0x228        // 2.02
#define OFF_INITRD_MAX   0x22c        // 2.03
#define OFF_KERNEL_ALIGN 0x230        // 2.05
#define OFF_RELOCATABLE  0x234        // 2.05
#define OFF_CMDLINE_SIZE 0x238        // 2.06
#define OFF_PREF_ADDRESS 0x258        // 2.10
#define OFF_INIT_SIZE    0x260        // 2.10
#define OFF_CL_MAGIC     0x020        // 2.00/2.01 command line: magic and offset
#define OFF_CL_OFFSET    0x022
#define CL_MAGIC         0xa33f
#define OFF_EXT_MEM_K    0x002
#define OFF_VIDEO_MODE   0x006
#define OFF_VIDEO_COLS   0x007
#define OFF_VIDEO_LINES  0x00e
#define OFF_VIDEO_ISVGA  0x00f
#define OFF_VIDEO_POINTS 0x010
#define OFF_ALT_MEM_K    0x1e0
#define OFF_E820_COUNT   0x1e8
#define OFF_E820_TABLE   0x2d0
#define PROTO(maj, min)  ((maj) << 8 | (min))   // boot protocol 2.10 is 0x020a, not 0x210
#define LOADED_HIGH      0x01
#define LOADER_UNKNOWN   0xff
#define HDR_MAX_END      0x280

#define ZERO_PAGE   0x90000      // where a real-mode setup leaves it; 2.4 expects it here
#define GDT_ADDR    0x98000
#define CMDLINE     0x99000
#define CMDLINE_OLD_MAX 255
#define BOOT_STACK  0x9e000
#define LOW_END     0x9fc00
#define HIGH_START  0x100000
#define ZIMAGE_LOAD 0x10000
#define OLD_INITRD_MAX 0x37ffffff
#define E820_RAM 1
#define E820_RESERVED 2
#define PAGE 4096ULL
#define GDT_ENTRIES 4

// Header fields sit at odd offsets in the image: read and write them bytewise.
static u16 rd16(const u8 *p, u32 off) { u16 v; memcpy(&v, p + off, sizeof v); return v; }
static u32 rd32(const u8 *p, u32 off) { u32 v; memcpy(&v, p + off, sizeof v); return v; }
static u64 rd64(const u8 *p, u32 off) { u64 v; memcpy(&v, p + off, sizeof v); return v; }
static void wr16(u8 *p, u32 off, u16 v) { memcpy(p + off, &v, sizeof v); }
static void wr32(u8 *p, u32 off, u32 v) { memcpy(p + off, &v, sizeof v); }
static void wr64(u8 *p, u32 off, u64 v) { memcpy(p + off, &v, sizeof v); }

bool linux_detect(const u8 *img, u64 size)
{
    return size > OFF_MAGIC + 4 && rd32(img, OFF_MAGIC) == HDR_MAGIC;
}

static void e820_add(u8 *zp, u64 base, u64 end, u32 type)
{
    u8 n = zp[OFF_E820_COUNT];
    u32 e = OFF_E820_TABLE + n * 20;
    wr64(zp, e, base);
    wr64(zp, e + 8, end - base);
    wr32(zp, e + 16, type);
    zp[OFF_E820_COUNT] = n + 1;
}

// Flat 4 GiB descriptors at 0x10 (code) and 0x18 (data), as the 32-bit protocol says.
static void setup_gdt(struct load_target *t)
{
    static const u64 gdt[GDT_ENTRIES] = { 0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL };
    memcpy(t->ram + GDT_ADDR, gdt, sizeof gdt);
    t->flat_gdt = true;
    t->gdt_base = GDT_ADDR;
    t->gdt_limit = sizeof gdt - 1;
}

// Does [start, start + len) lie inside guest RAM? (No sum that could wrap.)
static bool in_ram(const struct load_target *t, u64 start, u64 len)
{
    return start <= t->ram_size && len <= t->ram_size - start;
}

// Where the protected-mode kernel is copied and the range it needs before it reads the
// memory map: [load, load + ksize) and, from 2.10, [runtime, runtime + init_size), where
// the kernel moves itself (boot.rst, init_size: pref_address for a fixed kernel, the
// load address aligned up to kernel_alignment for a relocatable one).
struct placement { u64 load, ksize, runtime, init_size, end; };

static bool place_kernel(struct load_target *t, const u8 *img, u16 ver, u64 ksize, struct placement *p)
{
    bool high = img[OFF_LOADFLAGS] & LOADED_HIGH;
    bool relocatable = ver >= PROTO(2, 5) && img[OFF_RELOCATABLE];
    u64 pref = ver >= PROTO(2, 10) ? rd64(img, OFF_PREF_ADDRESS) : 0;
    *p = (struct placement){ .load = high ? HIGH_START : ZIMAGE_LOAD, .ksize = ksize };
    // A relocatable kernel copied straight to its preferred address need not move itself.
    if (high && relocatable && pref > HIGH_START) p->load = pref;
    p->runtime = p->load;
    p->init_size = ksize;
    if (ver >= PROTO(2, 10)) {
        u64 align = rd32(img, OFF_KERNEL_ALIGN);
        if (relocatable && (align == 0 || (align & (align - 1)))) {
            log_err("vm=%d linux: kernel_alignment=0x%llx is not a power of two", t->vm_id, align);
            return false;
        }
        // pref is the image's own u64: held to RAM so ALIGN_UP cannot wrap (in_ram then refuses it).
        p->runtime = relocatable ? ALIGN_UP(MAX(p->load, MIN(pref, t->ram_size)), align) : pref ? pref : p->load;
        p->init_size = rd32(img, OFF_INIT_SIZE);
    }
    // A zImage sits at 64 KiB, below the zero page, GDT and command line at 0x90000.
    u64 room = high ? t->ram_size : ZERO_PAGE;
    if (p->load > room || ksize > room - p->load || !in_ram(t, p->runtime, p->init_size)) {
        log_err("vm=%d linux: kernel of %llu bytes at 0x%llx needs 0x%llx-0x%llx (init_size=0x%llx "
                "pref_address=0x%llx) but the VM has %lluM", t->vm_id, ksize, p->load, p->runtime,
                p->runtime + p->init_size, p->init_size, pref, t->ram_size >> 20);
        return false;
    }
    p->end = MAX(MAX(p->load + ksize, p->runtime + p->init_size), (u64)HIGH_START);
    return true;
}

// Place the initrd at the top of RAM below the protocol's limit, clear of the kernel and of
// everything below 1 MiB (kernel_end is at least 1 MiB).
static bool place_initrd(struct load_target *t, u8 *zp, u16 ver, const struct load_blob *m, u64 kernel_end)
{
    u64 size = m->size;
    u64 max = ver >= PROTO(2, 3) ? rd32(zp, OFF_INITRD_MAX) : OLD_INITRD_MAX;
    u64 limit = MIN(max + 1, t->ram_size);
    u64 at = size <= limit ? ALIGN_DOWN(limit - size, PAGE) : 0;
    if (size > limit || at < kernel_end) {
        log_err("vm=%d linux: initrd \"%s\" of %llu bytes does not fit between the kernel end 0x%llx "
                "and 0x%llx (initrd_addr_max=0x%llx, RAM %lluM)", t->vm_id, m->cmdline, size,
                kernel_end, limit, max, t->ram_size >> 20);
        return false;
    }
    memcpy(t->ram + at, m->data, size);
    wr32(zp, OFF_RAMDISK, (u32)at);
    wr32(zp, OFF_RAMDISK_SIZE, (u32)size);
    log_info("vm=%d linux initrd at=0x%llx size=%llu", t->vm_id, at, size);
    return true;
}

bool linux_load(struct load_target *t, const struct load_blob *kernel, const struct load_blob *mods,
                int nmods)
{
    const u8 *img = kernel->data;
    u64 size = kernel->size;
    if (size < HDR_MAX_END) {          // every header field read below lies before HDR_MAX_END
        log_err("vm=%d \"%s\": a bzImage of %llu bytes is truncated", t->vm_id, kernel->cmdline, size);
        return false;
    }
    u16 ver = rd16(img, OFF_VERSION);
    u32 setup_sects = img[OFF_SETUP_SECTS] ? img[OFF_SETUP_SECTS] : 4;
    u64 setup_size = (setup_sects + 1) * 512ULL;
    if (ver < PROTO(2, 0) || size <= setup_size) {
        log_err("vm=%d \"%s\": boot protocol %x.%02x is too old or the image is truncated",
                t->vm_id, kernel->cmdline, ver >> 8, ver & 0xff);
        return false;
    }
    if (t->ram_size < HIGH_START || !in_ram(t, ZERO_PAGE, LOW_END - ZERO_PAGE)) {
        log_err("vm=%d linux: %lluM of RAM is too little", t->vm_id, t->ram_size >> 20);
        return false;
    }
    u8 *zp = t->ram + ZERO_PAGE;
    memset(zp, 0, PAGE);
    u32 hdr_end = MIN((u32)OFF_MAGIC + img[OFF_JUMP_LEN], (u32)HDR_MAX_END);
    memcpy(zp + OFF_HDR_START, img + OFF_HDR_START, MIN((u64)hdr_end, setup_size) - OFF_HDR_START);

    struct placement p;
    u64 ksize = size - setup_size;
    if (!place_kernel(t, img, ver, ksize, &p)) return false;
    memcpy(t->ram + p.load, img + setup_size, ksize);
    wr32(zp, OFF_CODE32, (u32)p.load);

    // Command line: pointer from 2.02, the magic/offset form before.
    const char *args = loader_args(kernel->cmdline);
    u32 max_cl = ver >= PROTO(2, 6) ? rd32(img, OFF_CMDLINE_SIZE) : CMDLINE_OLD_MAX;
    u32 cl_len = MIN((u32)strlen(args), MIN(max_cl, (u32)(BOOT_STACK - CMDLINE - 1)));
    memcpy(t->ram + CMDLINE, args, cl_len);
    t->ram[CMDLINE + cl_len] = 0;
    if (ver >= PROTO(2, 2)) {
        wr32(zp, OFF_CMDLINE_PTR, CMDLINE);
    } else {
        wr16(zp, OFF_CL_MAGIC, CL_MAGIC);
        wr16(zp, OFF_CL_OFFSET, CMDLINE - ZERO_PAGE);
    }

    // Memory: e820, and the older EXT_MEM_K / ALT_MEM_K for kernels that fall back on them.
    u64 ext_k = (t->ram_size - HIGH_START) >> 10;
    wr16(zp, OFF_EXT_MEM_K, (u16)MIN(ext_k, 0xffffULL));
    wr32(zp, OFF_ALT_MEM_K, (u32)ext_k);
    e820_add(zp, 0, LOW_END, E820_RAM);
    e820_add(zp, LOW_END, HIGH_START, E820_RESERVED);
    e820_add(zp, HIGH_START, t->ram_size, E820_RAM);

    // Text mode 3, 80x25 (the 2.4 decompressor writes to 0xb8000 using these).
    zp[OFF_VIDEO_MODE] = 3;
    zp[OFF_VIDEO_COLS] = 80;
    zp[OFF_VIDEO_LINES] = 25;
    zp[OFF_VIDEO_ISVGA] = 1;
    wr16(zp, OFF_VIDEO_POINTS, 16);
    zp[OFF_TYPE_LOADER] = LOADER_UNKNOWN;

    if (nmods > 0 && !place_initrd(t, zp, ver, &mods[0], p.end)) return false;
    if (nmods > 1) log_warn("vm=%d linux: only the first module is used (as the initrd)", t->vm_id);

    setup_gdt(t);
    t->esi = ZERO_PAGE;
    t->esp = BOOT_STACK;
    t->eip = p.load;
    log_info("vm=%d linux protocol=%x.%02x load=0x%llx size=%llu runtime=0x%llx init_size=0x%llx "
             "cmdline=\"%s\"", t->vm_id, ver >> 8, ver & 0xff, p.load, ksize, p.runtime, p.init_size, args);
    return true;
}
