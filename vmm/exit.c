// exit.c — the backend-neutral exit dispatcher: every intercept the guest can cause.
#include "vmm/guest.h"
#include "vmm/taskswitch.h"
#include "vmm/tssguard.h"
#include "vmm/vm.h"
#include "mmu/paging.h"
#include "mmu/shadow.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define CR0_RESERVED_CHECKED (CR0_NW)
#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE | CR4_OSFXSR | \
                       CR4_OSXMMEXCPT | CR4_MCE)

static u32 read_cr(struct vcpu *v, int cr)
{
    switch (cr) {
    case 0: return v->cr0;
    case 2: return v->cr2;
    case 3: return v->cr3;
    case 4: return v->cr4;
    }
    return 0;
}

// Paging with a page directory outside guest RAM cannot be shadowed: stop the VM.
// True when cr3 names a directory in RAM; otherwise the VM is stopped and false returned.
static bool dir_ok(struct vcpu *v, u32 cr3)
{
    if (mmu_dir_valid(v->mmu, cr3)) return true;
    log_err("vm=%d page directory outside guest RAM: cr3=0x%x rip=0x%llx", v->vm->id, cr3, v->rip);
    vm_stop(v->vm, "bad-cr3", 1);
    return false;
}

// Apply a guest write to CR0/CR3/CR4; false if it must raise #GP.
static bool write_cr(struct vcpu *v, int cr, u32 val)
{
    u32 old0 = v->cr0, old4 = v->cr4;
    switch (cr) {
    case 0:
        if ((val & CR0_PG) && !(val & CR0_PE)) return false;
        if ((val & CR0_NW) && !(val & CR0_CD)) return false;
        if (!(val & CR0_PE)) {
            log_err("vm=%d real mode (CR0.PE=0) is not supported", v->vm->id);
            vm_stop(v->vm, "unsupported-real-mode", 1);
            return true;
        }
        if ((val & CR0_PG) && !dir_ok(v, v->cr3)) return true;
        v->cr0 = val | CR0_ET;
        mmu_paging_changed(v, old0, old4);
        return true;
    case 3:
        if ((v->cr0 & CR0_PG) && !dir_ok(v, val)) return true;
        mmu_load_cr3(v, val);
        return true;
    case 4:
        if (val & ~CR4_SUPPORTED) return false;   // PAE, VME, PCIDE, ... are not offered
        v->cr4 = val;
        mmu_paging_changed(v, old0, old4);
        return true;
    }
    return false;
}

static void handle_cr(struct vcpu *v, struct exit_info *e)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return;
    u32 src;
    switch (in.cls) {
    case INSN_MOV_TO_CR:
        if (!write_cr(v, in.cr, (u32)v->gpr[in.rm])) { guest_inject_gp(v); return; }
        break;
    case INSN_MOV_FROM_CR:
        v->gpr[in.rm] = read_cr(v, in.cr);
        break;
    case INSN_CLTS:
        write_cr(v, 0, v->cr0 & ~CR0_TS);
        break;
    case INSN_LMSW:
        if (in.has_mem) {
            u16 w;
            u32 base = guest_seg_base(v, in.mem.seg);
            u32 g[8];
            for (int i = 0; i < 8; i++) g[i] = (u32)v->gpr[i];
            if (!guest_read_virt(v, base + decode_ea(&in, g), &w, 2)) return;
            src = w;
        } else {
            src = (u16)v->gpr[in.rm];
        }
        // LMSW sets PE but never clears it, and touches only MP, EM, TS.
        write_cr(v, 0, (v->cr0 & ~0xeU) | (src & 0xf) | (v->cr0 & CR0_PE));
        break;
    case INSN_SMSW:
        if (in.has_mem) {
            u32 base = guest_seg_base(v, in.mem.seg);
            u32 g[8];
            u16 w = (u16)v->cr0;
            for (int i = 0; i < 8; i++) g[i] = (u32)v->gpr[i];
            if (!guest_write_virt(v, base + decode_ea(&in, g), &w, 2)) return;
        } else {
            v->gpr[in.rm] = in.opsize == 2 ? ((v->gpr[in.rm] & ~0xffffULL) | (u16)v->cr0) : v->cr0;
        }
        break;
    default:
        log_err("vm=%d CR exit code=0x%llx on an unexpected instruction at rip=0x%llx",
                v->vm->id, e->raw, v->rip);
        vm_stop(v->vm, "unhandled-exit", 1);
        return;
    }
    v->rip = (u32)(v->rip + in.len);
}

static void handle_invlpg(struct vcpu *v, struct exit_info *e)
{
    u32 va = (u32)e->addr;
    if (!e->addr_valid) {
        struct insn in;
        if (!guest_fetch_insn(v, &in)) return;
        u32 g[8];
        for (int i = 0; i < 8; i++) g[i] = (u32)v->gpr[i];
        va = guest_seg_base(v, in.mem.seg) + decode_ea(&in, g);
    }
    mmu_invlpg(v, va);
    guest_skip_insn(v, e);
}

static void handle_pf(struct vcpu *v, struct exit_info *e)
{
    u32 pfec, va = (u32)e->addr, err = e->error;
    // A fault while an event is being delivered comes from the CPU's own accesses (IDT,
    // GDT, TSS, the handler's stack): supervisor accesses, whatever the CPL was. QEMU
    // reports them with U/S=1 when the event came from CPL 3.
    if (v->inject.valid) err &= ~PFEC_U;
    switch (mmu_page_fault(v, va, err, &pfec)) {
    case MMU_FIXED:
        v->stats.pf_shadow_fills++;
        break;
    case MMU_REFLECT:
        if (log_level >= LOG_DEBUG) {
            u32 pde = 0, pte = 0;
            mmu_read_gpa(v->mmu, (v->cr3 & PTE_ADDR) + PDI(va) * 4, &pde, 4);
            if (pde & PTE_P) mmu_read_gpa(v->mmu, (pde & PTE_ADDR) + PTI(va) * 4, &pte, 4);
            klog(LOG_DEBUG, "vm=%d reflect #PF va=0x%x pfec=0x%x cr3=0x%x pde=0x%x pte=0x%x cr4=0x%x",
                 v->vm->id, va, pfec, v->cr3, pde, pte, v->cr4);
        }
        guest_inject_pf(v, va, pfec);
        break;
    case MMU_EMULATE:
        v->stats.pf_emulated++;
        if (!tssguard_write_fault(v, va)) emulate_pt_write(v, va);
        break;
    case MMU_BAD_GPA:
        log_err("vm=%d guest maps memory it does not have: va=0x%x rip=0x%llx cr3=0x%x",
                v->vm->id, va, v->rip, v->cr3);
        vm_stop(v->vm, "bad-gpa", 1);
        break;
    }
}

static void handle_hlt(struct vcpu *v, struct exit_info *e)
{
    guest_skip_insn(v, e);
    if (!(v->rflags & RFLAGS_IF)) {
        log_info("vm=%d halted with interrupts off at rip=0x%llx", v->vm->id, v->rip);
        vm_stop(v->vm, "halt", 0);
        return;
    }
    v->halted = true;
}

static void dispatch(struct vcpu *v, struct exit_info *e);

// The shadow CR3 and TR are the VMM's alone: if the hardware changed them (a task switch
// the emulator ran without an exit), the guest may have run on its own page tables.
static bool state_tampered(struct vcpu *v)
{
    const char *field;
    u64 was, now;
    if (!vcpu_state_changed(v, &field, &was, &now)) return false;
    log_err("vm=%d state changed behind the VMM's back: field=%s was=0x%llx now=0x%llx rip=0x%llx",
            v->vm->id, field, was, now, v->rip);
    vm_stop(v->vm, "state-tampered", 1);
    return true;
}

void exit_handle(struct vcpu *v, struct exit_info *e)
{
    // A refused VMRUN (EXIT_INVALID) leaves no guest state to compare.
    if (e->reason != EXIT_INVALID && state_tampered(v)) return;
    if (log_level >= LOG_TRACE || (log_level >= LOG_DEBUG && v->inject.valid))
        klog(LOG_DEBUG, "vm=%d exit code=0x%llx rip=0x%llx addr=0x%llx error=0x%x inject=%d/%d",
             v->vm->id, e->raw, v->rip, e->addr, e->error, v->inject.valid, v->inject.vector);
    if (v->cpl == 3 && v->vm->obs.user_mode) v->vm->obs.user_mode(v->vm->obs.ctx, v->id, v->cr3);
    u64 rip = v->rip;
    dispatch(v, e);
    // An emulated instruction completed: the STI/MOV SS shadow it was under is over.
    if (v->rip != rip) v->interrupt_shadow = false;
}

static void dispatch(struct vcpu *v, struct exit_info *e)
{
    switch (e->reason) {
    case EXIT_INTR:
    case EXIT_NMI:
        break;                       // the host took it after STGI
    case EXIT_VINTR:
        vcpu_request_irq_window(v, false);
        break;
    case EXIT_CR_READ:
    case EXIT_CR_WRITE:
        handle_cr(v, e);
        break;
    case EXIT_INVLPG:
        handle_invlpg(v, e);
        break;
    case EXIT_PF:
        handle_pf(v, e);
        break;
    case EXIT_CPUID:
        cpuid_handle(v);
        guest_skip_insn(v, e);
        break;
    case EXIT_MSR_READ:
    case EXIT_MSR_WRITE:
        if (msr_handle(v, e->reason == EXIT_MSR_WRITE)) guest_skip_insn(v, e);
        break;
    case EXIT_IO:
        io_handle(v, e);
        break;
    case EXIT_HLT:
        handle_hlt(v, e);
        break;
    case EXIT_TASK_SWITCH:
        task_switch_handle(v, e);
        break;
    case EXIT_LTR:
        task_ltr(v);
        break;
    case EXIT_SHUTDOWN:
        log_info("vm=%d shutdown (triple fault) at rip=0x%llx", v->vm->id, v->rip);
        vm_reset_request(v->vm, "triple-fault");
        break;
    case EXIT_VIRT_INSN:
        guest_inject_ud(v);
        break;
    case EXIT_EXCEPTION:
        if (e->vector == EXC_DF) {       // the CPU made a #DF: deliver it ourselves
            v->inject = (struct event){ .valid = true, .type = EVENT_EXC, .vector = EXC_DF,
                                        .has_error = true, .error = 0 };
            break;
        }
        log_err("vm=%d machine check or unexpected exception vector=%d", v->vm->id, e->vector);
        vm_stop(v->vm, "machine-check", 1);
        break;
    case EXIT_INVALID:
        log_err("vm=%d VMRUN refused the guest state (VMEXIT_INVALID) rip=0x%llx cr0=0x%x cr4=0x%x",
                v->vm->id, v->rip, v->cr0, v->cr4);
        vm_stop(v->vm, "invalid-state", 1);
        break;
    default:
        log_err("vm=%d unhandled exit code=0x%llx rip=0x%llx", v->vm->id, e->raw, v->rip);
        vm_stop(v->vm, "unhandled-exit", 1);
        break;
    }
}
