// fpu.h — the guest register state VMRUN does not switch: x87/MMX/SSE and DR0-DR3.
//
// Each vCPU owns an FXSAVE image and its DR0-3. The VMM's own code never uses the FPU
// (-mgeneral-regs-only) nor the debug address registers, so the hardware keeps holding
// the state of the vCPU that ran last: the switch is lazy. Before a VMRUN, if another
// vCPU (or nobody) owns the hardware state, the owner's state is saved and this vCPU's
// loaded. A vCPU is created, and reset, in the power-up state below.
//
// Reset state: x87 as after FNINIT (FCW 0x037F, FSW 0, every register empty, pointers 0),
// which is what QEMU and Bochs present at power-up and what every firmware leaves; the
// RESET value FCW 0x0040 with all tags valid (Intel SDM vol. 3 table 9-1) is never what
// a boot loader hands over. MXCSR 0x1F80, XMM0-7 0 (reset and INIT alike). DR0-3 0; DR6
// 0xFFFF0FF0 and DR7 0x400 live in the VMCB and are set with it (vmm/svm.c).
#pragma once
#include "kernel/types.h"

#define FXSAVE_SIZE   512
#define FCW_INIT      0x037f   // every x87 exception masked, 64-bit precision, round to nearest
#define MXCSR_INIT    0x1f80   // every SSE exception masked, round to nearest

struct fpu_state {
    u8 fxsave[FXSAVE_SIZE] __attribute__((aligned(16)));
    u64 dr[4];                 // DR0-DR3
};

// Make the host ready for FXSAVE/FXRSTOR: CR0.EM and CR0.TS clear, CR4.OSFXSR set.
void fpu_host_init(void);
// A state in the power-up values above, or NULL when out of memory.
struct fpu_state *fpu_create(void);
// Free a state; if the hardware still holds it, nobody owns the hardware any more.
void fpu_destroy(struct fpu_state *f);
// Put a state back to the power-up values (it is loaded afresh at the next switch).
void fpu_reset(struct fpu_state *f);
// Before entering the guest that owns `f`: make the hardware hold `f`.
void fpu_switch_to(struct fpu_state *f);
