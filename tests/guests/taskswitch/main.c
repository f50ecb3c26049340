// main.c — taskswitch.elf: hardware task switches (far JMP/CALL to a TSS or task gate,
// IRET with NT, INT n / exceptions / VMM-delivered events through task gates) stay inside
// the guest's own memory, and the task-switch and LTR checks raise the architectural faults
#include "desc.h"
#include "io.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define PROBE_VA     0x40000000u     // mapped only in the forged directory (tasks.asm)
#define CANARY       0xc0ffee01u
#define STACK_SIZE   4096
#define NTASKS       5
#define VEC_OF_GATE  0x40            // INT 0x40: a task gate
#define VEC_NP       11
#define VEC_TS       10
#define ERR_IDT      2
#define TSS_BUSY     (1u << 9)       // in a descriptor's high dword
#define TSS_LIMIT    0x67
#define TSS_SHORT    0x40
#define ACC_TSS      0x89            // present, 32-bit TSS, available
#define ACC_TSS_NP   0x09            // not present
#define ACC_TASKGATE 0x85

// Selectors past the library's GDT (desc.h), in this kernel's own copy of it.
#define SEL_TSS_JMP   0x40           // task entered by far JMP, JMPs back
#define SEL_DATA      0x48           // an ordinary data segment
#define SEL_TSS_NP    0x50           // a TSS descriptor with P=0
#define SEL_TSS_SHORT 0x58           // a TSS whose limit is below 0x67
#define SEL_GATE_JMP  0x60           // a task gate in the GDT to SEL_TSS_JMP
#define SEL_TSS_B     0x68           // a second TSS for LTR (tasks.asm)
#define SEL_TSS_IRET  0x70           // task entered by CALL / INT n, IRETs back
#define SEL_TSS_UD    0x78           // #UD handler task
#define SEL_TSS_PF    0x80           // #PF handler task
#define NGDT          17

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));
struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

// Shared with tasks.asm.
volatile uint32_t task_seen, task_eflags, task_err;
volatile uint16_t task_tr;
struct far_ptr back_ptr;
void task_jmp_entry(void), task_iret_entry(void), task_ud_entry(void), task_pf_entry(void);
void far_jmp(const struct far_ptr *p), far_call(const struct far_ptr *p);
void int_task_gate(void), ud_insn(void), pf_insn(void), user_ltr(void);

static uint64_t gdt[NGDT] __attribute__((aligned(8)));
static union tss_page tss_pages[NTASKS] __attribute__((aligned(4096)));
static uint8_t stacks[NTASKS][STACK_SIZE] __attribute__((aligned(16)));
static uint32_t *kpd, *forged_pd;

static uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access) {
    return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(base >> 24) << 56);
}

static uint32_t high_word(uint16_t sel) { return (uint32_t)(gdt[sel >> 3] >> 32); }
static void clear_busy(uint16_t sel) { gdt[sel >> 3] &= ~((uint64_t)TSS_BUSY << 32); }

// A task on the forged directory, entered at eip with its own stack.
static struct tss *task_tss(int i, void (*eip)(void)) {
    struct tss *t = &tss_pages[i].t;
    t->cr3 = (uint32_t)forged_pd;
    t->eip = (uint32_t)eip;
    t->eflags = EFLAGS_RSVD;
    t->esp = (uint32_t)stacks[i] + STACK_SIZE;
    t->cs = SEL_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KDATA;
    t->iomap = sizeof(struct tss);
    return t;
}

// This kernel's GDT: the library's entries (read with SGDT), then the test descriptors.
static void gdt_build(void) {
    struct dtr d;
    __asm__ volatile("sgdt %0" : "=m"(d));
    const uint64_t *lib = (const uint64_t *)d.base;
    for (int i = 0; i < GDT_ENTRIES; i++) gdt[i] = lib[i];
    gdt[SEL_TSS_JMP >> 3] = make_desc((uint32_t)task_tss(0, task_jmp_entry), TSS_LIMIT, ACC_TSS);
    gdt[SEL_DATA >> 3] = gdt[SEL_KDATA >> 3];
    gdt[SEL_TSS_NP >> 3] = make_desc((uint32_t)&tss_pages[0], TSS_LIMIT, ACC_TSS_NP);
    gdt[SEL_TSS_SHORT >> 3] = make_desc((uint32_t)&tss_pages[0], TSS_SHORT, ACC_TSS);
    gdt[SEL_GATE_JMP >> 3] = ((uint64_t)SEL_TSS_JMP << 16) | ((uint64_t)ACC_TASKGATE << 40);
    gdt[SEL_TSS_B >> 3] = make_desc((uint32_t)&tss_second, TSS_LIMIT, ACC_TSS);
    gdt[SEL_TSS_IRET >> 3] = make_desc((uint32_t)task_tss(1, task_iret_entry), TSS_LIMIT, ACC_TSS);
    gdt[SEL_TSS_UD >> 3] = make_desc((uint32_t)task_tss(2, task_ud_entry), TSS_LIMIT, ACC_TSS);
    gdt[SEL_TSS_PF >> 3] = make_desc((uint32_t)task_tss(3, task_pf_entry), TSS_LIMIT, ACC_TSS);
    d.base = (uint32_t)gdt;
    d.limit = sizeof gdt - 1;
    __asm__ volatile("lgdt %0" : : "m"(d) : "memory");
}

// Paging on with the identity layout; the forged directory adds PROBE_VA -> a canary frame.
static void paging_build(void) {
    kpd = pd_new_identity(PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
    forged_pd = pd_clone(kpd);
    uint32_t canary = page_alloc_low();
    *(volatile uint32_t *)canary = CANARY;
    map_page(forged_pd, PROBE_VA, canary, PTE_P | PTE_W);
    paging_enable(kpd, CR4_PSE);
    tss_main.cr3 = (uint32_t)kpd;      // the CPU never stores CR3 into the old TSS
}

static int expect_fault(const char *name, void (*fn)(void *), void *arg, int vec, uint32_t err) {
    int r = trap_call(fn, arg);
    return test_check(r == vec && trap_last.err == err && read_tr() == SEL_TSS, name,
                      "vector=%d err=%x tr=%x (want vector %d err %x)", r, trap_last.err, read_tr(), vec, err);
}

static void do_far_jmp(void *sel) { struct far_ptr p = { 0, (uint16_t)(uint32_t)sel }; far_jmp(&p); }
static void do_far_call(void *sel) { struct far_ptr p = { 0, (uint16_t)(uint32_t)sel }; far_call(&p); }
static void do_ltr(void *sel) { __asm__ volatile("ltr %w0" : : "r"((uint16_t)(uint32_t)sel) : "memory"); }
static void do_pf(void *unused) { (void)unused; pf_insn(); }
#define SEL(s) ((void *)(uint32_t)(s))

// JMP/CALL to bad TSS descriptors (the CPU checks these before touching any TSS).
static void check_bad_targets(void) {
    expect_fault("ts_jmp_busy_self_gp", do_far_jmp, SEL(SEL_TSS), VEC_GP, SEL_TSS);
    expect_fault("ts_call_busy_self_gp", do_far_call, SEL(SEL_TSS), VEC_GP, SEL_TSS);
    expect_fault("ts_jmp_data_gp", do_far_jmp, SEL(SEL_DATA), VEC_GP, SEL_DATA);
    expect_fault("ts_jmp_not_present_np", do_far_jmp, SEL(SEL_TSS_NP), VEC_NP, SEL_TSS_NP);
    expect_fault("ts_jmp_short_limit_ts", do_far_jmp, SEL(SEL_TSS_SHORT), VEC_TS, SEL_TSS_SHORT);
}

// Events the VMM delivers (a reflected #PF) through task gates to bad TSSs: the switch is
// refused with a fault, which during a #PF's delivery makes a #DF (error 0).
static void check_bad_gates(void) {
    static const struct { const char *name; uint16_t sel; } cases[] = {
        { "ts_gate_busy_self_df", SEL_TSS },
        { "ts_gate_data_df", SEL_DATA },
        { "ts_gate_not_present_df", SEL_TSS_NP },
        { "ts_gate_short_limit_df", SEL_TSS_SHORT },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idt_set_task_gate(VEC_PF, cases[i].sel);
        expect_fault(cases[i].name, do_pf, 0, VEC_DF, 0);
    }
    idt_set_gate(VEC_PF, idt_stub(VEC_PF), GATE_INTR);
    test_check(!(high_word(SEL_TSS_NP) & TSS_BUSY) && !(high_word(SEL_TSS_SHORT) & TSS_BUSY) &&
               (high_word(SEL_TSS) & TSS_BUSY), "ts_gate_refused_busy_bits", "np %x short %x main %x",
               high_word(SEL_TSS_NP), high_word(SEL_TSS_SHORT), high_word(SEL_TSS));
}

// LTR's checks, then a real LTR and a switch saving into the new TR.
static void check_ltr(void) {
    if (myrmex()) expect_fault("ltr_null_gp0", do_ltr, SEL(0), VEC_GP, 0);
    else test_skip("ltr_null_gp0", "QEMU TCG loads a null TR without #GP");
    expect_fault("ltr_data_gp", do_ltr, SEL(SEL_DATA), VEC_GP, SEL_DATA);
    expect_fault("ltr_busy_gp", do_ltr, SEL(SEL_TSS), VEC_GP, SEL_TSS);
    expect_fault("ltr_not_present_np", do_ltr, SEL(SEL_TSS_NP), VEC_NP, SEL_TSS_NP);
    expect_fault("ltr_gate_gp", do_ltr, SEL(SEL_GATE_JMP), VEC_GP, SEL_GATE_JMP);
    int r = user_call(user_ltr, 0);
    test_check(r == VEC_GP && trap_last.err == 0 && read_tr() == SEL_TSS, "ltr_user_gp0", "vector=%d err=%x", r,
               trap_last.err);

    do_ltr(SEL(SEL_TSS_B));
    test_check(read_tr() == SEL_TSS_B && (high_word(SEL_TSS_B) & TSS_BUSY), "ltr_loads_busy", "tr=%x high=%x",
               read_tr(), high_word(SEL_TSS_B));
    // The next switch stores the outgoing task into the TSS LTR just named.
    tss_second.cr3 = (uint32_t)kpd;
    task_seen = 0;
    back_ptr = (struct far_ptr){ 0, SEL_TSS_B };
    do_far_jmp(SEL(SEL_TSS_JMP));
    test_check(read_tr() == SEL_TSS_B && task_seen == CANARY && tss_second.eip != 0 &&
               tss_second.cs == SEL_KCODE, "ltr_then_switch_saves", "tr=%x seen=%x eip=%x cs=%x", read_tr(), task_seen,
               tss_second.eip, tss_second.cs);
    clear_busy(SEL_TSS);
    do_ltr(SEL(SEL_TSS));
    clear_busy(SEL_TSS_B);
    test_check(read_tr() == SEL_TSS, "ltr_back", "tr=%x", read_tr());
}

static volatile uint32_t marker = 0x12345678;

// Real switches: each task runs on the forged directory and must read the guest's own
// canary through it; the main task must find its own memory afterwards.
static void check_switches(void) {
    back_ptr = (struct far_ptr){ 0, SEL_TSS };
    task_seen = 0;
    do_far_jmp(SEL(SEL_TSS_JMP));
    test_check(task_seen == CANARY && task_tr == SEL_TSS_JMP, "ts_jmp_contained", "seen=%x (want %x) task tr=%x",
               task_seen, CANARY, task_tr);
    test_check(read_tr() == SEL_TSS && read_cr3() == (uint32_t)kpd && marker == 0x12345678, "ts_jmp_back",
               "tr=%x cr3=%x marker=%x", read_tr(), read_cr3(), marker);
    test_check(!(high_word(SEL_TSS_JMP) & TSS_BUSY) && (high_word(SEL_TSS) & TSS_BUSY), "ts_jmp_busy_bits",
               "task %x main %x", high_word(SEL_TSS_JMP), high_word(SEL_TSS));

    task_seen = 0;
    do_far_jmp(SEL(SEL_GATE_JMP));
    test_check(task_seen == CANARY && read_tr() == SEL_TSS, "ts_jmp_gdt_task_gate", "seen=%x tr=%x", task_seen,
               read_tr());

    task_seen = task_eflags = 0;
    do_far_call(SEL(SEL_TSS_IRET));
    struct tss *t = &tss_pages[1].t;
    test_check(task_seen == CANARY && (task_eflags & EFLAGS_NT) && t->link == SEL_TSS && task_tr == SEL_TSS_IRET,
               "ts_call_link_nt", "seen=%x eflags=%x link=%x tr=%x", task_seen, task_eflags, t->link, task_tr);
    test_check(read_tr() == SEL_TSS && read_cr3() == (uint32_t)kpd && !(read_eflags() & EFLAGS_NT) &&
               !(high_word(SEL_TSS_IRET) & TSS_BUSY) && marker == 0x12345678, "ts_iret_nt_back",
               "tr=%x cr3=%x eflags=%x high=%x", read_tr(), read_cr3(), read_eflags(), high_word(SEL_TSS_IRET));

    idt_set_task_gate(VEC_OF_GATE, SEL_TSS_IRET);
    task_seen = 0;
    int_task_gate();
    test_check(task_seen == CANARY && read_tr() == SEL_TSS && read_cr3() == (uint32_t)kpd, "ts_int_task_gate_iret",
               "seen=%x tr=%x cr3=%x", task_seen, read_tr(), read_cr3());

    idt_set_task_gate(VEC_UD, SEL_TSS_UD);
    task_seen = 0;
    ud_insn();
    test_check(task_seen == CANARY && read_tr() == SEL_TSS, "ts_ud_task_gate_iret", "seen=%x tr=%x", task_seen,
               read_tr());
    idt_set_gate(VEC_UD, idt_stub(VEC_UD), GATE_INTR);

    idt_set_task_gate(VEC_PF, SEL_TSS_PF);
    task_seen = 0;
    task_err = ~0u;
    pf_insn();
    test_check(task_seen == CANARY && task_err == 0 && read_tr() == SEL_TSS && read_cr3() == (uint32_t)kpd,
               "ts_pf_task_gate_iret", "seen=%x err=%x tr=%x cr3=%x", task_seen, task_err, read_tr(), read_cr3());
    idt_set_gate(VEC_PF, idt_stub(VEC_PF), GATE_INTR);
}

void guest_main(void) {
    paging_build();
    gdt_build();
    check_bad_targets();
    check_bad_gates();
    check_ltr();
    check_switches();
    test_finish();
}
