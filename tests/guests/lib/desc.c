// desc.c — GDT with two TSSs and a based data segment, and the IDT
#include "desc.h"
#include "io.h"

#define PAGE_ALIGNED __attribute__((aligned(4096)))
#define DESC_CODE0   0x00cf9a000000ffffull   // flat 4 GiB, ring 0, exec/read
#define DESC_DATA0   0x00cf92000000ffffull   // flat 4 GiB, ring 0, read/write
#define DESC_CODE3   0x00cffa000000ffffull   // flat 4 GiB, ring 3, exec/read
#define DESC_DATA3   0x00cff2000000ffffull   // flat 4 GiB, ring 3, read/write
#define TSS_TYPE_AVL 0x89                    // present, 32-bit TSS available
#define TSS_BUSY_BIT (1ull << 41)
#define BASED_LIMIT  0xfffff                  // 4 GiB in pages
#define BASED_ACCESS 0x92                     // present, ring 0, read/write data
#define BASED_FLAGS  0xc                      // 4 KiB granularity, 32-bit
#define BYTE_FLAGS   0x4                      // byte granularity, 32-bit
#define STUB_COUNT   64                      // stubs exist for vectors 0..63

struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

// The TSSs and the ring 0 trap stack each fill whole pages.
union tss_page tss_main_page PAGE_ALIGNED;
union tss_page tss_second_page PAGE_ALIGNED;
uint8_t kstack0[KSTACK0_SIZE] PAGE_ALIGNED;
// The IDT fills a page alone: irq.elf checks delivery through a not-yet-touched IDT.
static uint64_t idt[512] PAGE_ALIGNED;
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
extern uint32_t isr_stub_table[STUB_COUNT];

// Encode a byte-granular system or data descriptor.
static uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
    return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(flags & 0xf) << 52) |
           ((uint64_t)(base >> 24) << 56);
}

// Build and load the GDT, reload segments, load TR with the main TSS.
void gdt_init(void) {
    gdt[0] = 0;
    gdt[SEL_KCODE >> 3] = DESC_CODE0;
    gdt[SEL_KDATA >> 3] = DESC_DATA0;
    gdt[SEL_UCODE >> 3] = DESC_CODE3;
    gdt[SEL_UDATA >> 3] = DESC_DATA3;
    gdt[SEL_TSS >> 3] = make_desc((uint32_t)&tss_main, sizeof(struct tss) - 1, TSS_TYPE_AVL, 0);
    gdt[SEL_TSS2 >> 3] = make_desc((uint32_t)&tss_second, sizeof(struct tss) - 1, TSS_TYPE_AVL, 0);
    gdt[SEL_BASED >> 3] = DESC_DATA0;
    tss_main.ss0 = SEL_KDATA;
    tss_main.esp0 = (uint32_t)kstack0 + KSTACK0_SIZE;
    tss_main.iomap = sizeof(struct tss);
    tss_second.iomap = sizeof(struct tss);
    struct dtr d = { sizeof(gdt) - 1, (uint32_t)gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n1:\n\t"
                     "mov %2, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss\n\t"
                     "mov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "ltr %w3"
                     : : "m"(d), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS) : "eax", "memory");
}

// Set the base of the SEL_BASED data segment (reload a segment register afterwards).
void gdt_set_based_base(uint32_t base) { gdt[SEL_BASED >> 3] = make_desc(base, BASED_LIMIT, BASED_ACCESS, BASED_FLAGS); }

// Make SEL_BASED a byte-granular expand-up read/write data segment (reload a segment register).
void gdt_set_based_limit(uint32_t base, uint32_t limit) { gdt[SEL_BASED >> 3] = make_desc(base, limit, BASED_ACCESS, BYTE_FLAGS); }

// Mark a TSS descriptor available (not busy) again.
void gdt_tss_clear_busy(uint16_t sel) { gdt[sel >> 3] &= ~TSS_BUSY_BIT; }

// Read a raw GDT descriptor's high dword (access byte and flags).
uint32_t gdt_high_word(uint16_t sel) { return (uint32_t)(gdt[sel >> 3] >> 32); }

// Install an interrupt/trap gate.
void idt_set_gate(int vec, uint32_t handler, uint8_t type) {
    idt[vec] = (handler & 0xffff) | ((uint64_t)SEL_KCODE << 16) | ((uint64_t)type << 40) |
               ((uint64_t)(handler >> 16) << 48);
}

// Install a task gate to a TSS selector.
void idt_set_task_gate(int vec, uint16_t tss_sel) {
    idt[vec] = ((uint64_t)tss_sel << 16) | ((uint64_t)GATE_TASK << 40);
}

// Address of the stub for a vector (to re-install it).
uint32_t idt_stub(int vec) { return isr_stub_table[vec]; }

// Fill the IDT with the exception/IRQ stubs and load IDTR.
void idt_init(void) {
    for (int v = 0; v < STUB_COUNT; v++) idt_set_gate(v, isr_stub_table[v], GATE_INTR);
    struct dtr d = { IDT_VECTORS * 8 - 1, (uint32_t)idt };
    __asm__ volatile("lidt %0" : : "m"(d));
}
