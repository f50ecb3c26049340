// desc.c — hostile.elf attacks: bad descriptor tables and selectors, task gates, #DF and
// triple faults, interrupt storms and PIC games
#include "hostile.h"
#include "desc.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "pic.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define VEC_NP          11
#define TASK_VECTOR     0x40
#define BUSY_VECTOR     0x41
#define SEL_TASK_GATE   0x40       // a task gate in the enlarged GDT copy
#define GATE_NOT_PRESENT 0x0e      // 32-bit interrupt gate with P clear
#define TASK2_STACK     4096
#define STORM_HZ        10000u
#define STORM_SPINS     200000u
#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0

struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

// --- bad descriptor tables: each must end the VM (triple fault) or stop it on a bad address ---
static void load_ds_then_fault(void) { __asm__ volatile("mov %0, %%ds\n\tud2" : : "r"(SEL_KDATA)); }
static void gdt_limit0(void) {
    struct dtr d = { 0, 0x1000 };
    gprintf("INFO gdt_limit0: lgdt limit 0, then a segment load\n");
    __asm__ volatile("lgdt %0" : : "m"(d));
    load_ds_then_fault();
    must_not_return("gdt_limit0");
}
static void gdt_beyond_ram(void) {
    struct dtr d = { 0xffff, beyond_ram() };
    gprintf("INFO gdt_beyond_ram: lgdt base %x, then a segment load\n", d.base);
    __asm__ volatile("lgdt %0" : : "m"(d));
    load_ds_then_fault();
    must_not_return("gdt_beyond_ram");
}
static void idt_beyond_ram(void) {
    struct dtr d = { 0x7ff, beyond_ram() };
    gprintf("INFO idt_beyond_ram: lidt base %x, then ud2\n", d.base);
    __asm__ volatile("lidt %0\n\tud2" : : "m"(d));
    must_not_return("idt_beyond_ram");
}
static void idt_limit0_int(void) {
    struct dtr d = { 0, 0 };
    gprintf("INFO idt_limit0_int: lidt limit 0, then int $0x80\n");
    __asm__ volatile("lidt %0\n\tint $0x80" : : "m"(d));
    must_not_return("idt_limit0_int");
}

// --- segment loads and far transfers: all #GP with the selector as error code ---
static uint16_t sel;
#define SEGLOAD(fn, reg) static void fn(void *a) { (void)a; __asm__ volatile("mov %0, %%" reg "\n\tmov %1, %%" reg : : "r"(sel), "r"(SEL_KDATA)); }
SEGLOAD(load_ss, "ss")
SEGLOAD(load_ds, "ds")
static void check_gp(const char *name, void (*fn)(void *), uint16_t s, uint32_t err) {
    sel = s;
    int r = trap_call(fn, 0);
    test_check(r == VEC_GP && trap_last.err == err, name, "vector %d err %x (want #GP(%x))", r, trap_last.err, err);
}
static void seg_loads(void) {
    check_gp("seg_ss_null_gp", load_ss, 0, 0);
    check_gp("seg_ss_user_gp", load_ss, SEL_UDATA, SEL_UDATA & ~3u);
    check_gp("seg_ds_beyond_limit_gp", load_ds, 0x100, 0x100);
    check_gp("seg_ds_tss_gp", load_ds, SEL_TSS, SEL_TSS);
    __asm__ volatile("lldt %w0" : : "r"(0));   // a null LDT (the reset LDTR has limit 0xffff)
    check_gp("seg_ds_ldt_gp", load_ds, 0x04, 0x04);
    check_gp("seg_ss_code_gp", load_ss, SEL_KCODE, SEL_KCODE);
    sel = 0;
    test_check(trap_call(load_ds, 0) == TRAP_NONE, "seg_ds_null_ok", "null DS faulted");
}
static void jmp_data(void *a) { (void)a; __asm__ volatile("ljmp $0x10, $1f\n1:"); }
static void jmp_beyond(void *a) { (void)a; __asm__ volatile("ljmp $0x200, $1f\n1:"); }
static void call_null(void *a) { (void)a; __asm__ volatile("lcall $0, $1f\n1:"); }
static void ltr_data(void *a) { (void)a; __asm__ volatile("ltr %w0" : : "r"(SEL_KDATA)); }
static void ltr_busy(void *a) { (void)a; __asm__ volatile("ltr %w0" : : "r"(SEL_TSS)); }
static void lldt_data(void *a) { (void)a; __asm__ volatile("lldt %w0" : : "r"(SEL_KDATA)); }
static void iret_data_cs(void *a) {
    (void)a;
    __asm__ volatile("pushfl\n\tpushl $0x10\n\tpushl $1f\n\tiret\n1:");
}
static void far_transfers(void) {
    check_gp("far_jmp_data_gp", jmp_data, 0, SEL_KDATA);
    check_gp("far_jmp_beyond_gp", jmp_beyond, 0, 0x200);
    check_gp("far_call_null_gp", call_null, 0, 0);
    check_gp("ltr_data_gp", ltr_data, 0, SEL_KDATA);
    check_gp("ltr_busy_gp", ltr_busy, 0, SEL_TSS);
    check_gp("lldt_data_gp", lldt_data, 0, SEL_KDATA);
    check_gp("iret_data_cs_gp", iret_data_cs, 0, SEL_KDATA);
}

// --- task gates ---
volatile uint32_t task2_count;
static uint8_t task2_stack[TASK2_STACK] __attribute__((aligned(16)));
void task2_entry(void);
__asm__(".globl task2_entry\ntask2_entry:\n\tincl task2_count\n\tiret\n\tjmp task2_entry\n");

// The second TSS as a task that counts and returns by IRET (NT set by the switch).
static void task2_prepare(void) {
    gdt_tss_clear_busy(SEL_TSS2);
    tss_second.cr3 = read_cr3();
    tss_second.eip = (uint32_t)task2_entry;
    tss_second.eflags = EFLAGS_RSVD;
    tss_second.esp = (uint32_t)task2_stack + TASK2_STACK;
    tss_second.cs = SEL_KCODE;
    tss_second.ss = tss_second.ds = tss_second.es = tss_second.fs = tss_second.gs = SEL_KDATA;
}
static void int_task(void *a) { (void)a; __asm__ volatile("int $0x40" : : : "memory"); }
static void int_busy(void *a) { (void)a; __asm__ volatile("int $0x41" : : : "memory"); }
// INT n through an IDT task gate, twice: the task runs and returns with IRET.
static void task_gate_idt(void) {
    task2_prepare();
    idt_set_task_gate(TASK_VECTOR, SEL_TSS2);
    int r1 = trap_call(int_task, 0);
    int r2 = trap_call(int_task, 0);
    test_check(r1 == TRAP_NONE && r2 == TRAP_NONE && task2_count == 2 && read_tr() == SEL_TSS, "task_gate_idt",
               "vectors %d/%d count %u tr %x", r1, r2, task2_count, read_tr());
}
// A task gate to the running (busy) task: #GP(selector).
static void task_gate_busy(void) {
    idt_set_task_gate(BUSY_VECTOR, SEL_TSS);
    int r = trap_call(int_busy, 0);
    test_check(r == VEC_GP && (trap_last.err & ~3u) == SEL_TSS, "task_gate_busy_gp", "vector %d err %x", r,
               trap_last.err);
}
// A far CALL through a task gate in the GDT.
static uint64_t gdt_big[16] __attribute__((aligned(8)));
static void call_gate(void *a) { (void)a; __asm__ volatile("lcall $0x40, $0" : : : "memory"); }
static void task_gate_gdt(void) {
    struct dtr old, d = { sizeof(gdt_big) - 1, (uint32_t)gdt_big };
    __asm__ volatile("sgdt %0" : "=m"(old));
    task2_prepare();
    const uint64_t *g = (const uint64_t *)old.base;
    for (int i = 0; i <= old.limit / 8; i++) gdt_big[i] = g[i];
    gdt_big[SEL_TASK_GATE >> 3] = ((uint64_t)SEL_TSS2 << 16) | ((uint64_t)GATE_TASK << 40);
    __asm__ volatile("lgdt %0" : : "m"(d));
    int r = trap_call(call_gate, 0);
    __asm__ volatile("lgdt %0" : : "m"(old));
    test_check(r == TRAP_NONE && task2_count == 1 && read_tr() == SEL_TSS, "task_gate_gdt_call",
               "vector %d count %u tr %x", r, task2_count, read_tr());
}

// --- #DF and triple faults ---
// #PF whose gate is not present: #NP during #PF delivery is a #DF.
static void pf_gate_not_present(void) {
    hostile_paging_on();
    idt_set_gate(VEC_PF, idt_stub(VEC_PF), GATE_NOT_PRESENT);
    uint32_t v;
    int r = probe_read(TEST_VA, &v);
    idt_set_gate(VEC_PF, idt_stub(VEC_PF), GATE_INTR);
    test_check(r == VEC_DF && trap_last.err == 0, "pf_gate_not_present_df", "vector %d err %x", r, trap_last.err);
}
// A fault with ESP on an unmapped page: #PF, #DF, shutdown.
static void stack_unmapped(void) {
    hostile_paging_on();
    gprintf("INFO stack_unmapped: esp unmapped, then a #PF\n");
    __asm__ volatile("mov %0, %%esp\n\tmov (%1), %%eax" : : "r"(TEST_VA + PAGE_SIZE), "r"(TEST_VA) : "eax");
    must_not_return("stack_unmapped");
}
// A fault with ESP on a page mapped beyond RAM.
static void stack_beyond_ram(void) {
    uint32_t *pd = hostile_paging_on();
    map_page(pd, TEST_VA, beyond_ram(), PTE_P | PTE_W);
    gprintf("INFO stack_beyond_ram: esp on gpa %x, then int $0x31\n", beyond_ram());
    __asm__ volatile("mov %0, %%esp\n\tint $0x31" : : "r"(TEST_VA + PAGE_SIZE));
    must_not_return("stack_beyond_ram");
}

// --- interrupt storms and PIC games ---
static volatile uint32_t ticks;
static void tick(struct trap_frame *f) { (void)f; ticks++; pic_eoi(IRQ_TIMER); }
// Spin with IF=1 while the PIT fires at 10 kHz: the guest must make progress.
static void pit_storm(void) {
    pic_init();
    trap_set_handler(PIC_VECTOR_BASE + IRQ_TIMER, tick);
    pit_periodic(STORM_HZ);
    pic_unmask(IRQ_TIMER);
    volatile uint32_t spins = 0;
    sti();
    while (spins < STORM_SPINS) spins++;
    cli();
    pic_mask(IRQ_TIMER);
    test_check(spins == STORM_SPINS && ticks > 0, "pit_storm", "spins %u ticks %u", spins, ticks);
}
// EOIs with nothing in service, OCW3 reads, poll mode, then the timer must still wake HLT.
static void pic_eoi_storm(void) {
    pic_init();
    for (int i = 0; i < 300; i++) {
        outb(PIC1_CMD, 0x20);
        outb(PIC2_CMD, 0x20);
        outb(PIC1_CMD, (uint8_t)(0x60 | (i & 7)));
        outb(PIC1_CMD, 0x0a); (void)inb(PIC1_CMD);
        outb(PIC1_CMD, 0x0b); (void)inb(PIC1_CMD);
    }
    outb(PIC1_CMD, 0x0c);
    (void)inb(PIC1_CMD);
    outb(PIC1_CMD, 0x68);    // special mask mode on
    outb(PIC1_CMD, 0x48);    // and off
    pic_init();
    trap_set_handler(PIC_VECTOR_BASE + IRQ_TIMER, tick);
    pit_periodic(200);
    pic_unmask(IRQ_TIMER);
    for (int i = 0; i < 3; i++) sti_hlt();
    cli();
    pic_mask(IRQ_TIMER);
    test_check(ticks >= 3, "pic_eoi_storm", "ticks %u", ticks);
}
// The PIC remapped onto the exception vectors: IRQ0 arrives at vector 8 without an error code.
volatile uint32_t irq8_count;
void irq8_stub(void);
__asm__(".globl irq8_stub\nirq8_stub:\n\tpush %eax\n\tincl irq8_count\n\tmov $0x20, %al\n\toutb %al, $0x20\n\t"
        "pop %eax\n\tiret\n");
static void pic_on_exceptions(void) {
    outb(PIC1_CMD, 0x11); outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 0x08); outb(0xa1, 0x70);
    outb(PIC1_DATA, 0x04); outb(0xa1, 0x02);
    outb(PIC1_DATA, 0x01); outb(0xa1, 0x01);
    outb(PIC1_DATA, 0xfe); outb(0xa1, 0xff);
    idt_set_gate(VEC_DF, (uint32_t)irq8_stub, GATE_INTR);
    pit_periodic(500);
    for (int i = 0; i < 3; i++) sti_hlt();
    cli();
    outb(PIC1_DATA, 0xff);
    idt_set_gate(VEC_DF, idt_stub(VEC_DF), GATE_INTR);
    test_check(irq8_count >= 3, "pic_on_exceptions", "irq8 count %u", irq8_count);
}

const struct attack desc_attacks[] = {
    { "gdt_limit0", gdt_limit0 },           { "gdt_beyond_ram", gdt_beyond_ram },
    { "idt_beyond_ram", idt_beyond_ram },   { "idt_limit0_int", idt_limit0_int },
    { "seg_loads", seg_loads },             { "far_transfers", far_transfers },
    { "task_gate_idt", task_gate_idt },     { "task_gate_busy", task_gate_busy },
    { "task_gate_gdt", task_gate_gdt },     { "pf_gate_not_present", pf_gate_not_present },
    { "stack_unmapped", stack_unmapped },   { "stack_beyond_ram", stack_beyond_ram },
    { "pit_storm", pit_storm },             { "pic_eoi_storm", pic_eoi_storm },
    { "pic_on_exceptions", pic_on_exceptions }, { 0, 0 },
};
