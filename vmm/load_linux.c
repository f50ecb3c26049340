// load_linux.c — start a Linux bzImage through the 32-bit boot protocol
// (Documentation/x86/boot.rst): zero page, command line, initrd, e820, entry state.
// Each setup-header field is used only from the protocol version that introduced it.
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "kernel/bootinfo.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

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

static u16 rd16(const u8 *p, u32 off) { return *(const u16 *)(p + off); }
static u32 rd32(const u8 *p, u32 off) { return *(const u32 *)(p + off); }
static u64 rd64(const u8 *p, u32 off) { return *(const u64 *)(p + off); }
static void wr16(u8 *p, u32 off, u16 v) { *(u16 *)(p + off) = v; }
static void wr32(u8 *p, u32 off, u32 v) { *(u32 *)(p + off) = v; }

bool linux_detect(const u8 *img, u64 size)
{
    return size > OFF_MAGIC + 4 && rd32(img, OFF_MAGIC) == HDR_MAGIC;
}

static void e820_add(u8 *zp, u64 base, u64 end, u32 type)
{
    u8 n = zp[OFF_E820_COUNT];
    u8 *e = zp + OFF_E820_TABLE + n * 20;
    *(u64 *)e = base;
    *(u64 *)(e + 8) = end - base;
    *(u32 *)(e + 16) = type;
    zp[OFF_E820_COUNT] = n + 1;
}

// Flat 4 GiB descriptors at 0x10 (code) and 0x18 (data), as the 32-bit protocol says.
static void setup_gdt(struct vm *vm)
{
    u64 *gdt = (u64 *)(vm->ram + GDT_ADDR);
    gdt[0] = gdt[1] = 0;
    gdt[2] = 0x00cf9b000000ffffULL;
    gdt[3] = 0x00cf93000000ffffULL;
    struct segment g = { .limit = 4 * 8 - 1, .base = GDT_ADDR };
    vcpu_set_seg(&vm->vcpu, SEG_GDTR, &g);
}

// Place the initrd at the top of RAM below the protocol's limit, clear of the kernel.
static bool place_initrd(struct vm *vm, u8 *zp, u16 ver, const struct module *m, u64 kernel_end)
{
    u64 size = m->end - m->start;
    u64 max = ver >= 0x203 ? rd32(zp, OFF_INITRD_MAX) : OLD_INITRD_MAX;
    u64 limit = MIN(max + 1, vm->ram_size);
    if (size > limit) return false;
    u64 at = ALIGN_DOWN(limit - size, PAGE_SIZE);
    if (at < kernel_end) {
        log_err("vm=%d initrd of %llu bytes does not fit between the kernel (end 0x%llx) and 0x%llx",
                vm->id, size, kernel_end, limit);
        return false;
    }
    memcpy(vm->ram + at, phys_to_virt(m->start), size);
    wr32(zp, OFF_RAMDISK, (u32)at);
    wr32(zp, OFF_RAMDISK_SIZE, (u32)size);
    log_info("vm=%d linux initrd at=0x%llx size=%llu", vm->id, at, size);
    return true;
}

bool linux_load(struct vm *vm, const struct module *kernel, const struct module *mods, int nmods)
{
    const u8 *img = phys_to_virt(kernel->start);
    u64 size = kernel->end - kernel->start;
    u16 ver = rd16(img, OFF_VERSION);
    u32 setup_sects = img[OFF_SETUP_SECTS] ? img[OFF_SETUP_SECTS] : 4;
    u64 setup_size = (setup_sects + 1) * 512ULL;
    if (ver < 0x200 || size <= setup_size) {
        log_err("vm=%d \"%s\": boot protocol %x.%02x is too old or the image is truncated",
                vm->id, kernel->cmdline, ver >> 8, ver & 0xff);
        return false;
    }
    u8 *zp = vm->ram + ZERO_PAGE;
    memset(zp, 0, PAGE_SIZE);
    u32 hdr_end = MIN((u32)OFF_MAGIC + img[OFF_JUMP_LEN], (u32)HDR_MAX_END);
    memcpy(zp + OFF_HDR_START, img + OFF_HDR_START, MIN((u64)hdr_end, setup_size) - OFF_HDR_START);

    // Where the protected-mode kernel goes, and how much room it needs there.
    bool high = img[OFF_LOADFLAGS] & LOADED_HIGH;
    bool relocatable = ver >= 0x205 && img[OFF_RELOCATABLE];
    u64 load = high ? HIGH_START : ZIMAGE_LOAD;
    if (relocatable && ver >= 0x210 && rd64(img, OFF_PREF_ADDRESS)) load = rd64(img, OFF_PREF_ADDRESS);
    u64 ksize = size - setup_size;
    u64 footprint = ver >= 0x210 ? MAX((u64)rd32(img, OFF_INIT_SIZE), ksize) : ksize;
    // pref_address and init_size come from the image: compare without overflowing.
    if (load >= vm->ram_size || footprint > vm->ram_size - load) {
        log_err("vm=%d kernel needs 0x%llx-0x%llx but the VM has %lluM", vm->id, load, load + footprint,
                vm->ram_size >> 20);
        return false;
    }
    memcpy(vm->ram + load, img + setup_size, ksize);
    if (!high) load = ZIMAGE_LOAD;
    wr32(zp, OFF_CODE32, (u32)load);

    // Command line: pointer from 2.02, the magic/offset form before.
    const char *args = loader_args(kernel);
    u32 max_cl = ver >= 0x206 ? rd32(img, OFF_CMDLINE_SIZE) : CMDLINE_OLD_MAX;
    u32 cl_len = MIN((u32)strlen(args), max_cl);
    memcpy(vm->ram + CMDLINE, args, cl_len);
    vm->ram[CMDLINE + cl_len] = 0;
    if (ver >= 0x202) {
        wr32(zp, OFF_CMDLINE_PTR, CMDLINE);
    } else {
        wr16(zp, OFF_CL_MAGIC, CL_MAGIC);
        wr16(zp, OFF_CL_OFFSET, CMDLINE - ZERO_PAGE);
    }

    // Memory: e820, and the older EXT_MEM_K / ALT_MEM_K for kernels that fall back on them.
    u64 ext_k = (vm->ram_size - HIGH_START) >> 10;
    wr16(zp, OFF_EXT_MEM_K, (u16)MIN(ext_k, 0xffffULL));
    wr32(zp, OFF_ALT_MEM_K, (u32)ext_k);
    e820_add(zp, 0, LOW_END, E820_RAM);
    e820_add(zp, LOW_END, HIGH_START, E820_RESERVED);
    e820_add(zp, HIGH_START, vm->ram_size, E820_RAM);

    // Text mode 3, 80x25 (the 2.4 decompressor writes to 0xb8000 using these).
    zp[OFF_VIDEO_MODE] = 3;
    zp[OFF_VIDEO_COLS] = 80;
    zp[OFF_VIDEO_LINES] = 25;
    zp[OFF_VIDEO_ISVGA] = 1;
    wr16(zp, OFF_VIDEO_POINTS, 16);
    zp[OFF_TYPE_LOADER] = LOADER_UNKNOWN;

    if (nmods > 0 && !place_initrd(vm, zp, ver, &mods[0], load + footprint)) return false;
    if (nmods > 1) log_warn("vm=%d linux: only the first module is used (as the initrd)", vm->id);

    setup_gdt(vm);
    struct vcpu *v = &vm->vcpu;
    memset(v->gpr, 0, sizeof v->gpr);
    v->gpr[RSI] = ZERO_PAGE;
    v->gpr[RSP] = BOOT_STACK;
    v->rip = load;
    v->rflags = RFLAGS_RESERVED1;
    log_info("vm=%d linux protocol=%x.%02x load=0x%llx size=%llu footprint=0x%llx cmdline=\"%s\"",
             vm->id, ver >> 8, ver & 0xff, load, ksize, footprint, args);
    return true;
}
