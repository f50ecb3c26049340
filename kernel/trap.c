// trap.c — GDT/TSS, IDT, and the common trap handler: IRQs, caught faults, panics.
#include "kernel/trap.h"
#include "kernel/x86.h"
#include "kernel/pic.h"
#include "kernel/panic.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define GDT_KCODE  0x08
#define GDT_KDATA  0x10
#define GDT_TSS    0x18
#define IST_STACK_SIZE 8192
#define IST_DF     1
#define IST_NMI    2
#define IST_MC     3
#define GATE_INTR  0x8e         // present, DPL 0, 64-bit interrupt gate
#define TSS_AVAIL  0x89
#define TSS_BUSY_BIT (1ULL << 41)

struct tss64 {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3, iomap_base;
} __attribute__((packed));

struct idt_gate {
    u16 off0, sel;
    u8 ist, type;
    u16 off1;
    u32 off2, reserved;
} __attribute__((packed));

struct desc_ptr { u16 limit; u64 base; } __attribute__((packed));

static u64 gdt[5];
static struct tss64 tss;
static struct idt_gate idt[256];
static u8 ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static void (*irq_handlers[16])(int);
static struct trap_catch *catcher;
extern const u64 isr_table[256];

// Build a 16-byte TSS descriptor in gdt[3..4].
static void set_tss_desc(void)
{
    u64 base = (u64)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | ((u64)TSS_AVAIL << 40) |
             ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
    gdt[4] = base >> 32;
}

// Load GDT, segments, TR and IDT.
void trap_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00209a0000000000ULL;   // 64-bit code
    gdt[2] = 0x0000920000000000ULL;   // data
    tss.ist[IST_DF - 1] = (u64)ist_stacks[0] + IST_STACK_SIZE;
    tss.ist[IST_NMI - 1] = (u64)ist_stacks[1] + IST_STACK_SIZE;
    tss.ist[IST_MC - 1] = (u64)ist_stacks[2] + IST_STACK_SIZE;
    tss.iomap_base = sizeof tss;
    set_tss_desc();
    struct desc_ptr gp = { sizeof gdt - 1, (u64)gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1: movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     :: "m"(gp), "i"(GDT_KCODE), "r"(GDT_KDATA) : "rax", "memory");
    trap_reload_tr();
    for (int v = 0; v < 256; v++) {
        u64 off = isr_table[v];
        idt[v] = (struct idt_gate){ off & 0xffff, GDT_KCODE, 0, GATE_INTR, off >> 16 & 0xffff,
                                    off >> 32, 0 };
    }
    idt[EXC_DF].ist = IST_DF;
    idt[EXC_NMI].ist = IST_NMI;
    idt[18].ist = IST_MC;
    struct desc_ptr ip = { sizeof idt - 1, (u64)idt };
    __asm__ volatile("lidt %0" :: "m"(ip));
}

// Reload the GDT and TR; the TSS descriptor is marked available first (LTR faults on busy).
void trap_reload_tr(void)
{
    struct desc_ptr gp = { sizeof gdt - 1, (u64)gdt };
    gdt[3] &= ~TSS_BUSY_BIT;
    __asm__ volatile("lgdt %0; ltr %w1" :: "m"(gp), "r"(GDT_TSS) : "memory");
}

void irq_register(int irq, void (*fn)(int irq))
{
    irq_handlers[irq] = fn;
    pic_unmask(irq);
}

void irq_eoi(int irq) { pic_eoi(irq); }

void trap_catch_arm(struct trap_catch *c) { c->caught = false; catcher = c; }
void trap_catch_disarm(void) { catcher = NULL; }

// rdmsr that survives a #GP: the resume point is recorded just before the rdmsr.
bool rdmsr_safe(u32 msr, u64 *v)
{
    struct trap_catch c = { .vector = EXC_GP };
    u32 lo = 0, hi = 0;
    trap_catch_arm(&c);
    __asm__ volatile("leaq 1f(%%rip), %%r8\n\t"
                     "movq %%r8, %[resume]\n\t"
                     "rdmsr\n"
                     "1:"
                     : "+a"(lo), "+d"(hi), [resume] "=m"(c.resume_rip)
                     : "c"(msr)
                     : "r8", "memory");
    trap_catch_disarm();
    *v = c.caught ? 0 : ((u64)hi << 32 | lo);
    return !c.caught;
}

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment", "#MC machine check",
    "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

// Dump the registers of a trap frame, one line each group, plus a frame-pointer backtrace.
void trap_dump(const struct trapframe *tf)
{
    log_err("dump vector=%llu error=0x%llx rip=0x%llx cs=0x%llx rflags=0x%llx cr2=0x%llx",
            tf->vector, tf->error, tf->rip, tf->cs, tf->rflags, read_cr2());
    log_err("dump rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    log_err("dump rsi=0x%llx rdi=0x%llx rbp=0x%llx rsp=0x%llx", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
    log_err("dump r8=0x%llx r9=0x%llx r10=0x%llx r11=0x%llx", tf->r8, tf->r9, tf->r10, tf->r11);
    log_err("dump r12=0x%llx r13=0x%llx r14=0x%llx r15=0x%llx", tf->r12, tf->r13, tf->r14, tf->r15);
    log_err("dump cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx", read_cr0(), read_cr3(), read_cr4(),
            rdmsr(MSR_EFER));
    panic_backtrace(tf->rbp);
}

// Common entry from isr.asm.
void trap(struct trapframe *tf)
{
    int v = (int)tf->vector;
    if (v >= IRQ_BASE && v < IRQ_BASE + 16) {
        int irq = v - IRQ_BASE;
        if (pic_is_spurious(irq)) return;
        if (irq_handlers[irq]) irq_handlers[irq](irq);
        else log_warn("irq %d without a handler", irq);
        irq_eoi(irq);
        return;
    }
    if (v == VEC_SPURIOUS) return;
    if (v == EXC_NMI) {              // e.g. taken after a guest's NMI exit: nothing to do
        log_warn("host NMI at rip=0x%llx", tf->rip);
        return;
    }
    if (catcher && catcher->vector == v) {
        catcher->caught = true;
        catcher->error = tf->error;
        catcher->cr2 = read_cr2();
        tf->rip = catcher->resume_rip;
        catcher = NULL;
        return;
    }
    log_err("exception in the VMM: %s", v < 32 && exc_names[v] ? exc_names[v] : "unexpected vector");
    trap_dump(tf);
    panic("unhandled exception vector=%d", v);
}
