// guest.h — helpers the exit handlers share: instruction fetch, RIP advance, event injection.
#pragma once
#include "kernel/types.h"
#include "vmm/vcpu.h"
#include "vmm/decode.h"

// Fetch and decode the instruction at CS:RIP; false (VM stopped, logged) if impossible.
bool guest_fetch_insn(struct vcpu *v, struct insn *in);
// Move RIP past the exiting instruction (next_rip from the backend, or decoded length).
void guest_skip_insn(struct vcpu *v, const struct exit_info *e);
// Deliver an exception, combining it with an event already being delivered as the CPU
// does (#DF, triple fault).
void guest_inject_exception(struct vcpu *v, int vector, bool has_error, u32 error);
void guest_inject_pf(struct vcpu *v, u32 va, u32 pfec);
static inline void guest_inject_gp(struct vcpu *v) { guest_inject_exception(v, 13, true, 0); }
static inline void guest_inject_ud(struct vcpu *v) { guest_inject_exception(v, 6, false, 0); }
// Make the pages an injected event's delivery touches present in the shadow.
void guest_prefault_delivery(struct vcpu *v);
// Deliver pending external interrupts from the PIC, or ask for a window to do so.
void guest_deliver_interrupts(struct vcpu *v);
// Segment base of segment register s (0 for a flat guest).
u32 guest_seg_base(struct vcpu *v, int s);
// Is the code segment 32-bit?
bool guest_code32(struct vcpu *v);
// Read/write guest-virtual memory on the guest's behalf. On a guest page fault the
// #PF is injected and false returned; on memory outside RAM the VM stops.
bool guest_read_virt(struct vcpu *v, u32 va, void *buf, u32 len);
bool guest_write_virt(struct vcpu *v, u32 va, const void *buf, u32 len);
// The CPU's own supervisor accesses (GDT, IDT, TSS), even at CPL 3; #PF injected on fault.
bool guest_read_sys(struct vcpu *v, u32 va, void *buf, u32 len);
bool guest_write_sys(struct vcpu *v, u32 va, const void *buf, u32 len);
// A supervisor read that injects nothing and stops nothing: false if it would fault.
bool guest_peek_sys(struct vcpu *v, u32 va, void *buf, u32 len);
// Would an access to [va, va+len) succeed? Injects the #PF (or stops the VM) if not.
bool guest_probe_virt(struct vcpu *v, u32 va, u32 len, bool write);

// Exit handlers (vmm/exit.c and friends).
void exit_handle(struct vcpu *v, struct exit_info *e);
void cpuid_handle(struct vcpu *v);
// Emulate RDMSR/WRMSR; false when it raised #GP (the instruction does not complete).
bool msr_handle(struct vcpu *v, bool write);
void io_handle(struct vcpu *v, const struct exit_info *e);
void task_switch_handle(struct vcpu *v, const struct exit_info *e);
// Check the IDT entry of the event about to be injected: switch tasks for a task gate,
// or turn an unusable entry into the fault the CPU would raise (#DF, triple fault).
void task_gate_deliver(struct vcpu *v);
void emulate_pt_write(struct vcpu *v, u32 va);
