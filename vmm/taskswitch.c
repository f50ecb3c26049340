// taskswitch.c — emulate a hardware task switch (32-bit TSS) and LTR with the checks of
// Intel SDM vol. 3 §7.3 and AMD APM vol. 2 §12.3, raising the faults the CPU raises. The
// new task's CR3 goes through the shadow MMU like any other.
#include "vmm/taskswitch.h"
#include "vmm/tssguard.h"
#include "vmm/guest.h"
#include "vmm/vm.h"
#include "mmu/paging.h"
#include "mmu/shadow.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define TSS32_MIN_LIMIT 0x67
#define TSS16_MIN_LIMIT 0x2b
#define TSS32_SAVE_START 0x20       // EIP: the first field a switch stores
#define TSS32_SAVE_END   0x5c       // GS: the last one

// Descriptor attributes in VMCB form (struct segment.attr).
#define ATTR_TYPE(a)   ((a) & 0xf)
#define ATTR_S         BIT(4)       // code/data (1) or system (0)
#define ATTR_DPL(a)    (((a) >> 5) & 3)
#define ATTR_P         BIT(7)
#define TYPE_TSS16     0x1          // available 16-bit TSS (| TYPE_BUSY: busy)
#define TYPE_LDT       0x2
#define TYPE_TASK_GATE 0x5
#define TYPE_TSS_WIDE  0x8          // a TSS type with this bit is 32-bit
#define TYPE_BUSY      0x2
#define TYPE_CODE      BIT(3)       // with S=1
#define TYPE_CONFORM   BIT(2)       // code: conforming
#define TYPE_RW        BIT(1)       // code: readable; data: writable
#define SEL_TI         4
#define SEL_RPL(s)     ((s) & 3)
#define SEL_ERR(s)     ((s) & 0xfffc)
#define ERR_EXT        0x1
#define ERR_IDT        0x2

struct tss32 {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    u32 gpr[8];                     // EAX ECX EDX EBX ESP EBP ESI EDI
    u32 seg[6];                     // ES CS SS DS FS GS
    u32 ldt, iomap;
} __attribute__((packed));

// How a switch was started: what it checks and how it leaves the old and new task.
struct cause {
    int kind;                       // TS_KIND_JMP, _CALL (also events), _IRET
    u32 next_eip;                   // EIP saved in the old task
    u32 ext;                        // ERR_EXT when an external event started it
    bool has_err;                   // an exception's error code to push in the new task
    u32 error;
};

// Descriptor tests: a 16- or 32-bit TSS (available or busy), its busy bit, its width.
static bool is_tss(u16 attr) { return !(attr & ATTR_S) && (ATTR_TYPE(attr) & ~TYPE_BUSY & 0x7) == TYPE_TSS16; }
static bool tss_busy(u16 attr) { return ATTR_TYPE(attr) & TYPE_BUSY; }
static bool tss_is32(u16 attr) { return ATTR_TYPE(attr) & TYPE_TSS_WIDE; }

// Raise an exception with an error code (combined with an event in delivery).
static void fault(struct vcpu *v, int vector, u32 error) { guest_inject_exception(v, vector, true, error); }

// Read the descriptor for `sel` from the GDT (TI=0) or the LDT. 0: read; 1: the selector
// is null or past the table's limit; -1: reading it faulted (#PF injected or VM stopped).
static int read_desc(struct vcpu *v, u16 sel, u64 *desc, u32 *addr)
{
    struct segment table;
    vcpu_get_seg(v, (sel & SEL_TI) ? SEG_LDTR : SEG_GDTR, &table);
    if ((!(sel & SEL_TI) && !(sel & ~7)) || (u32)(sel | 7) > table.limit) return 1;
    if ((sel & SEL_TI) && !(table.attr & ATTR_P)) return 1;
    *addr = (u32)table.base + (sel & ~7);
    return guest_read_sys(v, *addr, desc, 8) ? 0 : -1;
}

// The segment-register form (VMCB attributes, byte limit) of descriptor d.
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
    type = busy ? (type | TYPE_BUSY) : (type & ~TYPE_BUSY);
    return guest_write_sys(v, addr + 5, &type, 1);
}

// A switch the VMM cannot perform: log it and stop the VM.
static void fail(struct vcpu *v, const char *why)
{
    log_err("vm=%d task switch failed: %s (rip=0x%llx)", v->vm->id, why, v->rip);
    vm_stop(v->vm, "bad-task-switch", 1);
}

// Would a supervisor write to [va, va+len) succeed? Injects the #PF if not.
static bool probe_sys_write(struct vcpu *v, u32 va, u32 len)
{
    u32 ends[2] = { va, va + len - 1 };
    for (int i = 0; i < 2; i++) {
        u32 gpa, pfec;
        int r = mmu_translate(v, ends[i], PFEC_W, &gpa, &pfec);
        if (r == WALK_FAULT) { guest_inject_pf(v, ends[i], pfec); return false; }
        if (r != WALK_OK) { fail(v, "TSS outside guest RAM"); return false; }
    }
    return true;
}

// Load data segment register r of the new task (SDM §7.3 step 13). False: fault injected.
static bool load_data_seg(struct vcpu *v, enum seg_reg r, u16 sel, u32 ext)
{
    struct segment s = { .sel = sel };     // a null selector leaves the register unusable
    if (sel & ~3) {
        u64 d = 0;
        u32 addr;
        int rc = read_desc(v, sel, &d, &addr);
        if (rc < 0) return false;
        s = desc_to_seg(sel, d);
        bool code = ATTR_TYPE(s.attr) & TYPE_CODE;
        bool usable = rc == 0 && (s.attr & ATTR_S) && (!code || (ATTR_TYPE(s.attr) & TYPE_RW));
        bool conforming = code && (ATTR_TYPE(s.attr) & TYPE_CONFORM);
        int need = MAX(v->cpl, SEL_RPL(sel));
        if (!usable || (!conforming && ATTR_DPL(s.attr) < need)) { fault(v, EXC_TS, SEL_ERR(sel) | ext); return false; }
        if (!(s.attr & ATTR_P)) { fault(v, EXC_NP, SEL_ERR(sel) | ext); return false; }
    }
    vcpu_set_seg(v, r, &s);
    return true;
}

// Load LDTR, CS, SS and the data segments of the new task (SDM §7.3 steps 12-13). Faults
// here belong to the new task: the switch itself has completed. False: fault injected.
static bool load_segments(struct vcpu *v, const struct tss32 *t, u32 ext)
{
    u64 d = 0;
    u32 addr;
    u16 ldt = (u16)t->ldt;
    struct segment s = { .sel = ldt };
    if (ldt & ~3) {
        int rc = (ldt & SEL_TI) ? 1 : read_desc(v, ldt, &d, &addr);
        if (rc < 0) return false;
        s = desc_to_seg(ldt, d);
        if (rc || (s.attr & ATTR_S) || ATTR_TYPE(s.attr) != TYPE_LDT || !(s.attr & ATTR_P)) {
            fault(v, EXC_TS, SEL_ERR(ldt) | ext);
            return false;
        }
    }
    vcpu_set_seg(v, SEG_LDTR, &s);

    u16 cs = (u16)t->seg[SEG_CS], ss = (u16)t->seg[SEG_SS];
    int rc = (cs & ~3) ? read_desc(v, cs, &d, &addr) : 1;
    if (rc < 0) return false;
    struct segment c = desc_to_seg(cs, d);
    bool conforming = ATTR_TYPE(c.attr) & TYPE_CONFORM;
    if (rc || !(c.attr & ATTR_S) || !(ATTR_TYPE(c.attr) & TYPE_CODE) ||
        (conforming ? ATTR_DPL(c.attr) > SEL_RPL(cs) : ATTR_DPL(c.attr) != SEL_RPL(cs))) {
        fault(v, EXC_TS, SEL_ERR(cs) | ext);
        return false;
    }
    if (!(c.attr & ATTR_P)) { fault(v, EXC_NP, SEL_ERR(cs) | ext); return false; }
    int cpl = SEL_RPL(cs);

    rc = (ss & ~3) ? read_desc(v, ss, &d, &addr) : 1;
    if (rc < 0) return false;
    struct segment st = desc_to_seg(ss, d);
    bool writable_data = (st.attr & ATTR_S) && (ATTR_TYPE(st.attr) & (TYPE_CODE | TYPE_RW)) == TYPE_RW;
    if (rc || !writable_data || SEL_RPL(ss) != cpl || ATTR_DPL(st.attr) != cpl) {
        fault(v, EXC_TS, SEL_ERR(ss) | ext);
        return false;
    }
    if (!(st.attr & ATTR_P)) { fault(v, EXC_SS, SEL_ERR(ss) | ext); return false; }
    vcpu_set_seg(v, SEG_CS, &c);
    vcpu_set_seg(v, SEG_SS, &st);
    v->cpl = cpl;

    static const enum seg_reg data[4] = { SEG_DS, SEG_ES, SEG_FS, SEG_GS };
    for (int i = 0; i < 4; i++)
        if (!load_data_seg(v, data[i], (u16)t->seg[data[i]], ext)) return false;
    return true;
}

// Switch to the task whose TSS selector is `sel`, after the checks of SDM §7.3 steps 3-6.
// Privilege checks of the JMP/CALL operand or the gate are the caller's.
static void switch_task(struct vcpu *v, u16 sel, const struct cause *c)
{
    int bad_sel = c->kind == TS_KIND_IRET ? EXC_TS : EXC_GP;
    struct segment tr;
    vcpu_get_seg(v, SEG_TR, &tr);
    u64 ndesc = 0;
    u32 naddr;
    // The new TSS descriptor: in the GDT, a TSS, busy only for IRET, present, big enough.
    int rc = (sel & SEL_TI) ? 1 : read_desc(v, sel, &ndesc, &naddr);
    if (rc < 0) return;
    struct segment nts = desc_to_seg(sel, ndesc);
    if (rc || !is_tss(nts.attr) || tss_busy(nts.attr) != (c->kind == TS_KIND_IRET))
        return fault(v, bad_sel, SEL_ERR(sel) | c->ext);
    if (!(nts.attr & ATTR_P)) return fault(v, EXC_NP, SEL_ERR(sel) | c->ext);
    if (nts.limit < (tss_is32(nts.attr) ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        return fault(v, EXC_TS, SEL_ERR(sel) | c->ext);
    // The current TSS must hold the state to save (never a data segment: LTR and this
    // file only ever load TSS descriptors into TR).
    if (!is_tss(tr.attr) || tr.limit < TSS32_MIN_LIMIT) return fault(v, EXC_TS, SEL_ERR(tr.sel) | c->ext);
    if (!tss_is32(nts.attr) || !tss_is32(tr.attr)) return fail(v, "16-bit TSS (not supported)");

    struct tss32 old, new;
    if (!guest_read_sys(v, (u32)tr.base, &old, sizeof old)) return;
    if (!guest_read_sys(v, (u32)nts.base, &new, sizeof new)) return;
    if (!probe_sys_write(v, (u32)tr.base + TSS32_SAVE_START, TSS32_SAVE_END + 4 - TSS32_SAVE_START)) return;
    if (c->kind == TS_KIND_CALL && !probe_sys_write(v, (u32)nts.base, 4)) return;
    if ((v->cr0 & CR0_PG) && !mmu_dir_valid(v->mmu, new.cr3)) return fail(v, "TSS CR3 outside guest RAM");

    // Past the checks: the switch completes an event's delivery (a fault raised before
    // this point combined with the event, as the CPU does: #DF during a #PF, ...).
    v->inject.valid = false;
    // Save the outgoing task; an IRET leaves it with NT clear.
    old.eip = c->next_eip;
    old.eflags = (u32)v->rflags & (c->kind == TS_KIND_IRET ? ~(u32)RFLAGS_NT : ~0U);
    for (int i = 0; i < 8; i++) old.gpr[i] = (u32)v->gpr[i];
    for (int s = 0; s < 6; s++) {
        struct segment seg;
        vcpu_get_seg(v, s, &seg);
        old.seg[s] = seg.sel;
    }
    if (!guest_write_sys(v, (u32)tr.base + TSS32_SAVE_START, &old.eip, TSS32_SAVE_END + 4 - TSS32_SAVE_START)) return;
    // JMP and IRET leave the old task: clear its busy bit (TR after reset names no descriptor).
    u64 odesc = 0;
    u32 oaddr;
    if (c->kind != TS_KIND_CALL && read_desc(v, tr.sel, &odesc, &oaddr) == 0 &&
        is_tss(desc_to_seg(tr.sel, odesc).attr) && !set_busy(v, oaddr, odesc, false))
        return;
    if (c->kind == TS_KIND_CALL) {
        new.link = tr.sel;
        new.eflags |= RFLAGS_NT;
        if (!guest_write_sys(v, (u32)nts.base, &new.link, 4)) return;
    }
    if (c->kind != TS_KIND_IRET && !set_busy(v, naddr, ndesc, true)) return;
    nts.attr |= TYPE_BUSY;
    vcpu_set_seg(v, SEG_TR, &nts);

    // Load the incoming task; CR3 first, so that its segments are read in its space.
    if (v->cr0 & CR0_PG) mmu_load_cr3(v, new.cr3);
    tssguard_refresh(v);
    v->rip = new.eip;
    v->rflags = new.eflags | RFLAGS_RESERVED1;
    for (int i = 0; i < 8; i++) v->gpr[i] = new.gpr[i];
    u32 old_cr0 = v->cr0;
    v->cr0 |= CR0_TS;
    mmu_paging_changed(v, old_cr0, v->cr4);
    if (!load_segments(v, &new, c->ext)) return;

    if (c->has_err) {
        struct segment ss;
        vcpu_get_seg(v, SEG_SS, &ss);
        u32 esp = (u32)v->gpr[RSP] - 4;
        if (!guest_write_sys(v, (u32)ss.base + esp, &c->error, 4)) return;
        v->gpr[RSP] = esp;
    }
    log_debug("vm=%d task switch to sel=0x%x eip=0x%x cr3=0x%x", v->vm->id, sel, new.eip, new.cr3);
}

#define GATE_TYPE_MASK 0x1f00
#define GATE_TASK      0x0500
#define GATE_PRESENT   0x8000
#define GATE_DPL(hi)   ((int)((hi) >> 13) & 3)
#define MAX_NESTED     3

// The IDT entry of `vector`; false if it lies past the IDT limit or cannot be read.
static bool idt_entry(struct vcpu *v, int vector, u64 *gate)
{
    struct segment idtr;
    vcpu_get_seg(v, SEG_IDTR, &idtr);
    u32 off = vector * 8;
    return off + 7 <= idtr.limit && guest_peek_sys(v, (u32)idtr.base + off, gate, 8);
}

// EIP after the instruction that caused exit e.
static bool insn_end(struct vcpu *v, const struct exit_info *e, u32 *eip)
{
    u64 rip = v->rip;
    guest_skip_insn(v, e);
    *eip = (u32)v->rip;
    bool moved = v->rip != rip;
    v->rip = rip;
    return moved;
}

void task_switch_handle(struct vcpu *v, const struct exit_info *e)
{
    struct event ev = v->inject;          // delivered through a task gate
    // Bochs reports INT n through a task gate with a stale exception in EXITINTINFO: an
    // event counts only if its IDT entry is a task gate to this TSS.
    u64 gate;
    if (ev.valid && !(idt_entry(v, ev.vector, &gate) && ((u32)(gate >> 32) & GATE_TYPE_MASK) == GATE_TASK &&
                      SEL_ERR((u16)(gate >> 16)) == SEL_ERR(e->tss_sel))) {
        log_debug("vm=%d task switch exit: EXITINTINFO vector=%d is not its cause", v->vm->id, ev.vector);
        ev.valid = v->inject.valid = false;
    }
    if (ev.valid) {
        struct cause c = { TS_KIND_CALL, (u32)v->rip, ev.type == EVENT_EXC || ev.type == EVENT_SWINT ? 0 : ERR_EXT,
                           ev.has_error, ev.error };
        return switch_task(v, e->tss_sel, &c);
    }
    struct cause c = { .kind = e->ts_kind, .has_err = e->ts_has_err, .error = e->error };
    if (!insn_end(v, e, &c.next_eip)) return;
    switch_task(v, e->tss_sel, &c);
}

bool task_switch_far(struct vcpu *v, u16 sel, int kind, u32 next_eip)
{
    u64 d = 0;
    u32 addr;
    int rc = read_desc(v, sel, &d, &addr);
    if (rc < 0) return true;
    struct segment s = desc_to_seg(sel, d);
    bool gate = !(s.attr & ATTR_S) && ATTR_TYPE(s.attr) == TYPE_TASK_GATE;
    if (rc || (!gate && !is_tss(s.attr))) return false;
    // The TSS descriptor or the gate must be reachable from CPL and the selector's RPL.
    if (ATTR_DPL(s.attr) < MAX(v->cpl, SEL_RPL(sel))) { fault(v, EXC_GP, SEL_ERR(sel)); return true; }
    if (gate && !(s.attr & ATTR_P)) { fault(v, EXC_NP, SEL_ERR(sel)); return true; }
    struct cause c = { .kind = kind, .next_eip = next_eip };
    switch_task(v, gate ? (u16)(d >> 16) : sel, &c);
    return true;
}

void task_switch_iret(struct vcpu *v, u32 next_eip)
{
    struct segment tr;
    u16 link;
    vcpu_get_seg(v, SEG_TR, &tr);
    if (!guest_read_sys(v, (u32)tr.base, &link, 2)) return;
    struct cause c = { .kind = TS_KIND_IRET, .next_eip = next_eip };
    switch_task(v, link, &c);
}

bool task_gate_at(struct vcpu *v, int vector)
{
    u64 gate;
    return idt_entry(v, vector, &gate) && ((u32)(gate >> 32) & GATE_TYPE_MASK) == GATE_TASK;
}

bool task_switch_int(struct vcpu *v, int vector, u32 next_eip)
{
    u64 gate;
    if (!idt_entry(v, vector, &gate)) return false;
    u32 hi = (u32)(gate >> 32), err = vector * 8 | ERR_IDT;
    if ((hi & GATE_TYPE_MASK) != GATE_TASK) return false;
    if (GATE_DPL(hi) < v->cpl) { fault(v, EXC_GP, err); return true; }   // INT n only
    if (!(hi & GATE_PRESENT)) { fault(v, EXC_NP, err); return true; }
    struct cause c = { .kind = TS_KIND_CALL, .next_eip = next_eip };
    switch_task(v, (u16)(gate >> 16), &c);
    return true;
}

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
        u32 ext = v->inject.type == EVENT_EXC || v->inject.type == EVENT_SWINT ? 0 : ERR_EXT;
        u32 err = off | ERR_IDT | ext;
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
        struct cause c = { TS_KIND_CALL, (u32)v->rip, ext, v->inject.has_error, v->inject.error };
        switch_task(v, (u16)(gate >> 16), &c);   // a refused switch leaves a fault to deliver
    }
}

#define OP_GRP6  0x00              // 0F 00 /3: LTR r/m16
#define GRP6_LTR 3

void task_ltr(struct vcpu *v)
{
    struct insn in;
    if (!guest_fetch_insn(v, &in)) return;
    if (in.map != INSN_MAP_0F || in.opcode != OP_GRP6 || in.reg != GRP6_LTR) {
        log_err("vm=%d LTR exit on another instruction at rip=0x%llx", v->vm->id, v->rip);
        vm_stop(v->vm, "unhandled-exit", 1);
        return;
    }
    if (v->cpl != 0) return fault(v, EXC_GP, 0);
    u16 sel;
    if (in.has_mem) {
        u32 g[8];
        for (int i = 0; i < 8; i++) g[i] = (u32)v->gpr[i];
        if (!guest_read_virt(v, guest_seg_base(v, in.mem.seg) + decode_ea(&in, g), &sel, 2)) return;
    } else {
        sel = (u16)v->gpr[in.rm];
    }
    if (!(sel & ~3)) return fault(v, EXC_GP, 0);
    u64 d = 0;
    u32 addr;
    int rc = (sel & SEL_TI) ? 1 : read_desc(v, sel, &d, &addr);
    if (rc < 0) return;
    struct segment s = desc_to_seg(sel, d);
    if (rc || !is_tss(s.attr) || tss_busy(s.attr)) return fault(v, EXC_GP, SEL_ERR(sel));
    if (!(s.attr & ATTR_P)) return fault(v, EXC_NP, SEL_ERR(sel));
    if (!set_busy(v, addr, d, true)) return;
    s.attr |= TYPE_BUSY;
    vcpu_set_seg(v, SEG_TR, &s);
    tssguard_refresh(v);
    v->rip = (u32)(v->rip + in.len);
}
