// msr.c — the guest's MSRs: EFER (SVME hidden), TSC, SYSENTER; everything else #GP,
// logged once per MSR. docs/msr.md lists what Linux reads on the presented CPU.
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define EFER_GUEST_WRITABLE 0ULL    // no SYSCALL, LM or NX is offered: only 0 is valid

// One line per unknown MSR; once VM_MAX_LOGGED_MSRS are logged, one last line and
// silence, so that a guest probing MSRs in a loop cannot flood the console.
static void log_once(struct vm *vm, u32 msr, bool write)
{
    for (int i = 0; i < vm->nlogged_msrs; i++)      // nlogged_msrs <= VM_MAX_LOGGED_MSRS
        if (vm->logged_msrs[i] == msr) return;
    if (vm->nlogged_msrs == VM_MAX_LOGGED_MSRS) {
        if (!vm->msr_log_full)
            log_warn("vm=%d unknown msr log full: further unknown msrs not logged", vm->id);
        vm->msr_log_full = true;
        return;
    }
    vm->logged_msrs[vm->nlogged_msrs++] = msr;
    log_warn("vm=%d msr unknown %s 0x%x: #GP to the guest", vm->id, write ? "wrmsr" : "rdmsr", msr);
}

bool msr_handle(struct vcpu *v, bool write)
{
    u32 msr = (u32)v->gpr[RCX];
    u64 val = (v->gpr[RDX] << 32) | (u32)v->gpr[RAX];
    switch (msr) {
    case MSR_EFER:
        if (!write) { val = v->efer; break; }
        if (val & ~EFER_GUEST_WRITABLE) { guest_inject_gp(v); return false; }
        v->efer = val;
        return true;
    case MSR_TSC:
        if (!write) { val = rdtsc() + vcpu_get_tsc_offset(v); break; }
        vcpu_set_tsc_offset(v, val - rdtsc());
        return true;
    case MSR_SYSENTER_CS: case MSR_SYSENTER_ESP: case MSR_SYSENTER_EIP:
        if (!write) { val = vcpu_get_msr(v, msr); break; }
        vcpu_set_msr(v, msr, (u32)val);
        return true;
    default:
        log_once(v->vm, msr, write);
        guest_inject_gp(v);
        return false;
    }
    v->gpr[RAX] = (u32)val;
    v->gpr[RDX] = (u32)(val >> 32);
    return true;
}
