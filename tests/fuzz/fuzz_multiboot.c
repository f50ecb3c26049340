// fuzz_multiboot.c — fuzz the multiboot loader (vmm/load_multiboot.c) as the host builds it.
//
// Input: one byte (bits 0-1: how many modules, 0-3; bit 2: a large module), then the kernel
// image. The modules are slices of the input. Guest RAM is a fixed 4 MiB heap buffer (ASan
// bounds every write). Checks on success: the info block, its command line, memory map and
// module list lie inside RAM; every module lies inside RAM, page-aligned, after the image.
#include "tests/fuzz/fuzz.h"
#include "vmm/loader.h"
#include "boot/multiboot.h"
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (4u << 20)
#define BIG_MODULE (3u << 20)

static unsigned char *ram;

static bool inside(u64 addr, u64 len) { return addr <= RAM_SIZE && len <= RAM_SIZE - addr; }

static void check_info(const struct load_target *t, int nmods)
{
    FUZZ_CHECK(t->eax == MULTIBOOT_BOOTLOADER_MAGIC);
    FUZZ_CHECK(inside(t->ebx, sizeof(struct mb_info)));
    struct mb_info mbi;
    memcpy(&mbi, ram + t->ebx, sizeof mbi);
    FUZZ_CHECK(inside(mbi.cmdline, 1) && memchr(ram + mbi.cmdline, 0, RAM_SIZE - mbi.cmdline));
    FUZZ_CHECK(inside(mbi.mmap_addr, mbi.mmap_length));
    FUZZ_CHECK(mbi.mods_count == (u32)nmods);
    FUZZ_CHECK(inside(mbi.mods_addr, (u64)nmods * sizeof(struct mb_module)));
    for (int i = 0; i < nmods; i++) {
        struct mb_module m;
        memcpy(&m, ram + mbi.mods_addr + i * sizeof m, sizeof m);
        FUZZ_CHECK(m.mod_start % 4096 == 0 && m.mod_start <= m.mod_end && inside(m.mod_start, m.mod_end - m.mod_start));
        FUZZ_CHECK(inside(m.string, 1));
    }
}

void fuzz_one(const unsigned char *data, unsigned long len)
{
    if (!ram) ram = calloc(1, RAM_SIZE);   // stale bytes from earlier inputs are fine: a guest sees junk RAM too
    if (len < 1) return;
    int nmods = data[0] & 3;
    struct load_blob k = { data + 1, len - 1, "kernel.elf a=1 b=2" }, mods[3];
    unsigned char *copy = malloc(k.size ? k.size : 1);   // exact size: ASan catches over-reads
    memcpy(copy, k.data, k.size);
    k.data = copy;
    unsigned char *big = (data[0] & 4) ? calloc(1, BIG_MODULE) : NULL;
    for (int i = 0; i < nmods; i++)
        mods[i] = (struct load_blob){ big && i == 0 ? big : copy, big && i == 0 ? BIG_MODULE : k.size / (i + 1),
                                      "module.bin x=y" };
    struct load_target t = { .vm_id = 0, .ram = ram, .ram_size = RAM_SIZE };
    if (multiboot_detect(k.data, k.size) && multiboot_load(&t, &k, mods, nmods)) check_info(&t, nmods);
    free(big);
    free(copy);
}

static void put(unsigned char *p, unsigned off, unsigned v, int n) { memcpy(p + off, &v, n); }

// Seeds: an ELF with one PT_LOAD (at 1 MiB and at 0x8000) and an a.out-kludge image.
void fuzz_init(void)
{
    static unsigned char s[1 + 0x2000];
    unsigned char *e = s + 1;
    for (int variant = 0; variant < 3; variant++) {
        memset(s, 0, sizeof s);
        s[0] = (unsigned char)variant;
        unsigned paddr = variant == 1 ? 0x8000 : 0x100000;
        put(e, 0, 0x464c457f, 4); e[4] = 1; put(e, 16, 2, 2); put(e, 18, 3, 2);
        put(e, 24, paddr, 4); put(e, 28, 52, 4); put(e, 42, 32, 2); put(e, 44, 1, 2);
        put(e, 52, 1, 4); put(e, 56, 0x1000, 4); put(e, 64, paddr, 4); put(e, 68, 0x1000, 4);
        put(e, 72, 0x3000, 4);
        unsigned flags = variant == 2 ? 0x10003 : 3;
        put(e, 0x1000, MULTIBOOT_HEADER_MAGIC, 4); put(e, 0x1004, flags, 4);
        put(e, 0x1008, -(MULTIBOOT_HEADER_MAGIC + flags), 4);
        put(e, 0x100c, 0x101000, 4); put(e, 0x1010, 0x100000, 4); put(e, 0x1014, 0, 4);
        put(e, 0x1018, 0x104000, 4); put(e, 0x101c, 0x100010, 4);
        fuzz_add_seed(s, sizeof s);
    }
    fuzz_add_token("\x02\xb0\xad\x1b", 4);
    fuzz_add_token("\x7f" "ELF", 4);
    fuzz_add_token("\x01\x00\x00\x00", 4);
}
