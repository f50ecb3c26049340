// io.c — hostile.elf attacks: port and string-I/O abuse
#include "hostile.h"
#include "desc.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "serial.h"
#include "test.h"
#include "trap.h"

#define PORT_UNKNOWN  0x2c0
#define PORT_SCRATCH  (COM1_BASE + UART_SCR)
#define PCI_ADDR      0xcf8
#define PCI_DATA      0xcfc
#define PCI_ENABLE    0x80000000u
#define MAPPED_PAGES  4
#define ADDR16_COUNT  0xffffu
#define BASED_AREA    0x01000000u   // 16 MiB: the ES base of the 16-bit-address test
#define SMALL_LIMIT   0x7ffu        // a 2 KiB segment for the segment-limit tests
#define LIMIT_START   (SMALL_LIMIT + 1 - 16)   // 16 bytes below the limit
#define LIMIT_COUNT   32u           // 16 inside the limit, 16 beyond
#define LIMIT_INSIDE  (SMALL_LIMIT + 1 - LIMIT_START)
#define UNTOUCHED     0x5a

struct strio { uint32_t di, cx; };
static void do_insb(void *a) {
    struct strio *s = a;
    __asm__ volatile("rep insb" : "+D"(s->di), "+c"(s->cx) : "d"(PORT_UNKNOWN) : "memory");
}
static void do_outsb(void *a) {
    struct strio *s = a;
    __asm__ volatile("rep outsb" : "+S"(s->di), "+c"(s->cx) : "d"(PORT_SCRATCH) : "memory");
}
static void do_insb_back(void *a) {
    struct strio *s = a;
    __asm__ volatile("std\n\trep insb\n\tcld" : "+D"(s->di), "+c"(s->cx) : "d"(PORT_UNKNOWN) : "memory");
}

static void do_insb_limited_es(void *a) {
    struct strio *s = a;
    __asm__ volatile("push %%es\n\tmov %2, %%es\n\trep insb\n\tpop %%es"
                     : "+D"(s->di), "+c"(s->cx) : "r"(SEL_BASED), "d"(PORT_UNKNOWN) : "memory");
}
static void do_outsb_limited_ds(void *a) {
    struct strio *s = a;
    __asm__ volatile("push %%ds\n\tmov %2, %%ds\n\trep outsb\n\tpop %%ds"
                     : "+S"(s->di), "+c"(s->cx) : "r"(SEL_BASED), "d"(PORT_SCRATCH) : "memory");
}

// rep insb with ECX=0xffffffff into 4 mapped pages followed by an unmapped one: #PF at the
// boundary, ECX and EDI showing exactly the bytes done.
static void rep_ins_huge_ecx(void) {
    uint32_t *pd = hostile_paging_on();
    for (uint32_t i = 0; i < MAPPED_PAGES; i++) map_page(pd, TEST_VA + i * PAGE_SIZE, page_alloc_low(), PTE_P | PTE_W);
    struct strio s = { TEST_VA, 0xffffffffu };
    int r = trap_call(do_insb, &s);
    uint32_t end = TEST_VA + MAPPED_PAGES * PAGE_SIZE;
    test_check(r == VEC_PF && trap_last.cr2 == end && trap_last.edi == end &&
               trap_last.ecx == 0xffffffffu - MAPPED_PAGES * PAGE_SIZE && *(volatile uint8_t *)(end - 1) == 0xff,
               "rep_ins_huge_ecx", "vector %d cr2 %x edi %x ecx %x", r, trap_last.cr2, trap_last.edi, trap_last.ecx);
}
// The same backwards (DF=1) from the bottom of the mapped pages into the unmapped one below.
static void rep_ins_df1_huge(void) {
    uint32_t *pd = hostile_paging_on();
    for (uint32_t i = 1; i <= MAPPED_PAGES; i++) map_page(pd, TEST_VA + i * PAGE_SIZE, page_alloc_low(), PTE_P | PTE_W);
    uint32_t top = TEST_VA + (MAPPED_PAGES + 1) * PAGE_SIZE - 1;
    struct strio s = { top, 0xffffffffu };
    int r = trap_call(do_insb_back, &s);
    test_check(r == VEC_PF && trap_last.cr2 == TEST_VA + PAGE_SIZE - 1 && trap_last.edi == TEST_VA + PAGE_SIZE - 1 &&
               trap_last.ecx == 0xffffffffu - MAPPED_PAGES * PAGE_SIZE && !(read_eflags() & 0x400),
               "rep_ins_df1_huge", "vector %d cr2 %x edi %x ecx %x", r, trap_last.cr2, trap_last.edi, trap_last.ecx);
}
// rep ins/outs across the end of RAM with paging off: a VMM failure-free outcome, never host memory.
static void string_io_ram_end(void) {
    uint32_t end = boot.ram_end;
    struct strio s = { end - 8, 16 };
    int r1 = trap_call(do_insb, &s);
    gprintf("INFO string_io_ram_end: ins vector %d edi %x ecx %x\n", r1, s.di, s.cx);
    struct strio o = { end - 8, 16 };
    int r2 = trap_call(do_outsb, &o);
    gprintf("INFO string_io_ram_end: outs vector %d esi %x ecx %x\n", r2, o.di, o.cx);
    test_check(*(volatile uint8_t *)(end - 1) == 0xff || r1 != TRAP_NONE, "string_io_ram_end", "ins did not write");
}
// rep insb with DF=1 from address 7 downwards: EDI wraps below 0 to the top of the space.
static void string_io_wrap(void) {
    struct strio s = { 7, 16 };
    int r = trap_call(do_insb_back, &s);
    gprintf("INFO string_io_wrap: vector %d edi %x ecx %x\n", r, s.di, s.cx);
    test_pass("string_io_wrap");
}
// a16 rep insb with CX=0xffff through ES with a base: DI wraps inside 64 KiB, ECX's top kept.
static void rep_ins_addr16(void) {
    gdt_set_based_base(BASED_AREA);
    uint32_t ecx = 0xabcd0000u | ADDR16_COUNT, edi = 0x12340010u;
    *(volatile uint32_t *)(BASED_AREA + 0x10000) = MARKER_A;
    __asm__ volatile("push %%es\n\tmov %2, %%es\n\t.byte 0x67\n\trep insb\n\tpop %%es"
                     : "+D"(edi), "+c"(ecx) : "r"(SEL_BASED), "d"(PORT_UNKNOWN) : "memory");
    test_check(ecx == 0xabcd0000u && edi == 0x1234000fu && *(volatile uint8_t *)(BASED_AREA + 0xffff) == 0xff &&
               *(volatile uint32_t *)(BASED_AREA + 0x10000) == MARKER_A, "rep_ins_addr16",
               "ecx %x edi %x", ecx, edi);
}
// rep insb through a 2 KiB ES, started 16 bytes below its limit with ECX=32: the 16 bytes
// inside are written, then #GP(0) with ECX=16 and EDI at the limit; nothing beyond it.
// Natively QEMU TCG checks no data-segment limits, so only under myrmex.
static void insb_es_limit(void) {
    if (!myrmex()) { test_skip("insb_es_limit", "QEMU TCG checks no data-segment limits"); return; }
    volatile uint8_t *area = (volatile uint8_t *)BASED_AREA;
    for (uint32_t i = LIMIT_START; i < LIMIT_START + LIMIT_COUNT; i++) area[i] = UNTOUCHED;
    gdt_set_based_limit(BASED_AREA, SMALL_LIMIT);
    struct strio s = { LIMIT_START, LIMIT_COUNT };
    int r = trap_call(do_insb_limited_es, &s);
    int inside = 0, beyond = 0;
    for (uint32_t i = LIMIT_START; i < LIMIT_START + LIMIT_COUNT; i++) {
        if (i <= SMALL_LIMIT) inside += area[i] == 0xff;
        else beyond += area[i] != UNTOUCHED;
    }
    test_check(r == VEC_GP && trap_last.err == 0 && trap_last.ecx == LIMIT_COUNT - LIMIT_INSIDE &&
               trap_last.edi == SMALL_LIMIT + 1 && inside == (int)LIMIT_INSIDE && beyond == 0, "insb_es_limit",
               "vector %d err %x ecx %x edi %x written inside %d beyond %d", r, trap_last.err, trap_last.ecx,
               trap_last.edi, inside, beyond);
}
// rep outsb through a 2 KiB DS the same way: 16 bytes sent (the port keeps the last, the byte
// at the limit), then #GP(0) with ECX=16 and ESI at the limit.
static void outsb_ds_limit(void) {
    if (!myrmex()) { test_skip("outsb_ds_limit", "QEMU TCG checks no data-segment limits"); return; }
    volatile uint8_t *area = (volatile uint8_t *)BASED_AREA;
    for (uint32_t i = LIMIT_START; i < LIMIT_START + LIMIT_COUNT; i++) area[i] = (uint8_t)i;
    gdt_set_based_limit(BASED_AREA, SMALL_LIMIT);
    outb(PORT_SCRATCH, 0);
    struct strio s = { LIMIT_START, LIMIT_COUNT };
    int r = trap_call(do_outsb_limited_ds, &s);
    uint8_t last = inb(PORT_SCRATCH);
    test_check(r == VEC_GP && trap_last.err == 0 && trap_last.ecx == LIMIT_COUNT - LIMIT_INSIDE &&
               trap_last.esi == SMALL_LIMIT + 1 && last == (uint8_t)SMALL_LIMIT, "outsb_ds_limit",
               "vector %d err %x ecx %x esi %x last byte sent %x", r, trap_last.err, trap_last.ecx,
               trap_last.esi, last);
}
// Reads of byte, word and dword at every offset of every device port, and dword writes of
// what was read to the side-effect-free ones; then COM1 must still work.
static void device_ports(void) {
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71,
                                      0x80, 0x92, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0xcf8,
                                      0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0xf0, 0xf1, 0xf2, 0xf3, 0xfffc,
                                      0xfffd, 0xfffe, 0xffff };
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        (void)inb(ports[i]);
        if (!myrmex()) continue;   // QEMU's own device models assert on some wider accesses
        (void)inw(ports[i]);
        (void)inl(ports[i]);
    }
    if (myrmex()) {
        outw(0x80, 0x1234);
        outl(0x80, 0x12345678);
        outw(PORT_SCRATCH, 0x5a5a);
        outw(0xf1, 0);   // the test device at an odd offset (0xf4 is the exit port)
        outw(0x61, inw(0x61));
    }
    serial_init();
    test_pass("device_ports");
}
// PCI configuration at odd offsets and sizes (and a dword straddling the data window's end).
static void pci_odd(void) {
    outl(PCI_ADDR, PCI_ENABLE);
    uint32_t id = inl(PCI_DATA);
    for (uint16_t off = 1; off < 4; off++) {
        outl(PCI_ADDR, PCI_ENABLE | 0x3c);
        (void)inb(PCI_DATA + off);
        (void)inw(PCI_DATA + off);
        (void)inl(PCI_DATA + off);
        outb(PCI_DATA + off, 0);
        outw(PCI_DATA + off, 0);
    }
    outw(PCI_ADDR + 2, 0xffff);
    outb(PCI_ADDR + 1, 0);
    outl(PCI_ADDR, PCI_ENABLE | 0xfc | 0x3);       // register bits 1:0 are ignored
    (void)inl(PCI_DATA);
    outl(PCI_ADDR, 0x7ffffffcu);                   // enable bit clear
    (void)inl(PCI_DATA);
    outl(PCI_ADDR, PCI_ENABLE | 0x00fff8fcu);      // bus 255, device 31, function 7
    uint32_t none = inl(PCI_DATA);
    outl(PCI_ADDR, PCI_ENABLE);
    uint32_t id2 = inl(PCI_DATA);
    test_check(id == id2 && none == 0xffffffffu, "pci_odd", "id %x then %x, absent %x", id, id2, none);
}
// Writes to the exit port's other bytes and with other sizes: either ignored or a clean stop.
static void exit_port_odd(void) {
    gprintf("INFO exit_port_odd: outb 0xf7, outw 0xf6\n");
    serial_drain();
    __asm__ volatile("outb %%al, $0xf7" : : "a"(0x55));
    __asm__ volatile("outw %%ax, $0xf6" : : "a"(0x7777));
    test_pass("exit_port_odd");
}

const struct attack io_attacks[] = {
    { "rep_ins_huge_ecx", rep_ins_huge_ecx }, { "rep_ins_df1_huge", rep_ins_df1_huge },
    { "string_io_ram_end", string_io_ram_end }, { "string_io_wrap", string_io_wrap },
    { "rep_ins_addr16", rep_ins_addr16 },     { "device_ports", device_ports },
    { "pci_odd", pci_odd },                   { "exit_port_odd", exit_port_odd },
    { "insb_es_limit", insb_es_limit },       { "outsb_ds_limit", outsb_ds_limit },
    { 0, 0 },
};
