// trap.c — trap dispatch, recorded fault information, and catching faults of probes
#include "trap.h"
#include "desc.h"
#include "io.h"
#include "print.h"
#include "test.h"

#define USER_STACK_SIZE 8192

volatile struct trap_info trap_last;
volatile struct user_args user_args;
static trap_handler_t handlers[IDT_VECTORS];
static struct catch_buf catch_buf;
static volatile int catch_armed;
static uint8_t user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));

int catch_setjmp(struct catch_buf *b) __attribute__((returns_twice));
void catch_longjmp(struct catch_buf *b, int value) __attribute__((noreturn));
void user_enter(uint32_t eip, uint32_t esp, uint32_t eflags) __attribute__((noreturn));

// Install the IDT and the default dispatch.
void trap_init(void) {
    idt_init();
    idt_set_gate(USER_EXIT_VECTOR, idt_stub(USER_EXIT_VECTOR), GATE_INTR | GATE_DPL3);
}

// Route a vector to handler (NULL: back to fault catching / fatal report).
void trap_set_handler(int vec, trap_handler_t h) { handlers[vec] = h; }

// C entry from isr_common: record, then hand to a handler, a catcher, or report and stop.
void trap_dispatch(struct trap_frame *f) {
    if (handlers[f->vector]) { handlers[f->vector](f); return; }
    trap_last.vector = f->vector;
    trap_last.err = f->err;
    trap_last.cr2 = read_cr2();
    trap_last.eip = f->eip;
    trap_last.cs = f->cs;
    trap_last.eflags = f->eflags;
    trap_last.eax = f->eax;
    trap_last.ecx = f->ecx;
    trap_last.edx = f->edx;
    trap_last.esi = f->esi;
    trap_last.edi = f->edi;
    trap_last.count++;
    if (catch_armed) {
        catch_armed = 0;
        catch_longjmp(&catch_buf, (int)f->vector + 1);
    }
    test_fail("unexpected_trap", "vector=%u err=%x eip=%x cs=%x cr2=%x", f->vector, f->err, f->eip,
              f->cs, read_cr2());
    test_finish();
}

// Run fn(arg) in ring 0; return the vector of a fault it took, or TRAP_NONE.
int trap_call(void (*fn)(void *), void *arg) {
    int r = catch_setjmp(&catch_buf);
    if (r == 0) {
        catch_armed = 1;
        fn(arg);
        catch_armed = 0;
        return TRAP_NONE;
    }
    return r - 1;
}

// Run the ring 3 routine at eip (IF as given); return the fault vector or TRAP_NONE.
int user_call(void (*eip)(void), int interrupts) {
    int r = catch_setjmp(&catch_buf);
    if (r == 0) {
        catch_armed = 1;
        user_enter((uint32_t)eip, (uint32_t)user_stack + USER_STACK_SIZE,
                   EFLAGS_RSVD | (interrupts ? EFLAGS_IF : 0));
    }
    return r - 1 == USER_EXIT_VECTOR ? TRAP_NONE : r - 1;
}

struct access { uint32_t va, v; };

// trap_call bodies for the probes.
static void do_read(void *a) { struct access *x = a; x->v = raw_read32(x->va); }
static void do_write(void *a) { struct access *x = a; raw_write32(x->va, x->v); }

// Read a dword in ring 0; fault vector or TRAP_NONE.
int probe_read(uint32_t va, uint32_t *out) {
    struct access a = { va, 0 };
    int r = trap_call(do_read, &a);
    if (r == TRAP_NONE && out) *out = a.v;
    return r;
}

// Write a dword in ring 0; fault vector or TRAP_NONE.
int probe_write(uint32_t va, uint32_t v) {
    struct access a = { va, v };
    return trap_call(do_write, &a);
}

// Read a dword in ring 3; fault vector or TRAP_NONE.
int user_read(uint32_t va, uint32_t *out) {
    user_args.addr = va;
    int r = user_call(user_read32, 0);
    if (r == TRAP_NONE && out) *out = user_args.result;
    return r;
}

// Write a dword in ring 3; fault vector or TRAP_NONE.
int user_write(uint32_t va, uint32_t v) {
    user_args.addr = va;
    user_args.value = v;
    return user_call(user_write32, 0);
}

struct msr_access { uint32_t msr; uint64_t v; };

// trap_call bodies for the MSR probes.
static void do_rdmsr(void *a) { struct msr_access *x = a; x->v = rdmsr(x->msr); }
static void do_wrmsr(void *a) { struct msr_access *x = a; wrmsr(x->msr, x->v); }

// RDMSR that may fault: fault vector or TRAP_NONE.
int probe_rdmsr(uint32_t msr, uint64_t *out) {
    struct msr_access a = { msr, 0 };
    int r = trap_call(do_rdmsr, &a);
    if (r == TRAP_NONE && out) *out = a.v;
    return r;
}

// WRMSR that may fault: fault vector or TRAP_NONE.
int probe_wrmsr(uint32_t msr, uint64_t v) {
    struct msr_access a = { msr, v };
    return trap_call(do_wrmsr, &a);
}
