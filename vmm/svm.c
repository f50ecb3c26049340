// svm.c — the AMD SVM backend: VMCB setup, VMRUN, exit decoding, event injection, TLB.
//
// VMCB clean bits: always 0 (nothing cached across VMRUN); simple and correct on every
// CPU, and neither emulator honours them anyway. TLB: each entry carries the flush the
// exit handlers asked for; flush-by-ASID is used only when CPUID reports it.
#include "vmm/svm.h"
#include "vmm/fpu.h"
#include "vmm/vcpu.h"
#include "kernel/cpu.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/panic.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define GUEST_CS_ATTR   0xc9b     // 32-bit code, present, DPL 0, accessed, G, D
#define GUEST_DS_ATTR   0xc93
#define GUEST_TR_ATTR   0x08b     // busy 32-bit TSS
#define TR_TYPE_BUSY    0x002
#define GUEST_LDTR_ATTR 0x082
#define DEFAULT_PAT     0x0007040600070406ULL
#define DR6_INIT        0xffff0ff0ULL
#define DR7_INIT        0x400ULL
#define EXITINFO1_DECODE_VALID BIT(63)

struct svm_vcpu {
    struct vmcb *vmcb;
    u64 vmcb_pa;
    u32 asid;
    // What the VMM last put in the VMCB for state only it may change: the hardware has no
    // business altering them (an unintercepted task switch would; see docs/taskswitch.md).
    u64 shadow_cr3;
    struct vmcb_seg tr;
};

static u64 host_vmcb_pa, hsave_pa, iopm_pa, msrpm_pa;
static u32 next_asid = 1;
// TR always holds a busy TSS, but CPUs differ in the type their TR cache (and so the
// VMCB) shows: real CPUs and Bochs keep the busy bit (Bochs requires it), QEMU clears it
// and aborts on a busy type. The host's own TR, saved by VMSAVE, tells which.
static u16 tr_busy_bit;

void svm_world_switch(u64 guest_vmcb_pa, u64 host_vmcb_pa, u64 *gprs);

static inline void clgi(void) { __asm__ volatile("clgi" ::: "memory"); }
static inline void stgi(void) { __asm__ volatile("stgi" ::: "memory"); }

static struct vmcb *vmcb_of(struct vcpu *v) { return ((struct svm_vcpu *)v->backend)->vmcb; }

// Allocate `n` zeroed contiguous frames.
static u64 alloc_zeroed(u64 n)
{
    u64 pa = page_alloc_contig(n, UINT64_MAX, PAGE_SIZE);
    if (!pa) panic("svm: out of memory");
    memset(phys_to_virt(pa), 0, n * PAGE_SIZE);
    return pa;
}

// Let the guest touch MSR `msr` directly (clear both intercept bits).
static void msr_passthrough(u8 *msrpm, u32 msr)
{
    u32 base = msr < 0x2000 ? 0 : msr >= 0xc0010000 ? 0x1000 : 0x800;
    u32 bit = (msr & 0x1fff) * 2;
    msrpm[base + bit / 8] &= ~(3 << (bit % 8));
}

// Turn SVM on for this CPU; build the shared I/O and MSR permission maps.
bool backend_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    fpu_host_init();
    hsave_pa = alloc_zeroed(1);
    wrmsr(MSR_VM_HSAVE_PA, hsave_pa);
    host_vmcb_pa = alloc_zeroed(1);
    __asm__ volatile("vmsave %%rax" :: "a"(host_vmcb_pa) : "memory");
    tr_busy_bit = ((struct vmcb *)phys_to_virt(host_vmcb_pa))->s.tr.attr & TR_TYPE_BUSY;
    iopm_pa = alloc_zeroed(IOPM_SIZE / PAGE_SIZE);
    memset(phys_to_virt(iopm_pa), 0xff, IOPM_SIZE);   // every port exits
    msrpm_pa = alloc_zeroed(MSRPM_SIZE / PAGE_SIZE);
    u8 *msrpm = phys_to_virt(msrpm_pa);
    memset(msrpm, 0xff, MSRPM_SIZE);                  // every MSR exits ...
    msr_passthrough(msrpm, MSR_SYSENTER_CS);          // ... but these live in the VMCB
    msr_passthrough(msrpm, MSR_SYSENTER_ESP);
    msr_passthrough(msrpm, MSR_SYSENTER_EIP);
    log_info("svm enabled hsave=0x%llx asids=%u tr-busy-bit=%d", hsave_pa, cpu.svm_nasid, tr_busy_bit != 0);
    return true;
}

bool vcpu_backend_create(struct vcpu *v)
{
    struct svm_vcpu *s = kzalloc(sizeof *s);
    if (!s) return false;
    v->fpu = fpu_create();
    if (!v->fpu) {
        kfree(s);
        return false;
    }
    s->vmcb_pa = alloc_zeroed(1);
    s->vmcb = phys_to_virt(s->vmcb_pa);
    if (next_asid >= cpu.svm_nasid) next_asid = 1;    // reuse: the first entry flushes all
    s->asid = next_asid++;
    v->backend = s;
    return true;
}

void vcpu_backend_destroy(struct vcpu *v)
{
    struct svm_vcpu *s = v->backend;
    fpu_destroy(v->fpu);
    v->fpu = NULL;
    if (!s) return;
    page_free(s->vmcb_pa);
    kfree(s);
    v->backend = NULL;
}

static void set_seg(struct vmcb_seg *s, u16 sel, u16 attr, u32 limit, u64 base)
{
    *s = (struct vmcb_seg){ sel, attr, limit, base };
}

// A fresh VMCB: intercepts, permission maps, and 32-bit flat protected mode, paging off.
void vcpu_reset_state(struct vcpu *v)
{
    struct svm_vcpu *s = v->backend;
    struct vmcb *vm = s->vmcb;
    memset(vm, 0, sizeof *vm);
    vm->c.intercept_cr = 0xffff & (BIT(0) | BIT(3) | BIT(4));           // CR0/3/4 reads
    vm->c.intercept_cr |= (BIT(0) | BIT(3) | BIT(4)) << 16;             // and writes
    vm->c.intercept_exc = BIT(EXC_DF) | BIT(EXC_PF) | BIT(18);          // #DF, #PF, #MC
    vm->c.intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT |
        INTERCEPT_CPUID | INTERCEPT_HLT | INTERCEPT_INVLPG | INTERCEPT_INVLPGA |
        INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_TASK_SWITCH | INTERCEPT_SHUTDOWN |
        INTERCEPT_RSM | INTERCEPT_INVD | INTERCEPT_FERR_FREEZE | INTERCEPT_RDPMC |
        INTERCEPT_TR_WRITE;
    vm->c.intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
        INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
        INTERCEPT_RDTSCP | INTERCEPT_MONITOR | INTERCEPT_MWAIT | INTERCEPT_MWAIT_COND |
        INTERCEPT_XSETBV;
    vm->c.iopm_base_pa = iopm_pa;
    vm->c.msrpm_base_pa = msrpm_pa;
    vm->c.asid = s->asid;
    vm->c.tlb_control = TLB_CONTROL_FLUSH_ALL;
    vm->c.int_ctl = INT_CTL_V_INTR_MASKING;

    set_seg(&vm->s.cs, 0x10, GUEST_CS_ATTR, 0xffffffff, 0);
    set_seg(&vm->s.ds, 0x18, GUEST_DS_ATTR, 0xffffffff, 0);
    vm->s.es = vm->s.ss = vm->s.fs = vm->s.gs = vm->s.ds;
    set_seg(&vm->s.gdtr, 0, 0, 0xffff, 0);
    set_seg(&vm->s.idtr, 0, 0, 0xffff, 0);
    set_seg(&vm->s.tr, 0, (GUEST_TR_ATTR & ~TR_TYPE_BUSY) | tr_busy_bit, 0xffff, 0);
    s->tr = vm->s.tr;
    s->shadow_cr3 = 0;
    set_seg(&vm->s.ldtr, 0, GUEST_LDTR_ATTR, 0xffff, 0);
    vm->s.efer = EFER_SVME;
    vm->s.g_pat = DEFAULT_PAT;
    vm->s.dr6 = DR6_INIT;
    vm->s.dr7 = DR7_INIT;
    vm->s.rflags = RFLAGS_RESERVED1;

    memset(v->gpr, 0, sizeof v->gpr);
    v->rip = 0;
    v->rflags = RFLAGS_RESERVED1;
    v->cpl = 0;
    v->cr0 = CR0_PE | CR0_ET;
    v->cr2 = v->cr3 = v->cr4 = 0;
    v->efer = 0;
    v->inject.valid = v->held_intr.valid = false;
    v->halted = false;
    v->tlb_flush = TLB_FLUSH_ASID;
    fpu_reset(v->fpu);
}

void vcpu_set_shadow(struct vcpu *v, u64 root_hpa, u32 hw_cr0, u32 hw_cr4)
{
    struct svm_vcpu *s = v->backend;
    struct vmcb *vm = s->vmcb;
    vm->s.cr3 = s->shadow_cr3 = root_hpa;
    vm->s.cr0 = hw_cr0;
    vm->s.cr4 = hw_cr4;
}

void vcpu_flush_page(struct vcpu *v, u32 va)
{
    struct svm_vcpu *s = v->backend;
    __asm__ volatile("invlpga %%rax, %%ecx" :: "a"((u64)va), "c"(s->asid) : "memory");
}

void vcpu_request_irq_window(struct vcpu *v, bool on)
{
    struct vmcb *vm = vmcb_of(v);
    if (on) {
        vm->c.int_ctl |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | (0xfULL << INT_CTL_V_INTR_PRIO_SHIFT);
        vm->c.intercept_misc1 |= INTERCEPT_VINTR;
    } else {
        vm->c.int_ctl &= ~(INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | (0xfULL << INT_CTL_V_INTR_PRIO_SHIFT));
        vm->c.intercept_misc1 &= ~INTERCEPT_VINTR;
    }
}

bool vcpu_can_take_irq(struct vcpu *v)
{
    return (v->rflags & RFLAGS_IF) && !v->interrupt_shadow && !v->inject.valid;
}

void vcpu_set_tsc_offset(struct vcpu *v, u64 off) { vmcb_of(v)->c.tsc_offset = off; }
u64 vcpu_get_tsc_offset(struct vcpu *v) { return vmcb_of(v)->c.tsc_offset; }

u64 vcpu_get_msr(struct vcpu *v, u32 msr)
{
    struct vmcb *vm = vmcb_of(v);
    switch (msr) {
    case MSR_SYSENTER_CS: return vm->s.sysenter_cs;
    case MSR_SYSENTER_ESP: return vm->s.sysenter_esp;
    case MSR_SYSENTER_EIP: return vm->s.sysenter_eip;
    }
    return 0;
}

void vcpu_set_msr(struct vcpu *v, u32 msr, u64 val)
{
    struct vmcb *vm = vmcb_of(v);
    switch (msr) {
    case MSR_SYSENTER_CS: vm->s.sysenter_cs = val; break;
    case MSR_SYSENTER_ESP: vm->s.sysenter_esp = val; break;
    case MSR_SYSENTER_EIP: vm->s.sysenter_eip = val; break;
    }
}

int vcpu_insn_bytes(struct vcpu *v, u8 *buf)
{
    struct vmcb *vm = vmcb_of(v);
    int n = MIN(vm->c.insn_len, 15);
    memcpy(buf, vm->c.insn_bytes, n);
    return n;
}

static struct vmcb_seg *seg_ptr(struct vmcb *vm, enum seg_reg s)
{
    switch (s) {
    case SEG_ES: return &vm->s.es;
    case SEG_CS: return &vm->s.cs;
    case SEG_SS: return &vm->s.ss;
    case SEG_DS: return &vm->s.ds;
    case SEG_FS: return &vm->s.fs;
    case SEG_GS: return &vm->s.gs;
    case SEG_GDTR: return &vm->s.gdtr;
    case SEG_LDTR: return &vm->s.ldtr;
    case SEG_IDTR: return &vm->s.idtr;
    default: return &vm->s.tr;
    }
}

void vcpu_get_seg(struct vcpu *v, enum seg_reg s, struct segment *out)
{
    struct vmcb_seg *p = seg_ptr(vmcb_of(v), s);
    *out = (struct segment){ p->sel, p->attr, p->limit, p->base };
    if (s == SEG_TR) out->attr |= TR_TYPE_BUSY;
}

void vcpu_set_seg(struct vcpu *v, enum seg_reg s, const struct segment *in)
{
    struct vmcb *vm = vmcb_of(v);
    struct vmcb_seg *p = seg_ptr(vm, s);
    *p = (struct vmcb_seg){ in->sel, in->attr, in->limit, (u32)in->base };
    if (s == SEG_TR) {
        p->attr = (in->attr & ~TR_TYPE_BUSY) | tr_busy_bit;
        ((struct svm_vcpu *)v->backend)->tr = *p;
    }
    if (s == SEG_SS) vm->s.cpl = (in->attr >> 5) & 3;   // CPL follows SS.DPL
}

static u64 event_bits(const struct event *e)
{
    u64 ev = e->vector | ((u64)e->type << EVENT_TYPE_SHIFT) | EVENT_VALID;
    if (e->has_error) ev |= EVENT_ERR_VALID | ((u64)e->error << 32);
    return ev;
}

// Translate EXITINTINFO into an event to re-inject. Software interrupts and INT3/INTO
// are dropped: the guest's RIP still points at the instruction, which runs again.
static void take_exitintinfo(struct vcpu *v, u64 info)
{
    if (!(info & EVENT_VALID)) return;    // QEMU leaves stale bits with V clear
    struct event e = { .valid = true, .vector = info & 0xff, .type = (info >> 8) & 7,
                       .has_error = info & EVENT_ERR_VALID, .error = info >> 32 };
    if (e.type == EVENT_SWINT || (e.type == EVENT_EXC && (e.vector == 3 || e.vector == 4)))
        return;
    v->inject = e;
    v->stats.reinjected++;
}

// TLB_CONTROL for each TLB_FLUSH_* request; without flush-by-ASID everything goes.
static const u8 tlb_control_for[2][3] = {
    { TLB_CONTROL_NONE, TLB_CONTROL_FLUSH_ALL, TLB_CONTROL_FLUSH_ALL },
    { TLB_CONTROL_NONE, TLB_CONTROL_FLUSH_LOCAL, TLB_CONTROL_FLUSH_ASID },
};

// Fill *e from the VMCB's exit code and exit information.
static void decode_exit(struct vcpu *v, struct vmcb *vm, struct exit_info *e)
{
    u64 code = vm->c.exitcode, i1 = vm->c.exitinfo1, i2 = vm->c.exitinfo2;
    bool nrips = cpu.svm_features & SVM_FEAT_NRIPS;
    memset(e, 0, sizeof *e);
    e->raw = code;
    e->gpr = -1;
    if (nrips) e->next_rip = vm->c.next_rip;
    if (code <= 0x1f) {
        e->reason = code < 0x10 ? EXIT_CR_READ : EXIT_CR_WRITE;
        e->cr = code & 0xf;
        if (i1 & EXITINFO1_DECODE_VALID) e->gpr = i1 & 0xf;
        return;
    }
    if (code >= VMEXIT_EXC_BASE && code < VMEXIT_EXC_BASE + 32) {
        e->vector = code - VMEXIT_EXC_BASE;
        e->reason = e->vector == EXC_PF ? EXIT_PF : EXIT_EXCEPTION;
        e->error = (u32)i1;
        e->addr = i2;
        e->addr_valid = e->vector == EXC_PF;
        e->next_rip = 0;
        return;
    }
    switch (code) {
    case VMEXIT_INTR: e->reason = EXIT_INTR; break;
    case VMEXIT_NMI: e->reason = EXIT_NMI; break;
    case VMEXIT_VINTR: e->reason = EXIT_VINTR; break;
    case VMEXIT_TR_WRITE: e->reason = EXIT_LTR; break;
    case VMEXIT_CPUID: e->reason = EXIT_CPUID; break;
    case VMEXIT_HLT: e->reason = EXIT_HLT; break;
    case VMEXIT_INVLPG:
        e->reason = EXIT_INVLPG;
        e->addr = i1;
        e->addr_valid = cpu.svm_features & SVM_FEAT_DECODEASSIST;
        break;
    case VMEXIT_IOIO:
        e->reason = EXIT_IO;
        e->port = i1 >> IOIO_PORT_SHIFT;
        e->size = (i1 >> IOIO_SZ_SHIFT) & 7;
        e->size = e->size == 4 ? 4 : e->size == 2 ? 2 : 1;
        e->in = i1 & IOIO_IN;
        e->string = i1 & IOIO_STR;
        e->rep = i1 & IOIO_REP;
        e->next_rip = i2;
        break;
    case VMEXIT_MSR: e->reason = i1 ? EXIT_MSR_WRITE : EXIT_MSR_READ; break;
    case VMEXIT_TASK_SWITCH:
        e->reason = EXIT_TASK_SWITCH;
        e->tss_sel = i1 & 0xffff;
        e->ts_kind = (i2 & TS_IRET) ? TS_KIND_IRET : (i2 & TS_JMP) ? TS_KIND_JMP : TS_KIND_CALL;
        e->ts_has_err = i2 & TS_HAS_ERR;
        e->error = (u32)i2;
        break;
    case VMEXIT_SHUTDOWN: e->reason = EXIT_SHUTDOWN; break;
    case VMEXIT_VMRUN: case VMEXIT_VMMCALL: case VMEXIT_VMLOAD: case VMEXIT_VMSAVE:
    case VMEXIT_STGI: case VMEXIT_CLGI: case VMEXIT_SKINIT: case VMEXIT_INVLPGA:
    case VMEXIT_RDTSCP: case VMEXIT_MONITOR: case VMEXIT_MWAIT: case VMEXIT_MWAIT_COND:
    case VMEXIT_XSETBV: case VMEXIT_RDPMC: case VMEXIT_RSM:
        e->reason = EXIT_VIRT_INSN;
        break;
    case VMEXIT_INVALID: e->reason = EXIT_INVALID; break;
    default: e->reason = EXIT_OTHER; break;
    }
}

void vcpu_run(struct vcpu *v, struct exit_info *e)
{
    struct svm_vcpu *s = v->backend;
    struct vmcb *vm = s->vmcb;
    bool by_asid = cpu.svm_features & SVM_FEAT_FLUSHBYASID;

    vm->s.rax = v->gpr[RAX];
    vm->s.rsp = v->gpr[RSP];
    vm->s.rip = v->rip;
    vm->s.rflags = v->rflags;
    vm->s.cr2 = v->cr2;
    vm->s.efer = (v->efer & ~EFER_SVME) | EFER_SVME;
    vm->c.int_state = v->interrupt_shadow ? INT_STATE_SHADOW : 0;
    vm->c.eventinj = v->inject.valid ? event_bits(&v->inject) : 0;
    if (v->inject.valid && v->inject.type == EVENT_INTR) v->stats.injected_irqs++;
    v->inject.valid = false;
    if (vm->c.tlb_control != TLB_CONTROL_FLUSH_ALL)   // a pending full flush covers the rest
        vm->c.tlb_control = tlb_control_for[by_asid][v->tlb_flush];
    v->tlb_flush = TLB_FLUSH_NONE;
    vm->c.clean = 0;
    vm->c.insn_len = 0;      // decode assists fill it only for some exits: never reuse old bytes

    fpu_switch_to(v->fpu);   // x87/SSE and DR0-3 are not part of the world switch
    clgi();
    sti();
    write_cr2(v->cr2);   // Bochs takes the guest's CR2 from the CPU, not the VMCB
    svm_world_switch(s->vmcb_pa, host_vmcb_pa, v->gpr);
    stgi();              // pending host interrupts are taken here

    vm->c.tlb_control = TLB_CONTROL_NONE;
    v->gpr[RAX] = (u32)vm->s.rax;
    v->gpr[RSP] = (u32)vm->s.rsp;
    v->rip = vm->s.rip;
    v->rflags = vm->s.rflags;
    v->cr2 = vm->s.cr2;
    v->cpl = vm->s.cpl;
    v->interrupt_shadow = vm->c.int_state & INT_STATE_SHADOW;
    decode_exit(v, vm, e);
    take_exitintinfo(v, vm->c.exitintinfo);
    v->stats.exits[e->reason]++;
}

bool vcpu_state_changed(struct vcpu *v, const char **field, u64 *was, u64 *now)
{
    struct svm_vcpu *s = v->backend;
    struct vmcb_seg *tr = &s->vmcb->s.tr;
    const struct { const char *name; u64 was, now; } f[] = {
        { "cr3", s->shadow_cr3, s->vmcb->s.cr3 },
        { "tr.sel", s->tr.sel, tr->sel },
        { "tr.base", s->tr.base, tr->base },
        { "tr.limit", s->tr.limit, tr->limit },
    };
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].was == f[i].now) continue;
        *field = f[i].name;
        *was = f[i].was;
        *now = f[i].now;
        return true;
    }
    return false;
}
