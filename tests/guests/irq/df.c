// df.c — irq.elf: #DF through a task gate (IDT 8 -> a TSS with its own CR3, ESP, EIP)
#include "irq.h"
#include "desc.h"
#include "io.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

#define DF_BAD_STACK 0x7f000000u     // must match df.asm
#define DF_STACK_SIZE 8192
#define CR2_SLACK    16              // the failed push lands just below the bad stack
#define TSS_BUSY     (1u << 9)       // in the descriptor's high dword

static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));
static uint32_t *df_pd;
extern char df_fault_insn[];
void df_trigger(void) __attribute__((noreturn));
void df_task_entry(void);
void df_task_main(uint32_t err) __attribute__((noreturn));

// Runs as the #DF task: check how the CPU (or the VMM) got here, then end the run.
void df_task_main(uint32_t err) {
    uint32_t cr2 = read_cr2(), cr3 = read_cr3(), eflags = read_eflags();
    uint16_t tr = read_tr();
    test_pass("df_task_gate_entered");
    test_check(err == 0, "df_error_code", "err=%x", err);
    test_check(tr == SEL_TSS2 && cr3 == (uint32_t)df_pd, "df_task_state", "tr=%x cr3=%x (want %x)", tr, cr3,
               (uint32_t)df_pd);
    test_check(tss_second.link == SEL_TSS && (eflags & EFLAGS_NT), "df_task_link", "link=%x eflags=%x", tss_second.link,
               eflags);
    test_check(tss_main.eip == (uint32_t)df_fault_insn && tss_main.esp == DF_BAD_STACK, "df_saved_state",
               "saved eip=%x (want %x) esp=%x", tss_main.eip, (uint32_t)df_fault_insn, tss_main.esp);
    test_check((gdt_high_word(SEL_TSS) & TSS_BUSY) && (gdt_high_word(SEL_TSS2) & TSS_BUSY), "df_tss_busy",
               "main %x second %x", gdt_high_word(SEL_TSS), gdt_high_word(SEL_TSS2));
    test_check(cr2 < DF_BAD_STACK && cr2 >= DF_BAD_STACK - CR2_SLACK, "df_cr2", "cr2=%x", cr2);
    test_finish();
}

// #DF through a task gate; ends the run from the #DF task.
void check_double_fault(void) {
    df_pd = pd_clone((uint32_t *)read_cr3());
    struct tss *t = &tss_second;
    t->cr3 = (uint32_t)df_pd;
    t->eip = (uint32_t)df_task_entry;
    t->eflags = EFLAGS_RSVD;
    t->esp = (uint32_t)df_stack + DF_STACK_SIZE;
    t->cs = SEL_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KDATA;
    t->ss0 = SEL_KDATA;
    t->esp0 = t->esp;
    idt_set_task_gate(VEC_DF, SEL_TSS2);
    gprintf("INFO df: #PF at %x with ESP=%x, expecting #DF through task gate %x\n", (uint32_t)df_fault_insn, DF_BAD_STACK,
            SEL_TSS2);
    cli();
    df_trigger();
}
