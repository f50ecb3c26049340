// strio.c — cpu.elf: REP INS/OUTS across page boundaries, DF, segment overrides and 0x67
#include <stdint.h>
#include "cpu.h"
#include "desc.h"
#include "io.h"
#include "print.h"
#include "test.h"

#define BUF_PAGES   4
#define BIG_COUNT   8192          // bytes of the big REP INSB
#define BIG_OFFSET  0x800         // it starts mid-page and spans three pages
#define GUARD       0x5a
#define GUARD_LEN   16
#define CROSS       0xff0         // offset of small transfers that cross into page 1
#define SMALL_COUNT 32
#define BASE_SHIFT  0x1000        // base of the based segment relative to what DS sees
#define ADDR16_HIGH 0x12340000u   // upper halves that 16-bit addressing must keep
#define COUNT_HIGH  0xabcd0000u
#define WRAP_SI     0xfffcu       // SI that wraps during an addr16 OUTSB
#define WRAP_COUNT  8
#define SEG_64K     0x10000u

static uint8_t buf[BUF_PAGES * 4096] __attribute__((aligned(4096)));

struct regs { uint32_t ecx, esi, edi; };

// Fill buf with a position-dependent pattern.
static void fill_pattern(void) {
    for (uint32_t i = 0; i < sizeof(buf); i++) buf[i] = (uint8_t)(i * 7 + (i >> 8) + 1);
}

// Check n bytes at p all equal v; returns the first bad index or -1.
static int first_not(const uint8_t *p, uint32_t n, uint8_t v) {
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != v) return (int)i;
    return -1;
}

// REP INSB/INSW/INSD from the unknown port into buffers that cross pages.
static void check_ins_unknown(void) {
    for (uint32_t i = 0; i < sizeof(buf); i++) buf[i] = GUARD;
    uint8_t *p = buf + BIG_OFFSET;
    for (uint32_t i = 0; i < BIG_COUNT; i++) p[i] = 0;
    struct regs r = { BIG_COUNT, 0, (uint32_t)p };
    __asm__ volatile("rep insb" : "+c"(r.ecx), "+D"(r.edi) : "d"(UNKNOWN_PORT) : "memory");
    int bad = first_not(p, BIG_COUNT, 0xff);
    int g1 = first_not(p - GUARD_LEN, GUARD_LEN, GUARD), g2 = first_not(p + BIG_COUNT, GUARD_LEN, GUARD);
    test_check(bad < 0 && g1 < 0 && g2 < 0 && r.ecx == 0 && r.edi == (uint32_t)p + BIG_COUNT, "rep_insb_8k_cross",
               "bad byte at %d, guards %d/%d, ecx=%x edi=%x (want %x)", bad, g1, g2, r.ecx, r.edi, (uint32_t)p + BIG_COUNT);

    uint16_t *w = (uint16_t *)(buf + CROSS - 2 * SMALL_COUNT / 2);
    for (int i = 0; i < SMALL_COUNT; i++) w[i] = 0;
    r = (struct regs){ SMALL_COUNT, 0, (uint32_t)w };
    __asm__ volatile("rep insw" : "+c"(r.ecx), "+D"(r.edi) : "d"(UNKNOWN_PORT) : "memory");
    int okw = 1;
    for (int i = 0; i < SMALL_COUNT; i++) okw &= w[i] == 0xffff;
    test_check(okw && r.ecx == 0 && r.edi == (uint32_t)(w + SMALL_COUNT), "rep_insw_cross", "ecx=%x edi=%x", r.ecx, r.edi);

    uint32_t *d = (uint32_t *)(buf + 2 * 4096 - 4 * SMALL_COUNT / 2);
    for (int i = 0; i < SMALL_COUNT; i++) d[i] = 0;
    r = (struct regs){ SMALL_COUNT, 0, (uint32_t)d };
    __asm__ volatile("rep insl" : "+c"(r.ecx), "+D"(r.edi) : "d"(UNKNOWN_PORT) : "memory");
    int okd = 1;
    for (int i = 0; i < SMALL_COUNT; i++) okd &= d[i] == 0xffffffffu;
    test_check(okd && r.ecx == 0 && r.edi == (uint32_t)(d + SMALL_COUNT), "rep_insd_cross", "ecx=%x edi=%x", r.ecx, r.edi);

    // Backwards (DF=1): the last byte first, down across the boundary.
    uint8_t *last = buf + 4096 + SMALL_COUNT / 2 - 1;
    for (int i = 0; i < SMALL_COUNT + 2; i++) last[1 - i] = 0;
    r = (struct regs){ SMALL_COUNT, 0, (uint32_t)last };
    __asm__ volatile("std\n\trep insb\n\tcld" : "+c"(r.ecx), "+D"(r.edi) : "d"(UNKNOWN_PORT) : "memory");
    int bad_b = first_not(last - SMALL_COUNT + 1, SMALL_COUNT, 0xff);
    test_check(bad_b < 0 && last[1] == 0 && last[-SMALL_COUNT] == 0 && r.ecx == 0 && r.edi == (uint32_t)last - SMALL_COUNT,
               "rep_insb_backward_cross", "bad %d, edges %x/%x, ecx=%x edi=%x", bad_b, last[1], last[-SMALL_COUNT], r.ecx,
               r.edi);
}

// REP OUTSB to the scratch register: the last byte stays there; ESI/ECX advance.
static void check_outs_flat(void) {
    fill_pattern();
    uint8_t *src = buf + CROSS;
    outb(COM1_SCRATCH, 0);
    struct regs r = { SMALL_COUNT, (uint32_t)src, 0 };
    __asm__ volatile("rep outsb" : "+c"(r.ecx), "+S"(r.esi) : "d"(COM1_SCRATCH) : "memory");
    uint8_t got = inb(COM1_SCRATCH);
    test_check(got == src[SMALL_COUNT - 1] && r.ecx == 0 && r.esi == (uint32_t)src + SMALL_COUNT, "rep_outsb_cross",
               "scratch=%x want %x ecx=%x esi=%x", got, src[SMALL_COUNT - 1], r.ecx, r.esi);

    r = (struct regs){ 0, (uint32_t)src, 0 };
    outb(COM1_SCRATCH, GUARD);
    __asm__ volatile("rep outsb" : "+c"(r.ecx), "+S"(r.esi) : "d"(COM1_SCRATCH) : "memory");
    got = inb(COM1_SCRATCH);
    test_check(got == GUARD && r.esi == (uint32_t)src, "rep_outsb_zero_count", "scratch=%x esi=%x", got, r.esi);

    r = (struct regs){ SMALL_COUNT / 4, (uint32_t)(buf + 4096 - 8), 0 };
    __asm__ volatile("rep outsl" : "+c"(r.ecx), "+S"(r.esi) : "d"(UNKNOWN_PORT) : "memory");
    test_check(r.ecx == 0 && r.esi == (uint32_t)(buf + 4096 - 8 + SMALL_COUNT), "rep_outsd_unknown", "ecx=%x esi=%x",
               r.ecx, r.esi);
}

// REP OUTSB with an FS override whose base is not 0, 32- and 16-bit addressing.
static void check_outs_segment(void) {
    fill_pattern();
    uint32_t base = (uint32_t)buf + BASE_SHIFT;
    gdt_set_based_base(base);
    uint32_t off = CROSS;                      // FS:off = buf + 0x1ff0, DS:off elsewhere
    const uint8_t *want = (const uint8_t *)(base + off);
    outb(COM1_SCRATCH, 0);
    struct regs r = { SMALL_COUNT, off, 0 };
    __asm__ volatile("mov %w3, %%fs\n\trep outsb %%fs:(%%esi), (%%dx)\n\tmov %w4, %%fs"
                     : "+c"(r.ecx), "+S"(r.esi)
                     : "d"(COM1_SCRATCH), "r"(SEL_BASED), "r"(SEL_KDATA)
                     : "memory");
    uint8_t got = inb(COM1_SCRATCH);
    test_check(got == want[SMALL_COUNT - 1] && r.ecx == 0 && r.esi == off + SMALL_COUNT, "rep_outsb_fs_override",
               "scratch=%x want %x ecx=%x esi=%x", got, want[SMALL_COUNT - 1], r.ecx, r.esi);

    // 0x67: SI and CX only; their upper halves stay.
    gdt_set_based_base((uint32_t)buf);
    want = buf + CROSS;
    r = (struct regs){ COUNT_HIGH | SMALL_COUNT, ADDR16_HIGH | CROSS, 0 };
    outb(COM1_SCRATCH, 0);
    __asm__ volatile("mov %w3, %%fs\n\t.byte 0x64, 0x67, 0xf3, 0x6e\n\tmov %w4, %%fs"   // fs addr16 rep outsb
                     : "+c"(r.ecx), "+S"(r.esi)
                     : "d"(COM1_SCRATCH), "r"(SEL_BASED), "r"(SEL_KDATA)
                     : "memory");
    got = inb(COM1_SCRATCH);
    test_check(got == want[SMALL_COUNT - 1] && r.ecx == COUNT_HIGH && r.esi == (ADDR16_HIGH | (CROSS + SMALL_COUNT)),
               "rep_outsb_addr16", "scratch=%x want %x ecx=%x esi=%x", got, want[SMALL_COUNT - 1], r.ecx, r.esi);

    // 0x67 with SI wrapping from 0xffff to 0: the last byte comes from FS:3, not FS:0x10003.
    base = (uint32_t)buf + 4096 - SEG_64K;
    gdt_set_based_base(base);
    uint8_t expect = *(volatile uint8_t *)(base + 3);
    buf[4096 + 3] = (uint8_t)~expect;          // what a missing wrap would read
    r = (struct regs){ WRAP_COUNT, ADDR16_HIGH | WRAP_SI, 0 };
    __asm__ volatile("mov %w3, %%fs\n\t.byte 0x64, 0x67, 0xf3, 0x6e\n\tmov %w4, %%fs"
                     : "+c"(r.ecx), "+S"(r.esi)
                     : "d"(COM1_SCRATCH), "r"(SEL_BASED), "r"(SEL_KDATA)
                     : "memory");
    got = inb(COM1_SCRATCH);
    test_check(got == expect && r.ecx == 0 && r.esi == (ADDR16_HIGH | ((WRAP_SI + WRAP_COUNT) & 0xffff)),
               "rep_outsb_addr16_wrap", "scratch=%x want %x ecx=%x esi=%x", got, expect, r.ecx, r.esi);
}

// REP INSB writes ES:EDI even with a based ES, and with 0x67 uses DI and CX.
static void check_ins_segment(void) {
    const uint8_t fillv = 0x77;
    for (uint32_t i = 0; i < sizeof(buf); i++) buf[i] = GUARD;
    outb(COM1_SCRATCH, fillv);
    uint32_t base = (uint32_t)buf + BASE_SHIFT;
    gdt_set_based_base(base);
    struct regs r = { SMALL_COUNT, 0, CROSS };
    __asm__ volatile("mov %w3, %%es\n\trep insb\n\tmov %w4, %%es"
                     : "+c"(r.ecx), "+D"(r.edi)
                     : "d"(COM1_SCRATCH), "r"(SEL_BASED), "r"(SEL_KDATA)
                     : "memory");
    uint8_t *dst = buf + BASE_SHIFT + CROSS;
    int bad = first_not(dst, SMALL_COUNT, fillv), flat = first_not(buf + CROSS, SMALL_COUNT, GUARD);
    test_check(bad < 0 && flat < 0 && r.ecx == 0 && r.edi == CROSS + SMALL_COUNT, "rep_insb_es_based",
               "bad %d, flat copy touched %d, ecx=%x edi=%x", bad, flat, r.ecx, r.edi);

    gdt_set_based_base((uint32_t)buf);
    r = (struct regs){ COUNT_HIGH | SMALL_COUNT, 0, ADDR16_HIGH | (4096 - SMALL_COUNT / 2) };
    __asm__ volatile("mov %w3, %%es\n\t.byte 0x67, 0xf3, 0x6c\n\tmov %w4, %%es"   // addr16 rep insb
                     : "+c"(r.ecx), "+D"(r.edi)
                     : "d"(UNKNOWN_PORT), "r"(SEL_BASED), "r"(SEL_KDATA)
                     : "memory");
    bad = first_not(buf + 4096 - SMALL_COUNT / 2, SMALL_COUNT, 0xff);
    test_check(bad < 0 && r.ecx == COUNT_HIGH && r.edi == (ADDR16_HIGH | (4096 + SMALL_COUNT / 2)), "rep_insb_addr16",
               "bad %d ecx=%x edi=%x", bad, r.ecx, r.edi);
}

// REP INS/OUTS across page boundaries, with DF, segment overrides and 0x67.
void check_string_io(void) {
    check_ins_unknown();
    check_outs_flat();
    check_outs_segment();
    check_ins_segment();
}
