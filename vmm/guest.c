// guest.c — helpers for exit handlers: guest memory by virtual address, instruction
// fetch and skip, exception combination, interrupt delivery.
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "vmm/dev/i8259.h"
#include "mmu/paging.h"
#include "mmu/shadow.h"
#include "kernel/log.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

u32 guest_seg_base(struct vcpu *v, int s)
{
    struct segment seg;
    vcpu_get_seg(v, s, &seg);
    return (u32)seg.base;
}

bool guest_code32(struct vcpu *v)
{
    struct segment cs;
    vcpu_get_seg(v, SEG_CS, &cs);
    return cs.attr & SEG_ATTR_DB;
}

// Copy between guest-virtual memory and buf, page by page. write selects the direction;
// sys marks the CPU's own supervisor accesses (descriptor tables, TSS), whatever the CPL.
static bool copy_virt(struct vcpu *v, u32 va, void *buf, u32 len, bool write, bool sys)
{
    u8 *p = buf;
    u32 access = (write ? PFEC_W : 0) | (v->cpl == 3 && !sys ? PFEC_U : 0);
    while (len) {
        u32 gpa, pfec, n = MIN(len, 4096 - (va & 0xfff));
        int r = mmu_translate(v, va, access, &gpa, &pfec);
        if (r == WALK_FAULT) { guest_inject_pf(v, va, pfec); return false; }
        bool ok = r == WALK_OK && (write ? mmu_write_gpa(v->mmu, gpa, p, n) : mmu_read_gpa(v->mmu, gpa, p, n));
        if (!ok) {
            log_err("vm=%d access outside guest RAM va=0x%x rip=0x%llx", v->vm->id, va, v->rip);
            vm_stop(v->vm, "bad-gpa", 1);
            return false;
        }
        va += n;
        p += n;
        len -= n;
    }
    return true;
}

bool guest_probe_virt(struct vcpu *v, u32 va, u32 len, bool write)
{
    u32 access = (write ? PFEC_W : 0) | (v->cpl == 3 ? PFEC_U : 0);
    u32 ends[2] = { va, va + len - 1 };
    for (int i = 0; i < 2; i++) {
        u32 gpa, pfec;
        int r = mmu_translate(v, ends[i], access, &gpa, &pfec);
        if (r == WALK_FAULT) { guest_inject_pf(v, ends[i], pfec); return false; }
        if (r != WALK_OK) {
            log_err("vm=%d access outside guest RAM va=0x%x rip=0x%llx", v->vm->id, ends[i], v->rip);
            vm_stop(v->vm, "bad-gpa", 1);
            return false;
        }
    }
    return true;
}

bool guest_read_virt(struct vcpu *v, u32 va, void *buf, u32 len) { return copy_virt(v, va, buf, len, false, false); }
bool guest_write_virt(struct vcpu *v, u32 va, const void *buf, u32 len)
{
    return copy_virt(v, va, (void *)buf, len, true, false);
}
bool guest_read_sys(struct vcpu *v, u32 va, void *buf, u32 len) { return copy_virt(v, va, buf, len, false, true); }
bool guest_write_sys(struct vcpu *v, u32 va, const void *buf, u32 len)
{
    return copy_virt(v, va, (void *)buf, len, true, true);
}

bool guest_fetch_insn(struct vcpu *v, struct insn *in)
{
    u8 bytes[INSN_MAX_LEN];
    u32 lin = guest_seg_base(v, SEG_CS) + (u32)v->rip;
    int n = vcpu_insn_bytes(v, bytes);
    // Read what is there up to the end of the page, then the rest if it decodes longer.
    if (n < INSN_MAX_LEN) {
        u32 first = MIN((u32)INSN_MAX_LEN, 4096 - (lin & 0xfff));
        if (!guest_read_virt(v, lin, bytes, first)) return false;
        n = first;
        int r = decode_insn(bytes, n, guest_code32(v), in);
        if (r == DECODE_ETRUNC && first < INSN_MAX_LEN) {
            if (!guest_read_virt(v, lin + first, bytes + first, INSN_MAX_LEN - first)) return false;
            n = INSN_MAX_LEN;
        } else if (r == 0) {
            return true;
        }
    }
    if (decode_insn(bytes, n, guest_code32(v), in) == 0) return true;
    log_err("vm=%d cannot decode the instruction at rip=0x%llx: %02x %02x %02x %02x", v->vm->id,
            v->rip, bytes[0], bytes[1], bytes[2], bytes[3]);
    vm_stop(v->vm, "bad-instruction", 1);
    return false;
}

void guest_skip_insn(struct vcpu *v, const struct exit_info *e)
{
    if (e->next_rip) { v->rip = e->next_rip; return; }
    struct insn in;
    if (guest_fetch_insn(v, &in)) v->rip = (u32)(v->rip + in.len);
}

// Exception classes for the double-fault rules (Intel SDM table 6-5, AMD APM 8.2.9).
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGEFAULT };

static enum exc_class exc_class(int vector)
{
    switch (vector) {
    case EXC_DE: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: return EXC_CONTRIBUTORY;
    case EXC_PF: return EXC_PAGEFAULT;
    default: return EXC_BENIGN;
    }
}

static bool has_error_code(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

void guest_inject_exception(struct vcpu *v, int vector, bool has_error, u32 error)
{
    struct event *cur = &v->inject;
    if (cur->valid && cur->type == EVENT_EXC) {
        enum exc_class first = exc_class(cur->vector), second = exc_class(vector);
        if (cur->vector == EXC_DF) {
            log_info("vm=%d fault vector=%d while delivering #DF: triple fault", v->vm->id, vector);
            cur->valid = false;
            vm_reset_request(v->vm, "triple-fault");
            return;
        }
        if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
            (first == EXC_PAGEFAULT && second != EXC_BENIGN)) {
            vector = EXC_DF;
            has_error = true;
            error = 0;
        }
    } else if (cur->valid) {
        v->held_intr = *cur;     // an interrupt or NMI in delivery goes after the fault
    }
    *cur = (struct event){ .valid = true, .type = EVENT_EXC, .vector = vector,
                           .has_error = has_error && has_error_code(vector), .error = error };
}

void guest_inject_pf(struct vcpu *v, u32 va, u32 pfec)
{
    v->cr2 = va;
    v->stats.pf_reflected++;
    guest_inject_exception(v, EXC_PF, true, pfec);
}

void guest_deliver_interrupts(struct vcpu *v)
{
    struct vm *vm = v->vm;
    bool pending = v->held_intr.valid || i8259_has_intr(vm->pic);
    if (!pending) { vcpu_request_irq_window(v, false); return; }
    if (!vcpu_can_take_irq(v)) { vcpu_request_irq_window(v, true); return; }
    vcpu_request_irq_window(v, false);
    if (v->held_intr.valid) {
        v->inject = v->held_intr;
        v->held_intr.valid = false;
        return;
    }
    v->inject = (struct event){ .valid = true, .type = EVENT_INTR, .vector = i8259_intack(vm->pic) };
}

#define FRAME_MAX 24          // EFLAGS, CS, EIP, error code, and SS:ESP on a ring change
#define TSS_ESP0  4
#define TSS_SS0   8

// Fill the shadow for one page the CPU will touch while delivering an event. Pages the
// guest itself does not map are left alone: the CPU then raises the fault it should.
static void prefault(struct vcpu *v, u32 va, bool write)
{
    u32 pfec;
    enum mmu_fault_result r = mmu_page_fault(v, va, write ? PFEC_W : 0, &pfec);
    if (r != MMU_FIXED)
        log_debug("vm=%d prefault va=0x%x write=%d result=%d pfec=0x%x", v->vm->id, va, write, r, pfec);
}

bool guest_peek_sys(struct vcpu *v, u32 va, void *buf, u32 len)
{
    u32 gpa, pfec;
    return mmu_translate(v, va, 0, &gpa, &pfec) == WALK_OK && mmu_read_gpa(v->mmu, gpa, buf, len);
}

// Prefault a descriptor of the GDT (the LDT is not used for gates by Linux).
static void prefault_desc(struct vcpu *v, u16 sel)
{
    struct segment gdtr;
    vcpu_get_seg(v, SEG_GDTR, &gdtr);
    if ((sel & ~7) && !(sel & 4) && (u32)(sel | 7) <= gdtr.limit) {
        prefault(v, (u32)gdtr.base + (sel & ~7), false);
        prefault(v, (u32)gdtr.base + (sel | 7), false);
    }
}

// Before injecting v->inject: make the IDT entry, the descriptors it names, the TSS (on
// a ring change) and the stack the CPU will push to present in the shadow. Faults nested
// in an injected event's delivery are handled inconsistently by emulators (QEMU folds a
// #PF there into #DF without an exit); with the pages present there is nothing to nest.
void guest_prefault_delivery(struct vcpu *v)
{
    if (!v->inject.valid || !(v->cr0 & CR0_PG)) return;
    struct segment idtr, ss;
    u64 gate;
    vcpu_get_seg(v, SEG_IDTR, &idtr);
    u32 gate_va = (u32)idtr.base + v->inject.vector * 8;
    prefault(v, gate_va, false);
    prefault(v, gate_va + 7, false);
    if (!guest_peek_sys(v, gate_va, &gate, 8)) return;
    prefault_desc(v, (u16)(gate >> 16));
    u32 stack;
    if (v->cpl == 3) {
        struct segment tr;
        u32 ss0;
        vcpu_get_seg(v, SEG_TR, &tr);
        prefault(v, (u32)tr.base + TSS_ESP0, false);
        prefault(v, (u32)tr.base + TSS_SS0 + 3, false);
        if (!guest_peek_sys(v, (u32)tr.base + TSS_ESP0, &stack, 4)) return;
        if (guest_peek_sys(v, (u32)tr.base + TSS_SS0, &ss0, 4)) prefault_desc(v, (u16)ss0);
    } else {
        vcpu_get_seg(v, SEG_SS, &ss);
        stack = (u32)ss.base + (u32)v->gpr[RSP];
    }
    prefault(v, stack - FRAME_MAX, true);
    prefault(v, stack - 1, true);
}
