// taskswitch.h — task switches and LTR emulated by the VMM, with the architectural checks.
#pragma once
#include "kernel/types.h"
#include "vmm/vcpu.h"

// Far JMP or CALL (kind TS_KIND_JMP/CALL) to selector `sel` by the instruction ending at
// next_eip. False (nothing done) when `sel` names neither a TSS nor a task gate.
bool task_switch_far(struct vcpu *v, u16 sel, int kind, u32 next_eip);
// IRET with EFLAGS.NT=1 ending at next_eip: back to the task in the current TSS's link.
void task_switch_iret(struct vcpu *v, u32 next_eip);
// INT n, INT3 or INTO (ending at next_eip) raising `vector`. False (nothing done) when the
// IDT entry is not a task gate; otherwise the gate is checked and the switch performed.
bool task_switch_int(struct vcpu *v, int vector, u32 next_eip);
// Is IDT entry `vector` a task gate?
bool task_gate_at(struct vcpu *v, int vector);
// Emulate the intercepted LTR at CS:RIP (SDM vol. 2 LTR: checks, busy bit, TR load).
void task_ltr(struct vcpu *v);
