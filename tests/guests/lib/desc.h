// desc.h — GDT with two TSSs and a based data segment, and the IDT
#pragma once
#include <stdint.h>

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UCODE  0x1b      // ring 3 code (RPL 3)
#define SEL_UDATA  0x23      // ring 3 data (RPL 3)
#define SEL_TSS    0x28      // the main task
#define SEL_TSS2   0x30      // a second task (the #DF task of irq.elf)
#define SEL_BASED  0x38      // ring 0 data segment with a settable base
#define GDT_ENTRIES 8

#define IDT_VECTORS   256
#define GATE_INTR     0x8e   // present, DPL 0, 32-bit interrupt gate
#define GATE_TRAP     0x8f   // present, DPL 0, 32-bit trap gate
#define GATE_TASK     0x85   // present, DPL 0, task gate
#define GATE_DPL3     0x60   // OR into a gate type to allow INT n from ring 3
#define EFLAGS_IF     0x200
#define EFLAGS_NT     0x4000
#define EFLAGS_RSVD   0x2    // bit 1 always reads 1

// The 32-bit TSS (Intel SDM figure 7-2), with the I/O map base past the limit.
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed));

// Whole pages of their own, so a test can tell when they are first touched.
union tss_page { struct tss t; uint8_t page[4096]; };
extern union tss_page tss_main_page, tss_second_page;
#define tss_main   (tss_main_page.t)
#define tss_second (tss_second_page.t)
extern uint8_t kstack0[];            // ring 0 stack for traps from ring 3 (TSS.esp0)
#define KSTACK0_SIZE 8192

// Build and load the GDT, reload segments, load TR with the main TSS.
void gdt_init(void);
// Set the base of the SEL_BASED data segment (reload a segment register afterwards).
void gdt_set_based_base(uint32_t base);
// Make SEL_BASED a byte-granular expand-up read/write data segment (reload a segment register).
void gdt_set_based_limit(uint32_t base, uint32_t limit);
// Mark a TSS descriptor available (not busy) again.
void gdt_tss_clear_busy(uint16_t sel);
// Read a raw GDT descriptor's high dword (access byte and flags).
uint32_t gdt_high_word(uint16_t sel);
// Fill the IDT with the exception/IRQ stubs and load IDTR.
void idt_init(void);
// Install an interrupt/trap gate.
void idt_set_gate(int vec, uint32_t handler, uint8_t type);
// Install a task gate to a TSS selector.
void idt_set_task_gate(int vec, uint16_t tss_sel);
// Address of the stub for a vector (to re-install it).
uint32_t idt_stub(int vec);
