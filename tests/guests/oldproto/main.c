// main.c — the protected-mode part of the old-protocol test kernels: checks what Linux 2.4
// and 2.6 rely on when a loader enters them through the 32-bit boot protocol. Built once per
// boot protocol (PROTO = 0x200, 0x202, 0x203) with SETUP_SECTS and INITRD_MAX of its setup
// header. Output and exit follow tests/guests/README.md: PASS/FAIL/SKIP/INFO lines on COM1,
// then RESULT, then the code (0 = all passed) as a dword to port 0xf4. See README.md here.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "io.h"
#include "print.h"
#include "serial.h"
#include "test.h"
#include "tests/guests/oldproto/oldproto.h"

#if !defined(PROTO) || !defined(SETUP_SECTS) || !defined(INITRD_MAX)
#error "build with -DPROTO=... -DSETUP_SECTS=... -DINITRD_MAX=..."
#endif

#define ENTRY_MAGIC    0x0e7e41a9u
#define KERNEL_CS      0x10
#define KERNEL_DS      0x18
#define CR0_PE         0x1u
#define CR0_PG         0x80000000u
#define EFLAGS_IF      0x200u
#define MIB            0x100000u
#define MARKER         "marker=xyz"       // the word 40-oldproto.sh passes
#define CMDLINE_MAX    2048               // what 2.4's head.S copies
#define FILL_DWORDS    8192               // entry.asm's image_fill
#define IMAGE_TAIL     0x7a11f00du
#define DECOMP_ROOM    (16 * MIB)         // above 1 MiB: where an old kernel decompresses
#define LOW_BUF_START  0x1000u            // 2.4 bzImage decompressor: move routine ...
#define LOW_BUF_END    0x90000u           // ... and low buffer, up to the zero page
#define VGA_TEXT       0xb8000u
#define VGA_COLS_WANT  80
#define VGA_LINES_WANT 25

// PIT channel 2 calibration of the TSC, as Linux 2.4 calibrate_tsc() does it.
#define PIT_HZ         1193182u
#define CAL_MS         50u
#define CAL_LATCH      (PIT_HZ * CAL_MS / 1000u)
#define CAL_SPIN_LIMIT 50000000u

// CMOS/RTC.
#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_UIP        0x80
#define RTC_B_BINARY   0x04
#define RTC_B_24H      0x02

// IDE taskfile.
#define IDE_SELECT     6
#define IDE_STATUS     7
#define IDE_LCYL       4
#define IDE_HCYL       5
#define ATA_BSY        0x80
#define ATA_DRDY       0x40
#define ATA_DRQ        0x08
#define ATA_IDENTIFY   0xec
#define IDE_CTL_NIEN   0x0a

// What entry.asm stored at the 32-bit entry (layout fixed there).
struct entry_state {
    uint32_t magic, es_ds, cs_ss, fs_gs, cr0, esi, ebx, ebp, edi, eflags;
    uint16_t gdt_limit;
    uint32_t gdt_base;
    uint16_t pad0;
    uint16_t idt_limit;
    uint32_t idt_base;
    uint16_t pad1;
    uint32_t far_jump;
} __attribute__((packed));

extern volatile struct entry_state entry_state;
extern const volatile uint32_t image_fill[FILL_DWORDS];
extern const volatile uint32_t image_tail;
extern const uint32_t isr_table[32];
extern char _end[], _image_end[];

void oldproto_main(void);
void oldproto_trap(uint32_t *frame);

static uint32_t zp = ZP_ADDR;          // the zero page being checked
static uint32_t mem_mb;                // mem_mb= from the command line, 0 if absent
static uint32_t tsc_khz;               // 0 until calibrated
static uint32_t cmdline_addr, cmdline_len;
static uint32_t initrd_addr, initrd_size;
static uint64_t idt[32];
static int under_myrmex;

// ---- physical memory (paging is off: linear = physical). Through asm so that address 0
// is just an address to the compiler.
static inline uint32_t rd32(uint32_t a) { uint32_t v; __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint16_t rd16(uint32_t a) { uint16_t v; __asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint8_t rd8(uint32_t a) { uint8_t v; __asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory"); return v; }
static inline void wr32(uint32_t a, uint32_t v) { __asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory"); }
static inline void wr16(uint32_t a, uint16_t v) { __asm__ volatile("movw %0, (%1)" : : "r"(v), "r"(a) : "memory"); }

// Called by isr_common with a pointer to {vector, error, eip, cs, eflags}.
void oldproto_trap(uint32_t *frame)
{
    test_fail("unexpected_trap", "vector=%u err=0x%x eip=0x%x cs=0x%x", frame[1], frame[2],
              frame[3], frame[4]);
    test_finish();
}

// ---- small helpers
static uint64_t udiv64(uint64_t n, uint32_t d)
{
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    return ((uint64_t)qhi << 32) | qlo;
}

static uint32_t tsc_us(uint64_t ticks) { return tsc_khz ? (uint32_t)udiv64(ticks * 1000u, tsc_khz) : 0; }

static size_t str_len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

static int str_prefix_eq(const char *s, const char *prefix, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != prefix[i]) return 0;
    return 1;
}

// The value of key (e.g. "mem_mb=") as a decimal number in the words of s, or dflt.
static uint32_t word_num(const char *s, const char *key, uint32_t dflt)
{
    size_t k = str_len(key);
    for (const char *p = s; *p; p++) {
        if ((p != s && p[-1] != ' ') || !str_prefix_eq(p, key, k)) continue;
        uint32_t v = 0;
        int digits = 0;
        for (p += k; *p >= '0' && *p <= '9'; p++, digits++) v = v * 10 + (uint32_t)(*p - '0');
        return digits ? v : dflt;
    }
    return dflt;
}

// 1 when s contains word as a whole space-separated word.
static int has_word(const char *s, const char *word)
{
    size_t k = str_len(word);
    for (const char *p = s; *p; p++)
        if ((p == s || p[-1] == ' ') && str_prefix_eq(p, word, k) && (p[k] == ' ' || p[k] == 0)) return 1;
    return 0;
}

// [a0, a1) and [b0, b1) intersect (64-bit: ends may be 4 GiB).
static int overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

// ---- the zero page
static uint8_t zp8(uint32_t off) { return rd8(zp + off); }
static uint16_t zp16(uint32_t off) { return rd16(zp + off); }
static uint32_t zp32(uint32_t off) { return rd32(zp + off); }

struct e820 { uint64_t addr, size; uint32_t type; };
static struct e820 e820[E820_MAX_OLD];
static int e820_n;

// End of the e820 RAM entry that starts at 1 MiB (0 if none).
static uint64_t e820_high_end(void)
{
    for (int i = 0; i < e820_n; i++)
        if (e820[i].type == E820_RAM && e820[i].addr == MIB) return e820[i].addr + e820[i].size;
    return 0;
}

// [a, a+len) lies inside one e820 RAM entry.
static int in_e820_ram(uint64_t a, uint64_t len)
{
    for (int i = 0; i < e820_n; i++)
        if (e820[i].type == E820_RAM && a >= e820[i].addr && a + len <= e820[i].addr + e820[i].size) return 1;
    return 0;
}

// ---- checks
static int check_entry(void)
{
    volatile struct entry_state *e = &entry_state;
    if (!test_check(e->magic == ENTRY_MAGIC, "entry_record",
               "the entry registers were not recorded through the entry DS (not the flat 0x18 data segment?)"))
        return 0;
    uint16_t cs = e->cs_ss >> 16, ss = e->cs_ss & 0xffff, es = e->es_ds >> 16, ds = e->es_ds & 0xffff;
    gprintf("INFO entry: cs=0x%x ds=0x%x es=0x%x ss=0x%x fs=0x%x gs=0x%x cr0=0x%x eflags=0x%x esi=0x%x "
            "ebx=0x%x ebp=0x%x edi=0x%x gdt=0x%x/0x%x idt=0x%x/0x%x\n", cs, ds, es, ss, e->fs_gs >> 16,
            e->fs_gs & 0xffff, e->cr0, e->eflags, e->esi, e->ebx, e->ebp, e->edi, e->gdt_base, e->gdt_limit,
            e->idt_base, e->idt_limit);
    test_check((e->cr0 & CR0_PE) && !(e->cr0 & CR0_PG), "entry_protected_mode", "cr0=0x%x (want PE=1 PG=0)", e->cr0);
    test_check(!(e->eflags & EFLAGS_IF), "entry_interrupts_off", "eflags=0x%x has IF", e->eflags);
    test_check(cs == KERNEL_CS && ds == KERNEL_DS && es == KERNEL_DS && ss == KERNEL_DS, "entry_segments",
          "cs=0x%x ds=0x%x es=0x%x ss=0x%x (want cs=0x10, ds=es=ss=0x18)", cs, ds, es, ss);
    test_check(e->esi == ZP_ADDR, "entry_esi_zero_page", "esi=0x%x (want the zero page at 0x90000)", e->esi);
    test_check(e->ebx == 0 && e->ebp == 0 && e->edi == 0, "entry_regs_zero", "ebx=0x%x ebp=0x%x edi=0x%x (want 0)",
          e->ebx, e->ebp, e->edi);
    return 1;
}

// Decode one GDT descriptor; 1 when it is a flat 4 GiB, 32-bit, present ring-0 segment whose
// access byte (ignoring the accessed bit) is want.
static int flat_desc(uint32_t gdt, uint16_t sel, uint8_t want, uint32_t *lo_out, uint32_t *hi_out)
{
    uint32_t lo = rd32(gdt + sel), hi = rd32(gdt + sel + 4);
    *lo_out = lo;
    *hi_out = hi;
    uint32_t base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000u);
    uint8_t access = (hi >> 8) & 0xff, flags = (hi >> 20) & 0xf;
    return base == 0 && limit == 0xfffff && (flags & 0xc) == 0xc && (access & 0xfe) == want;
}

static void check_gdt(void)
{
    uint32_t base = entry_state.gdt_base, limit = entry_state.gdt_limit;
    uint32_t clo, chi, dlo, dhi;
    if (!test_check(limit >= 0x1f, "gdt_limit", "GDT limit 0x%x does not reach selector 0x18", limit)) return;
    int code = flat_desc(base, KERNEL_CS, 0x9a, &clo, &chi), data = flat_desc(base, KERNEL_DS, 0x92, &dlo, &dhi);
    test_check(code && data, "gdt_descriptors",
          "0x10=%08x:%08x 0x18=%08x:%08x (want flat 4 GiB 32-bit ring 0: code execute/read, data read/write)",
          chi, clo, dhi, dlo);

    // Where the GDT lives: it must survive until the kernel loads its own. Linux 2.4 reloads
    // DS through it after decompressing, which overwrites 0x1000-0x8ffff and the MiBs above
    // 1 MiB; the kernel reads the BIOS data area; the zero page and command line are data.
    uint64_t g0 = base, g1 = (uint64_t)base + limit + 1;
    const char *why = NULL;
    if (overlap(g0, g1, 0x400, 0x500)) why = "the BIOS data area";
    else if (overlap(g0, g1, LOW_BUF_START, LOW_BUF_END)) why = "0x1000-0x8ffff (2.4's decompressor buffers)";
    else if (overlap(g0, g1, zp, zp + ZP_FIELDS_END)) why = "the zero page's fields";
    else if (overlap(g0, g1, 0xa0000, 0xc0000)) why = "VGA memory";
    else if (overlap(g0, g1, KERNEL_ADDR, KERNEL_ADDR + DECOMP_ROOM)) why = "the kernel and its decompression room";
    else if (cmdline_addr && overlap(g0, g1, cmdline_addr, cmdline_addr + cmdline_len + 1)) why = "the command line";
    else if (initrd_addr && overlap(g0, g1, initrd_addr, (uint64_t)initrd_addr + initrd_size)) why = "the initrd";
    test_check(!why, "gdt_location", "GDT 0x%x-0x%x overlaps %s", base, (uint32_t)(g1 - 1), why);
    test_check(entry_state.far_jump == 2, "gdt_reload_far_jump", "state %u", entry_state.far_jump);
}

// Our own IDT (through the loader's code selector) so that a fault is reported.
static void install_idt(void)
{
    for (int v = 0; v < 32; v++) {
        uint32_t h = isr_table[v];
        idt[v] = (h & 0xffff) | ((uint64_t)KERNEL_CS << 16) | ((uint64_t)0x8e << 40) |
                 ((uint64_t)(h >> 16) << 48);
    }
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = { sizeof idt - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void check_image(void)
{
    uint32_t bad = FILL_DWORDS;
    for (uint32_t i = 0; i < FILL_DWORDS; i++)
        if (image_fill[i] != ((i * 2654435761u) ^ 0x5a5a5a5au)) { bad = i; break; }
    test_check(bad == FILL_DWORDS && image_tail == IMAGE_TAIL, "kernel_image_intact",
          "protected-mode part not loaded whole at 0x100000 (fill dword %u of %u, tail 0x%x)", bad, FILL_DWORDS,
          image_tail);
}

static void check_header(void)
{
    uint32_t pm_size = (uint32_t)_image_end - KERNEL_ADDR, syssize = (pm_size + 15) / 16;
    uint32_t got_sys = PROTO >= 0x204 ? zp32(ZP_SYSSIZE) : zp16(ZP_SYSSIZE);
    test_check(zp32(ZP_HEADER) == HDRS_MAGIC && zp16(ZP_VERSION) == PROTO && zp8(ZP_SETUP_SECTS) == SETUP_SECTS &&
              zp32(ZP_CODE32_START) == KERNEL_ADDR && zp16(ZP_BOOT_FLAG) == 0xaa55 && got_sys == syssize &&
              (zp8(ZP_LOADFLAGS) & LOADED_HIGH),
          "zp_setup_header", "HdrS=0x%x version=0x%x setup_sects=%u code32_start=0x%x boot_flag=0x%x syssize=0x%x "
          "loadflags=0x%x (want the image's header: 0x%x, %u, 0x100000, 0xaa55, 0x%x, LOADED_HIGH)",
          zp32(ZP_HEADER), zp16(ZP_VERSION), zp8(ZP_SETUP_SECTS), zp32(ZP_CODE32_START), zp16(ZP_BOOT_FLAG),
          got_sys, zp8(ZP_LOADFLAGS), PROTO, SETUP_SECTS, syssize);
#if PROTO >= 0x203
    test_check(zp32(ZP_INITRD_MAX) == INITRD_MAX, "zp_initrd_addr_max", "0x%x (the image says 0x%x)",
          zp32(ZP_INITRD_MAX), INITRD_MAX);
#endif
    test_check(zp8(ZP_TYPE_OF_LOADER) != 0, "zp_type_of_loader",
          "0 (2.4 and 2.6 ignore the initrd when type_of_loader is 0)");
    gprintf("INFO type_of_loader=0x%x loadflags=0x%x\n", zp8(ZP_TYPE_OF_LOADER), zp8(ZP_LOADFLAGS));
}

static void check_e820(void)
{
    int n = zp8(ZP_E820_NR);
    gprintf("INFO e820 entries=%u\n", n);
    if (!test_check(n >= 2 && n <= E820_MAX_OLD, "zp_e820_count",
               "%u entries (Linux 2.4 ignores the map with fewer than 2 or more than 32)", n))
        if (n > E820_MAX_OLD) n = E820_MAX_OLD;
    e820_n = n;
    for (int i = 0; i < n; i++) {
        uint32_t a = zp + ZP_E820_MAP + i * E820_ENTRY_SIZE;
        e820[i].addr = rd32(a) | (uint64_t)rd32(a + 4) << 32;
        e820[i].size = rd32(a + 8) | (uint64_t)rd32(a + 12) << 32;
        e820[i].type = rd32(a + 16);
        gprintf("INFO e820 %08x%08x-%08x%08x type %u\n", (uint32_t)(e820[i].addr >> 32), (uint32_t)e820[i].addr,
                (uint32_t)((e820[i].addr + e820[i].size - 1) >> 32), (uint32_t)(e820[i].addr + e820[i].size - 1),
                e820[i].type);
    }
    // Entries non-empty and disjoint.
    int bad = -1;
    for (int i = 0; i < n && bad < 0; i++) {
        if (!e820[i].size) bad = i;
        for (int j = i + 1; j < n && bad < 0; j++)
            if (overlap(e820[i].addr, e820[i].addr + e820[i].size, e820[j].addr, e820[j].addr + e820[j].size))
                bad = j;
    }
    test_check(bad < 0, "zp_e820_disjoint", "entry %d is empty or overlaps another", bad);

    int low = 0;
    uint32_t low_end = 0;
    for (int i = 0; i < n; i++)
        if (e820[i].type == E820_RAM && e820[i].addr == 0) { low = 1; low_end = (uint32_t)e820[i].size; }
    test_check(low && low_end >= 0x9f000 && low_end <= 0xa0000, "zp_e820_low_ram",
          "%s (want RAM from 0 to about 0x9fc00: 2.4's decompressor runs at 0x1000 and buffers below 640 KiB)",
          low ? "the RAM entry at 0 ends elsewhere" : "no RAM entry at 0");
    if (low) gprintf("INFO e820 low RAM ends at 0x%x\n", low_end);

    int hole = -1;
    for (int i = 0; i < n; i++)
        if (e820[i].type == E820_RAM && overlap(e820[i].addr, e820[i].addr + e820[i].size, 0xa0000, MIB)) hole = i;
    test_check(hole < 0, "zp_e820_hole", "entry %d calls part of 0xa0000-0xfffff RAM", hole);

    uint64_t hi = e820_high_end();
    if (mem_mb) {
        uint64_t top = (uint64_t)mem_mb * MIB;
        test_check(hi > top - MIB && hi <= top, "zp_e820_high_ram",
              "RAM from 1 MiB ends at 0x%x (want the last MiB of mem_mb=%u)", (uint32_t)hi, mem_mb);
        int beyond = -1;
        for (int i = 0; i < n; i++)
            if (e820[i].type == E820_RAM && e820[i].addr + e820[i].size > top) beyond = i;
        test_check(beyond < 0, "zp_e820_no_ram_beyond", "entry %d lists RAM beyond %u MiB", beyond, mem_mb);
    } else {
        test_check(hi >= 16 * MIB, "zp_e820_high_ram", "RAM from 1 MiB ends at 0x%x", (uint32_t)hi);
    }
}

static void check_mem_k(void)
{
    uint64_t top = mem_mb ? (uint64_t)mem_mb * MIB : e820_high_end();
    uint32_t above_k = top > MIB ? (uint32_t)((top - MIB) >> 10) : 0;
    uint32_t ext = zp16(ZP_EXT_MEM_K), alt = zp32(ZP_ALT_MEM_K);
    gprintf("INFO EXT_MEM_K=%u ALT_MEM_K=%u (KiB above 1 MiB: %u)\n", ext, alt, above_k);
    // int 15h/88h is a 16-bit count: BIOSes cap it at 15 MiB, 63 MiB or 0xffff KiB.
    int ext_ok = ext != 0 && (ext == above_k || (above_k > 0x3c00 && ext == 0x3c00) ||
                              (above_k > 0xfc00 && ext == 0xfc00) || (above_k > 0xffff && ext == 0xffff));
    test_check(ext_ok, "zp_ext_mem_k", "%u KiB (want %u, or a BIOS cap of 15360/64512/65535 KiB)", ext, above_k);
    // E801h: the whole size above 1 MiB; within the last MiB (firmware may keep a little).
    test_check(alt <= above_k && alt + 1024 > above_k, "zp_alt_mem_k", "%u KiB (want %u, less at most 1 MiB)", alt,
          above_k);
}

static void check_screen_info(void)
{
    uint8_t x = zp8(ZP_ORIG_X), y = zp8(ZP_ORIG_Y), mode = zp8(ZP_VIDEO_MODE), cols = zp8(ZP_VIDEO_COLS);
    uint8_t lines = zp8(ZP_VIDEO_LINES), vga = zp8(ZP_VIDEO_ISVGA);
    gprintf("INFO screen_info: x=%u y=%u mode=%u cols=%u lines=%u isVGA=%u page=%u ega_bx=0x%x points=%u\n", x, y,
            mode, cols, lines, vga, zp16(ZP_VIDEO_PAGE), zp16(ZP_VIDEO_EGA_BX), zp16(ZP_VIDEO_POINTS));
    test_check(mode == 3 && cols == VGA_COLS_WANT && lines == VGA_LINES_WANT && x < cols && y < lines && vga <= 1,
          "zp_screen_info", "mode=%u cols=%u lines=%u x=%u y=%u isVGA=%u (want text mode 3, 80x25, cursor inside)",
          mode, cols, lines, x, y, vga);
}

static char cmdline[CMDLINE_MAX + 1];

static void check_cmdline(void)
{
    uint32_t cl = 0;
#if PROTO >= 0x202
    cl = zp32(ZP_CMD_LINE_PTR);
    test_check(cl != 0, "cmdline_protocol", "cmd_line_ptr is 0");
#else
    uint16_t magic = zp16(ZP_OLD_CL_MAGIC), off = zp16(ZP_OLD_CL_OFFSET);
    if (test_check(magic == OLD_CL_MAGIC, "cmdline_protocol", "0x%x at 0x20 (want 0xA33F and the offset at 0x22)", magic))
        cl = zp + off;
    // 2.4's head.S takes cmd_line_ptr first when it is non-zero: a 2.00 zero page should not hold junk there.
    gprintf("INFO old protocol: offset 0x%x; the cmd_line_ptr slot (2.02+) holds 0x%x\n", off, zp32(ZP_CMD_LINE_PTR));
#endif
    if (!cl) { test_fail("cmdline_marker", "no command line"); return; }
    uint32_t n = 0;
    while (n < CMDLINE_MAX && rd8(cl + n)) { cmdline[n] = (char)rd8(cl + n); n++; }
    cmdline[n] = 0;
    cmdline_addr = cl;
    cmdline_len = n;
    gprintf("INFO cmdline at 0x%x (%u bytes): \"%s\"\n", cl, n, cmdline);
    // 2.4's head.S copies the command line only after decompression, which has overwritten
    // 0x1000-0x8ffff (move routine, low buffer): the boot protocol's "between the end of the
    // setup heap and 0xA0000" is the place, clear of the zero page's fields.
    const char *why = NULL;
    if (n == CMDLINE_MAX) why = "is not NUL-terminated within 2048 bytes";
    else if (cl + n + 1 > 0xa0000) why = "is not below 0xa0000 (boot protocol)";
    else if (overlap(cl, cl + n + 1, LOW_BUF_START, LOW_BUF_END))
        why = "lies in 0x1000-0x8ffff, which 2.4's decompressor overwrites before head.S copies it";
    else if (overlap(cl, cl + n + 1, zp, zp + ZP_FIELDS_END)) why = "overlaps the zero page's fields";
    test_check(!why, "cmdline_location", "0x%x-0x%x %s", cl, cl + n, why);
    mem_mb = word_num(cmdline, "mem_mb=", 0);
    test_check(has_word(cmdline, MARKER) && mem_mb != 0, "cmdline_marker", "\"%s\" lacks %s or mem_mb=N", cmdline, MARKER);
}

static void check_initrd(void)
{
    uint32_t img = zp32(ZP_RAMDISK_IMAGE), size = zp32(ZP_RAMDISK_SIZE);
    uint32_t max = PROTO >= 0x203 ? INITRD_MAX : INITRD_MAX_OLD;
    gprintf("INFO initrd at 0x%x size %u (initrd_addr_max 0x%x, kernel ends at 0x%x)\n", img, size, max,
            (uint32_t)_end);
    if (!test_check(img != 0 && size != 0, "initrd_present", "ramdisk_image=0x%x ramdisk_size=%u", img, size)) return;
    initrd_addr = img;
    initrd_size = size;
    uint64_t end = (uint64_t)img + size;
    test_check(size == INITRD_SIZE, "initrd_size", "%u bytes (the file has %u)", size, INITRD_SIZE);
    test_check((img & 0xfff) == 0, "initrd_aligned", "0x%x is not page aligned", img);
    test_check(end - 1 <= max, "initrd_below_max", "ends at 0x%x, above initrd_addr_max 0x%x", (uint32_t)(end - 1), max);
    test_check(img >= (uint32_t)_end && !overlap(img, end, zp, zp + 0x1000) &&
              !(cmdline_addr && overlap(img, end, cmdline_addr, cmdline_addr + cmdline_len + 1)),
          "initrd_clear", "0x%x-0x%x overlaps the kernel (to 0x%x), the zero page or the command line", img,
          (uint32_t)(end - 1), (uint32_t)_end);
    test_check(in_e820_ram(img, size), "initrd_in_ram", "0x%x-0x%x is not inside one e820 RAM entry (2.4 drops it)", img,
          (uint32_t)(end - 1));
    // Old kernels do not say how much room decompression needs (init_size is 2.10+):
    // the initrd belongs at the top of low RAM, below initrd_addr_max.
    uint64_t top = e820_high_end();
    if (mem_mb && (uint64_t)mem_mb * MIB < top) top = (uint64_t)mem_mb * MIB;
    if ((uint64_t)max + 1 < top) top = (uint64_t)max + 1;
    test_check(end <= top && end + 4 * MIB > top, "initrd_top_of_ram", "ends at 0x%x; the top of usable RAM is 0x%x",
          (uint32_t)end, (uint32_t)top);

    // Contents: header, the whole payload, trailer.
    static const char magic[] = INITRD_MAGIC, trailer[] = INITRD_TRAILER;
    int ok = 1;
    uint32_t where = 0;
    for (uint32_t i = 0; i < sizeof magic && ok; i++)
        if (rd8(img + i) != (uint8_t)magic[i]) { ok = 0; where = i; }
    if (ok && (rd32(img + 16) != INITRD_SIZE || rd32(img + 20) != INITRD_SEED)) { ok = 0; where = 16; }
    for (uint32_t i = INITRD_HDR_SIZE; ok && i < INITRD_SIZE - INITRD_TRAILER_SIZE && i < size; i++)
        if (rd8(img + i) != initrd_byte(i)) { ok = 0; where = i; }
    for (uint32_t i = 0; ok && i < INITRD_TRAILER_SIZE; i++)
        if (size < INITRD_SIZE || rd8(img + INITRD_SIZE - INITRD_TRAILER_SIZE + i) != (uint8_t)trailer[i]) {
            ok = 0;
            where = INITRD_SIZE - INITRD_TRAILER_SIZE + i;
        }
    test_check(ok, "initrd_content", "differs from initrd.bin at byte %u", where);
}

static void check_a20(void)
{
    // 2.4's compressed head.S: write an increasing value at 0 until 0x100000 differs.
    uint32_t save = rd32(0), ok = 0;
    for (uint32_t v = 1; v < 16 && !ok; v++) {
        wr32(0, save + v);
        if (rd32(KERNEL_ADDR) != save + v) ok = 1;
    }
    wr32(0, save);
    // And the other way: a write above 1 MiB must not show at its alias below.
    static volatile uint32_t probe;
    uint32_t hi = (uint32_t)&probe, lo = hi - MIB, lo_save = rd32(lo);
    probe = ~lo_save;
    int ok2 = rd32(lo) == lo_save;
    wr32(lo, lo_save);
    test_check(ok && ok2, "a20_enabled", "addresses 1 MiB apart alias (%s)", ok ? "write above 1 MiB" : "write at 0");
}

static void check_bios_areas(void)
{
    gprintf("INFO reading 0xc0000-0xfffff\n");
    uint32_t sum = 0;
    for (uint32_t a = 0xc0000; a < MIB; a += 4) sum += rd32(a);
    gprintf("INFO 0xc0000-0xfffff sum 0x%x\n", sum);
    test_pass("bios_area_readable");
    uint16_t seg = rd16(0x40e), base_k = rd16(0x413);
    uint32_t ebda = (uint32_t)seg << 4;
    gprintf("INFO BDA: EBDA segment 0x%x, base memory %u KiB\n", seg, base_k);
    int ok = seg == 0 || (ebda >= 0x80000 && ebda < 0xa0000);
    if (ok && seg)
        for (uint32_t a = ebda; a < ebda + 1024; a += 4) sum += rd32(a);
    test_check(ok && base_k <= 640, "ebda_pointer", "EBDA segment 0x%x / base memory %u KiB (want 0, or 512-640 KiB)", seg,
          base_k);
    if (seg && ok) {
        int ram = 0;
        for (int i = 0; i < e820_n; i++)
            if (e820[i].type == E820_RAM && overlap(e820[i].addr, e820[i].addr + e820[i].size, ebda, ebda + 1024))
                ram = 1;
        test_check(!ram, "ebda_not_ram", "the EBDA at 0x%x is listed as RAM in e820", ebda);
    }
}

static void check_vga(void)
{
    const uint32_t cells = VGA_COLS_WANT * VGA_LINES_WANT;
    uint32_t bad = cells;
    for (uint32_t i = 0; i < cells; i++) wr16(VGA_TEXT + 2 * i, (uint16_t)(0x1f00 | ('A' + i % 26)));
    for (uint32_t i = 0; i < cells && bad == cells; i++)
        if (rd16(VGA_TEXT + 2 * i) != (uint16_t)(0x1f00 | ('A' + i % 26))) bad = i;
    // The decompressor's scroll(): move lines up by one, blank the last.
    for (uint32_t i = 0; i < cells - VGA_COLS_WANT; i++) wr16(VGA_TEXT + 2 * i, rd16(VGA_TEXT + 2 * (i + VGA_COLS_WANT)));
    for (uint32_t i = cells - VGA_COLS_WANT; i < cells; i++) wr16(VGA_TEXT + 2 * i, 0x0720);
    for (uint32_t i = 0; i < cells - VGA_COLS_WANT && bad == cells; i++)
        if (rd16(VGA_TEXT + 2 * i) != (uint16_t)(0x1f00 | ('A' + (i + VGA_COLS_WANT) % 26))) bad = i;
    test_check(bad == cells, "vga_text_memory", "cell %u at 0x%x does not read back", bad, VGA_TEXT + 2 * bad);
    const char *msg = "oldproto: VGA text ok";
    uint32_t row = VGA_LINES_WANT - 1;
    for (uint32_t i = 0; msg[i]; i++) wr16(VGA_TEXT + 2 * (row * VGA_COLS_WANT + i), (uint16_t)(0x0700 | msg[i]));
    // Cursor through the CRTC, exactly as 2.4's misc.c puts it.
    uint32_t pos = (row * VGA_COLS_WANT + (uint32_t)str_len(msg)) * 2;
    outb(0x3d4, 14);
    outb(0x3d5, 0xff & (pos >> 9));
    outb(0x3d4, 15);
    outb(0x3d5, 0xff & (pos >> 1));
    outb(0x3d4, 14);
    uint8_t hi = inb(0x3d5);
    outb(0x3d4, 15);
    uint8_t lo = inb(0x3d5);
    gprintf("INFO CRTC cursor reads 0x%x 0x%x (wrote 0x%x 0x%x)\n", hi, lo, 0xff & (pos >> 9), 0xff & (pos >> 1));
    test_pass("vga_crtc_ports");
    if (!under_myrmex) { test_skip("vga_window_a0000", "no myrmex: natively 0xa0000 is not mapped in text mode"); return; }
    uint32_t a[3] = { 0xa0000, 0xb0000, 0xbfffc }, badw = 0;
    for (int i = 0; i < 3; i++) {
        wr32(a[i], 0x5aa50000u + (uint32_t)i);
        if (rd32(a[i]) != 0x5aa50000u + (uint32_t)i) badw = a[i];
    }
    test_check(!badw, "vga_window_a0000", "0x%x does not read back", badw);
}

// Linux 2.4 calibrate_tsc(): PIT channel 2, mode 0, gate through port 0x61, OUT2 polled.
static void check_pit_calibration(void)
{
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);
    outb(0x42, CAL_LATCH & 0xff);
    outb(0x42, CAL_LATCH >> 8);
    uint64_t t0 = rdtsc();
    uint32_t count = 0;
    do count++; while ((inb(0x61) & 0x20) == 0 && count < CAL_SPIN_LIMIT);
    uint64_t t1 = rdtsc(), d = t1 - t0;
    outb(0x61, inb(0x61) & ~0x01);
    const char *why = NULL;
    if (count <= 1) why = "OUT2 was already high (2.4: ECTCNEVERSET)";
    else if (count >= CAL_SPIN_LIMIT) why = "OUT2 never rose";
    else if (d >> 32) why = "TSC delta above 2^32 (2.4: ECPUTOOFAST)";
    else if (d <= CAL_MS * 1000) why = "TSC below 1 MHz (2.4: ECPUTOOSLOW)";
    if (test_check(!why, "pit_tsc_calibration", "%s: %u polls, TSC delta 0x%x%08x", why, count, (uint32_t)(d >> 32), (uint32_t)d))
        tsc_khz = (uint32_t)d / CAL_MS;
    gprintf("INFO TSC %u kHz (%u polls of port 0x61 over %u ms)\n", tsc_khz, count, CAL_MS);
}

static uint8_t cmos(uint8_t reg) { outb(CMOS_INDEX, reg); return inb(CMOS_DATA); }
static uint8_t bcd(uint8_t v, int binary) { return binary ? v : (uint8_t)((v >> 4) * 10 + (v & 15)); }

// Wait (up to lim TSC ticks from now) for UIP to rise, then to fall. Returns 1 with the
// TSC of both edges, 0 if either did not come.
static int rtc_uip_pulse(uint64_t lim, uint64_t *rise, uint64_t *fall, uint32_t *polls)
{
    uint64_t t0 = rdtsc();
    *polls = 0;
    for (;;) {
        ++*polls;
        if (cmos(RTC_REG_A) & RTC_UIP) { *rise = rdtsc(); break; }
        if (rdtsc() - t0 > lim) return 0;
    }
    for (;;) {
        if (!(cmos(RTC_REG_A) & RTC_UIP)) { *fall = rdtsc(); return 1; }
        if (rdtsc() - t0 > lim) return 0;
    }
}

// Linux 2.4/2.6 get_cmos_time(): wait for UIP to rise, then to fall, then read the time.
// The pulse lasts 244 us to 2.2 ms: a host that deschedules the (nested) vCPU for longer
// can make the guest miss one, so each measurement gets a second chance, and the period
// is judged on the best of three intervals.
static void check_rtc(void)
{
    if (!tsc_khz) { test_fail("rtc_uip_edges", "no TSC calibration to time it"); return; }
    uint64_t lim = (uint64_t)tsc_khz * 1100;   // 1.1 s
    uint64_t rise = 0, fall = 0, t0;
    uint32_t polls = 0;
    int ok = 0, attempt;
    // Start outside an update, so that the first edge seen is a rising one.
    t0 = rdtsc();
    while ((cmos(RTC_REG_A) & RTC_UIP) && rdtsc() - t0 < lim) {}
    for (attempt = 1; attempt <= 2 && !ok; attempt++) {
        t0 = rdtsc();
        ok = rtc_uip_pulse(lim, &rise, &fall, &polls);
    }
    // Read the time right after the update, as Linux does.
    uint8_t b = cmos(RTC_REG_B), bin = b & RTC_B_BINARY;
    uint8_t sec = bcd(cmos(0), bin), min = bcd(cmos(2), bin), hour = bcd(cmos(4) & 0x7f, bin);
    uint8_t day = bcd(cmos(7), bin), mon = bcd(cmos(8), bin), year = bcd(cmos(9), bin);
    if (ok)
        gprintf("INFO RTC: UIP rose after %u us (%u polls, attempt %u), high for %u us; regB=0x%x "
                "time %02u:%02u:%02u date %02u-%02u-%02u\n", tsc_us(rise - t0), polls, attempt - 1,
                tsc_us(fall - rise), b, hour, min, sec, year, mon, day);
    test_check(ok, "rtc_uip_edges", "UIP (CMOS register A bit 7) did not rise and fall within 1.1 s, twice "
          "(2.4/2.6 time_init spins on both edges)");
    int hour_ok = (b & RTC_B_24H) ? hour < 24 : (hour >= 1 && hour <= 12);
    test_check(sec < 60 && min < 60 && hour_ok && day >= 1 && day <= 31 && mon >= 1 && mon <= 12 && year < 100,
          "rtc_time_sane", "%02u:%02u:%02u %02u-%02u-%02u (regB=0x%x)", hour, min, sec, year, mon, day, b);
    if (!ok) return;
    // The period: a later rise must come a whole number of seconds after this one (within
    // 100 ms), and the next one no sooner than 0.7 s. A descheduled guest sees a rise late or
    // misses a pulse, so rises are sampled for up to 3.25 s until one is on the grid.
    uint64_t sec_ticks = (uint64_t)tsc_khz * 1000, window = 3 * sec_ticks + sec_ticks / 4;
    uint64_t first = rise, now = rise;
    uint32_t seen = 0, on_grid = 0, next_us = 0;
    while (now - first < window && !on_grid) {
        uint64_t r, f;
        if (!rtc_uip_pulse(window - (now - first), &r, &f, &polls)) break;
        now = f;
        uint32_t d = tsc_us(r - first), k = (d + 500000) / 1000000;
        uint32_t err = d > k * 1000000 ? d - k * 1000000 : k * 1000000 - d;
        if (!seen++) next_us = d;
        if (k >= 1 && err <= 100000) on_grid = d;
    }
    gprintf("INFO RTC: later UIP rises seen %u, the next %u us after the first, on the 1 s grid: %u us\n", seen,
            next_us, on_grid);
    test_check(seen && on_grid && next_us >= 700000, "rtc_uip_period", "%s (next rise %u us after the first)",
          !seen ? "no later rise within 3.25 s" : next_us < 700000 ? "rises come too often" :
          "no later rise a whole number of seconds after the first", next_us);
}

struct ide_pos { const char *name; uint16_t base, ctl; uint8_t unit; };
static const struct ide_pos ide_positions[] = {
    { "ide_probe_primary_master", 0x1f0, 0x3f6, 0 },
    { "ide_probe_primary_slave", 0x1f0, 0x3f6, 1 },
    { "ide_probe_secondary_master", 0x170, 0x376, 0 },
    { "ide_probe_secondary_slave", 0x170, 0x376, 1 },
};

// Poll the alternate status while BSY is set (a floating 0xff is not a busy drive).
static uint8_t ide_wait_bsy(uint16_t ctl, uint64_t t0, uint64_t lim, int *stalled)
{
    uint8_t s = inb(ctl);
    while ((s & ATA_BSY) && s != 0xff) {
        if (rdtsc() - t0 > lim) { *stalled = 1; break; }
        s = inb(ctl);
    }
    return s;
}

static const char ide_slow[] = "slower than 1 ms";

// The old IDE driver's probe of one position (ide-probe.c do_probe/try_to_identify, minus
// its 50 ms sleeps): select, check the select register reads back, status and alternate
// status, IDENTIFY, wait for BSY to clear, look for DRQ or the ATAPI signature. Returns
// NULL when the position answered "no device", else why not; *us is the time it took.
static const char *ide_probe_once(const struct ide_pos *p, uint64_t lim, uint32_t *us)
{
    int stalled = 0;
    uint8_t want = (uint8_t)(0xa0 | p->unit << 4);
    uint64_t t0 = rdtsc();
    outb(p->base + IDE_SELECT, want);
    uint8_t sel = inb(p->base + IDE_SELECT);
    uint8_t st = inb(p->base + IDE_STATUS);
    uint8_t alt = ide_wait_bsy(p->ctl, t0, lim, &stalled);   // 2.6 ide_wait_not_busy()
    outb(p->ctl, IDE_CTL_NIEN);
    outb(p->base + IDE_STATUS, ATA_IDENTIFY);
    uint8_t s = stalled ? inb(p->ctl) : ide_wait_bsy(p->ctl, t0, lim, &stalled);
    uint8_t st2 = inb(p->base + IDE_STATUS);
    uint8_t lcyl = inb(p->base + IDE_LCYL), hcyl = inb(p->base + IDE_HCYL);
    if (p->unit) outb(p->base + IDE_SELECT, 0xa0);   // leave drive 0 selected, as the probe does
    uint64_t dt = rdtsc() - t0;
    *us = tsc_us(dt);
    gprintf("INFO %s: select 0x%x->0x%x status 0x%x alt 0x%x after IDENTIFY 0x%x/0x%x cyl 0x%x:0x%x, %u us\n",
            p->name, want, sel, st, alt, s, st2, hcyl, lcyl, *us);
    // Linux: a select register that does not read back means nothing there (return 3);
    // otherwise a drive is an ATA disk (DRQ after IDENTIFY) or ATAPI (signature 0x14/0xeb).
    int echo = sel == want;
    int ata = echo && (st & ATA_DRDY) && s != 0xff && !(s & ATA_BSY) && (s & ATA_DRQ);
    int atapi = echo && lcyl == 0x14 && hcyl == 0xeb;
    if (stalled) return "BSY stayed set (2.6 waits 35 s for it, 2.4 15 s after IDENTIFY)";
    if (ata) return "an ATA drive answered IDENTIFY";
    if (atapi) return "an ATAPI device signature";
    if (tsc_khz && dt > lim) return ide_slow;
    return NULL;
}

// A slow answer is retried (up to 3 probes): a host that deschedules the vCPU for a
// millisecond is not a slow IDE model, which would be slow every time.
static void check_ide_position(const struct ide_pos *p)
{
    uint64_t lim = tsc_khz ? tsc_khz : 1000000u;   // 1 ms (1 GHz assumed if uncalibrated)
    uint32_t us = 0;
    const char *why = NULL;
    for (int attempt = 0; attempt < 3; attempt++) {
        why = ide_probe_once(p, lim, &us);
        if (why != ide_slow) break;
    }
    test_check(!why, p->name, "%s (%u us)", why, us);
}

void oldproto_main(void)
{
    serial_init();
    under_myrmex = myrmex();
    gprintf("INFO oldproto kernel: boot protocol %u.%02x, setup_sects %u, %s\n", PROTO >> 8, PROTO & 0xff,
            SETUP_SECTS, under_myrmex ? "under myrmex" : "native (no myrmex)");
    int rec = check_entry();
    if (rec && entry_state.esi != ZP_ADDR && entry_state.esi < MIB && rd32(entry_state.esi + ZP_HEADER) == HDRS_MAGIC)
        zp = entry_state.esi;   // check the zero page the loader pointed at
    install_idt();
    check_image();
    check_header();
    check_cmdline();
    check_e820();
    check_mem_k();
    check_screen_info();
    check_initrd();
    check_gdt();
    check_a20();
    check_bios_areas();
    check_vga();
    check_pit_calibration();
    check_rtc();
    for (size_t i = 0; i < sizeof ide_positions / sizeof ide_positions[0]; i++) check_ide_position(&ide_positions[i]);
    test_finish();
}
