// fuzz_bzimage.c — fuzz the Linux bzImage loader (vmm/load_linux.c) as the host builds it.
//
// Input: one byte (bit 0: pass an initrd, a slice of the input; bit 1: a 3 MiB initrd),
// then the bzImage. Guest RAM is a fixed 8 MiB heap buffer (ASan bounds every write).
// Checks on success: the entry point, the kernel's [runtime, runtime + init_size) range
// and the initrd lie inside RAM, the initrd above the kernel and 1 MiB; ESI is the zero page.
#include "tests/fuzz/fuzz.h"
#include "vmm/loader.h"
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (8u << 20)
#define BIG_INITRD (3u << 20)
#define ZERO_PAGE 0x90000

static unsigned char *ram;

static u32 rd32(const unsigned char *p, unsigned off) { u32 v; memcpy(&v, p + off, 4); return v; }

void fuzz_one(const unsigned char *data, unsigned long len)
{
    if (!ram) ram = calloc(1, RAM_SIZE);   // stale bytes from earlier inputs are fine: a guest sees junk RAM too
    if (len < 1) return;
    unsigned char *copy = malloc(len - 1 ? len - 1 : 1);   // exact size: ASan catches over-reads
    memcpy(copy, data + 1, len - 1);
    struct load_blob k = { copy, len - 1, "bzImage console=ttyS0 root=/dev/ram0" };
    unsigned char *big = (data[0] & 2) ? calloc(1, BIG_INITRD) : NULL;
    struct load_blob rd = { big ? big : copy, big ? BIG_INITRD : k.size / 2, "initrd.img" };
    int nmods = (data[0] & 1) || big;
    struct load_target t = { .vm_id = 0, .ram = ram, .ram_size = RAM_SIZE };
    if (linux_detect(k.data, k.size) && linux_load(&t, &k, &rd, nmods)) {
        FUZZ_CHECK(t.eip < RAM_SIZE && t.esi == ZERO_PAGE && t.flat_gdt);
        u32 at = rd32(ram + ZERO_PAGE, 0x218), size = rd32(ram + ZERO_PAGE, 0x21c);
        if (nmods) FUZZ_CHECK(at >= 0x100000 && at >= t.eip && size == rd.size && size <= RAM_SIZE - at);
    }
    free(big);
    free(copy);
}

static void put(unsigned char *p, unsigned off, unsigned v, int n) { memcpy(p + off, &v, n); }

// Seeds: relocatable bzImages of protocols 2.00, 2.03, 2.06 and 2.15 (with init_size).
void fuzz_init(void)
{
    static const unsigned versions[] = { 0x200, 0x203, 0x206, 0x20f };
    static unsigned char s[1 + 1024 + 0x1000];
    for (unsigned i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        unsigned char *b = s + 1;
        memset(s, 0, sizeof s);
        s[0] = 1;
        b[0x1f1] = 1; b[0x201] = 0x66;
        put(b, 0x202, 0x53726448, 4); put(b, 0x206, versions[i], 2);
        b[0x211] = 1; put(b, 0x22c, 0x37ffffff, 4); put(b, 0x230, 0x200000, 4);
        b[0x234] = 1; put(b, 0x238, 255, 4); put(b, 0x258, 0x200000, 4); put(b, 0x260, 0x400000, 4);
        fuzz_add_seed(s, sizeof s);
    }
    fuzz_add_token("HdrS", 4);
    fuzz_add_token("\x0f\x02", 2);
    fuzz_add_token("\xf0\xff\xff\xff", 4);
}
