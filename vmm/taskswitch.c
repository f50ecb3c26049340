// taskswitch.c — emulate a hardware task switch (32-bit TSS): Linux reaches its #DF
// handler through a task gate, and the new task's CR3 must go through the shadow MMU.
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "mmu/shadow.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define TSS32_MIN_LIMIT 0x67
#define DESC_TYPE_TSS_AVAIL 0x9
#define DESC_TYPE_TSS_BUSY  0xb
#define DESC_BUSY_BIT 0x2
#define RFLAGS_NT BIT(14)

struct tss32 {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    u32 gpr[8];                     // EAX ECX EDX EBX ESP EBP ESI EDI
    u32 seg[6];                     // ES CS SS DS FS GS
    u32 ldt, iomap;
} __attribute__((packed));

// Read the 8-byte descriptor for `sel` from the GDT or LDT.
static bool read_desc(struct vcpu *v, u16 sel, u64 *desc, u32 *addr)
{
    struct segment table;
    vcpu_get_seg(v, (sel & 4) ? SEG_LDTR : SEG_GDTR, &table);
    if ((sel | 7) > table.limit) return false;
    *addr = (u32)table.base + (sel & ~7);
    return guest_read_sys(v, *addr, desc, 8);
}

static struct segment desc_to_seg(u16 sel, u64 d)
{
    u32 lo = (u32)d, hi = (u32)(d >> 32);
    struct segment s = { .sel = sel };
    s.base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
    s.limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & BIT(23)) s.limit = (s.limit << 12) | 0xfff;
    s.attr = ((hi >> 8) & 0xff) | ((hi >> 12) & 0xf00);
    return s;
}

// Set or clear the busy bit of the TSS descriptor at `addr`.
static bool set_busy(struct vcpu *v, u32 addr, u64 desc, bool busy)
{
    u8 type = (u8)(desc >> 40);
    type = busy ? (type | DESC_BUSY_BIT) : (type & ~DESC_BUSY_BIT);
    return guest_write_sys(v, addr + 5, &type, 1);
}

static bool load_seg(struct vcpu *v, enum seg_reg r, u16 sel)
{
    struct segment s = { .sel = sel };
    if (sel & ~3) {
        u64 d;
        u32 addr;
        if (!read_desc(v, sel, &d, &addr)) return false;
        s = desc_to_seg(sel, d);
    }
    vcpu_set_seg(v, r, &s);
    return true;
}

static void fail(struct vcpu *v, const char *why)
{
    log_err("vm=%d task switch failed: %s (rip=0x%llx)", v->vm->id, why, v->rip);
    vm_stop(v->vm, "bad-task-switch", 1);
}

// Switch to the task `sel`. `e` is the exit for instruction-caused switches (JMP, CALL,
// IRET), NULL when an event is delivered through a task gate.
static void switch_task(struct vcpu *v, u16 sel, int kind, bool has_err, u32 error,
                        const struct exit_info *e)
{
    struct segment tr;
    struct tss32 old, new;
    u64 ndesc, odesc;
    u32 naddr, oaddr;
    vcpu_get_seg(v, SEG_TR, &tr);
    if (!read_desc(v, sel, &ndesc, &naddr)) return fail(v, "bad TSS selector");
    struct segment nts = desc_to_seg(sel, ndesc);
    if (nts.limit < TSS32_MIN_LIMIT) return fail(v, "TSS too small");
    if (!read_desc(v, tr.sel, &odesc, &oaddr)) return fail(v, "bad current TR");
    if (!guest_read_sys(v, (u32)tr.base, &old, sizeof old)) return;
    if (!guest_read_sys(v, (u32)nts.base, &new, sizeof new)) return;

    // Save the outgoing task. An event's task switch leaves EIP at the faulting
    // instruction; an instruction's (JMP, CALL, IRET) moves past it.
    if (e) guest_skip_insn(v, e);
    old.eip = (u32)v->rip;
    old.eflags = (u32)v->rflags & (kind == TS_KIND_IRET ? ~(u32)RFLAGS_NT : ~0U);
    for (int i = 0; i < 8; i++) old.gpr[i] = (u32)v->gpr[i];
    for (int s = 0; s < 6; s++) {
        struct segment seg;
        vcpu_get_seg(v, s, &seg);
        old.seg[s] = seg.sel;
    }
    if (!guest_write_sys(v, (u32)tr.base + 0x20, &old.eip, 0x5c - 0x20 + 4)) return;
    if (kind != TS_KIND_CALL && !set_busy(v, oaddr, odesc, false)) return;

    if (kind == TS_KIND_CALL) {
        new.link = tr.sel;
        new.eflags |= RFLAGS_NT;
        if (!guest_write_sys(v, (u32)nts.base, &new.link, 4)) return;
    }
    if (kind != TS_KIND_IRET && !set_busy(v, naddr, ndesc, true)) return;
    nts.attr |= DESC_BUSY_BIT;
    vcpu_set_seg(v, SEG_TR, &nts);

    // Load the incoming task; CR3 first, so that its segments are read in its space.
    if ((v->cr0 & CR0_PG) && !mmu_dir_valid(v->mmu, new.cr3)) return fail(v, "TSS CR3 outside guest RAM");
    if (v->cr0 & CR0_PG) mmu_load_cr3(v, new.cr3);
    v->rip = new.eip;
    v->rflags = new.eflags | RFLAGS_RESERVED1;
    for (int i = 0; i < 8; i++) v->gpr[i] = new.gpr[i];
    if (!load_seg(v, SEG_LDTR, (u16)new.ldt)) return fail(v, "bad LDT");
    static const enum seg_reg order[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
    for (int i = 0; i < 6; i++)
        if (!load_seg(v, order[i], (u16)new.seg[order[i]])) return fail(v, "bad segment in TSS");
    v->cpl = new.seg[SEG_CS] & 3;
    u32 old_cr0 = v->cr0;
    v->cr0 |= CR0_TS;
    mmu_paging_changed(v, old_cr0, v->cr4);

    if (has_err) {
        struct segment ss;
        vcpu_get_seg(v, SEG_SS, &ss);
        u32 esp = (u32)v->gpr[RSP] - 4;
        if (!guest_write_sys(v, (u32)ss.base + esp, &error, 4)) return;
        v->gpr[RSP] = esp;
    }
    log_debug("vm=%d task switch to sel=0x%x eip=0x%x cr3=0x%x", v->vm->id, sel, new.eip, new.cr3);
}

void task_switch_handle(struct vcpu *v, const struct exit_info *e)
{
    bool from_event = v->inject.valid;    // delivered through a task gate
    struct event ev = v->inject;
    v->inject.valid = false;              // the switch itself completes the delivery
    if (from_event) switch_task(v, e->tss_sel, TS_KIND_CALL, ev.has_error, ev.error, NULL);
    else switch_task(v, e->tss_sel, e->ts_kind, e->ts_has_err, e->error, e);
}

#define GATE_TYPE_MASK 0x1f00
#define GATE_TASK      0x0500
#define GATE_PRESENT   0x8000
#define ERR_IDT        0x2
#define ERR_EXT        0x1
#define MAX_NESTED     3

// Check the IDT entry of the event in v->inject before the CPU delivers it. A task gate
// is switched to here (QEMU's TCG never raises the TASK_SWITCH intercept for it); an entry
// past the IDT limit or not present becomes the #GP/#NP the CPU would raise, combined with
// the event (#DF, triple fault), so no emulator is trusted with a faulting delivery.
void task_gate_deliver(struct vcpu *v)
{
    for (int depth = 0; depth < MAX_NESTED && v->inject.valid && (v->cr0 & CR0_PE); depth++) {
        struct segment idtr;
        u64 gate;
        vcpu_get_seg(v, SEG_IDTR, &idtr);
        u32 off = v->inject.vector * 8;
        u32 err = off | ERR_IDT | (v->inject.type == EVENT_EXC || v->inject.type == EVENT_SWINT ? 0 : ERR_EXT);
        if (off + 7 > idtr.limit) {
            guest_inject_exception(v, EXC_GP, true, err);
            continue;
        }
        if (!guest_peek_sys(v, (u32)idtr.base + off, &gate, 8)) return;   // the CPU will fault
        u32 hi = (u32)(gate >> 32);
        if (!(hi & GATE_PRESENT)) {
            guest_inject_exception(v, EXC_NP, true, err);
            continue;
        }
        if ((hi & GATE_TYPE_MASK) != GATE_TASK) return;
        struct event ev = v->inject;
        v->inject.valid = false;
        switch_task(v, (u16)(gate >> 16), TS_KIND_CALL, ev.has_error, ev.error, NULL);
        return;
    }
}
