// test_loaders.c — the pure image loaders (vmm/load_linux.c, vmm/load_multiboot.c) on
// crafted bzImage headers and ELF files in a host RAM buffer.
#include "unit.h"
#include "vmm/loader.h"
#include <stdlib.h>

#define RAM (64u << 20)
#define KSIZE 0x1000u

static unsigned char *ram, img[0x4000];

static struct load_target target(void)
{
    if (!ram) ram = calloc(1, RAM);
    memset(ram, 0, RAM);
    return (struct load_target){ .vm_id = 0, .ram = ram, .ram_size = RAM };
}

static void put16(unsigned off, unsigned v) { memcpy(img + off, &v, 2); }
static void put32(unsigned off, unsigned v) { memcpy(img + off, &v, 4); }

// A relocatable bzImage of protocol `ver` with one setup sector and KSIZE kernel bytes.
static struct load_blob bzimage(unsigned ver, unsigned pref, unsigned init_size)
{
    memset(img, 0, sizeof img);
    img[0x1f1] = 1;                      // setup_sects: 2 * 512 bytes of setup
    img[0x201] = 0x66;                   // header end at 0x268
    put32(0x202, 0x53726448);
    put16(0x206, ver);
    img[0x211] = 1;                      // LOADED_HIGH
    put32(0x22c, 0x37ffffff);
    put32(0x230, 0x200000);              // kernel_alignment
    img[0x234] = 1;                      // relocatable
    put32(0x238, 255);
    put32(0x258, pref);
    put32(0x260, init_size);
    return (struct load_blob){ img, 1024 + KSIZE, "bzImage console=ttyS0" };
}

TEST(linux_protocol_2_10_honours_pref_address_and_init_size)
{
    struct load_target t = target();
    struct load_blob k = bzimage(0x020f, 0x1000000, 0x2000000);
    CHECK(linux_load(&t, &k, NULL, 0));
    CHECK_EQ(t.eip, 0x1000000);          // 2.15: loaded at pref_address, not 1 MiB
    CHECK(unit_log_contains("init_size=0x2000000"));
}

TEST(linux_init_size_past_ram_is_refused)
{
    struct load_target t = target();
    struct load_blob k = bzimage(0x020f, 0x1000000, 0xfffffff0);
    unit_log_reset();
    CHECK(!linux_load(&t, &k, NULL, 0));
    CHECK(unit_log_contains("vm=0 linux: kernel of 4096 bytes at 0x1000000 needs 0x1000000-0x100fffff0"));
}

TEST(linux_initrd_above_init_size_or_a_reason)
{
    static unsigned char rd[0x100000];
    struct load_target t = target();
    struct load_blob k = bzimage(0x020a, 0x1000000, 0x2000000);
    struct load_blob m = { rd, sizeof rd, "initrd.img" };
    CHECK(linux_load(&t, &k, &m, 1));
    unsigned at;
    memcpy(&at, ram + 0x90000 + 0x218, 4);
    CHECK(at >= 0x4000000 - sizeof rd && at >= 0x1000000 + 0x2000000);
    t = target();
    k = bzimage(0x020a, 0x1000000, 0x2f80000);   // leaves less than 1 MiB above the kernel
    unit_log_reset();
    CHECK(!linux_load(&t, &k, &m, 1));
    CHECK(unit_log_contains("vm=0 linux: initrd \"initrd.img\" of 1048576 bytes does not fit"));
}

// A minimal i386 ELF executable with a multiboot header; one PT_LOAD at `paddr` if `load`.
static struct load_blob elf(unsigned paddr, int load)
{
    memset(img, 0, sizeof img);
    put32(0, 0x464c457f);
    img[4] = 1;
    put16(16, 2);
    put16(18, 3);
    put32(24, paddr);                    // entry
    put32(28, 52);                       // phoff
    put16(42, 32);                       // phentsize
    put16(44, 1);                        // phnum
    unsigned ph = 52;
    put32(ph, load ? 1 : 4);             // PT_LOAD or PT_NOTE
    put32(ph + 4, 0x1000);
    put32(ph + 12, paddr);
    put32(ph + 16, 0x1000);
    put32(ph + 20, 0x3000);
    put32(0x1000, 0x1badb002);
    put32(0x1004, 0);
    put32(0x1008, -0x1badb002u);
    return (struct load_blob){ img, 0x2000, "k.elf arg=1" };
}

TEST(multiboot_elf_without_loadable_segment_is_refused)
{
    struct load_target t = target();
    struct load_blob k = elf(0x100000, 0);
    unit_log_reset();
    CHECK(multiboot_detect(k.data, k.size));
    CHECK(!multiboot_load(&t, &k, NULL, 0));
    CHECK(unit_log_contains("vm=0 multiboot: the ELF image has no loadable segment"));
}

TEST(multiboot_kernel_at_0x8000_gets_its_info_elsewhere)
{
    struct load_target t = target();
    struct load_blob k = elf(0x8000, 1);
    CHECK(multiboot_load(&t, &k, NULL, 0));
    CHECK_EQ(t.eip, 0x8000);
    CHECK_EQ(t.eax, 0x2badb002);
    CHECK(t.ebx >= 0x8000 + 0x3000);     // after the image, not inside it
    CHECK(!memcmp(ram + 0x8000, img + 0x1000, 12));   // the image is intact
    unsigned cmdline;
    memcpy(&cmdline, ram + t.ebx + 16, 4);
    CHECK_STR((char *)ram + cmdline, "arg=1");
}

TEST(multiboot_kernel_at_1m_keeps_the_low_info_area)
{
    struct load_target t = target();
    struct load_blob k = elf(0x100000, 1);
    CHECK(multiboot_load(&t, &k, NULL, 0));
    CHECK_EQ(t.ebx, 0x8000);
}
