// tssguard.h — the TSS guard: a hardware task switch can never complete behind the VMM.
#pragma once
#include "kernel/types.h"
#include "vmm/vcpu.h"

// Make the frames under the current TSS (TR.base .. +103, through the current address
// space) the ones the shadow keeps read-only. Called on every TR, CR3 and paging change
// and before every shadow fill (the guest may have remapped its TSS).
void tssguard_refresh(struct vcpu *v);
// A write fault at `va` that the shadow refused (MMU_EMULATE). True when the guard handled
// it: the instruction or event was a task switch (performed, or left to task_gate_deliver),
// or it cannot be handled (VM stopped). False: an ordinary write, to emulate.
bool tssguard_write_fault(struct vcpu *v, u32 va);
