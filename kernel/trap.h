// trap.h — host interrupts and exceptions: the IDT, the trap frame, handlers, catching.
#pragma once
#include "kernel/types.h"

#define IRQ_BASE     32      // host PIC vectors 32..47
#define IRQ_TIMER    0
#define VEC_SPURIOUS 255

// Saved by isr.asm; the layout is shared with it.
struct trapframe {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error;
    u64 rip, cs, rflags, rsp, ss;     // pushed by the CPU
};

// Load the GDT with a TSS (IST stacks for #DF, NMI, #MC) and the IDT.
void trap_init(void);
// Reload this CPU's TR and GDT (after a world switch left them in an unknown state).
void trap_reload_tr(void);
// Install a handler for host IRQ line `irq` (0-15).
void irq_register(int irq, void (*fn)(int irq));
// Call from handlers of `irq`: acknowledge at the PIC.
void irq_eoi(int irq);

// Catch exception `vector` once: instead of panicking, resume at `resume_rip` and record
// the error code and CR2. Used by selftests and safe MSR reads.
struct trap_catch {
    int vector;
    u64 resume_rip;
    bool caught;
    u64 error, cr2;
};
void trap_catch_arm(struct trap_catch *c);
void trap_catch_disarm(void);

// Read an MSR that may not exist; false (and *v = 0) on #GP.
bool rdmsr_safe(u32 msr, u64 *v);

// Print a register dump of `tf`.
void trap_dump(const struct trapframe *tf);
